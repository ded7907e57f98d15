package io.livemig.bench.run;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.livemig.bench.anchor.CallFloorBenchmark;
import io.livemig.bench.run.env.Environment;
import io.livemig.bench.run.preset.Preset;
import io.livemig.bench.run.setup.AnchorSetup;
import io.livemig.bench.run.setup.KernelSetup;
import io.livemig.bench.run.setup.RealGuestSetup;
import io.livemig.bench.run.setup.SimdSetup;
import io.livemig.bench.state.InputLog;
import io.livemig.qemu.RealGuestCorpus;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.results.format.ResultFormatFactory;
import org.openjdk.jmh.results.format.ResultFormatType;
import org.openjdk.jmh.runner.BenchmarkList;
import org.openjdk.jmh.runner.BenchmarkListEntry;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.format.OutputFormatFactory;
import org.openjdk.jmh.runner.options.CommandLineOptions;
import org.openjdk.jmh.runner.options.VerboseMode;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The measuring half of {@code mvn -B verify -Pbench} ({@code io.livemig.bench.report.BenchCommand} writes the
 * report after it): runs the selected benchmarks with a {@link Preset}'s forks and iterations (hot paths with
 * JMH's gc profiler), prints progress with an estimate of the time left, and leaves in
 * {@code results/<UTC yyyyMMdd'T'HHmmss'Z'>-<preset>/}: {@code jmh.json} (JMH's JSON) and {@code env.json} (JDK,
 * machine, commit, settings, times).
 *
 * <p>A run that measures a C anchor also measures {@code CallFloorBenchmark}, the least an anchor call costs. A
 * {@code full} run takes its preset's forks: {@code -f} below them is refused (a full run is for publication, and
 * the variance that moves figures between runs lives between forks); {@code env.json} says {@code publishable}
 * for a full run and the report's head repeats it, from the results themselves.
 *
 * <p>Exit status: 0 on success, 1 if JMH failed, 2 for a bad option (one-line message), including {@code -f} below
 * a full run's preset.
 *
 * <p>Not thread-safe; one run per JVM.
 */
public final class BenchRunner
{
    static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'");

    /** The command line, parsed and checked. */
    record Config(Preset preset, String include, String jmhArgs, CommandLineOptions user, Path java, Path results)
    {
    }

    private BenchRunner()
    {
    }

    /**
     * Measures: parses the options, plans the run, runs its batches and writes {@code jmh.json} and {@code env.json}.
     *
     * @param args      {@code --preset=quick|full|smoke --include=REGEX --jmh-args="..." --jdk=PATH --results=DIR}
     * @param resultDir told the result directory once it exists.
     * @return the exit status.
     */
    public static int run(final String[] args, final PrintStream out, final PrintStream err,
                          final Consumer<Path> resultDir)
    {
        final Config config;
        try
        {
            config = parse(args, System.getenv("JAVA_HOME"));
        }
        catch (final IllegalArgumentException ex)
        {
            err.println("bench: " + ex.getMessage());
            return 2;
        }
        final RunPlan plan;
        final Collection<BenchmarkListEntry> entries;
        try
        {
            entries = BenchmarkList.defaultList().find(
                OutputFormatFactory.createFormatInstance(out, VerboseMode.SILENT), List.of(".*"), List.of());
            plan = RunPlan.build(config.preset(), config.include(), config.user(),
                config.java() == null ? null : config.java().toString(), entries);
        }
        catch (final IllegalArgumentException ex)
        {
            err.println("bench: " + ex.getMessage());
            return 2;
        }
        final List<String> below = plan.forksBelowPreset();
        if (config.preset() == Preset.FULL && !below.isEmpty())
        {
            err.println("bench: a full run is for publication and runs its preset's forks, but -Dbench.args gives " +
                below.get(0) + (below.size() > 1 ? " (and " + (below.size() - 1) + " more)" : "") +
                "; drop -f, or use -Dbench.preset=quick");
            return 2;
        }
        if (plan.totalRuns() == 0)
        {
            err.println("bench: no benchmark matches -Dbench.include='" + config.include() + "'" +
                " (java -jar benchmarks/target/benchmarks.jar -l lists them)");
            return 2;
        }
        try
        {
            return execute(config, plan, entries, out, err, resultDir);
        }
        catch (final IOException ex)
        {
            err.println("bench: " + ex);
            return 1;
        }
    }

