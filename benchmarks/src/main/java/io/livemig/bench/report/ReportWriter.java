package io.livemig.bench.report;

import io.livemig.bench.report.analysis.Allocation;
import io.livemig.bench.report.analysis.AnchorComparison;
import io.livemig.bench.report.analysis.CallFloor;
import io.livemig.bench.report.analysis.Goals;
import io.livemig.bench.report.analysis.GranularityAnalysis;
import io.livemig.bench.report.analysis.Publication;
import io.livemig.bench.report.chart.AnchorChart;
import io.livemig.bench.report.chart.Charts;
import io.livemig.bench.report.chart.CodecChart;
import io.livemig.bench.report.chart.DirtyCharts;
import io.livemig.bench.report.chart.GranularityChart;
import io.livemig.bench.report.chart.MigrationChart;
import io.livemig.bench.report.result.Baselines;
import io.livemig.bench.report.result.EnvJson;
import io.livemig.bench.report.result.JmhResult;
import io.livemig.bench.report.result.JmhResults;
import io.livemig.bench.report.result.ParamOrder;
import io.livemig.bench.report.result.ReferenceFigures;
import io.livemig.bench.report.result.ReportException;
import io.livemig.bench.report.section.ChannelsTable;
import io.livemig.bench.report.section.DirtyTrackers;
import io.livemig.bench.report.section.KernelTrackingReport;
import io.livemig.bench.report.section.PostcopyFaultsReport;
import io.livemig.bench.report.section.RealGuestReport;
import io.livemig.bench.report.stats.Estimate;
import io.livemig.bench.report.stats.Fmt;
import io.livemig.bench.report.stats.ForkSpread;
import io.livemig.bench.report.stats.Metric;
import io.livemig.bench.report.stats.Units;
import io.livemig.bench.report.stats.Verdict;
import org.jfree.chart.JFreeChart;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Writes a run's {@code REPORT.md} and {@code charts/*.png} from its {@code jmh.json} (and {@code env.json}
 * when present) alone, so a report can be regenerated at any time ({@code scripts/report DIR}).
 *
 * <p>The report holds: how to read it; the environment; allocation on hot paths; the figures; the dirty
 * trackers ({@link DirtyTrackers}: write cost, sync cost against guest size and dirty pages, the crossover);
 * livemig against the C anchors of the same run ({@link AnchorComparison}); the granularity recommendation; one table per
 * benchmark class with each score's error, its speed relative to each baseline of the class, GB/s for codec and
 * stream classes, B/op where the gc profiler ran, and auxiliary counters; and, as an appendix, the historical
 * QEMU ratios of the reference-figures spec, from another CPU.
 *
 * <p>Stateless; thread-safe as long as two calls do not write the same directory.
 */
public final class ReportWriter
{
    /** Default link bandwidth of the granularity model: 10 Gbit/s. */
    public static final double DEFAULT_BANDWIDTH = 1.25e9;
    /** Name of the report file in a result directory. */
    public static final String REPORT = "REPORT.md";
    /** Sub-directory of the charts. */
    public static final String CHARTS = "charts";
    /** The chart of livemig's speed relative to the C anchors. */
    static final String ANCHOR_CHART = "qemu-anchors";

    private ReportWriter()
    {
    }

    /**
     * @param dir       a result directory holding {@code jmh.json}.
     * @param bandwidth link bandwidth of the granularity model, bytes per second.
     * @return the report file written.
     * @throws ReportException if the results cannot be read or the report cannot be written.
     */
    public static Path write(final Path dir, final double bandwidth) throws ReportException
    {
        if (!Files.isDirectory(dir))
        {
            throw new ReportException(dir + ": not a directory");
        }
        final List<JmhResult> results = JmhResults.read(dir.resolve("jmh.json"));
        final Map<String, Object> env = EnvJson.read(dir.resolve("env.json"));
        final Path report = dir.resolve(REPORT);
        try
        {
            Files.createDirectories(dir.resolve(CHARTS));
            Files.writeString(report, render(dir, results, env, bandwidth));
        }
        catch (final IOException ex)
        {
            throw new ReportException(report + ": cannot write (" + ex.getMessage() + ")", ex);
        }
        return report;
    }

