package io.livemig.bench.report.stats;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.DoubleRange;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Ratio intervals on the log scale: exact where the arithmetic is simple, first-order where errors are small. */
class IntervalTest
{
    @Test
    void aSingleShotCounterGetsTheIntervalJmhWouldGiveItsIterations()
    {
        // 3 forks of 2 shots, pooled: mean 3, sd sqrt(2), half-width t(5) sqrt(2) / sqrt(6); NaN shots left out.
        final Metric counter = new Metric(18, Double.NaN, 18, 18, "#",
            List.of(List.of(1.0, 5.0), List.of(2.0, 4.0, Double.NaN), List.of(3.0, 3.0)));
        final Interval i = Interval.ofIterations(counter);
        final double half = Verdict.quantile(5) * Math.sqrt(2) / Math.sqrt(6);
        assertEquals(3, i.value(), 1e-12, "the mean, not JMH's sum");
        assertEquals(3 - half, i.low(), 1e-12);
        assertEquals(3 + half, i.high(), 1e-12);
        final Verdict.Side side = Verdict.Side.ofIterations(counter);
        assertEquals(List.of(3, 2), List.of(side.forks(), side.iterations()));
        // One shot: its value, no interval; none: nothing.
        assertFalse(Interval.ofIterations(new Metric(7, Double.NaN, 7, 7, "#", List.of(List.of(7.0)))).known());
        assertEquals(7, Interval.ofIterations(new Metric(7, Double.NaN, 7, 7, "#", List.of(List.of(7.0)))).value());
        assertTrue(Double.isNaN(Interval.ofIterations(new Metric(0, Double.NaN, 0, 0, "#", List.of())).value()));
    }

    @Test
    void logDistancesAddInQuadrature()
    {
        // 2 [1, 4] ÷ 1 [0.5, 2]: each side a factor of 2 either way; the ratio a factor of 2^sqrt(2) either way
        final Interval r = Interval.ratio(new Interval(2, 1, 4), new Interval(1, 0.5, 2));
        assertEquals(2, r.value(), 1e-12);
        assertEquals(2 * Math.pow(2, -Math.sqrt(2)), r.low(), 1e-12);
        assertEquals(2 * Math.pow(2, Math.sqrt(2)), r.high(), 1e-12);
    }

    @Test
    void anAsymmetricSideGivesAnAsymmetricRatio()
    {
        // the numerator can only be 25 % higher, the denominator 50 % lower: the ratio reaches twice as far up
        final Interval r = Interval.ratio(new Interval(1, 1, 1.25), new Interval(1, 0.5, 1));
        assertEquals(1, r.low(), 1e-12, "nothing makes it smaller");
        assertEquals(Math.exp(Math.hypot(Math.log(1.25), Math.log(2))), r.high(), 1e-12);
    }

    @Test
    void aSideWhoseIntervalReachesZeroLeavesTheRatioUnbounded()
    {
        final Interval time = new Interval(3.5, -0.5, 7.5); // 3.5 ± 4.0 ms
        final Interval other = new Interval(2.7, 2.6, 2.8);
        final Interval speed = Interval.ratio(other, time);
        assertEquals(Double.POSITIVE_INFINITY, speed.high());
        assertTrue(speed.low() > 0 && speed.low() < speed.value());
        assertEquals(0, Interval.ratio(time, other).low(), "as a numerator it is unbounded below");
        assertEquals("0.7714 [0.3597, ∞]", speed.toString());
    }

    @Test
    void anUnknownSideLeavesTheRatioUnknown()
    {
        final Interval r = Interval.ratio(new Interval(2, Double.NaN, Double.NaN), new Interval(1, 0.9, 1.1));
        assertEquals(2, r.value());
        assertFalse(r.known());
        assertEquals("2.000 [no interval]", r.toString());
    }

    @Test
    void jmhIntervalsAndUnitChangesKeepTheirEnds()
    {
        final Metric m = new Metric(10, 1, 9.2, 10.8, "ms/op", List.of());
        assertEquals(new Interval(10, 9.2, 10.8), Interval.of(m));
        assertEquals(new Interval(9, 8, 10), Interval.of(new Metric(9, 1, Double.NaN, Double.NaN, "ns/op", List.of())));
        final Interval gbs = new Interval(800, 790, 810).reciprocalTimes(4096);
        assertEquals(4096 / 810.0, gbs.low(), 1e-12);
        assertEquals(4096 / 790.0, gbs.high(), 1e-12);
    }

    /** Where both sides are known to within a few percent, the interval is the first-order one. */
    @Property(tries = 200)
    void smallErrorsAgreeWithFirstOrderPropagation(@ForAll @DoubleRange(min = 1, max = 1e6) final double a,
                                                   @ForAll @DoubleRange(min = 1, max = 1e6) final double b,
                                                   @ForAll @DoubleRange(min = 0, max = 0.01) final double ea,
                                                   @ForAll @DoubleRange(min = 0, max = 0.01) final double eb)
    {
        final Interval r = Interval.ratio(new Interval(a, a * (1 - ea), a * (1 + ea)),
            new Interval(b, b * (1 - eb), b * (1 + eb)));
        final Estimate first = Estimate.ratio(new Estimate(a, a * ea), new Estimate(b, b * eb));
        assertEquals(first.value(), r.value(), 1e-12 * first.value());
        assertEquals(first.error(), (r.high() - r.low()) / 2, 0.02 * first.error() + 1e-12 * first.value());
        assertTrue(r.low() <= r.value() && r.value() <= r.high());
    }
}
