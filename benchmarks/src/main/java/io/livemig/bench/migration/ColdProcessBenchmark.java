package io.livemig.bench.migration;

import io.livemig.bench.BenchJvm;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The user's command as the user runs it: each shot starts {@code scripts/migrate} in a fresh process, on the
 * fork's own JDK, for {@link LargeGuestBenchmark}'s 1 GiB guest (idle, {@code fill=0}, or written once, {@code
 * fill=1.0}) over TCP loopback at unlimited bandwidth, with {@code --baseline-copy --verify --json}, and waits
 * for it to end. The score is the whole process, JVM start to exit; the {@link Figures} counters read the
 * process's own JSON: the migration's {@code totalMs} (start to resume, link setup excluded: what the command
 * prints, and what QEMU's {@code info migrate} reports, whose total leaves out QEMU's start), the GB/s of guest
 * memory moved, and the plain copy of the same bytes that the same process timed after the migration over a new
 * link of the same kind and channels (its floor). Whether the process took the JDK's ahead-of-time cache is
 * counted per shot ({@code aotCache}: 1 or 0), as the process's {@code paths.startup} line says.
 *
 * <p>Each shot is its own cold JVM, so the class needs no warmup shot. The process runs from the project root
 * (the nearest directory above the working directory that holds {@code scripts/migrate}); {@code
 * -Dlivemig.cold.classpath} runs it from a class path instead of the built jar (the tests do). A shot that does
 * not end within {@link #DEADLINE_SECONDS} is killed with its descendants and fails the run, as does one that
 * does not complete, verify or print its figures.
 *
 * <p>Not thread-safe: one shot at a time, as JMH runs it.
 */
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 0)
@Measurement(iterations = 3, batchSize = 1)
@Fork(value = 1, jvmArgsAppend = {BenchJvm.ADD_OPENS, BenchJvm.MISC_OPENS})
@State(Scope.Benchmark)
public class ColdProcessBenchmark
{
    /** How long one process may take, JVM start to exit (about 3 s on the reference machine). */
    static final long DEADLINE_SECONDS = 120;
    /** The JVM option that names a class path to run {@code scripts/migrate} from, in place of the jar. */
    static final String CLASSPATH_PROPERTY = "livemig.cold.classpath";

    private static final ObjectMapper JSON = new ObjectMapper();

    /** Fraction of pages written before the migration: 0 (idle) or 1.0 (written once). */
    @Param({"0", "1.0"})
    public String fill;

    /** Page channels (QEMU's multifd): the main connection alone, or two more. */
    @Param({"1", "2"})
    public String channels;

    /** Guest size, as {@code --memory} takes it (the tests shrink it). */
    public String memory = "1g";

    private Path root;
    private Path out;
    private Path err;

    /** The process's own figures, one shot per iteration (see {@link MigrationBenchmark.Figures}). */
    @AuxCounters(AuxCounters.Type.EVENTS)
    @State(Scope.Thread)
    public static class Figures
    {
        public double migrationMs;
        public double gbPerSecond;
        public double plainCopyMs;
        public double plainCopyGbPerSecond;
        public double aotCache;

        @Setup(Level.Iteration)
        public void reset()
        {
            migrationMs = gbPerSecond = plainCopyMs = plainCopyGbPerSecond = aotCache = 0;
        }

        /**
         * Reads one process's JSON.
         *
         * @throws IllegalStateException naming what is missing, if the migration did not complete and verify.
         */
        void record(final JsonNode result)
        {
            if (!"completed".equals(result.path("status").asText()) || !result.path("verified").asBoolean(false))
            {
                throw new IllegalStateException("scripts/migrate did not complete verified: status " +
                    result.path("status").asText("?") + ", verified " + result.path("verified").asText("?") +
                    ", error " + result.path("error").asText("none"));
            }
            final double total = number(result, "totalMs");
            final double bytes = number(result, "memoryBytes");
            final JsonNode copy = result.path("baselineCopy");
            migrationMs = total;
            gbPerSecond = bytes / (total * 1e6);
            plainCopyMs = number(copy, "ms");
            plainCopyGbPerSecond = bytes / (plainCopyMs * 1e6);
            aotCache = result.path("paths").path("startup").asText("").startsWith("AOT cache") ? 1 : 0;
        }

        private static double number(final JsonNode node, final String field)
        {
            final JsonNode value = node.get(field);
            if (value == null || !value.isNumber() || !(value.asDouble() > 0))
            {
                throw new IllegalStateException("scripts/migrate's JSON has no positive " + field + ": " + node);
            }
            return value.asDouble();
        }
    }

    @Setup(Level.Trial)
    public void setup() throws IOException
    {
        root = projectRoot(Path.of("").toAbsolutePath());
        out = Files.createTempFile("livemig-cold-", ".json");
        err = Files.createTempFile("livemig-cold-", ".err");
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException
    {
        Files.deleteIfExists(out);
        Files.deleteIfExists(err);
    }

    /** One fresh process of {@code scripts/migrate}, start to exit. */
    @Benchmark
    public double migrate(final Figures figures) throws IOException, InterruptedException
    {
        final JsonNode result = run();
        figures.record(result);
        return figures.migrationMs;
    }

    /** @return the command of one shot. */
    List<String> command()
    {
        return List.of(root.resolve("scripts/migrate").toString(), "--memory", memory, "--writers", "0",
            "--fill", fill, "--bandwidth", "0", "--link", "tcp", "--channels", channels, "--baseline-copy", "--verify",
            "--json");
    }

    private JsonNode run() throws IOException, InterruptedException
    {
        final ProcessBuilder builder = new ProcessBuilder(command()).directory(root.toFile())
            .redirectOutput(out.toFile()).redirectError(err.toFile());
        final Map<String, String> env = builder.environment();
        env.put("JAVA_HOME", System.getProperty("java.home"));
        final String classpath = System.getProperty(CLASSPATH_PROPERTY);
        if (classpath != null)
        {
            env.put("LIVEMIG_CLASSPATH", classpath);
        }
        final String simd = System.getProperty("livemig.simd");
        if (simd != null)
        {
            env.put("LIVEMIG_SIMD", simd);
        }
        final Process process = builder.start();
        try
        {
            if (!process.waitFor(DEADLINE_SECONDS, TimeUnit.SECONDS))
            {
                throw new IllegalStateException("scripts/migrate did not end within " + DEADLINE_SECONDS + " s");
            }
            if (process.exitValue() != 0)
            {
                throw new IllegalStateException("scripts/migrate exited " + process.exitValue() + ": " + lastLine());
            }
            return JSON.readTree(out.toFile());
        }
        finally
        {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
        }
    }

    private String lastLine() throws IOException
    {
        final List<String> lines = Files.readAllLines(err);
        return lines.isEmpty() ? "(no output on stderr)" : lines.get(lines.size() - 1);
    }

    /**
     * @return the nearest directory at or above {@code from} that holds {@code scripts/migrate}.
     * @throws IllegalStateException if none does.
     */
    static Path projectRoot(final Path from)
    {
        for (Path dir = from; dir != null; dir = dir.getParent())
        {
            if (Files.isExecutable(dir.resolve("scripts/migrate")))
            {
                return dir;
            }
        }
        throw new IllegalStateException("ColdProcessBenchmark runs scripts/migrate from the project root, and no " +
            "directory at or above " + from + " holds it");
    }
}