    static String render(final Path dir, final List<JmhResult> results, final Map<String, Object> env,
                         final double bandwidth) throws IOException, ReportException
    {
        final StringBuilder md = new StringBuilder();
        md.append("# livemig benchmarks: ").append(dir.toAbsolutePath().normalize().getFileName()).append("\n\n");
        md.append(String.format(Locale.ROOT,
            "Preset **%s**, %s %s, commit %s%s; %s to %s. %d results from %d classes.%n%n",
            env.getOrDefault("preset", "?"), env.getOrDefault("jdk.java.vendor", "JDK"),
            env.getOrDefault("jdk.java.version", "(env.json absent)"), env.getOrDefault("git.commit", "?"),
            "true".equals(String.valueOf(env.get("git.dirty"))) ? " (with uncommitted changes)" : "",
            env.getOrDefault("start", "?"), env.getOrDefault("end", "?"), results.size(),
            classes(results).size()));
        md.append(Publication.verdict(results, env.containsKey("preset") ? String.valueOf(env.get("preset")) : null))
            .append("\n\n");
        md.append(HOW_TO_READ);
        environment(md, env);
        allocation(md, results);
        final GranularityAnalysis granularity = GranularityAnalysis.of(results, bandwidth);
        figures(md, dir.resolve(CHARTS), results, granularity);
        dirtyTrackers(md, dir.resolve(CHARTS), results);
        KernelTrackingReport.section(md, results, env);
        PostcopyFaultsReport.section(md, results, env);
        channels(md, results);
        anchors(md, dir.resolve(CHARTS), results, env, AnchorComparison.readDigests(dir),
            AnchorComparison.readLayouts(dir));
        RealGuestReport.section(md, results, env);
        granularity(md, granularity, results);
        md.append("## Results by class\n");
        for (final String className : classes(results))
        {
            classTable(md, results, className);
        }
        reference(md, results);
        return md.toString();
    }

    private static final String HOW_TO_READ = String.join("\n",
        "## How to read this report",
        "",
        "Each score is JMH's mean over all measured iterations of all forks; **± is the half-width of JMH's 99.9 %",
        "confidence interval** (Student's t over those iterations; none when a run had a single iteration). With one",
        "fork (quick and smoke presets) the interval misses fork-to-fork variation (JIT and memory layout): compare",
        "runs made with the `full` preset (3-5 forks) before publishing a difference. Time modes (avgt, ss) are",
        "lower-is-better. **Speed vs a baseline** is baseline ÷ score for time modes (score ÷ baseline for",
        "throughput): above 1 the operation beats the plainest code doing the same work on the same inputs in the same",
        "run; 0.5 means half the baseline's speed. Its ± propagates both errors to first order (relative errors add",
        "in quadrature), which is good while each is under about 20 %. A memory-read baseline is the ceiling for",
        "anything that reads the same memory. For codec and stream classes **GB/s** = 4096 B ÷ ns per page (a byte",
        "per ns is a GB/s). **B/op**",
        "is JMH's gc profiler (`gc.alloc.rate.norm`); a hot path is marked ⚠ when it is above 0.5 B/op plus 16 KiB",
        "per iteration spread over the iteration's operations (JMH itself allocates a few KiB per iteration, which",
        "shows as B/op on long operations; an allocation per operation is at least 16 B). A ratio holds within this",
        "run on this machine: ratios to a memory read do not carry between CPUs for compute-bound code, so livemig is",
        "compared with QEMU's algorithms through C anchors measured in this same run, on the same inputs.",
        "", "");

    private static void environment(final StringBuilder md, final Map<String, Object> env)
    {
        md.append("## Environment\n\n");
        if (env.isEmpty())
        {
            md.append("_No env.json in this directory: the environment of the run is unknown._\n\n");
            return;
        }
        md.append("| | |\n|---|---|\n");
        env.forEach((k, v) -> md.append("| ").append(k).append(" | ").append(cell(String.valueOf(v))).append(" |\n"));
        md.append('\n');
    }

