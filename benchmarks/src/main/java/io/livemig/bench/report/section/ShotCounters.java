package io.livemig.bench.report.section;

import io.livemig.bench.report.result.JmhResult;
import io.livemig.bench.report.stats.Fmt;
import io.livemig.bench.report.stats.Interval;
import io.livemig.bench.report.stats.Metric;
import io.livemig.bench.report.stats.Verdict;

import java.util.List;
import java.util.Optional;

/**
 * The aux counters of single-shot migration benchmarks as the post-copy sections show them: each counter holds
 * one value per shot (iteration), whose JMH score is their sum; a figure is the mean over the shots, with the
 * 99.9 % interval of those shots ({@link Interval#ofIterations}), in µs or ms. A time cannot be negative: an
 * interval that reaches below zero (few shots, wide spread) is shown from 0, as a ratio's interval is.
 *
 * <p>Stateless; thread-safe.
 */
final class ShotCounters
{
    private ShotCounters()
    {
    }

    /** @return {@code counter} of {@code r} as a goal's side, if {@code r} has it. */
    static Optional<Verdict.Side> side(final JmhResult r, final String counter)
    {
        return r.secondary(counter).map(Verdict.Side::ofIterations);
    }

    /** @return {@code counter}'s mean over the shots with its interval; unknown (NaN) if {@code r} lacks it. */
    static Interval interval(final JmhResult r, final String counter)
    {
        return r.secondary(counter).map(Interval::ofIterations).orElse(new Interval(Double.NaN, Double.NaN,
            Double.NaN));
    }

    /** @return the mean over the shots of a counter, NaN where none measured it. */
    static double mean(final JmhResult r, final String counter)
    {
        return interval(r, counter).value();
    }

    /** @return the shots (iterations) {@code r} recorded {@code counter} for. */
    static long shots(final JmhResult r, final String counter)
    {
        return r.secondary(counter).map(Metric::rawData).map(forks -> forks.stream().flatMap(List::stream)
            .filter(v -> !Double.isNaN(v)).count()).orElse(0L);
    }

    /** @return a latency in µs as {@code 305.0 µs [210.0, 400.0]} (ms from 1,000 µs on); {@code –} if unknown. */
    static String latency(final Interval us)
    {
        if (Double.isNaN(us.value()))
        {
            return "–";
        }
        final boolean ms = us.value() >= 1000;
        final Interval shown = fromZero(ms ? us.times(1e-3) : us);
        return Fmt.num(shown.value()) + (ms ? " ms" : " µs") + (shown.known() ? " " + shown.endsText() : "");
    }

    /** @return a duration in ms as {@code 53.20 ms [52.9, 53.5]}; {@code –} if unknown. */
    static String millis(final Interval ms)
    {
        return Double.isNaN(ms.value()) ? "–" : Fmt.num(ms.value()) + " ms" + (ms.known() ? " " +
            fromZero(ms).endsText() : "");
    }

    private static Interval fromZero(final Interval time)
    {
        return new Interval(time.value(), Math.max(0, time.low()), time.high());
    }
}
