package io.livemig.bench.report.stats;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * How one result's forks agree, from JMH's {@code rawData} (each fork's measured iterations): each fork's mean,
 * the spread within a fork, and whether the forks fall into separate groups.
 *
 * <p><b>Bimodal.</b> JMH's interval pools every iteration of every fork as if all were independent draws of one
 * quantity. Where each fork settles on its own level (JIT decisions, where its memory landed) and stays there,
 * that is false: the pooled mean is then an average of levels, and its interval says little about any of them.
 * The test: sort the fork means {@code m1 <= ... <= mf}; let {@code s} be the pooled within-fork standard
 * deviation of the iterations ({@code sqrt(sum((n_i - 1) s_i^2) / sum(n_i - 1))}, forks with two or more
 * iterations); the forks split between {@code m_j} and {@code m_j+1} when the gap exceeds both
 * {@value #GAP_SPREADS} x {@code s} and {@value #GAP_PERCENT} % of the mean of the fork means. The groups are
 * the runs of forks between splits; a result with two groups or more is <b>bimodal</b>. The first bound is far
 * outside what iteration noise gives (fork means of 2 to 3 iterations whose iterations vary by {@code s} lie
 * within about {@code s} of each other; a gap of 4 {@code s} between neighbours is vanishingly rare among 5
 * forks); the second keeps forks that are each very steady but differ by a few percent from counting as
 * separate levels, a difference the forks' interval already carries. A result with a single fork, or no fork
 * with two iterations, cannot be tested and is not bimodal.
 *
 * <p>Immutable; thread-safe.
 *
 * @param means      each fork's mean, in fork order.
 * @param iterations iterations per fork (the smallest, when forks differ).
 * @param within     the pooled within-fork standard deviation, NaN if no fork has two iterations.
 * @param groups     the fork means split into groups, each sorted, groups in ascending order.
 */
public record ForkSpread(List<Double> means, int iterations, double within, List<List<Double>> groups)
{
    /** A gap between neighbouring fork means must exceed this many within-fork standard deviations... */
    public static final double GAP_SPREADS = 4;
    /** ...and this percentage of the mean of the fork means, for the forks to split there. */
    public static final double GAP_PERCENT = 5;

    /** @return the spread of {@code metric}'s forks. */
    public static ForkSpread of(final Metric metric)
    {
        final List<Double> means = new ArrayList<>();
        int iterations = Integer.MAX_VALUE;
        double squares = 0;
        int degrees = 0;
        for (final List<Double> fork : metric.rawData())
        {
            if (fork.isEmpty())
            {
                continue;
            }
            final double mean = fork.stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
            means.add(mean);
            iterations = Math.min(iterations, fork.size());
            for (final double x : fork)
            {
                squares += (x - mean) * (x - mean);
            }
            degrees += fork.size() - 1;
        }
        final double within = degrees == 0 ? Double.NaN : Math.sqrt(squares / degrees);
        return new ForkSpread(List.copyOf(means), means.isEmpty() ? 0 : iterations, within,
            groups(means, within));
    }

    /** @return the sorted means split at every gap wider than both bounds; one group if none is, or untestable. */
    static List<List<Double>> groups(final List<Double> means, final double within)
    {
        final List<Double> sorted = means.stream().sorted().toList();
        final List<List<Double>> groups = new ArrayList<>();
        if (sorted.isEmpty())
        {
            return groups;
        }
        final double centre = sorted.stream().mapToDouble(Double::doubleValue).average().orElse(0);
        final double bound = Math.max(GAP_SPREADS * within, GAP_PERCENT / 100 * Math.abs(centre));
        List<Double> group = new ArrayList<>();
        group.add(sorted.get(0));
        for (int i = 1; i < sorted.size(); i++)
        {
            if (!Double.isNaN(within) && sorted.get(i) - sorted.get(i - 1) > bound)
            {
                groups.add(List.copyOf(group));
                group = new ArrayList<>();
            }
            group.add(sorted.get(i));
        }
        groups.add(List.copyOf(group));
        return List.copyOf(groups);
    }

    /** @return how many forks measured. */
    public int forks()
    {
        return means.size();
    }

    /** @return whether the forks fall into two groups or more. */
    public boolean bimodal()
    {
        return groups.size() > 1;
    }

    /** @return the fork means, scaled by {@code factor}, e.g. {@code 301, 310, 492}, in fork order. */
    public String meansText(final double factor)
    {
        return means.stream().map(m -> Fmt.num(m * factor)).collect(Collectors.joining(", "));
    }

    /** @return the groups, scaled by {@code factor}, e.g. {@code {301, 310} {492}}. */
    public String groupsText(final double factor)
    {
        return groups.stream().map(g -> g.stream().map(m -> Fmt.num(m * factor))
            .collect(Collectors.joining(", ", "{", "}"))).collect(Collectors.joining(" "));
    }

    @Override
    public String toString()
    {
        return String.format(Locale.ROOT, "%d forks x %d: %s", forks(), iterations, groupsText(1));
    }
}