    private static void allocation(final StringBuilder md, final List<JmhResult> results)
    {
        md.append("## Allocation on hot paths\n\n");
        int checked = 0;
        final List<String> flagged = new ArrayList<>();
        for (final JmhResult r : results)
        {
            final Optional<Allocation.Verdict> v = Allocation.check(r);
            if (v.isPresent())
            {
                checked++;
                if (v.get().allocates())
                {
                    flagged.add("- ⚠ `" + r.simpleClassName() + "." + r.method() + "` " +
                        (r.params().isEmpty() ? "" : "(" + r.paramsText() + ") ") + "allocates " +
                        v.get().bytesPerOp() + " B/op (allowance " + Fmt.num(v.get().allowance()) + ")");
                }
            }
        }
        if (checked == 0)
        {
            md.append("_No hot-path result carries gc.alloc.rate.norm ")
                .append("(the gc profiler runs in the quick and full presets)._\n\n");
        }
        else if (flagged.isEmpty())
        {
            md.append("All ").append(checked)
                .append(" hot-path results are within the allocation allowance (0 B/op).\n\n");
        }
        else
        {
            md.append(flagged.size()).append(" of ").append(checked).append(" hot-path results allocate:\n\n");
            flagged.forEach(line -> md.append(line).append('\n'));
            md.append('\n');
        }
    }

    private static void figures(final StringBuilder md, final Path charts, final List<JmhResult> results,
                                final GranularityAnalysis granularity) throws IOException
    {
        md.append("## Figures\n\n");
        figure(md, charts, "nextdirty-density", "nextDirty cost against density", "NextDirtyBenchmark",
            DirtyCharts.nextDirtyByDensity(results), Charts.HEIGHT);
        figure(md, charts, "mark-cost", "Mark cost by case", "MarkBenchmark", DirtyCharts.markCost(results), Charts.HEIGHT);
        figure(md, charts, "codec-throughput", "Zero detection and XBZRLE throughput against the memory-read limit",
            "ZeroPageBenchmark, XbzrleEncodeBenchmark or XbzrleDecodeBenchmark", CodecChart.draw(results), 700);
        figure(md, charts, "granularity", "Granularity trade-off",
            "GranularityBenchmark.harvestAndScan (with its counters)",
            GranularityChart.draw(granularity), 900);
        figure(md, charts, "scaling", "Harvest and scan time against guest size", "ScalingBenchmark",
            DirtyCharts.scaling(results), 800);
        figure(md, charts, "migration", "Pre-copy and post-copy against dirty rate / bandwidth",
            "MigrationBenchmark.migrate with its counters", MigrationChart.draw(results), 800);
    }

    private static void dirtyTrackers(final StringBuilder md, final Path charts, final List<JmhResult> results)
        throws IOException
    {
        md.append("## Dirty trackers\n\n");
        md.append("### Write cost\n\n");
        final Optional<String> table = DirtyTrackers.writeCostTable(results);
        md.append(table.map(t -> "Time per mark (MarkBenchmark; chart *Mark cost by case*). A first write finds " +
                "the unit clean (the ring pushes an entry, and collects its own ring when full, as no reaper " +
                "runs); a re-write finds it dirty. With 2 writers each thread marks its own half; the score is " +
                "one thread's.\n\n" + t + "\n")
            .orElse("_Skipped: no MarkBenchmark results in this run._\n\n"));
        figure(md, charts, "collect-size", "Sync cost against guest size", "CollectBenchmark",
            DirtyCharts.collectBySize(results), 800);
        figure(md, charts, "collect-dirty", "Sync cost against dirty pages", "CollectSweepBenchmark",
            DirtyCharts.collectByDirtyPages(results), Charts.HEIGHT);
        final List<DirtyTrackers.Crossover> crossovers = DirtyTrackers.crossovers(results);
        if (!crossovers.isEmpty())
        {
            md.append("**Crossover** (ring `collectRing` against flat `harvestFlat`, interpolated on log-log ")
                .append("between the measured points around it):\n\n");
            crossovers.forEach(c -> md.append("- ").append(c.text()).append(".\n"));
            md.append('\n');
        }
        md.append("### Auto-converge against dirty-limit\n\n");
        md.append(DirtyTrackers.throttleTable(results).map(t -> "The non-converging scenario (ThrottleBenchmark: " +
                "64 MiB guest on the ring tracker, 2 vCPUs dirtying as fast as they can and 1 computing, 32 MiB/s " +
                "link, 50 ms downtime, pre-copy given up after 10 s; dirty-limit 1 MB/s per vCPU). Lost writes/s = " +
                "1 - writes/s during migration ÷ writes/s in the second before it, per vCPU (negative: faster " +
                "during). Means per shot.\n\n" + t + "\n")
            .orElse("_Skipped: no ThrottleBenchmark results in this run._\n\n"));
    }

