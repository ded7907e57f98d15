package io.livemig.bench.report.analysis;

import io.livemig.bench.report.stats.Fmt;
import io.livemig.bench.report.stats.Metric;
import io.livemig.bench.report.stats.Interval;
import io.livemig.bench.report.result.JmhResult;
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
     * Reproducibility of two runs of the same code. Two runs' results of one benchmark (same benchmark, mode,
     * threads and params) <b>agree</b> when both have a 99.9 % interval and the two intervals overlap
     * ({@code old.low <= new.high} and {@code new.low <= old.high}): no pair of values, one from each interval, has
     * to differ. Pairs without an interval on either side (a single iteration) or in different units are left out
     * and counted apart. The line gives the fraction over every matched benchmark, then separately over livemig's
     * own methods, the C anchors ({@code qemu...}) and the baselines ({@code baseline...}), so that a figure quoted
     * for reproducibility says whether C was in it.
     *
     * <p>Overlap of two 99.9 % intervals is a lenient test of sameness (it is the complement of {@link
     * Row#significant}): intervals that are too narrow, as JMH's are when forks sit at different levels
     * ({@link ForkSpread}), fail it more often than their confidence says.
     *
     * @return the summary line, then one line per pair whose intervals do not overlap.
     */
    public String agreement()
    {
        final List<Row> withIntervals = rows.stream()
            .filter(r -> r.comparable() && r.old().hasInterval() && r.now().hasInterval()).toList();
        final List<Row> apart = withIntervals.stream().filter(Row::significant).toList();
        final StringBuilder text = new StringBuilder("agreement: " + fraction(withIntervals,
            "matched benchmarks have overlapping 99.9 % intervals"));
        final List<String> parts = new ArrayList<>();
        for (final String role : List.of("livemig", "C anchors", "baselines"))
        {
            final List<Row> of = withIntervals.stream().filter(r -> role(r).equals(role)).toList();
            if (!of.isEmpty())
            {
                parts.add(role + " " + (of.size() - of.stream().filter(Row::significant).count()) + " of " + of.size());
            }
        }
        if (!parts.isEmpty())
        {
            text.append(": ").append(String.join(", ", parts));
        }
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

    /** @return e.g. {@code 69 of 70 WHAT (98.6 %)}. */
    static String fraction(final List<Row> rows, final String what)
    {
        final long agree = rows.stream().filter(r -> !r.significant()).count();
        return String.format(Locale.ROOT, "%d of %d %s (%s)", agree, rows.size(), what,
            rows.isEmpty() ? "n/a" : String.format(Locale.ROOT, "%.1f %%", 100.0 * agree / rows.size()));
    }

    /** @return {@code livemig}, {@code C anchors} or {@code baselines}, by the method name in the row's key. */
    static String role(final Row row)
    {
        final String benchmark = row.key().split(" ", 2)[0];
        final String method = benchmark.substring(benchmark.lastIndexOf('.') + 1);
        return method.startsWith("qemu") ? "C anchors" : method.startsWith("baseline") ? "baselines" : "livemig";
    }

    /**
     * The livemig ÷ C ratios of two runs side by side: pairs matched by livemig method, C anchor and params
     * (refused pairs left out), agreeing when their 99.9 % intervals ({@link Interval#ratio}) overlap.
     *
     * @return the summary line, then one line per pair whose intervals do not overlap; empty if no pair matches.
     */
    public static String ratioAgreement(final List<AnchorComparison.Row> old, final List<AnchorComparison.Row> now)
    {
        final Map<String, AnchorComparison.Row> before = new LinkedHashMap<>();
        old.stream().filter(r -> r.refusal().isEmpty()).forEach(r -> before.put(ratioKey(r), r));
        int matched = 0;
        int agree = 0;
        final StringBuilder apart = new StringBuilder();
        for (final AnchorComparison.Row r : now)
        {
            final AnchorComparison.Row o = before.get(ratioKey(r));
            if (o == null || r.refusal().isPresent())
            {
                continue;
            }
            final Interval a = o.speedInterval();
            final Interval b = r.speedInterval();
            if (!a.known() || !b.known())
            {
                continue;
            }
            matched++;
            if (a.low() <= b.high() && b.low() <= a.high())
            {
                agree++;
            }
            else
            {
                apart.append("  not overlapping: ").append(ratioKey(r)).append(": ").append(a).append(" -> ")
                    .append(b).append('\n');
            }
        }
        if (matched == 0)
        {
            return "";
        }
        return String.format(Locale.ROOT, "livemig ÷ C: %d of %d ratios have overlapping 99.9 %% intervals (%.1f %%)%n",
            agree, matched, 100.0 * agree / matched) + apart;
    }

    private static String ratioKey(final AnchorComparison.Row r)
    {
        return r.pair().simpleClass() + "." + r.pair().livemig() + " ÷ " + r.pair().anchor() + " " +
            r.livemig().params();
    }

    /**
     * The goals table of two runs side by side: rows matched by core, input and path; the line counts those whose
     * verdict ({@link Verdict.Kind}) is the same in both.
     *
     * @return the summary line, then one line per row whose verdict changed; empty if no row matches.
     */
    public static String verdictAgreement(final List<Goals.Row> old, final List<Goals.Row> now)
    {
        final Map<String, Goals.Row> before = new LinkedHashMap<>();
        old.forEach(r -> before.put(r.core() + " | " + r.input() + " | " + r.path(), r));
        int matched = 0;
        int same = 0;
        final StringBuilder changed = new StringBuilder();
        for (final Goals.Row r : now)
        {
            final Goals.Row o = before.get(r.core() + " | " + r.input() + " | " + r.path());
            if (o == null)
            {
                continue;
            }
            matched++;
            if (o.verdict().kind() == r.verdict().kind())
            {
                same++;
            }
            else
            {
                changed.append("  verdict changed: ").append(r.core()).append(" (").append(r.input()).append(", ")
                    .append(r.path()).append("): ").append(o.verdict().word()).append(" -> ")
                    .append(r.verdict().word()).append('\n');
            }
        }
        if (matched == 0)
        {
            return "";
        }
        return String.format(Locale.ROOT, "goal verdicts: %d of %d rows have the same verdict in both runs%n", same,
            matched) + changed;
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
