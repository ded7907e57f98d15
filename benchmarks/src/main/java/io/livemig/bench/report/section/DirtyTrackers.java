package io.livemig.bench.report.section;

import io.livemig.bench.report.chart.Charts;
import io.livemig.bench.report.chart.DirtyCharts;
import io.livemig.bench.report.result.JmhResult;
import io.livemig.bench.report.result.ParamOrder;
import io.livemig.bench.report.stats.Fmt;
import io.livemig.bench.report.stats.Metric;
import io.livemig.bench.report.stats.Units;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.ToDoubleFunction;

/**
 * The report's "Dirty trackers" figures computed from a run's results: each tracker's write cost (first write
 * and re-write, 1 and 2 writers, beside the plain store, from {@code MarkBenchmark}) and the crossover where
 * collecting the dirty ring gets cheaper than harvesting the flat bitmap, against guest size at fixed dirty
 * pages ({@code CollectBenchmark}) and against dirty pages at a fixed size ({@code CollectSweepBenchmark}).
 *
 * <p>Stateless; thread-safe.
 */
public final class DirtyTrackers
{
    /** Tracker parameter values and the names the report gives them. */
    static final List<List<String>> TRACKERS = List.of(List.of("atomic", "flat bitmap"),
        List.of("summary", "summary bitmap"), List.of("ring", "dirty ring"));

    private DirtyTrackers()
    {
    }

    /** Appends the section. */
    public static void section(final StringBuilder md, final Path charts, final List<JmhResult> results)
        throws IOException
    {
        md.append("## Dirty trackers\n\n");
        md.append("### Write cost\n\n");
        final Optional<String> table = writeCostTable(results);
        md.append(table.map(t -> "Time per mark (MarkBenchmark; chart *Mark cost by case*). A first write finds " +
                "the unit clean (the ring pushes an entry, and collects its own ring when full, as no reaper " +
                "runs); a re-write finds it dirty. With 2 writers each thread marks its own half; the score is " +
                "one thread's.\n\n" + t + "\n")
            .orElse("_Skipped: no MarkBenchmark results in this run._\n\n"));
        Figures.figure(md, charts, "collect-size", "Sync cost against guest size", "CollectBenchmark",
            DirtyCharts.collectBySize(results), 800);
        Figures.figure(md, charts, "collect-dirty", "Sync cost against dirty pages", "CollectSweepBenchmark",
            DirtyCharts.collectByDirtyPages(results), Charts.HEIGHT);
        final List<Crossover> crossovers = crossovers(results);
        if (!crossovers.isEmpty())
        {
            md.append("**Crossover** (ring `collectRing` against flat `harvestFlat`, interpolated on log-log ")
                .append("between the measured points around it):\n\n");
            crossovers.forEach(c -> md.append("- ").append(c.text()).append(".\n"));
            md.append('\n');
        }
        md.append("### Auto-converge against dirty-limit\n\n");
        md.append(throttleTable(results).map(t -> "The non-converging scenario (ThrottleBenchmark: " +
                "64 MiB guest on the ring tracker, 2 vCPUs dirtying as fast as they can and 1 computing, 32 MiB/s " +
                "link, 50 ms downtime, pre-copy given up after 10 s; dirty-limit 1 MB/s per vCPU). Lost writes/s = " +
                "1 - writes/s during migration ÷ writes/s in the second before it, per vCPU (negative: faster " +
                "during). Means per shot.\n\n" + t + "\n")
            .orElse("_Skipped: no ThrottleBenchmark results in this run._\n\n"));
    }

    /** @return the write-cost table, or empty without {@code MarkBenchmark} results. */
    public static Optional<String> writeCostTable(final List<JmhResult> results)
    {
        final StringBuilder md = new StringBuilder();
        md.append("| tracker | first write, 1 writer | first write, 2 writers | re-write, 1 writer | ")
            .append("re-write, 2 writers |\n|---|---|---|---|---|\n");
        boolean any = false;
        for (final List<String> tracker : TRACKERS)
        {
            final List<String> cells = new ArrayList<>();
            for (final String method : List.of("markFresh", "markFreshX2", "markDirty", "markDirtyX2"))
            {
                final Optional<JmhResult> r = find(results, "MarkBenchmark", method, "impl", tracker.get(0));
                any |= r.isPresent();
                cells.add(r.map(DirtyTrackers::score).orElse("–"));
            }
            md.append("| ").append(tracker.get(1)).append(" | ").append(String.join(" | ", cells)).append(" |\n");
        }
        final Optional<JmhResult> plain = find(results, "MarkBenchmark", "baselinePlainStore", "impl", "atomic");
        md.append("| plain store (no tracking) | ").append(plain.map(DirtyTrackers::score).orElse("–"))
            .append(" | | | |\n");
        return any ? Optional.of(md.toString()) : Optional.empty();
    }