    private static void channels(final StringBuilder md, final List<JmhResult> results)
    {
        md.append("## Channels\n\n");
        md.append(ChannelsTable.of(results).map(t -> "Page channels (QEMU's multifd; ChannelsBenchmark): a 1 GiB " +
                "guest, idle or written once, migrated over TCP loopback at unlimited bandwidth with 1, 2 or 4 " +
                "channels, source and destination in one process, beside the class's baseline: every page of a 1 GiB " +
                "guest copied raw over the same connections (a sender and a receiver thread per connection; no " +
                "header, codec or zero check), what a plain copy loop pays for the bytes the written guest sends. CPU seconds per GB moved: the " +
                "process's (every thread), then by the migration's threads (the baseline's senders and receivers " +
                "in theirs). Means per shot.\n\n" + t)
            .orElse("_Skipped: no ChannelsBenchmark results in this run._\n\n"));
    }

    private static void figure(final StringBuilder md, final Path charts, final String name, final String title,
                               final String needs, final Optional<JFreeChart> chart, final int height)
        throws IOException
    {
        md.append("### ").append(title).append("\n\n");
        final Path file = charts.resolve(name + ".png");
        if (chart.isEmpty())
        {
            Files.deleteIfExists(file);
            md.append("_Skipped: no ").append(needs).append(" results in this run._\n\n");
            return;
        }
        Charts.save(chart.get(), file, height);
        md.append("![").append(title).append("](").append(CHARTS).append('/').append(name).append(".png)\n\n");
    }

    private static void reference(final StringBuilder md, final List<JmhResult> results)
    {
        md.append("\n## Appendix: QEMU's ratios from another machine (history)\n\n");
        md.append("**Not a comparison with this run.** These are QEMU's C figures from the project's reference-figures ")
            .append("spec, measured on a 2-vCPU AMD EPYC **Zen 3 (AVX2, no AVX-512)**, as speed relative to a plain ")
            .append("read of the same memory (copied to `benchmarks/src/main/resources/")
            .append("io/livemig/bench/report/reference-figures.csv`, which cites each row). Ratios to a memory read ")
            .append("do not carry between CPUs for compute-bound code (the read gets faster, the code does not), so ")
            .append("use the section *Against QEMU's C cores, measured in this run* for any verdict; this table is ")
            .append("kept to show how this CPU differs from that one. livemig's ")
            .append("ratio is against its own baseline in this run, so a weak baseline would flatter it. livemig ÷ C ")
            .append("above 1 means livemig is closer to its read limit than QEMU is to its own. ")
            .append("QEMU's bitmap figures are for a flat bitmap: livemig's `summary` rows skip clean regions ")
            .append("and may beat the read of the whole ")
            .append("bitmap by design, so compare `flat` with QEMU and `summary` with `flat`.\n\n");
        final StringBuilder rows = new StringBuilder();
        for (final ReferenceFigures.Row ref : ReferenceFigures.load())
        {
            for (final JmhResult r : results)
            {
                if (!ref.matches(r))
                {
                    continue;
                }
                final String name = "`" + r.simpleClassName() + "." + r.method() + "` " + r.paramsText();
                if (ref.absoluteNs())
                {
                    final double ns = Units.secondsPerOp(r.primary().score(), r.primary().unit()) * 1e9;
                    rows.append("| ").append(name).append(" | ").append(Fmt.num(ns)).append(" ns/page | ~")
                        .append(Fmt.plain(ref.mid())).append(" ns/page | (absolute; not portable) | ")
                        .append(ref.what()).append(" |\n");
                    continue;
                }
                final Optional<JmhResult> base = Baselines.find(results, r, ref.baseline());
                final Optional<Estimate> ratio = base.flatMap(b -> Baselines.speedup(r, b));
                rows.append("| ").append(name).append(" | ")
                    .append(ratio.map(Estimate::toString).orElse("no " + ref.baseline() + " in this run")).append(" | ")
                    .append(ref.low() == ref.high() ? Fmt.plain(ref.low()) :
                        Fmt.plain(ref.low()) + " – " + Fmt.plain(ref.high()))
                    .append(" | ").append(ratio.map(e -> Fmt.num(e.value() / ref.mid())).orElse("–")).append(" | ")
                    .append(ref.what()).append(" |\n");
            }
        }
        if (rows.length() == 0)
        {
            md.append("_Skipped: no codec or dirty-bitmap results with a reference figure in this run._\n\n");
            return;
        }
        md.append("| livemig benchmark | livemig speed vs read | QEMU C speed vs read | livemig ÷ C | QEMU row |\n");
        md.append("|---|---|---|---|---|\n").append(rows).append('\n');
    }

