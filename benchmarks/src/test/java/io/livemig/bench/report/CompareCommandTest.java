package io.livemig.bench.report;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** scripts/compare: significance from non-overlapping 99.9 % intervals, direction-aware regressions, exit codes. */
class CompareCommandTest
{
    @TempDir
    Path tmp;

    private String out;
    private String err;

    private int compare(final String... args)
    {
        final StringWriter o = new StringWriter();
        final StringWriter e = new StringWriter();
        final int status = CompareCommand.run(args, new PrintWriter(o), new PrintWriter(e));
        out = o.toString();
        err = e.toString();
        return status;
    }

    private Path run(final String name, final ArrayNode results) throws Exception
    {
        return Fixtures.write(tmp.resolve(name), results);
    }

    @Test
    void identicalRunsPass() throws Exception
    {
        final Path old = run("old", Fixtures.fullRunJson());
        assertEquals(0, compare(old.toString(), old.toString()), err);
        assertTrue(out.contains("compare: 70 matched, 0 significant, 0 regressions beyond 10%"), out);
        assertEquals("warning: neither run has a readable env.json: whether the runs come from the same CPU and JDK "
            + "cannot be checked", out.lines().findFirst().orElseThrow());
        assertTrue(out.contains("\nagreement: 70 of 70 matched benchmarks have overlapping 99.9 % intervals (100.0 %): " +
            "livemig 36 of 36, baselines 34 of 34\n"), out);
        assertFalse(out.contains("not overlapping"), out);
    }

    @Test
    void aSignificantSlowdownBeyondTheThresholdFails() throws Exception
    {
        final ArrayNode now = Fixtures.fullRunJson();
        // 10 ± 1 ms -> 14 ± 1.4 ms: intervals [9, 11] and [12.6, 15.4] do not overlap, 40 % slower.
        Fixtures.score(Fixtures.entry(now, "NextDirtyBenchmark.flat", "density", "0.001"), 14, 1.4);
        final Path old = run("old", Fixtures.fullRunJson());
        final Path slower = run("new", now);
        assertEquals(1, compare(old.toString(), slower.toString()), out + err);
        final String line = out.lines().filter(l -> l.contains("NextDirtyBenchmark.flat avgt {density=0.001}")).findFirst().orElseThrow();
        assertTrue(line.contains("10.0 ± 1.0") && line.contains("14.0 ± 1.4") && line.contains("+40.0 %") &&
            line.contains("yes") && line.endsWith("REGRESSION"), line);
        assertTrue(out.contains("\nagreement: 69 of 70 matched benchmarks have overlapping 99.9 % intervals (98.6 %): "
            + "livemig 35 of 36, baselines 34 of 34\n  not overlapping: io.livemig.bench.dirty.NextDirtyBenchmark.flat avgt {density=0.001}: 10.0 ± 1.0 -> "
            + "14.0 ± 1.4 "), out);
        assertTrue(out.contains("(+40.0 %)\n"), out);
        assertEquals(0, compare(old.toString(), slower.toString(), "--threshold", "50%"), out);
        assertEquals(0, compare(old.toString(), slower.toString(), "--threshold=45"), out);
        // The other way round it is a significant improvement, not a failure.
        assertEquals(0, compare(slower.toString(), old.toString()), out);
        assertTrue(out.lines().anyMatch(l -> l.contains("-28.6 %") && l.endsWith("better")), out);
    }

    @Test
    void overlappingIntervalsAreNotSignificant() throws Exception
    {
        final ArrayNode now = Fixtures.fullRunJson();
        // 10 ± 1 -> 11.5 ± 1.2: +15 % but [9, 11] and [10.3, 12.7] overlap.
        Fixtures.score(Fixtures.entry(now, "NextDirtyBenchmark.flat", "density", "0.001"), 11.5, 1.2);
        assertEquals(0, compare(run("old", Fixtures.fullRunJson()).toString(), run("new", now).toString()), out);
        assertTrue(out.contains("0 significant"), out);
    }