    /**
     * @return the auto-converge against dirty-limit table from {@code ThrottleBenchmark}'s counters (means per
     *         scenario), or empty without its results.
     */
    public static Optional<String> throttleTable(final List<JmhResult> results)
    {
        final StringBuilder md = new StringBuilder();
        md.append("| throttle | converged | time to converge (or given up after) | lost writes/s, dirtying vCPUs | ")
            .append("lost writes/s, compute vCPU | shots |\n|---|---|---|---|---|---|\n");
        boolean any = false;
        for (final JmhResult r : results)
        {
            if (!r.simpleClassName().equals("ThrottleBenchmark") || r.param("throttle").isEmpty())
            {
                continue;
            }
            any = true;
            final double converged = mean(r, "converged");
            md.append("| ").append(r.param("throttle").get()).append(" | ")
                .append(Double.isNaN(converged) ? "?" : Fmt.num(100 * converged) + " % of shots").append(" | ")
                .append(Fmt.num(mean(r, "convergeMs") / 1000)).append(" s | ")
                .append(Fmt.num(mean(r, "writerLossPct"))).append(" % | ")
                .append(Fmt.num(mean(r, "computeLossPct"))).append(" % | ")
                .append(r.secondary("converged").map(m -> m.rawData().stream().mapToInt(List::size).sum())
                    .orElse(0)).append(" |\n");
        }
        return any ? Optional.of(md.toString()) : Optional.empty();
    }

    private static double mean(final JmhResult r, final String counter)
    {
        return r.secondary(counter).map(Metric::meanPerIteration).orElse(Double.NaN);
    }

    private static String score(final JmhResult r)
    {
        return r.primary().estimate() + " " + r.primary().unit().replace("/op", "");
    }

    private static Optional<JmhResult> find(final List<JmhResult> results, final String simpleClass,
                                            final String method, final String param, final String value)
    {
        return results.stream().filter(r -> r.simpleClassName().equals(simpleClass) && r.method().equals(method) &&
            r.param(param).map(value::equals).orElse(false)).findFirst();
    }

    /**
     * Where the ring's collect cost crosses the flat bitmap's harvest along one axis.
     *
     * @param fixed    the fixed parameter and its value, e.g. {@code dirtyPages=4096}.
     * @param axis     what x is, e.g. {@code guest size (GiB)}.
     * @param x        the crossover, interpolated on log-log between the two measured points around it; NaN if
     *                 the ring is on the same side at every measured point.
     * @param ringWins where the ring is cheaper, e.g. {@code above} the crossover, or {@code everywhere} or
     *                 {@code nowhere} when x is NaN.
     */
    public record Crossover(String fixed, String axis, double x, String ringWins)
    {
        /** @return one sentence for the report. */
        public String text()
        {
            if (Double.isNaN(x))
            {
                return "at " + fixed + " the ring beats the flat bitmap " + ringWins + " measured (" + axis + ")";
            }
            return "at " + fixed + " the ring beats the flat bitmap " + ringWins + " about " + Fmt.num(x) + " (" +
                axis + ")";
        }
    }

    /** @return crossovers against guest size (one per dirty-page count) and against dirty pages (one per size). */
    public static List<Crossover> crossovers(final List<JmhResult> results)
    {
        final List<Crossover> out = new ArrayList<>();
        crossovers(results, "CollectBenchmark", "dirtyPages", "guest", "guest size, GiB",
            r -> Units.guestGiB(r.param("guest").get()), out);
        crossovers(results, "CollectSweepBenchmark", "guest", "dirtyPages", "dirty pages",
            r -> Double.parseDouble(r.param("dirtyPages").get()), out);
        return out;
    }

    private static void crossovers(final List<JmhResult> results, final String simpleClass, final String fixed,
                                   final String varying, final String axis, final ToDoubleFunction<JmhResult> x,
                                   final List<Crossover> out)
    {
        final TreeMap<String, TreeMap<Double, double[]>> byFixed = new TreeMap<>(ParamOrder.VALUES);
        for (final JmhResult r : results)
        {
            final int side = r.method().equals("collectRing") ? 0 : r.method().equals("harvestFlat") ? 1 : -1;
            if (side < 0 || !r.simpleClassName().equals(simpleClass) || r.param(fixed).isEmpty() ||
                r.param(varying).isEmpty())
            {
                continue;
            }
            byFixed.computeIfAbsent(r.param(fixed).get(), k -> new TreeMap<>())
                .computeIfAbsent(x.applyAsDouble(r), k -> new double[] {Double.NaN, Double.NaN})[side] =
                r.primary().score();
        }
        byFixed.forEach((value, points) -> crossover(fixed + "=" + value, axis, points).ifPresent(out::add));
    }

    /** @return the crossover of ring (index 0) and flat (index 1) scores by x, empty without two full points. */
    static Optional<Crossover> crossover(final String fixed, final String axis, final TreeMap<Double, double[]> points)
    {
        final List<double[]> xs = new ArrayList<>();
        points.forEach((k, v) ->
        {
            if (!Double.isNaN(v[0]) && !Double.isNaN(v[1]) && v[0] > 0 && v[1] > 0)
            {
                xs.add(new double[] {k, Math.log(v[0] / v[1])});
            }
        });
        if (xs.size() < 2)
        {
            return Optional.empty();
        }
        for (int i = 1; i < xs.size(); i++)
        {
            final double[] a = xs.get(i - 1);
            final double[] b = xs.get(i);
            if (Math.signum(a[1]) != Math.signum(b[1]) && a[1] != 0)
            {
                final double t = a[1] / (a[1] - b[1]);
                final double x = Math.exp(Math.log(a[0]) + t * (Math.log(b[0]) - Math.log(a[0])));
                return Optional.of(new Crossover(fixed, axis, x, a[1] > 0 ? "above" : "below"));
            }
        }
        return Optional.of(new Crossover(fixed, axis, Double.NaN, xs.get(0)[1] < 0 ? "everywhere" : "nowhere"));
    }
}
