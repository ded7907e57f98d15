package io.livemig.bench.report.stats;

/**
 * A value with an error half-width, as JMH gives a score (the half-width of its 99.9 % confidence
 * interval), and first-order propagation of that error through quotients.
 *
 * <p>For {@code r = a / b} with independent errors, {@code err(r) = |r| * sqrt((err(a)/a)^2 + (err(b)/b)^2)}:
 * relative errors add in quadrature. This is the usual linearised propagation; it is a good approximation
 * while both relative errors are small (say under 20 %), and understates the interval of a quotient whose
 * denominator is itself uncertain by more than that. An unknown error (NaN) propagates as unknown.
 *
 * @param value the value.
 * @param error the half-width of its interval, at least 0, or NaN if unknown.
 */
public record Estimate(double value, double error)
{
    /** @return {@code numerator / denominator} with the propagated error. */
    public static Estimate ratio(final Estimate numerator, final Estimate denominator)
    {
        final double value = numerator.value / denominator.value;
        final double relative = Math.hypot(numerator.relativeError(), denominator.relativeError());
        return new Estimate(value, Math.abs(value) * relative);
    }

    /** @return {@code constant / this} with the same relative error, e.g. GB/s from ns per page. */
    public Estimate reciprocalTimes(final double constant)
    {
        final double value = constant / this.value;
        return new Estimate(value, Math.abs(value) * relativeError());
    }

    /** @return {@code error / |value|}, or NaN if unknown. */
    public double relativeError()
    {
        return error / Math.abs(value);
    }

    /** @return whether the error is known. */
    public boolean hasError()
    {
        return !Double.isNaN(error) && !Double.isInfinite(error);
    }

    @Override
    public String toString()
    {
        return Fmt.withError(value, error);
    }
}
