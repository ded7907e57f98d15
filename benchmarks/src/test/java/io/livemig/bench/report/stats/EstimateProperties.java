package io.livemig.bench.report.stats;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.DoubleRange;
import net.jqwik.api.constraints.Scale;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Error propagation through ratios, and the printed form of a value with its error. */
class EstimateProperties
{
    /**
     * For small relative errors, first-order propagation must agree with the exact spread of a / b over the
     * corners of the two intervals: the worst corner moves the ratio by between 1 and sqrt(2) times the
     * propagated error (relative errors add linearly at a corner, in quadrature in the propagation).
     */
    @Property(tries = 300)
    void propagatedErrorMatchesTheCornersOfTheIntervals(
        @ForAll @DoubleRange(min = 1e-3, max = 1e6) @Scale(9) final double a, @ForAll @DoubleRange(min = 0,
            max = 0.03) @Scale(9) final double ra,
        @ForAll @DoubleRange(min = 1e-3, max = 1e6) @Scale(9) final double b, @ForAll @DoubleRange(min = 0,
            max = 0.03) @Scale(9) final double rb)
    {
        final Estimate r = Estimate.ratio(new Estimate(a, a * ra), new Estimate(b, b * rb));
        assertEquals(a / b, r.value(), 1e-12 * a / b);
        final double corner = Math.max(Math.abs((a + a * ra) / (b - b * rb) - a / b), Math.abs((a - a * ra) / (b +
            b * rb) - a / b));
        if (ra + rb == 0)
        {
            assertEquals(0, r.error());
            return;
        }
        final double q = corner / r.error();
        assertTrue(q >= 0.999 && q <= Math.sqrt(2) * 1.07, "corner / propagated = " + q);
    }

    @Property(tries = 200)
    void ratioIsScaleInvariantAndItsInverseHasTheSameRelativeError(
        @ForAll @DoubleRange(min = 1e-3, max = 1e6) @Scale(9) final double a, @ForAll @DoubleRange(min = 0,
            max = 0.5) @Scale(9) final double ra,
        @ForAll @DoubleRange(min = 1e-3, max = 1e6) @Scale(9) final double b, @ForAll @DoubleRange(min = 0,
            max = 0.5) @Scale(9) final double rb,
        @ForAll @DoubleRange(min = 1e-6, max = 1e6) @Scale(9) final double k)
    {
        final Estimate x = new Estimate(a, a * ra);
        final Estimate y = new Estimate(b, b * rb);
        final Estimate r = Estimate.ratio(x, y);
        final Estimate scaled = Estimate.ratio(new Estimate(k * a, k * a * ra), new Estimate(k * b, k * b * rb));
        assertEquals(r.value(), scaled.value(), 1e-9 * r.value());
        assertEquals(r.error(), scaled.error(), 1e-9 * r.value());
        assertEquals(r.relativeError(), Estimate.ratio(y, x).relativeError(), 1e-9);
        assertTrue(r.relativeError() >= Math.max(ra, rb) - 1e-12);
        final Estimate gbs = x.reciprocalTimes(4096);
        assertEquals(ra, gbs.relativeError(), 1e-12);
    }

    @Property(tries = 100)
    void unknownErrorsStayUnknown(@ForAll @DoubleRange(min = 1e-3, max = 1e6) @Scale(9) final double a)
    {
        assertTrue(Double.isNaN(Estimate.ratio(new Estimate(a, Double.NaN), new Estimate(a, 0)).error()));
        assertEquals(Fmt.num(1.0), Estimate.ratio(new Estimate(a, Double.NaN), new Estimate(a, 0)).toString());
    }

    /** The printed value is within half a unit of its last digit, which is the error's second significant digit. */
    @Property(tries = 300)
    void printedValueKeepsTwoSignificantDigitsOfTheError(
        @ForAll @DoubleRange(min = 1e-4, max = 1e6) @Scale(9) final double value, @ForAll @DoubleRange(min = 1e-3,
            max = 0.5) @Scale(9) final double relative)
    {
        final double error = value * relative;
        final String[] parts = Fmt.withError(value, error).split(" ± ");
        final double printedValue = Double.parseDouble(parts[0]);
        final double printedError = Double.parseDouble(parts[1]);
        final int decimals = parts[1].contains(".") ? parts[1].length() - parts[1].indexOf('.') - 1 : 0;
        final double lastDigit = Math.pow(10, -decimals);
        assertEquals(value, printedValue, lastDigit / 2 + 1e-12 * value, Fmt.withError(value, error));
        assertEquals(error, printedError, lastDigit / 2 + 1e-12 * value, Fmt.withError(value, error));
        if (decimals > 0 && decimals < 9)
        {
            assertTrue(printedError >= 10 * lastDigit - lastDigit / 2 && printedError <= 100 * lastDigit,
                "two significant digits: " + parts[1]);
        }
    }
}
