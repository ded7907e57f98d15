package io.livemig.bench.report;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Two runs side by side: results matched by benchmark, mode, threads and params; each pair's change and
 * whether it is significant (the two 99.9 % confidence intervals JMH gives do not overlap); a regression is a
 * significant change in the worse direction (slower for time modes, fewer ops for throughput) larger than a
 * threshold.
 *
 * <p>Non-overlap of two 99.9 % intervals is a conservative test: a difference can be real with overlapping
 * intervals, but a reported one is very unlikely to be noise within one machine. It cannot see fork-to-fork
 * variation that a single-fork run did not sample.
 *
 * <p>Immutable; thread-safe.
 */
public final class Comparison
{
    /**
     * One matched pair.
     *
     * @param key         benchmark, mode, threads and params.
     * @param old         the old run's primary metric.
     * @param now         the new run's primary metric.
     * @param lowerIsBetter whether lower scores are better (time modes).
     * @param change      new / old - 1.
     * @param comparable  false when the units differ (change is then NaN).
     * @param significant whether the confidence intervals are known and do not overlap.
     * @param regression  whether significant, worse, and worse by more than the threshold.
     */
    public record Row(String key, Metric old, Metric now, boolean lowerIsBetter, double change, boolean comparable,
                      boolean significant, boolean regression)
    {
    }

    private final List<Row> rows;
    private final List<String> onlyOld;
    private final List<String> onlyNew;

    private Comparison(final List<Row> rows, final List<String> onlyOld, final List<String> onlyNew)
    {
        this.rows = rows;
        this.onlyOld = onlyOld;
        this.onlyNew = onlyNew;
    }

    /**
     * @param old       the old run's results.
     * @param now       the new run's results.
     * @param threshold the smallest worsening that counts as a regression, as a fraction (0.1 = 10 %).
     * @return the comparison.
     */
    public static Comparison of(final List<JmhResult> old, final List<JmhResult> now, final double threshold)
    {
        final Map<String, JmhResult> oldByKey = new LinkedHashMap<>();
        old.forEach(r -> oldByKey.put(r.key(), r));
        final List<Row> rows = new ArrayList<>();
        final List<String> onlyNew = new ArrayList<>();
        for (final JmhResult n : now)
        {
            final JmhResult o = oldByKey.remove(n.key());
            if (o == null)
            {
                onlyNew.add(n.key());
                continue;
            }
            rows.add(row(n.key(), o.primary(), n.primary(), n.lowerIsBetter(), threshold));
        }
        return new Comparison(List.copyOf(rows), List.copyOf(oldByKey.keySet()), List.copyOf(onlyNew));
    }

    static Row row(final String key, final Metric old, final Metric now, final boolean lowerIsBetter,
                   final double threshold)
    {
        if (!old.unit().equals(now.unit()))
        {
            return new Row(key, old, now, lowerIsBetter, Double.NaN, false, false, false);
        }
        final double change = now.score() / old.score() - 1;
        final boolean significant = old.hasInterval() && now.hasInterval() &&
            (now.ciLow() > old.ciHigh() || now.ciHigh() < old.ciLow());
        final double worsening = lowerIsBetter ? change : -change;
        return new Row(key, old, now, lowerIsBetter, change, true, significant, significant && worsening > threshold);
    }

    /** @return the matched pairs, in the new run's order. */
    public List<Row> rows()
    {
        return rows;
    }

    /** @return keys present only in the old run. */
    public List<String> onlyOld()
    {
        return onlyOld;
    }

    /** @return keys present only in the new run. */
    public List<String> onlyNew()
    {
        return onlyNew;
    }

    /** @return the regressions. */
    public List<Row> regressions()
    {
        return rows.stream().filter(Row::regression).toList();
    }

    /**
     * Reproducibility of two runs of the same code: how many pairs with known intervals overlap (the pairs
     * that are not {@link Row#significant}), and which do not.
     *
     * @return the summary line, then one line per pair whose intervals do not overlap.
     */
    public String agreement()
    {
        final List<Row> withIntervals = rows.stream()
            .filter(r -> r.comparable() && r.old().hasInterval() && r.now().hasInterval()).toList();
        final List<Row> apart = withIntervals.stream().filter(Row::significant).toList();
        final int agree = withIntervals.size() - apart.size();
        final StringBuilder text = new StringBuilder(String.format(Locale.ROOT,
            "agreement: %d of %d matched benchmarks have overlapping 99.9 %% intervals (%s)", agree,
            withIntervals.size(), withIntervals.isEmpty() ? "n/a" :
                String.format(Locale.ROOT, "%.1f %%", 100.0 * agree / withIntervals.size())));
        if (withIntervals.size() < rows.size())
        {
            text.append(String.format(Locale.ROOT, "; %d without a known interval or with other units left out",
                rows.size() - withIntervals.size()));
        }
        text.append('\n');
        for (final Row r : apart)
        {
            text.append("  not overlapping: ").append(r.key()).append(": ").append(r.old().estimate()).append(" -> ")
                .append(r.now().estimate()).append(' ').append(r.now().unit()).append(" (")
                .append(Fmt.percent(r.change())).append(")\n");
        }
        return text.toString();
    }

    /** @return a plain-text table of every pair and the unmatched keys. */
    public String table()
    {
        final List<String[]> lines = new ArrayList<>();
        lines.add(new String[] {"benchmark", "old", "new", "unit", "change", "significant", ""});
        for (final Row r : rows)
        {
            lines.add(new String[] {r.key(), r.old().estimate().toString(), r.now().estimate().toString(),
                r.comparable() ? r.now().unit() : r.old().unit() + " -> " + r.now().unit(),
                r.comparable() ? Fmt.percent(r.change()) : "units differ",
                !r.comparable() ? "-" :
                    r.old().hasInterval() && r.now().hasInterval() ? (r.significant() ? "yes" : "no") : "n/a",
                r.regression() ? "REGRESSION" : r.significant() ? (better(r) ? "better" : "worse") : ""});
        }
        final int[] width = new int[7];
        lines.forEach(l -> { for (int i = 0; i < l.length; i++) width[i] = Math.max(width[i], l[i].length()); });
        final StringBuilder text = new StringBuilder();
        for (final String[] l : lines)
        {
            final StringBuilder line = new StringBuilder();
            for (int i = 0; i < l.length; i++)
            {
                final int w = Math.max(1, width[i]);
                line.append(String.format(Locale.ROOT, i == 0 ? "%-" + w + "s" : "  %" + w + "s", l[i]));
            }
            text.append(line.toString().stripTrailing()).append('\n');
        }
        onlyOld.forEach(k -> text.append("only in old: ").append(k).append('\n'));
        onlyNew.forEach(k -> text.append("only in new: ").append(k).append('\n'));
        return text.toString();
    }

    private static boolean better(final Row r)
    {
        return r.lowerIsBetter() ? r.change() < 0 : r.change() > 0;
    }
}