    /**
     * Parses and checks the runner's options.
     *
     * @param javaHome the JAVA_HOME environment value, used when {@code --jdk} is empty.
     * @throws IllegalArgumentException with a one-line message.
     */
    static Config parse(final String[] args, final String javaHome)
    {
        String preset = "";
        String include = "";
        String jmhArgs = "";
        String jdk = "";
        Path results = Path.of("results");
        for (final String arg : args)
        {
            final int eq = arg.indexOf('=');
            final String key = eq < 0 ? arg : arg.substring(0, eq);
            final String value = eq < 0 ? "" : arg.substring(eq + 1);
            switch (key)
            {
                case "--preset": preset = value; break;
                case "--include": include = value; break;
                case "--jmh-args": jmhArgs = value; break;
                case "--jdk": jdk = value; break;
                case "--results": results = Path.of(value); break;
                default: throw new IllegalArgumentException("unknown option '" + arg +
                    "' (expected --preset=, --include=, --jmh-args=, --jdk=, --results=)");
            }
        }
        final Preset parsed = Preset.parse(preset);
        final CommandLineOptions user = RunPlan.parseUserArgs(jmhArgs);
        final String home = jdk.isBlank() ? javaHome : jdk;
        Path java = null;
        if (home != null && !home.isBlank())
        {
            java = Path.of(home.trim(), "bin", "java");
            if (!Files.isExecutable(java))
            {
                throw new IllegalArgumentException("no java executable at " + java +
                    (jdk.isBlank() ? " (from JAVA_HOME)" : " (from -Dbench.jdk)"));
            }
        }
        return new Config(parsed, include.isBlank() ? ".*" : include, jmhArgs, user, java, results);
    }

    private static int execute(final Config config, final RunPlan selected,
                               final Collection<BenchmarkListEntry> entries, final PrintStream out,
                               final PrintStream err, final Consumer<Path> resultDir) throws IOException
    {
        final Instant start = Instant.now();
        // the tree as the forks' jar was built from it: files edited while a long run goes on must not mark it
        final Path root = config.results().toAbsolutePath().getParent();
        final Map<String, Object> git = Environment.git(root == null ? Path.of(".") : root);
        final long[] ticksAtStart = Environment.cpuTicks();
        final String loadAtStart = Environment.loadAverage();
        final Path dir = config.results().resolve(
            ZonedDateTime.ofInstant(start, ZoneOffset.UTC).format(STAMP) + "-" + config.preset().id());
        Files.createDirectories(dir);
        resultDir.accept(dir);
        final Path anchorDir = selected.runsAny(InputLog::isAnchor) ? Files.createTempDirectory("livemig-anchors-") :
            null;
        try
        {
            final AnchorSetup anchors = anchorDir == null ? AnchorSetup.none() :
                AnchorSetup.prepare(anchorDir, System.getenv());
            anchors.skipped().forEach(line -> out.println("bench: " + line));
            final SimdSetup simd = SimdSetup.probe(forkJava(config), System.getProperty("java.class.path"));
            simd.skipped().forEach(line -> out.println("bench: " + line));
            final KernelSetup kernel = selected.runsAny(name -> name.contains(".KernelTrackingBenchmark.") ||
                name.contains(".PostcopyFaultsBenchmark.kernelFaults") ||
                name.contains(".SnapshotBenchmark.saveBackground") ||
                name.contains(".SnapshotBenchmark.lazyCompleteKernel")) ?
                KernelSetup.probe(forkJava(config), System.getProperty("java.class.path")) : null;
            if (kernel != null)
            {
                kernel.skipped().forEach(line -> out.println("bench: " + line));
            }
            final RealGuestSetup realGuest = selected.runsAny(RealGuestSetup::takesRealGuest) ?
                RealGuestSetup.prepare(RealGuestCorpus.defaultDir(), out) : RealGuestSetup.none();
            realGuest.skipped().forEach(line -> out.println("bench: " + line));
            final List<String> forkArgs = new ArrayList<>(anchors.forkArgs());
            forkArgs.addAll(simd.forkArgs());
            forkArgs.addAll(realGuest.forkArgs());
            forkArgs.add("-D" + InputLog.PROPERTY + "=" + dir.resolve(InputLog.FILE).toAbsolutePath());
            final List<String> excludes = new ArrayList<>(anchors.excludes());
            excludes.addAll(simd.excludes());
            if (kernel != null)
            {
                excludes.addAll(kernel.excludes());
            }
            final String include = selected.runsAny(InputLog::isAnchor) ? withCallFloor(config.include()) :
                config.include();
            final RunPlan plan = RunPlan.build(config.preset(), include, config.user(),
                config.java() == null ? null : config.java().toString(), entries, excludes, forkArgs,
                realGuest.available());
            final Map<String, Object> host = new LinkedHashMap<>();
            host.put("memory", Environment.memory());
            host.put("clock", Environment.clock());
            return measure(config, plan, anchors, simd, kernel == null ? null : kernel.env(), realGuest.env(), host,
                git, ticksAtStart, loadAtStart, dir, start, out, err);
        }
        finally
        {
            if (anchorDir != null)
            {
                deleteTree(anchorDir);
            }
        }
    }

