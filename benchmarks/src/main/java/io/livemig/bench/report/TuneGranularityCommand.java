package io.livemig.bench.report;

import io.livemig.bench.dirty.GranularityBenchmark;
import io.livemig.bench.report.analysis.GranularityAnalysis;
import io.livemig.bench.report.result.JmhResult;
import io.livemig.bench.report.result.JmhResults;
import io.livemig.bench.report.result.ReportException;
import io.livemig.bench.report.stats.Units;
import io.livemig.bench.run.preset.Preset;
import io.livemig.workload.DirtyTrace;
import io.livemig.workload.Patterns;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;

/**
 * {@code scripts/tune-granularity [--pattern P | --trace FILE] [--bandwidth B]}: runs only GranularityBenchmark
 * (quick preset unless told otherwise, a couple of minutes), then prints per access pattern the best pages per
 * dirty bit under the bandwidth model of {@link GranularityAnalysis}, with the sweep and the reasoning, for
 * the bitmap trackers, the dirty ring and the kernel's fault tracker. {@code --trace FILE} measures a real
 * guest's dirty trace ({@link DirtyTrace}) instead of the synthetic patterns. With {@code --from DIR} it
 * analyses an existing run instead of measuring.
 *
 * <p>Exit 0; 1 if the benchmark run failed; 2 with one line on stderr for a bad option or input.
 *
 * <p>Not thread-safe; one command per object.
 */
@Command(name = "tune-granularity", mixinStandardHelpOptions = true,
    description = "Measures GranularityBenchmark and recommends pages per dirty bit for each access pattern.")
public final class TuneGranularityCommand extends Cli.Tool
{
    /** The benchmarks that measure the dirty ring's per-unit costs, run beside the sweep (about half a minute). */
    static final String RING_COSTS =
        "io\\.livemig\\.bench\\.dirty\\.(MarkBenchmark\\.markFresh|CollectSweepBenchmark\\.collectRing)$";

    /** The patterns GranularityBenchmark knows. */
    static final List<String> PATTERNS = List.of("uniform", "hotset", "zipf", "sequential");

    @Option(names = "--pattern", paramLabel = "P",
        description = "only this pattern: uniform, hotset, zipf or sequential")
    String pattern;

    @Option(names = "--trace", paramLabel = "FILE",
        description = "a real guest's dirty trace (scripts/qemu-guest writes one; docs/qemu.md) instead of the patterns")
    Path trace;

    @Option(names = "--bandwidth", paramLabel = "B", defaultValue = "10Gbit",
        description = "link bandwidth, e.g. 10Gbit, 1.25GB/s, 128MiB/s (default ${DEFAULT-VALUE})")
    String bandwidth;

    @Option(names = "--preset", paramLabel = "NAME", defaultValue = "quick",
        description = "benchmark preset: smoke, quick or full (default ${DEFAULT-VALUE})")
    String preset;

    @Option(names = "--results", paramLabel = "DIR",
        description = "where the run's directory is made (default: results/ of the checkout the script is in)")
    Path results = Path.of(System.getProperty("livemig.root", "."), "results");

    @Option(names = "--from", paramLabel = "RESULT_DIR", description = "analyse this existing run instead of measuring")
    Path from;


    @Override
    public Integer call() throws ReportException
    {
        final double bytesPerSecond = Units.parseBandwidth(bandwidth);
        if (pattern != null && !PATTERNS.contains(pattern))
        {
            throw new IllegalArgumentException("bad --pattern '" + pattern + "' (expected one of " + PATTERNS + ")");
        }
        if (trace != null)
        {
            if (pattern != null)
            {
                throw new IllegalArgumentException("--trace and --pattern are exclusive");
            }
            try
            {
                DirtyTrace.read(trace);
            }
            catch (final java.io.IOException ex)
            {
                throw new IllegalArgumentException("cannot read --trace " + trace + ": " + ex.getMessage());
            }
            pattern = Patterns.TRACE + trace.toAbsolutePath();
        }
        Path dir = from;
        if (dir == null)
        {
            Preset.parse(preset);
            final Path[] made = new Path[1];
            // JMH's console output goes to stderr, so stdout is only the recommendation.
            final int status = BenchCommand.run(new String[] {"--preset=" + preset,
                "--include=^(" + GranularityBenchmark.class.getName().replace(".", "\\.") + "\\.|" +
                    RING_COSTS + ")",
                "--jmh-args=" + (pattern == null ? "" : "-p pattern=" + pattern), "--results=" + results},
                System.err, System.err, d -> made[0] = d);
            if (status != 0)
            {
                return status;
            }
            dir = made[0];
        }
        List<JmhResult> rows = JmhResults.read(dir);
        if (pattern != null)
        {
            rows = rows.stream().filter(r -> !r.simpleClassName().equals(GranularityAnalysis.CLASS) ||
                r.param("pattern").map(pattern::equals).orElse(false)).toList();
        }
        final GranularityAnalysis analysis = GranularityAnalysis.of(rows, bytesPerSecond);
        if (analysis.sweeps().isEmpty())
        {
            throw new ReportException(dir + ": no " + GranularityAnalysis.CLASS + "." + GranularityAnalysis.METHOD +
                " results with counters" + (pattern == null ? "" : " for pattern " + pattern));
        }
        out.println("Granularity recommendation from " + dir);
        print(analysis);
        out.println();
        GranularityAnalysis.ofRing(rows, bytesPerSecond).ifPresentOrElse(this::print, () -> out.println(
            "Dirty ring: no recommendation (it needs MarkBenchmark.markFresh for ring and atomic and " +
                "CollectSweepBenchmark.collectRing in the run)."));
        out.println();
        GranularityAnalysis.ofFaults(rows, bytesPerSecond).ifPresentOrElse(this::print, () -> out.println(
            "Kernel faults: no recommendation (it needs KernelTrackingBenchmark.firstWrite for uffd-wp and its " +
                "harvests of the 256 MiB guest in the run, JDK 22+)."));
        return 0;
    }

    /** Prints one model's recommendation: the model, the table of patterns, each pattern's sweep and reasoning. */
    private void print(final GranularityAnalysis model)
    {
        out.println("Model: " + model.modelText() + ".");
        out.println();
        out.print(model.recommendationTable());
        out.print(model.detail());
    }

    /** Entry point. */
    public static void main(final String[] args)
    {
        Cli.main("tune-granularity", new TuneGranularityCommand(), args);
    }

    /** @return the exit status of running with {@code args}. */
    static int run(final String[] args, final PrintWriter out, final PrintWriter err)
    {
        return Cli.run("tune-granularity", new TuneGranularityCommand(), args, out, err);
    }
}