    @Test
    void throughputRegressesWhenItFalls() throws Exception
    {
        final ArrayNode old = Fixtures.only(Fixtures.fullRunJson(),
            e -> e.get("benchmark").asText().endsWith("MarkBenchmark.markFresh"));
        old.forEach(e ->
        {
            ((ObjectNode)e).put("mode", "thrpt");
            ((ObjectNode)e.get("primaryMetric")).put("scoreUnit", "ops/us");
        });
        final ArrayNode fewer = old.deepCopy();
        Fixtures.score(Fixtures.entry(fewer, "markFresh", "impl", "atomic"), 5, 0.2);
        final Path a = run("old", old);
        final Path b = run("new", fewer);
        assertEquals(1, compare(a.toString(), b.toString()), out);
        assertEquals(0, compare(b.toString(), a.toString()), out);
    }

    @Test
    void unknownIntervalsAreNeverSignificant() throws Exception
    {
        final ArrayNode old = Fixtures.only(Fixtures.fullRunJson(),
            e -> e.get("benchmark").asText().endsWith("MarkBenchmark.markFresh"));
        old.forEach(e ->
        {
            final ObjectNode m = (ObjectNode)e.get("primaryMetric");
            m.put("scoreError", "NaN");
            m.putArray("scoreConfidence").add("NaN").add("NaN");
        });
        final ArrayNode slower = old.deepCopy();
        ((ObjectNode)Fixtures.entry(slower, "markFresh", "impl", "atomic").get("primaryMetric")).put("score", 80.0);
        assertEquals(0, compare(run("old", old).toString(), run("new", slower).toString()), out);
        assertTrue(out.lines().anyMatch(l -> l.contains("+900.0 %") && l.contains("n/a")), out);
    }

    private static final String OLD_ENV = "{\"jdk\": {\"java.vendor\": \"Debian\", \"java.version\": \"17.0.15\"}, "
        + "\"machine\": {\"cpu\": \"AMD EPYC 7B13\", \"cores\": 2}}";
    private static final String ZEN5_ENV = "{\"jdk\": {\"java.vendor\": \"Debian\", \"java.version\": \"%s\"}, "
        + "\"machine\": {\"cpu\": \"AMD EPYC\", \"vendor\": \"AuthenticAMD\", \"family\": 26, \"model\": 2, "
        + "\"stepping\": 1, \"microarchitecture\": \"Zen 5\", \"cores\": 2}}";

    private Path runWithEnv(final String name, final String env) throws Exception
    {
        final Path dir = run(name, Fixtures.fullRunJson());
        Files.writeString(dir.resolve("env.json"), env);
        return dir;
    }

    @Test
    void theFirstLineWarnsWhenCpusOrJdksDiffer() throws Exception
    {
        final Path zen3 = runWithEnv("zen3", OLD_ENV);
        final Path zen5 = runWithEnv("zen5", String.format(ZEN5_ENV, "17.0.15"));
        final Path zen5jdk25 = runWithEnv("zen5-25", String.format(ZEN5_ENV, "25.0.1"));
        assertEquals(0, compare(zen3.toString(), zen5.toString()), err);
        assertEquals("warning: the runs come from different CPUs (AMD EPYC 7B13 vs AMD EPYC Zen 5 family 26 model 2 "
            + "stepping 1): compare ratios, not times (one env.json names the CPU by model name only)",
            out.lines().findFirst().orElseThrow());
        assertEquals(0, compare(zen5.toString(), zen5jdk25.toString()), err);
        assertEquals("warning: the runs come from different JDKs (Debian 17.0.15 vs Debian 25.0.1): compare ratios, "
            + "not times", out.lines().findFirst().orElseThrow());
        assertEquals(0, compare(zen5.toString(), zen5.resolve("jmh.json").toString()), err);
        assertEquals("environment: same CPU (AMD EPYC Zen 5 family 26 model 2 stepping 1) and JDK (Debian 17.0.15)",
            out.lines().findFirst().orElseThrow());
        assertEquals(0, compare(zen5.toString(), run("bare", Fixtures.fullRunJson()).toString()), err);
        assertEquals("warning: the new run has no readable env.json: whether the runs come from the same CPU and JDK "
            + "cannot be checked", out.lines().findFirst().orElseThrow());
    }

