package io.livemig.cli.migrate;

import io.livemig.codec.Simd;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.lang.module.ModuleFinder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * {@code scripts/migrate} as a user runs it, on this test's JDK and build: a run prints only its own lines
 * (the result on stdout, the progress lines on stderr), a bad option exactly one line, and no logging record.
 * The only foreign line allowed is the JDK's incubator warning, and only where {@code scripts/livemig-java}
 * must add the Vector API module because the codecs take the vector path ({@link Simd}'s rule); {@code
 * --verbose} and the JSON say which paths ran. Each process has a deadline and is killed in any case.
 */
class ScriptOutputTest
{
    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    private static final Path MIGRATE = ROOT.resolve("scripts/migrate");
    private static final String INCUBATOR_WARNING = "WARNING: Using incubator modules: jdk.incubator.vector";
    /** {@link ProgressLine}'s format. */
    private static final Pattern PROGRESS = Pattern.compile(
        "\\S+ +round +\\d+  remaining +\\d+ pages  dirty rate +\\d+ pages/s  throughput +[\\d.]+ MiB/s  throttle +\\d+ %");
    private static final String[] SMALL = {"--memory", "8m", "--bandwidth", "256m/s", "--before", "10ms", "--after",
        "10ms", "--dirty-rate", "2000"};

    @TempDir
    Path dir;

    /** Exit code, stdout and stderr lines of one run of a script. */
    private record Run(int code, List<String> out, List<String> err)
    {
    }

    /** @return whether the script adds the module on this JDK with {@code livemig.simd} at auto: Simd's rule. */
    private static boolean vectorOnThisJdk()
    {
        return Runtime.version().feature() >= Simd.MIN_AUTO_FEATURE &&
            ModuleFinder.ofSystem().find("jdk.incubator.vector").isPresent();
    }

    /** Runs {@code script args} on this JDK and this build, without the caller's JVM options, plus {@code env}. */
    private Run run(final Path script, final Map<String, String> env, final String... args) throws Exception
    {
        final Path out = dir.resolve("out");
        final Path err = dir.resolve("err");
        final Process p = start(script, env, out, err, args);
        try
        {
            if (!p.waitFor(120, TimeUnit.SECONDS))
            {
                fail(List.of(args) + ": no exit within 120 s: " + Files.readString(err));
            }
        }
        finally
        {
            MigrateProcesses.kill(p);
        }
        return new Run(p.exitValue(), Files.readAllLines(out), Files.readAllLines(err));
    }

