package io.livemig.bench.report.result;

import io.livemig.bench.report.stats.Estimate;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Pairs results with their class's baselines and computes speed relative to a baseline.
 *
 * <p>A baseline of a result is a method of the same class whose name starts with {@code baseline}, run in
 * the same mode with the same thread count and the same {@code @Param} values: the same work measured by
 * the plainest code, on the same inputs, in the same run. For time modes the ratio is {@code baseline /
 * score} (above 1: faster than the baseline); for throughput, {@code score / baseline}. Its error is
 * propagated from both scores' JMH errors as {@link Estimate#ratio} describes.
 *
 * <p>Stateless; thread-safe.
 */
public final class Baselines
{
    private Baselines()
    {
    }

    /** @return the baseline method names of {@code className} in {@code results}, in first-seen order. */
    public static List<String> methodsOf(final List<JmhResult> results, final String className)
    {
        final Set<String> names = new LinkedHashSet<>();
        for (final JmhResult r : results)
        {
            if (r.className().equals(className) && r.isBaseline())
            {
                names.add(r.method());
            }
        }
        return new ArrayList<>(names);
    }

    /** @return the run of baseline {@code method} that matches {@code result}, if the run has one. */
    public static Optional<JmhResult> find(final List<JmhResult> results, final JmhResult result, final String method)
    {
        for (final JmhResult r : results)
        {
            if (r.className().equals(result.className()) && r.method().equals(method) &&
                r.mode().equals(result.mode()) && r.threads() == result.threads() && r.params().equals(result.params()))
            {
                return Optional.of(r);
            }
        }
        return Optional.empty();
    }

    /**
     * @return speed of {@code result} relative to {@code baseline}, with propagated error; above 1 means
     *         faster than the baseline. Empty when units differ.
     */
    public static Optional<Estimate> speedup(final JmhResult result, final JmhResult baseline)
    {
        if (!result.primary().unit().equals(baseline.primary().unit()))
        {
            return Optional.empty();
        }
        final Estimate score = result.primary().estimate();
        final Estimate base = baseline.primary().estimate();
        return Optional.of(result.lowerIsBetter() ? Estimate.ratio(base, score) : Estimate.ratio(score, base));
    }
}
