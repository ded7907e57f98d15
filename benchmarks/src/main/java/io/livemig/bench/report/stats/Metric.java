package io.livemig.bench.report.stats;

import java.util.List;

/**
 * One metric of a JMH result as its JSON gives it: the score, JMH's 99.9 % error half-width and confidence
 * interval (NaN when JMH had too few iterations for them), the unit and the per-fork, per-iteration raw
 * values.
 *
 * @param score    the aggregated score.
 * @param error    half-width of the 99.9 % confidence interval, or NaN.
 * @param ciLow    lower end of the 99.9 % confidence interval, or NaN.
 * @param ciHigh   upper end of the 99.9 % confidence interval, or NaN.
 * @param unit     e.g. {@code ns/op}, {@code B/op}, {@code #}.
 * @param rawData  per fork, the value of each measured iteration.
 */
public record Metric(double score, double error, double ciLow, double ciHigh, String unit, List<List<Double>> rawData)
{
    /** @return the score with its error as an {@link Estimate}. */
    public Estimate estimate()
    {
        return new Estimate(score, error);
    }

    /** @return the mean of the raw per-iteration values over every fork, or the score if there are none. */
    public double meanPerIteration()
    {
        double sum = 0;
        int n = 0;
        for (final List<Double> fork : rawData)
        {
            for (final double value : fork)
            {
                sum += value;
                n++;
            }
        }
        return n == 0 ? score : sum / n;
    }

    /** @return the smallest raw per-iteration value, or the score if there are none. */
    public double minPerIteration()
    {
        return rawData.stream().flatMap(List::stream).mapToDouble(Double::doubleValue).min().orElse(score);
    }

    /** @return whether the confidence interval is known. */
    public boolean hasInterval()
    {
        return !Double.isNaN(ciLow) && !Double.isNaN(ciHigh);
    }
}