    private static void deleteTree(final Path root) throws IOException
    {
        try (Stream<Path> paths = Files.walk(root))
        {
            for (final Path path : paths.sorted(Comparator.reverseOrder()).toList())
            {
                Files.deleteIfExists(path);
            }
        }
    }

    /**
     * @return {@code include} widened to {@link CallFloorBenchmark}: a run that measures a C anchor also measures
     *         the least an anchor call costs, so that the report can tell rows that time the call.
     */
    static String withCallFloor(final String include)
    {
        return "(?:" + include + ")|^" + Pattern.quote(CallFloorBenchmark.class.getName() + ".");
    }

    /** @return the java executable the forks run. */
    private static Path forkJava(final Config config)
    {
        return config.java() != null ? config.java() : Path.of(System.getProperty("java.home"), "bin", "java");
    }

    private static int measure(final Config config, final RunPlan plan, final AnchorSetup anchors,
                               final SimdSetup simd, final Map<String, Object> kernel,
                               final Map<String, Object> realGuest, final Map<String, Object> host,
                               final Map<String, Object> git, final long[] ticksAtStart, final String loadAtStart,
                               final Path dir, final Instant start, final PrintStream out,
                               final PrintStream err) throws IOException
    {
        final Path java = forkJava(config);
        out.println("bench: preset " + config.preset().id() + ", " + plan.totalRuns() + " benchmark runs in " +
            plan.batches().size() + " batches, estimated " + Math.round(plan.estimateSeconds() / 60) +
            " min, forks run " + java + "; results go to " + dir);

        final ProgressFormat progress = new ProgressFormat(OutputFormatFactory.createFormatInstance(out,
            VerboseMode.NORMAL), out, plan, System::nanoTime);
        final List<RunResult> results = new ArrayList<>();
        String failure = null;
        for (final RunPlan.Batch batch : plan.batches())
        {
            try
            {
                results.addAll(new Runner(batch.options(), progress).run());
            }
            catch (final RunnerException ex)
            {
                failure = "JMH failed in the " + batch.kind() + " batch: " + ex.getMessage();
                err.println("bench: " + failure);
                break;
            }
        }
        final Path json = dir.resolve("jmh.json");
        ResultFormatFactory.getInstance(ResultFormatType.JSON, json.toString()).writeOut(results);
        host.put("contention", Environment.contention(ticksAtStart, Environment.cpuTicks(), loadAtStart,
            Environment.loadAverage()));
        writeEnv(dir.resolve("env.json"), config, java, start, Instant.now(), plan.totalRuns(), results, anchors.env(),
            simd.env(), kernel, realGuest, host, git);
        return failure == null ? 0 : 1;
    }

    static void writeEnv(final Path file, final Config config, final Path java, final Instant start,
                         final Instant end, final long plannedRuns, final Collection<RunResult> results,
                         final Map<String, Object> anchors,
                         final Map<String, Object> simd, final Map<String, Object> kernel,
                         final Map<String, Object> realGuest, final Map<String, Object> host,
                         final Map<String, Object> git)
        throws IOException
    {
        final Map<String, Object> env = new LinkedHashMap<>();
        env.put("jdk", Environment.jdk(java));
        final Set<List<String>> jvmArgs = new LinkedHashSet<>();
        for (final RunResult result : results)
        {
            jvmArgs.add(List.copyOf(result.getParams().getJvmArgs()));
        }
        env.put("forkJvmArgs", Environment.distinctFlags(jvmArgs));
        env.put("machine", Environment.machine());
        env.put("host", host);
        env.put("anchors", anchors);
        env.put("simd", simd);
        if (kernel != null)
        {
            env.put("kernel", kernel);
        }
        env.put("realGuest", realGuest);
        env.put("git", git);
        env.put("preset", config.preset().id());
        // the runner refuses a full run with fewer forks than its preset: a full run is publishable, if every
        // planned benchmark run left a result (a fork that failed, or hung and was killed, leaves none)
        env.put("plannedRuns", plannedRuns);
        env.put("publishable", config.preset() == Preset.FULL && results.size() >= plannedRuns);
        env.put("include", config.include());
        env.put("jmhArgs", config.jmhArgs());
        env.put("start", start.toString());
        env.put("end", end.toString());
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(file.toFile(), env);
    }
}