    /** Starts {@code script args} as {@link #run} runs it, stdout and stderr to files. */
    private static Process start(final Path script, final Map<String, String> env, final Path out, final Path err,
        final String... args) throws Exception
    {
        final List<String> command = new ArrayList<>(List.of(script.toString()));
        command.addAll(List.of(args));
        final ProcessBuilder builder = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile());
        final Map<String, String> environment = builder.environment();
        for (final String inherited : List.of("JAVA_TOOL_OPTIONS", "JDK_JAVA_OPTIONS", "_JAVA_OPTIONS", "LIVEMIG_SIMD"))
        {
            environment.remove(inherited);
        }
        environment.put("JAVA_HOME", System.getProperty("java.home"));
        environment.put("LIVEMIG_CLASSPATH", System.getProperty("java.class.path"));
        environment.put("LIVEMIG_WARMUP", "false"); // but where a test asks for it
        environment.putAll(env);
        return builder.start();
    }

    /** @return {@code err} without the incubator warning, after checking it appears exactly when expected. */
    private static List<String> withoutWarning(final Run r, final boolean warning)
    {
        final List<String> rest = new ArrayList<>(r.err());
        final boolean removed = rest.remove(INCUBATOR_WARNING);
        assertEquals(warning, removed, () -> (warning ? "expected" : "did not expect") + " the JDK's warning: " + r);
        assertFalse(rest.contains(INCUBATOR_WARNING), () -> "one warning line at most: " + r);
        return rest;
    }

    @Test
    void aMigrationPrintsItsResultAndProgressOnly() throws Exception
    {
        final Run r = run(MIGRATE, Map.of(), concat(SMALL, "--verify"));
        assertEquals(0, r.code(), r::toString);
        assertEquals(1, r.out().size(), r::toString);
        assertTrue(r.out().get(0).startsWith("Migration status: completed (converged), mode: precopy") &&
            r.out().get(0).contains(", verified: true"), r::toString);
        final List<String> err = withoutWarning(r, vectorOnThisJdk());
        assertFalse(err.isEmpty(), "the progress lines: " + r);
        assertEquals("", err.get(err.size() - 1), "the progress ends with its own line break: " + r);
        for (final String line : err.subList(0, err.size() - 1))
        {
            assertTrue(PROGRESS.matcher(line).matches(), () -> "not a progress line: '" + line + "' in " + r);
        }
    }

    /** Two processes: the page digests (lz4-java's XXH64) and the handshake add no line of their own either. */
    @Test
    void twoProcessesPrintTheirOwnLinesOnly() throws Exception
    {
        final Path destOut = dir.resolve("destination.out");
        final Path destErr = dir.resolve("destination.err");
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        Process destination = null;
        try
        {
            destination = start(MIGRATE, Map.of(), destOut, destErr, "--listen", "127.0.0.1:0", "--accept-timeout", "60s");
            final String port = MigrateProcesses.awaitPort(destination, destErr, deadline);
            final Run source = run(MIGRATE, Map.of(), concat(SMALL, "--to", "127.0.0.1:" + port, "--lz4", "--quiet",
                "--verify"));
            assertEquals(0, source.code(), source::toString);
            assertEquals(0, MigrateProcesses.await(destination, deadline, destErr), () -> MigrateProcesses.read(destErr));
            final Run dest = new Run(0, Files.readAllLines(destOut), Files.readAllLines(destErr));
            assertEquals(List.of(), withoutWarning(source, vectorOnThisJdk()), source::toString);
            assertEquals(1, source.out().size(), source::toString);
            assertTrue(source.out().get(0).startsWith("Migration status: completed (converged), mode: precopy, role: source"),
                source::toString);
            assertEquals(List.of("migrate: listening on 127.0.0.1:" + port), withoutWarning(dest, vectorOnThisJdk()));
            assertEquals(1, dest.out().size(), dest::toString);
            assertTrue(dest.out().get(0).contains("role: destination") && dest.out().get(0).contains("verified: true"),
                dest::toString);
        }
        finally
        {
            MigrateProcesses.kill(destination);
        }
    }

    @Test
    void aBadOptionIsOneLine() throws Exception
    {
        final Run unknown = run(MIGRATE, Map.of(), "--memory", "8m", "--frobnicate");
        assertEquals(2, unknown.code(), unknown::toString);
        assertEquals(List.of(), unknown.out(), unknown::toString);
        assertEquals(List.of("migrate: Unknown option: '--frobnicate' (see --help)"),
            withoutWarning(unknown, vectorOnThisJdk()));
        final Run refused = run(MIGRATE, Map.of(), "--memory", "8m", "--writers", "1000");
        assertEquals(2, refused.code(), refused::toString);
        assertEquals(List.of(), refused.out(), refused::toString);
        assertEquals(List.of("migrate: --writers must be 0 to 256: 1000"), withoutWarning(refused, vectorOnThisJdk()));
    }

    @Test
    void verboseAndTheJsonSayWhichPathsRan() throws Exception
    {
        final Run r = run(MIGRATE, Map.of("LIVEMIG_WARMUP", "true"),
            concat(SMALL, "--writers", "0", "--quiet", "--json", "--verbose"));
        assertEquals(0, r.code(), r::toString);
        final boolean vector = vectorOnThisJdk();
        final List<String> err = withoutWarning(r, vector);
        assertEquals(4, err.size(), r::toString);
        final JsonNode paths = new ObjectMapper().readTree(String.join("\n", r.out())).get("paths");
        assertEquals("livemig codecs: " + paths.get("codec").asText(), err.get(0), r::toString);
        assertEquals("livemig kernel trackers: " + paths.get("kernel").asText(), err.get(1), r::toString);
        assertEquals("livemig startup: " + paths.get("startup").asText(), err.get(2), r::toString);
        // The tests run the script on their own class path, for which no AOT cache is ever trained.
        assertTrue(paths.get("startup").asText().startsWith("no AOT cache: "), r::toString);
        assertEquals("livemig " + paths.get("warmUp").asText(), err.get(3), r::toString);
        assertTrue(paths.get("warmUp").asText().startsWith("warm-up: 4 of 4 migrations of a 16 MiB guest in "),
            r::toString);
        assertTrue(paths.get("warmUpMs").asDouble() > 0, r::toString);
        assertEquals(Runtime.version().toString(), paths.get("jdk").asText());
        if (vector)
        {
            assertFalse(paths.get("codec").asText().contains("is not loaded"), "the script added the module: " + r);
        }
        else
        {
            assertTrue(paths.get("codec").asText().startsWith("scalar path: auto takes the vector path from JDK " +
                Simd.MIN_AUTO_FEATURE + " on, this is JDK " + Runtime.version().feature()), r::toString);
        }
    }

    /** LIVEMIG_SIMD and -Dlivemig.simd in JAVA_TOOL_OPTIONS choose the path, and with it the module. */
    @Test
    void theSimdSwitchDecidesTheModule() throws Exception
    {
        final boolean hasModule = ModuleFinder.ofSystem().find("jdk.incubator.vector").isPresent();
        final String[] args = concat(SMALL, "--writers", "0", "--quiet", "--verbose");
        final Run off = run(MIGRATE, Map.of("LIVEMIG_SIMD", "off"), args);
        assertEquals(0, off.code(), off::toString);
        assertTrue(withoutWarning(off, false).get(0).startsWith("livemig codecs: scalar path: livemig.simd=off"),
            off::toString);
        final Run on = run(MIGRATE, Map.of("LIVEMIG_SIMD", "on"), args);
        assertEquals(0, on.code(), on::toString);
        assertFalse(withoutWarning(on, hasModule).get(0).contains("is not loaded"), on::toString);
        final Run tool = run(MIGRATE, Map.of("JAVA_TOOL_OPTIONS", "-Dlivemig.simd=off"), args);
        assertEquals(0, tool.code(), tool::toString);
        final List<String> toolErr = withoutWarning(tool, false);
        assertEquals("Picked up JAVA_TOOL_OPTIONS: -Dlivemig.simd=off", toolErr.get(0), tool::toString);
        assertTrue(toolErr.get(1).startsWith("livemig codecs: scalar path: livemig.simd=off"), tool::toString);
    }

    /** The script's copy of Simd's rule names the same JDK release. */
    @Test
    void theScriptsReleaseIsSimds() throws Exception
    {
        final String script = Files.readString(ROOT.resolve("scripts/livemig-java"));
        final Matcher m = Pattern.compile("(?m)^min_auto_feature=(\\d+)$").matcher(script);
        assertTrue(m.find(), "scripts/livemig-java sets min_auto_feature");
        assertEquals(Simd.MIN_AUTO_FEATURE, Integer.parseInt(m.group(1)));
    }

    private static String[] concat(final String[] first, final String... more)
    {
        final String[] all = new String[first.length + more.length];
        System.arraycopy(first, 0, all, 0, first.length);
        System.arraycopy(more, 0, all, first.length, more.length);
        return all;
    }
}