    private static void anchors(final StringBuilder md, final Path charts, final List<JmhResult> results,
                                final Map<String, Object> env, final Map<String, Set<String>> digests,
                                final Map<String, Set<AnchorComparison.Layout>> layouts)
        throws IOException
    {
        md.append("## Against QEMU's C cores, measured in this run\n\n");
        final Path chartFile = charts.resolve(ANCHOR_CHART + ".png");
        final List<AnchorComparison.Row> rows = AnchorComparison.rows(results, digests, layouts);
        final CallFloor floor = CallFloor.of(results);
        if ("false".equals(String.valueOf(env.get("anchors.built"))) && rows.isEmpty())
        {
            Files.deleteIfExists(chartFile);
            md.append("_The C anchors were not measured in this run: ").append(env.get("anchors.reason"))
                .append("; so there is no comparison with QEMU's C code._\n\n");
            return;
        }
        if (rows.isEmpty())
        {
            Files.deleteIfExists(chartFile);
            md.append("_No C anchor results beside their livemig benchmarks in this run (the `qemu...` methods of ")
                .append("the codec and dirty-bitmap classes), so there is no comparison with QEMU's C code._\n\n");
            return;
        }
        md.append("QEMU's algorithms written in C by livemig (`benchmarks/src/main/native/`, whose README says what ")
            .append("each file mirrors), compiled in this run by ")
            .append(env.getOrDefault("anchors.compilerVersion", "the system C compiler"))
            .append(" with QEMU's flags (`").append(env.getOrDefault("anchors.command", "?")).append("`), ")
            .append("and measured by JMH in the same run, preset and forks as livemig, each on the very bytes ")
            .append("livemig reads, at the same alignment: both sides digest their inputs (in Java and in C) and ")
            .append("record where they sit, and a pair whose digests or page offsets differ is refused. ")
            .append("**livemig ÷ C** is C's time ÷ livemig's time (above 1 livemig is faster) with its 99.9 % interval ")
            .append("in brackets, computed on the log scale from both sides' JMH intervals (asymmetric; unbounded ")
            .append("where a side's interval reaches zero). **Verdict** reads that interval against parity: ")
            .append("*faster* or *slower* when it lies wholly above or below 1, *unresolved* when it holds 1 (with ")
            .append("the forks that would resolve it at this spread), *bimodal* when a side's forks fall into ")
            .append("separate groups (a gap between sorted fork means above ").append(Fmt.plain(ForkSpread.GAP_SPREADS))
            .append(" within-fork standard deviations and ").append(Fmt.plain(ForkSpread.GAP_PERCENT))
            .append(" % of the mean), *call-bound* when C's time is within ").append(Fmt.plain(Verdict.CALL_BOUND_FACTOR))
            .append("x of an empty call of its kind (").append(callFloorText(floor)).append("); the last two get no ")
            .append("verdict. Per-fork means are livemig's, then C's.\n\n");
        final Object skipped = env.get("anchors.skipped");
        if (skipped != null && !String.valueOf(skipped).isBlank())
        {
            md.append("Not measured: ").append(skipped).append(".\n\n");
        }
        goals(md, Goals.evaluate(results, rows, env));
        pageAnchors(md, rows, env, floor);
        bitmapAnchors(md, rows, floor);
        final Optional<List<JFreeChart>> panels = AnchorChart.panels(rows, floor);
        if (panels.isPresent())
        {
            AnchorChart.saveGrid(panels.get(), "livemig against QEMU's algorithms in C, same run, same inputs", chartFile);
            md.append("![livemig ÷ C](").append(CHARTS).append('/').append(ANCHOR_CHART).append(".png)\n\n");
        }
        else
        {
            Files.deleteIfExists(chartFile);
        }
    }

