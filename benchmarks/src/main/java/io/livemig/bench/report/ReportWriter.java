package io.livemig.bench.report;

import io.livemig.bench.report.analysis.AnchorComparison;
import io.livemig.bench.report.analysis.GranularityAnalysis;
import io.livemig.bench.report.analysis.Publication;
import io.livemig.bench.report.result.EnvJson;
import io.livemig.bench.report.result.JmhResult;
import io.livemig.bench.report.result.JmhResults;
import io.livemig.bench.report.result.ReportException;
import io.livemig.bench.report.section.AnchorTables;
import io.livemig.bench.report.section.ChannelsTable;
import io.livemig.bench.report.section.ClassTables;
import io.livemig.bench.report.section.DirtyTrackers;
import io.livemig.bench.report.section.EnvironmentTable;
import io.livemig.bench.report.section.Figures;
import io.livemig.bench.report.section.GranularityTables;
import io.livemig.bench.report.section.HotPathAllocation;
import io.livemig.bench.report.section.KernelTrackingReport;
import io.livemig.bench.report.section.PostcopyFaultsReport;
import io.livemig.bench.report.section.PostcopyLocalityReport;
import io.livemig.bench.report.section.RealGuestReport;
import io.livemig.bench.report.section.ReferenceAppendix;
import io.livemig.bench.report.section.SnapshotsReport;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Writes a run's {@code REPORT.md} and {@code charts/*.png} from its {@code jmh.json} (and {@code env.json}
 * when present) alone, so a report can be regenerated at any time ({@code scripts/report DIR}).
 *
 * <p>The report holds its head (the run, whether it may be published, how to read it), then one section each,
 * in this order, each written by its class of {@code report.section}: the environment; allocation on hot paths;
 * the figures; the dirty trackers (write cost, sync cost against guest size and dirty pages, the crossover);
 * software against kernel tracking; software against kernel faults; the channels; the snapshots (saves and
 * restores beside plain file I/O, with their goals and the lazy restore's fault latency); livemig against the C
 * anchors of the same run, with the goals; the real guest; the granularity recommendation; one table per benchmark
 * class; and, as an appendix, the historical QEMU ratios of the reference-figures spec, from another CPU.
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
    public static final String CHARTS = Figures.DIR;
    /** The report's opening section. */
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

    /** @return the report's Markdown: its head, then each section in order (saving their charts under {@code dir}). */
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
            ClassTables.classes(results).size()));
        md.append(Publication.verdict(results, env.containsKey("preset") ? String.valueOf(env.get("preset")) : null,
            env.containsKey("plannedRuns") ? Long.parseLong(String.valueOf(env.get("plannedRuns"))) : -1))
            .append("\n\n");
        md.append(HOW_TO_READ);
        EnvironmentTable.section(md, env);
        HotPathAllocation.section(md, results);
        final GranularityAnalysis granularity = GranularityAnalysis.of(results, bandwidth);
        Figures.section(md, dir.resolve(CHARTS), results, granularity);
        DirtyTrackers.section(md, dir.resolve(CHARTS), results);
        KernelTrackingReport.section(md, results, env);
        PostcopyFaultsReport.section(md, results, env);
        PostcopyLocalityReport.section(md, results);
        ChannelsTable.section(md, results);
        SnapshotsReport.section(md, dir.resolve(CHARTS), results);
        AnchorTables.section(md, dir.resolve(CHARTS), results, env, AnchorComparison.readDigests(dir),
            AnchorComparison.readLayouts(dir));
        RealGuestReport.section(md, results, env);
        GranularityTables.section(md, granularity, results);
        ClassTables.section(md, results);
        ReferenceAppendix.section(md, results);
        return md.toString();
    }
}
