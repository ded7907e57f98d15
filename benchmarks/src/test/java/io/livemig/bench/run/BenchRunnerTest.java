package io.livemig.bench.run;

import io.livemig.bench.run.preset.Preset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The runner's own options: what `mvn -B verify -Pbench -D...` passes it, and its exit status 2 for bad ones. */
class BenchRunnerTest
{
    @TempDir
    Path tmp;

    @Test
    void emptyValuesFromThePomMeanTheDefaults()
    {
        final BenchRunner.Config config = BenchRunner.parse(new String[] {"--preset=", "--include=", "--jmh-args=",
            "--jdk=", "--results=" + tmp}, null);
        assertEquals(Preset.QUICK, config.preset());
        assertEquals(".*", config.include());
        assertNull(config.java(), "no JDK given: JMH forks the runner's own");
        assertEquals(tmp, config.results());
    }

    @Test
    void jdkComesFromTheOptionElseJavaHome() throws Exception
    {
        final Path jdk = Files.createDirectories(tmp.resolve("jdk/bin"));
        final Path java = Files.createFile(jdk.resolve("java"));
        assertTrue(java.toFile().setExecutable(true));
        final Path home = tmp.resolve("jdk");
        assertEquals(java, BenchRunner.parse(new String[] {"--jdk=" + home}, "/nowhere").java());
        assertEquals(java, BenchRunner.parse(new String[] {"--jdk="}, home.toString()).java());
    }

    @ParameterizedTest
    @CsvSource(delimiter = ';', value = {
        "--preset=fast; bench: unknown preset 'fast' (expected smoke, quick, full)",
        "--jdk=/no/such/jdk; bench: no java executable at /no/such/jdk/bin/java (from -Dbench.jdk)",
        "--jmh-args=-wat; bench: bad -Dbench.args '-wat'",
        "--include=Mark(; bench: bad -Dbench.include 'Mark('",
        "--include=NoSuchBenchmark; bench: no benchmark matches -Dbench.include='NoSuchBenchmark'",
        "--colour=red; bench: unknown option '--colour=red'",
        "--preset=full --jmh-args=-f 3; bench: a full run is for publication and runs its preset's forks, but " +
            "-Dbench.args gives 3 forks for XbzrleEncodeBenchmark, MarkBenchmark, where full gives 5 (and 2 more); " +
            "drop -f, or use " +
            "-Dbench.preset=quick"})
    void badOptionsExitTwoWithOneLine(final String arg, final String message)
    {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        final ByteArrayOutputStream err = new ByteArrayOutputStream();
        final List<String> args = new ArrayList<>(List.of(arg.split(" (?=--)")));
        args.add("--results=" + tmp);
        final int status = BenchRunner.run(args.toArray(new String[0]), new PrintStream(out),
            new PrintStream(err), dir -> { });
        final String text = err.toString(StandardCharsets.UTF_8);
        assertEquals(2, status, text);
        assertTrue(text.startsWith(message), text);
        assertEquals(1, text.lines().count(), text);
        assertFalse(Files.exists(tmp.resolve("results")));
    }

    @Test
    void badJavaHomeIsNamed()
    {
        final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class,
            () -> BenchRunner.parse(new String[0], "/no/such/home"));
        assertEquals("no java executable at /no/such/home/bin/java (from JAVA_HOME)", ex.getMessage());
    }

    @Test
    void aRunWithAnAnchorAlsoMeasuresTheCallFloor()
    {
        final java.util.regex.Pattern widened = java.util.regex.Pattern.compile(BenchRunner.withCallFloor("ZeroPage"));
        assertTrue(widened.matcher("io.livemig.bench.codec.ZeroPageBenchmark.isZero").find());
        assertTrue(widened.matcher("io.livemig.bench.anchor.CallFloorBenchmark.qemuEmptyCall").find());
        assertFalse(widened.matcher("io.livemig.bench.dirty.MarkBenchmark.markFresh").find());
        assertTrue(RunPlan.build(Preset.SMOKE, BenchRunner.withCallFloor("XbzrleDecode"), RunPlan.parseUserArgs(""),
            null, RunPlanTest.compiledBenchmarks()).runsAny(n -> n.endsWith("CallFloorBenchmark.qemuEmptyPageCalls")));
    }
}