    /** @return the call floor as the section's text names it. */
    private static String callFloorText(final CallFloor floor)
    {
        if (!floor.measured())
        {
            return "not measured in this run, so no row is marked call-bound";
        }
        return "an empty per-page call " + Fmt.num(floor.pageCallNs()) + " ns, an empty JNI call " +
            Fmt.num(floor.jniCallNs()) + " ns, both measured in this run by CallFloorBenchmark";
    }

    private static void goals(final StringBuilder md, final List<Goals.Row> goals)
    {
        if (goals.isEmpty())
        {
            return;
        }
        md.append("### Where each core stands against its goal\n\n");
        md.append("Each goal read from this run: a speed relative to the C anchor or to another variant (above 1: ")
            .append("faster), or a time, with its 99.9 % interval in brackets. **met**: the whole interval is on the ")
            .append("goal's side; **short**: the whole interval misses it; **unresolved**: the goal lies inside it ")
            .append("(the verdict says how many more forks of the same spread would resolve it); **bimodal** and ")
            .append("**call-bound** rows have no verdict (see above). The reason given for a shortfall cites this ")
            .append("run's figures where it has them, and otherwise what the code does per unit of work (an ")
            .append("analysis, not a measurement).\n\n");
        md.append(verdictCounts(goals.stream().map(Goals.Row::verdict).toList(), false)).append("\n\n");
        md.append("| core | input | path | goal | measured [99.9 % interval] | per-fork means | verdict | why |\n")
            .append("|---|---|---|---|---|---|---|---|\n");
        for (final Goals.Row g : goals)
        {
            md.append("| ").append(g.core()).append(" | ").append(cell(g.input())).append(" | ").append(g.path())
                .append(" | ").append(g.goal()).append(" | ").append(g.measured()).append(" | ")
                .append(cell(g.forkMeans())).append(" | ").append(verdictCell(g.verdict(), false)).append(" | ")
                .append(g.why().isEmpty() ? "–" : cell(g.why())).append(" |\n");
        }
        md.append('\n');
    }

    /**
     * @return e.g. {@code Verdicts: 4 met, 2 short, 5 unresolved, 3 bimodal, 1 call-bound (of 15).}, or against
     *         parity {@code Verdicts: 3 livemig faster, 1 C faster (of 4), against parity.}
     */
    static String verdictCounts(final List<Verdict> verdicts, final boolean parity)
    {
        final StringBuilder text = new StringBuilder("Verdicts: ");
        final List<String> parts = new ArrayList<>();
        for (final Verdict.Kind kind : Verdict.Kind.values())
        {
            final long n = verdicts.stream().filter(v -> v.kind() == kind).count();
            if (n > 0)
            {
                parts.add(n + " " + word(kind, parity));
            }
        }
        return text.append(String.join(", ", parts)).append(" (of ").append(verdicts.size())
            .append(parity ? "), against parity." : ").").toString();
    }

