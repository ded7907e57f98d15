package io.livemig.bench.report.section;

import io.livemig.bench.report.result.JmhResult;
import io.livemig.bench.report.stats.Metric;
import io.livemig.bench.report.stats.Verdict;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The Snapshots section from synthetic results: baselines paired by threads and O_DIRECT, the goals, the chart. */
class SnapshotsReportTest
{
    private static final String CLASS = "io.livemig.bench.snapshot.SnapshotBenchmark.";

    @TempDir
    Path dir;

    /** @return 2 forks of 2 shots around {@code ms}, with JMH's interval {@code ms ± d}. */
    private static Metric time(final double ms, final double d)
    {
        final List<Double> fork = List.of(ms - d / 4, ms + d / 4);
        return new Metric(ms, d, ms - d, ms + d, "ms/op", List.of(fork, fork));
    }

    /** @return a counter of 2 forks of 2 shots, each {@code v}. */
    private static Metric counter(final double v)
    {
        return new Metric(4 * v, Double.NaN, 4 * v, 4 * v, "#", List.of(List.of(v, v), List.of(v, v)));
    }

    private static JmhResult row(final String method, final Map<String, String> params, final double ms,
                                 final Map<String, Metric> counters)
    {
        final Map<String, String> all = new HashMap<>(params);
        all.put("guest", "1g");
        return new JmhResult(CLASS + method, "ss", 1, 2, all, time(ms, ms / 100), counters, "");
    }

    private static List<JmhResult> run(final double saveMs, final double resumeMs)
    {
        final Map<String, Metric> io = Map.of("gbPerSecond", counter(1.5), "directIo", counter(0));
        return List.of(
            row("saveStopped", Map.of("fill", "1.0", "threads", "2", "direct", "false"), saveMs, io),
            row("baselineWrite", Map.of("threads", "2", "direct", "false"), 1000, io),
            row("baselineWrite", Map.of("threads", "2", "direct", "true"), 500, io),
            row("restoreEager", Map.of("fill", "1.0", "threads", "2"), 100, io),
            row("baselineRead", Map.of("threads", "2", "direct", "false"), 80, io),
            row("baselineRead", Map.of("threads", "2", "direct", "true"), 300, io),
            row("saveBackground", Map.of("threads", "2"), 1300, Map.of("gbPerSecond", counter(0.8),
                "writesPerSecBefore", counter(8_000_000), "writesPerSecDuring", counter(100_000),
                "copiedByFaults", counter(3000))),
            row("lazyResume", Map.of("fill", "1.0"), resumeMs, Map.of()),
            row("lazyComplete", Map.of("fill", "1.0"), 900, Map.of("resumeMs", counter(4), "faults", counter(5000),
                "faultP50Us", counter(3), "faultP90Us", counter(5), "faultP99Us", counter(20),
                "faultP999Us", counter(900), "faultMaxUs", counter(3000), "prefetchedPages", counter(250000))));
    }

    @Test
    void aSaveIsReadAgainstThePlainWriteOfItsThreadsAndDirectness()
    {
        final List<JmhResult> results = run(1050, 4);
        final JmhResult save = SnapshotsReport.rows(results).get(0);
        assertEquals("saveStopped", save.method());
        assertEquals("false", SnapshotsReport.baseline(results, save).orElseThrow().param("direct").orElseThrow());
        final JmhResult eager = results.get(3);
        final JmhResult background = results.get(6);
        assertEquals("saveBackground", background.method());
        assertEquals("false", SnapshotsReport.baseline(results, background).orElseThrow().param("direct").orElseThrow(),
            "a background save through the page cache is read against the plain write through it");
        assertEquals("false", SnapshotsReport.baseline(results, eager).orElseThrow().param("direct").orElseThrow(),
            "the restore's baseline is the cached read, never the O_DIRECT one");
    }

    @Test
    void theThreeGoalsGetTheirVerdicts()
    {
        final List<SnapshotsReport.Goal> met = SnapshotsReport.goals(run(1050, 4));
        assertEquals(3, met.size());
        assertEquals(Verdict.Kind.MET, met.get(0).verdict().kind(), met.get(0).toString()); // 1000 / 1050 = 0.95
        assertEquals(Verdict.Kind.SHORT, met.get(1).verdict().kind(), met.get(1).toString()); // 80 / 100 = 0.8
        assertEquals(Verdict.Kind.MET, met.get(2).verdict().kind(), met.get(2).toString());
        final List<SnapshotsReport.Goal> short1 = SnapshotsReport.goals(run(2000, 30));
        assertEquals(Verdict.Kind.SHORT, short1.get(0).verdict().kind());
        assertEquals(Verdict.Kind.SHORT, short1.get(2).verdict().kind());
    }

    @Test
    void theSectionHasItsTablesTheOrientationAndTheChart() throws Exception
    {
        final StringBuilder md = new StringBuilder();
        SnapshotsReport.section(md, dir, run(1050, 4));
        final String text = md.toString();
        assertTrue(text.startsWith("## Snapshots"), text);
        assertTrue(text.contains("| saveStopped | 1g | 1.0 | 2 | off | 1050 ms ["), text);
        assertTrue(text.contains("| baselineRead | 1g | – | 2 | **refused** |"), "asked for O_DIRECT, not used: " + text);
        assertTrue(text.contains("not comparable"), text);
        assertTrue(text.contains("6344 MB/s") && text.contains("98.75 %"), text);
        assertTrue(text.contains("| 1g | 1.0 | software gate | 4.000 ms ["), text);
        assertTrue(text.contains("**Background snapshots**") && text.contains("| 1g | 2 | 1300 ms ["), text);
        assertTrue(Files.size(dir.resolve("snapshot-fault-latency.png")) > 1000, "the chart is drawn");
    }

    @Test
    void aRunWithoutTheClassSaysSo() throws Exception
    {
        final StringBuilder md = new StringBuilder();
        SnapshotsReport.section(md, dir, List.of());
        assertTrue(md.toString().contains("_Not measured in this run: no SnapshotBenchmark results._"));
    }
}