    @Test
    void unmatchedBenchmarksAreListed() throws Exception
    {
        final ArrayNode fewer = Fixtures.only(Fixtures.fullRunJson(),
            e -> !e.get("benchmark").asText().contains("Scaling"));
        assertEquals(0, compare(run("old", Fixtures.fullRunJson()).toString(), run("new", fewer).toString()), out);
        assertTrue(out.contains("only in old: io.livemig.bench.dirty.ScalingBenchmark.scanFlat avgt {guest=1g, density=0.001}"), out);
    }

    @Test
    void badInputsExitTwoWithOneLine() throws Exception
    {
        final Path good = run("good", Fixtures.fullRunJson());
        final Path broken = Files.createDirectories(tmp.resolve("broken"));
        Files.writeString(broken.resolve("jmh.json"), "not json");
        final Path other = run("other", Fixtures.only(Fixtures.fullRunJson(), e -> false));
        final String[][] cases = {
            {good.toString()},
            {good.toString(), tmp.resolve("missing").toString()},
            {good.toString(), broken.toString()},
            {good.toString(), good.toString(), "--threshold", "ten"},
            {good.toString(), good.toString(), "--threshold", "-5%"},
            {good.toString(), good.toString(), "--bogus"},
            {good.toString(), other.toString()}};
        final String[] messages = {
            "compare: Missing required parameter: 'NEW_DIR'",
            "compare: " + tmp.resolve("missing") + ": no such file or directory",
            "compare: " + broken.resolve("jmh.json") + ": not valid JSON",
            "compare: bad --threshold 'ten'",
            "compare: bad --threshold '-5%'",
            "compare: Unknown option: '--bogus'",
            "compare: no benchmark of " + other + " matches one of " + good};
        for (int i = 0; i < cases.length; i++)
        {
            assertEquals(2, compare(cases[i]), String.join(" ", cases[i]) + ": " + out + err);
            assertTrue(err.startsWith(messages[i]), err);
            assertEquals(1, err.lines().count(), err);
        }
    }

    /**
     * C rows count in the agreement, apart as well as in the total, and the livemig ÷ C ratios of runs whose
     * directories hold their input digests are compared too; --agreement prints only that.
     */
    @Test
    void theAnchorsAndTheirRatiosAreInTheAgreement() throws Exception
    {
        final String encode = "io.livemig.bench.codec.XbzrleEncodeBenchmark.";
        final ArrayNode before = Fixtures.fullRunJson();
        final ObjectNode java = Fixtures.entry(before, "XbzrleEncodeBenchmark.encode", "pattern", "SPARSE_10");
        Fixtures.score(java, 800, 8);
        Fixtures.sibling(before, java, "qemuEncode", 1600, 16);
        final ArrayNode after = before.deepCopy();
        Fixtures.score(Fixtures.entry(after, "XbzrleEncodeBenchmark.qemuEncode", "pattern", "SPARSE_10"), 1000, 10);
        final Path old = run("old", before);
        final Path now = run("new", after);
        for (final Path dir : List.of(old, now))
        {
            Files.write(dir.resolve("inputs.tsv"), List.of(
                encode + "encode\tpattern=SPARSE_10\tjava\t00000000000000aa\t128",
                encode + "qemuEncode\tpattern=SPARSE_10\tc\t00000000000000aa\t128"));
        }
        assertEquals(0, compare(old.toString(), now.toString(), "--agreement"), err);
        assertTrue(out.contains("agreement: 70 of 71 matched benchmarks have overlapping 99.9 % intervals (98.6 %): " +
            "livemig 36 of 36, C anchors 0 of 1, baselines 34 of 34\n"), out);
        assertTrue(out.contains("\nlivemig ÷ C: 0 of 1 ratios have overlapping 99.9 % intervals (0.0 %)\n" +
            "  not overlapping: XbzrleEncodeBenchmark.encode ÷ qemuEncode {pattern=SPARSE_10}: 2.000 [1.972, 2.028] -> " +
            "1.250 [1.232, 1.268]\n"), out);
        assertFalse(out.contains("compare: "), "--agreement leaves the table out");
    }
}