    private static String word(final Verdict.Kind kind, final boolean parity)
    {
        if (parity && kind == Verdict.Kind.MET)
        {
            return "livemig faster";
        }
        if (parity && kind == Verdict.Kind.SHORT)
        {
            return "C faster";
        }
        return kind.name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /** @return the verdict's cell: its word (or, against parity, faster / slower) in bold unless met, and why. */
    static String verdictCell(final Verdict v, final boolean parity)
    {
        final String word = word(v.kind(), parity);
        final String shown = v.kind() == Verdict.Kind.MET && !parity ? word : "**" + word + "**";
        return cell(shown + ": " + v.detail());
    }

    private static void pageAnchors(final StringBuilder md, final List<AnchorComparison.Row> rows,
                                    final Map<String, Object> env, final CallFloor floor)
    {
        final List<AnchorComparison.Row> pages = rows.stream()
            .filter(r -> r.pair().kind() == AnchorComparison.Kind.PAGE).toList();
        if (pages.isEmpty())
        {
            return;
        }
        md.append("### Page codecs (GB/s of page input = 4096 B ÷ ns per page)\n\n");
        md.append("Codec path of the forks (`io.livemig.codec.Simd`): ")
            .append(env.getOrDefault("simd.description", "unknown (no simd in env.json)"))
            .append(". Rows of `...OffHeapVector` methods ran the JDK 22+ SIMD kernels on the off-heap pages ")
            .append("themselves (as the migration's zero check on guest memory does there), rows of the other ")
            .append("`...Vector` methods ran the SIMD kernels on heap copies of the pages, and the others ran the ")
            .append("scalar code.\n\n");
        md.append(verdictCounts(pages.stream().filter(r -> r.refusal().isEmpty()).map(r -> r.parity(floor))
            .toList(), true)).append("\n\n");
        md.append("| operation | path | input | livemig ns/page | livemig GB/s | C ns/page | C GB/s | livemig ÷ C | ")
            .append("verdict | per-fork means (ns/page) | C code | inputs |\n")
            .append("|---|---|---|---|---|---|---|---|---|---|---|---|\n");
        for (final AnchorComparison.Row r : pages)
        {
            md.append("| `").append(r.pair().simpleClass()).append('.').append(r.pair().livemig()).append("` | ")
                .append(r.pair().vectorPath() ? "SIMD, " + env.getOrDefault("simd.species", "?") +
                    (r.pair().livemig().endsWith("OffHeapVector") ? ", off-heap" : "") : "scalar")
                .append(" | ")
                .append(cell(r.livemig().paramsText())).append(" | ")
                .append(r.livemig().primary().estimate()).append(" | ").append(r.livemigGigabytes()).append(" | ")
                .append(r.anchor().primary().estimate()).append(" | ").append(r.anchorGigabytes()).append(" | ")
                .append(speedCell(r)).append(" | ").append(parityCell(r, floor)).append(" | ")
                .append(forkMeansCell(r)).append(" | `").append(r.pair().anchor()).append("`: ")
                .append(r.pair().what()).append(" | ").append(digestCell(r)).append(" |\n");
        }
        md.append('\n');
    }

    private static void bitmapAnchors(final StringBuilder md, final List<AnchorComparison.Row> rows,
                                      final CallFloor floor)
    {
        for (final AnchorComparison.Kind kind : List.of(AnchorComparison.Kind.ENUMERATION,
            AnchorComparison.Kind.HARVEST))
        {
            final List<AnchorComparison.Row> of = rows.stream().filter(r -> r.pair().kind() == kind).toList();
            if (of.isEmpty())
            {
                continue;
            }
            final boolean enumeration = kind == AnchorComparison.Kind.ENUMERATION;
            md.append(enumeration ?
                "### Dirty bitmap: one enumeration of a 2^28-unit bitmap (ms, and ns per set bit)\n\n" :
                "### Dirty bitmap: one harvest (sync) of a 2^28-unit bitmap into an empty one (ms)\n\n");
            md.append(verdictCounts(of.stream().filter(r -> r.refusal().isEmpty()).map(r -> r.parity(floor))
                .toList(), true)).append("\n\n");
            md.append("| livemig | density | set bits | livemig ms | C ms |")
                .append(enumeration ? " livemig ns/bit | C ns/bit |" : "")
                .append(" livemig ÷ C | verdict | per-fork means | C code | inputs |\n|---|---|---|---|---|")
                .append(enumeration ? "---|---|" : "").append("---|---|---|---|---|\n");
            for (final AnchorComparison.Row r : of)
            {
                final double bits = AnchorComparison.setUnits(r.livemig());
                md.append("| `").append(r.pair().livemig()).append("` | ").append(r.livemig().param("density")
                    .orElse("?")).append(" | ").append(Fmt.num(bits)).append(" | ")
                    .append(millis(r.livemig())).append(" | ").append(millis(r.anchor())).append(" |");
                if (enumeration)
                {
                    md.append(' ').append(perBit(r.livemig(), bits)).append(" | ").append(perBit(r.anchor(), bits))
                        .append(" |");
                }
                md.append(' ').append(speedCell(r)).append(" | ").append(parityCell(r, floor)).append(" | ")
                    .append(forkMeansCell(r)).append(" | `").append(r.pair().anchor()).append("`: ")
                    .append(r.pair().what()).append(" | ").append(digestCell(r)).append(" |\n");
            }
            md.append('\n');
        }
    }

    private static String parityCell(final AnchorComparison.Row r, final CallFloor floor)
    {
        return r.refusal().isPresent() ? "–" : verdictCell(r.parity(floor), true);
    }

    /** @return both sides' fork means in livemig's unit: {@code 512, 530 / 525, 521}. */
    private static String forkMeansCell(final AnchorComparison.Row r)
    {
        final double toLivemigUnit = Units.secondsPerOp(1, r.anchor().primary().unit()) /
            Units.secondsPerOp(1, r.livemig().primary().unit());
        return ForkSpread.of(r.livemig().primary()).meansText(1) + " / " +
            ForkSpread.of(r.anchor().primary()).meansText(toLivemigUnit);
    }

    private static String speedCell(final AnchorComparison.Row r)
    {
        return r.refusal().orElseGet(() -> "**" + r.speedInterval() + "**");
    }

    private static String digestCell(final AnchorComparison.Row r)
    {
        return r.digest().map(d -> "`" + d + "` (both); " + r.layout()).orElse("–");
    }

    private static Estimate millis(final JmhResult r)
    {
        final double factor = Units.secondsPerOp(1, r.primary().unit()) * 1e3;
        return new Estimate(r.primary().score() * factor, r.primary().error() * factor);
    }

    private static String perBit(final JmhResult r, final double bits)
    {
        if (bits <= 0)
        {
            return "–";
        }
        final double factor = Units.secondsPerOp(1, r.primary().unit()) * 1e9 / bits;
        return new Estimate(r.primary().score() * factor, r.primary().error() * factor).toString();
    }

    private static void granularity(final StringBuilder md, final GranularityAnalysis analysis,
                                    final List<JmhResult> results)
    {
        md.append("## Dirty-bit granularity\n\n");
        if (analysis.sweeps().isEmpty())
        {
            md.append("_Skipped: no GranularityBenchmark.harvestAndScan results with counters in this run._\n\n");
            return;
        }
        md.append("Model: ").append(analysis.modelText()).append(". Each round the guest writes 2 % of a 4 GiB ")
            .append("guest's pages (seeded; see GranularityBenchmark); amplification = pages sent ÷ distinct pages ")
            .append("written. `scripts/tune-granularity --bandwidth B` recomputes for another link.\n\n");
        md.append(analysis.recommendationTable()).append(analysis.detail()).append('\n');
        md.append("### Dirty ring\n\n");
        final Optional<GranularityAnalysis> ring = GranularityAnalysis.ofRing(results, analysis.bandwidth());
        if (ring.isEmpty())
        {
            md.append("_Skipped: the ring's per-unit costs need MarkBenchmark.markFresh (ring and atomic) and ")
                .append("CollectSweepBenchmark.collectRing in this run._\n\n");
            faultGranularity(md, analysis, results);
            return;
        }
        md.append("Model: ").append(ring.get().modelText()).append(". Same rounds and amplification as above.\n\n")
            .append(ring.get().recommendationTable()).append(ring.get().detail()).append('\n');
        faultGranularity(md, analysis, results);
    }

    private static void faultGranularity(final StringBuilder md, final GranularityAnalysis analysis,
                                         final List<JmhResult> results)
    {
        md.append("### Kernel faults\n\n");
        final Optional<GranularityAnalysis> faults = GranularityAnalysis.ofFaults(results, analysis.bandwidth());
        if (faults.isEmpty())
        {
            md.append("_Skipped: the kernel's per-unit costs need KernelTrackingBenchmark.firstWrite (uffd-wp) and ")
                .append("its harvests of the 256 MiB guest in this run (JDK 22+)._\n\n");
            return;
        }
        md.append("Model: ").append(faults.get().modelText()).append(". Same rounds and amplification as above.\n\n")
            .append(faults.get().recommendationTable()).append(faults.get().detail()).append('\n');
    }

    private static void classTable(final StringBuilder md, final List<JmhResult> results, final String className)
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
            md.append("| ").append(String.join(" | ", cells.stream().map(ReportWriter::cell).toList())).append(" |\n");
        }
    }

    private static String cell(final String text)
    {
        return text.replace("|", "\\|").replace("\n", " ");
    }

    /** @return the classes of {@code results}: dirty, codec, stream, migration packages first, then by name. */
    static List<String> classes(final List<JmhResult> results)
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
}
