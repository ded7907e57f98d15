package io.livemig.bench.report.stats;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * An estimate and its 99.9 % confidence interval {@code [low, high]}, which need not be symmetric: a JMH score's
 * interval as JMH computed it, or the interval of a ratio of two independent scores.
 *
 * <p><b>Ratio intervals.</b> A ratio {@code r = a / b} of two positive scores measured in separate forks is read
 * on the log scale, where it is a difference, {@code ln r = ln a - ln b}: each side's interval becomes distances
 * below and above its estimate, {@code down = ln(a / a.low)} and {@code up = ln(a.high / a)}, and the two sides'
 * distances add in quadrature as independent errors do; the ratio's interval is then
 * <pre>
 *   [ r * exp(-sqrt(down_a^2 + up_b^2)),  r * exp(sqrt(up_a^2 + down_b^2)) ]
 * </pre>
 * For small errors this is the usual first-order propagation ({@code r * sqrt(ea^2 + eb^2)}, relative errors in
 * quadrature), but it stays honest where that one is not: a denominator known only to within 50 % makes the
 * ratio's interval reach far further up than down, as it should, and a side whose interval reaches zero (a time
 * of {@code 3.5 ± 4.0}) leaves the ratio unbounded on that side ({@code high = +inf} or {@code low = 0}), which
 * no verdict can clear. Adding the two 99.9 % distances in quadrature gives a 99.9 % interval of the ratio when
 * both sides are near normal on the log scale; it assumes the two sides independent, which they are (separate
 * forks), and it inherits JMH's own assumption that a side's iterations are independent (see
 * {@link ForkSpread} for when they are not).
 *
 * <p>Immutable; thread-safe.
 *
 * @param value the estimate.
 * @param low   the interval's lower end ({@code NaN} if unknown, 0 if unbounded below for a positive quantity).
 * @param high  the interval's upper end ({@code NaN} if unknown, {@code +inf} if unbounded).
 */
public record Interval(double value, double low, double high)
{
    /** @return the interval of a JMH metric (its {@code scoreConfidence}, else {@code score ± error}). */
    public static Interval of(final Metric metric)
    {
        if (metric.hasInterval())
        {
            return new Interval(metric.score(), metric.ciLow(), metric.ciHigh());
        }
        final double error = metric.error();
        return Double.isNaN(error) ? new Interval(metric.score(), Double.NaN, Double.NaN) :
            new Interval(metric.score(), metric.score() - error, metric.score() + error);
    }

    /**
     * The interval JMH would give a score of {@code metric}'s per-iteration values, for a counter recorded once per
     * iteration whose JMH score carries none (a single shot's aux counter: JMH sums those over the iterations):
     * the mean of the finite values, every fork's pooled as JMH pools a score's, {@code ± t(n - 1) s / sqrt(n)}
     * at 99.9 %, {@code s} their standard deviation and {@code t} Student's quantile (JMH's). NaN values (not
     * measured in that iteration) are left out.
     *
     * @return the interval; unknown ({@code NaN} ends) with fewer than two values, and a {@code NaN} value with none.
     */
    public static Interval ofIterations(final Metric metric)
    {
        final double[] values = metric.rawData().stream().flatMap(List::stream)
            .mapToDouble(Double::doubleValue).filter(v -> !Double.isNaN(v)).toArray();
        final int n = values.length;
        final double mean = n == 0 ? Double.NaN : Arrays.stream(values).sum() / n;
        if (n < 2)
        {
            return new Interval(mean, Double.NaN, Double.NaN);
        }
        double squares = 0;
        for (final double v : values)
        {
            squares += (v - mean) * (v - mean);
        }
        final double half = Verdict.quantile(n - 1) * Math.sqrt(squares / (n - 1)) / Math.sqrt(n);
        return new Interval(mean, mean - half, mean + half);
    }

    /** @return {@code value ± error}, the symmetric interval of an {@link Estimate}. */
    public static Interval of(final Estimate estimate)
    {
        return new Interval(estimate.value(), estimate.value() - estimate.error(), estimate.value() + estimate.error());
    }

    /**
     * @return the interval of {@code numerator / denominator} for two positive, independent estimates, on the log
     *         scale (see the class comment); unknown ({@code NaN} ends) if either side's interval is.
     */
    public static Interval ratio(final Interval numerator, final Interval denominator)
    {
        final double value = numerator.value / denominator.value;
        if (!numerator.known() || !denominator.known() || !(numerator.value > 0) || !(denominator.value > 0))
        {
            return new Interval(value, Double.NaN, Double.NaN);
        }
        final double downA = numerator.logDown();
        final double upA = numerator.logUp();
        final double downB = denominator.logDown();
        final double upB = denominator.logUp();
        final double down = Math.sqrt(downA * downA + upB * upB);
        final double up = Math.sqrt(upA * upA + downB * downB);
        return new Interval(value, value * Math.exp(-down), value * Math.exp(up));
    }

    /** @return {@code ln(value / low)}: +inf when the interval reaches zero or below. */
    private double logDown()
    {
        return low > 0 ? Math.log(value / low) : Double.POSITIVE_INFINITY;
    }

    /** @return {@code ln(high / value)}. */
    private double logUp()
    {
        return Math.log(high / value);
    }

    /** @return whether both ends are known. */
    public boolean known()
    {
        return !Double.isNaN(low) && !Double.isNaN(high);
    }

    /** @return this interval with every number multiplied by {@code factor} (a unit change), which must be > 0. */
    public Interval times(final double factor)
    {
        return new Interval(value * factor, low * factor, high * factor);
    }

    /** @return {@code constant / this}: the interval of a reciprocal (e.g. GB/s from ns per page), ends swapped. */
    public Interval reciprocalTimes(final double constant)
    {
        return new Interval(constant / value, high > 0 ? constant / high : 0,
            low > 0 ? constant / low : Double.POSITIVE_INFINITY);
    }

    @Override
    public String toString()
    {
        if (!known())
        {
            return Fmt.num(value) + " [no interval]";
        }
        return Fmt.num(value) + " [" + end(low) + ", " + end(high) + "]";
    }

    private static String end(final double x)
    {
        return Double.isInfinite(x) ? (x > 0 ? "∞" : "-∞") : Fmt.num(x);
    }

    /** @return e.g. {@code [0.52, 1.3]}, the ends alone. */
    public String endsText()
    {
        return String.format(Locale.ROOT, "[%s, %s]", end(low), end(high));
    }
}
