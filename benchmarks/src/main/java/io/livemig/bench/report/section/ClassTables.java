package io.livemig.bench.report.section;


import io.livemig.bench.report.analysis.Allocation;
import io.livemig.bench.report.result.Baselines;
import io.livemig.bench.report.result.JmhResult;
import io.livemig.bench.report.result.ParamOrder;
import io.livemig.bench.report.stats.Estimate;
import io.livemig.bench.report.stats.Fmt;
import io.livemig.bench.report.stats.Metric;
import io.livemig.bench.report.stats.Units;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;


/**
 * The report's "Results by class" section: one table per benchmark class, each score with its error, its speed
 * relative to each baseline of the class, GB/s for codec and stream classes, B/op where the gc profiler ran, and
 * the auxiliary counters.
 *
 * <p>Stateless; thread-safe.
 */
public final class ClassTables
{
    private ClassTables()
    {
    }

    /** Appends the section. */
    public static void section(final StringBuilder md, final List<JmhResult> results)
    {
        md.append("## Results by class\n");
        for (final String className : classes(results))
        {
            table(md, results, className);
        }
    }

    /** @return the classes of {@code results}: dirty, codec, stream, migration packages first, then by name. */
    public static List<String> classes(final List<JmhResult> results)
    {
        final Set<String> names = new LinkedHashSet<>();
        results.forEach(r -> names.add(r.className()));
        final List<String> sorted = new ArrayList<>(names);
        final List<String> order = List.of(".dirty.", ".codec.", ".stream.", ".migration.");
        sorted.sort(Comparator.<String>comparingInt(c ->
        {
            for (int i = 0; i < order.size(); i++)
            {
                if (c.contains(order.get(i)))
                {
                    return i;
                }
            }
            return order.size();
        }).thenComparing(c -> c));
        return sorted;
    }

    private static void table(final StringBuilder md, final List<JmhResult> results, final String className)
    {
        final List<JmhResult> rows = new ArrayList<>();
        results.stream().filter(r -> r.className().equals(className)).forEach(rows::add);
        rows.sort(Comparator
            .<JmhResult, List<String>>comparing(r -> new ArrayList<>(r.params().values()), ParamOrder.LISTS)
            .thenComparing(JmhResult::isBaseline).thenComparing(JmhResult::method).thenComparing(JmhResult::mode));
        final List<String> baselines = Baselines.methodsOf(results, className);
        final boolean threads = rows.stream().anyMatch(r -> r.threads() != 1);
        final boolean gbs = (className.contains(".codec.") || className.contains(".stream.")) &&
            rows.stream().allMatch(r -> !Double.isNaN(Units.secondsPerOp(1, r.primary().unit())));
        final boolean alloc = rows.stream().anyMatch(r -> r.secondary().containsKey(JmhResult.ALLOC_NORM));
        final Set<String> aux = new LinkedHashSet<>();
        rows.forEach(r -> r.secondary().keySet().stream().filter(k -> !k.startsWith("gc.")).forEach(aux::add));

        md.append("\n### ").append(className).append("\n\n");
        final List<String> header = new ArrayList<>(List.of("benchmark", "params", "mode"));
        if (threads)
        {
            header.add("threads");
        }
        header.add("score ± error");
        header.add("unit");
        if (gbs)
        {
            header.add("GB/s");
        }
        baselines.forEach(b -> header.add("speed vs " + b));
        if (alloc)
        {
            header.add("B/op");
        }
        aux.forEach(a -> header.add(a + " (per iteration)"));
        md.append("| ").append(String.join(" | ", header)).append(" |\n");
        md.append("|").append("---|".repeat(header.size())).append('\n');
        for (final JmhResult r : rows)
        {
            final List<String> cells = new ArrayList<>(List.of(r.method(), r.paramsText(), r.mode()));
            if (threads)
            {
                cells.add(String.valueOf(r.threads()));
            }
            cells.add(r.primary().estimate().toString());
            cells.add(r.primary().unit());
            if (gbs)
            {
                cells.add(r.gigabytesPerSecond().toString());
            }
            for (final String b : baselines)
            {
                cells.add(b.equals(r.method()) ? "1" : Baselines.find(results, r, b)
                    .flatMap(x -> Baselines.speedup(r, x)).map(Estimate::toString).orElse(""));
            }
            if (alloc)
            {
                final Optional<Metric> norm = r.secondary(JmhResult.ALLOC_NORM);
                final boolean flagged = Allocation.check(r).map(Allocation.Verdict::allocates).orElse(false);
                cells.add(norm.map(m -> (flagged ? "⚠ " : "") + m.estimate()).orElse(""));
            }
            for (final String a : aux)
            {
                cells.add(r.secondary(a).map(m -> Fmt.num(m.meanPerIteration())).orElse(""));
            }
            md.append("| ").append(String.join(" | ", cells.stream().map(Fmt::cell).toList())).append(" |\n");
        }
    }
}
