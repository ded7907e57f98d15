package io.livemig.bench.report;

import com.fasterxml.jackson.databind.node.ArrayNode;
import io.livemig.bench.report.chart.Charts;
import io.livemig.bench.report.result.ReportException;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** REPORT.md and its charts from the synthetic full run (every fixed benchmark name) and from partial runs. */
class ReportWriterTest
{
    static final List<String> CHARTS = List.of("nextdirty-density", "mark-cost", "codec-throughput", "granularity",
        "scaling", "migration");

    @TempDir
    static Path shared;
    static String report;

    @BeforeAll
    static void writeTheFullReport() throws Exception
    {
        final Path dir = Fixtures.fullRun(shared.resolve("full"), true);
        report = Files.readString(ReportWriter.write(dir, ReportWriter.DEFAULT_BANDWIDTH));
    }

    /** @return the first table row starting with {@code start} in the section of class {@code simpleName}. */
    private static String row(final String simpleName, final String start)
    {
        final String from = report.substring(report.indexOf("." + simpleName + "\n\n| benchmark"));
        return from.lines().filter(l -> l.startsWith(start)).findFirst()
            .orElseThrow(() -> new AssertionError("no row starting " + start + " in\n" + report));
    }

    @Test
    void tablesCarryScoresAndSpeedAgainstEachBaselineWithPropagatedError()
    {
        // flat 10 ± 1 ms, BitSet 40 ± 4, read 5 ± 0.5: speed 4 and 0.5, each ± ratio * sqrt(0.1² + 0.1²).
        assertEquals("| flat | density=0.001 | avgt | 10.0 ± 1.0 | ms/op | 4.00 ± 0.57 | 0.500 ± 0.071 | 200 ± 50 |",
            row("NextDirtyBenchmark", "| flat | density=0.001 |"));
        assertEquals("| baselineMemoryRead | density=0.001 | avgt | 5.00 ± 0.50 | ms/op | 8.0 ± 1.1 | 1 | 1.0000 ± 0.0010 |",
            row("NextDirtyBenchmark", "| baselineMemoryRead | density=0.001 |"));
        assertTrue(report.contains("| benchmark | params | mode | score ± error | unit | speed vs baselineBitSet | " +
            "speed vs baselineMemoryRead | B/op |"), report);
    }

    @Test
    void baselinesMatchParamsAndThreads()
    {
        // The 2-thread group is compared with the 2-thread baseline only (30 / 40), not the 1-thread stores.
        assertEquals("| sameWord | impl=atomic | avgt | 2 | 40.0 ± 4.0 | ns/op |  |  | 0.75 ± 0.11 | 0.0001 ± 0.0010 |",
            row("MarkBenchmark", "| sameWord | impl=atomic |"));
        // summary's markFresh (10 ns) against summary's plain store (1 ns), not atomic's.
        assertTrue(row("MarkBenchmark", "| markFresh | impl=summary |").contains("| 0.1000 ± 0.0064 |"));
    }

    @Test
    void codecTablesShowGigabytesPerSecond()
    {
        assertTrue(row("ZeroPageBenchmark",
            "| isZero | input=BYTE_3600, workingSet=64m |").contains("| 360 ± 18 | ns/op | 11.38 ± 0.57 |"));
    }

    @Test
    void onlyHotPathsAboveTheirAllowanceAreMarked()
    {
        assertTrue(row("MarkBenchmark", "| markDirty | impl=summary |").endsWith("| ⚠ 24.0000 ± 0.0010 |"));
        assertFalse(row("MarkBenchmark", "| markDirty | impl=atomic |").contains("⚠"));
        // 200 B/op on a 10 ms operation is JMH's own per-iteration allocation spread over 50 operations.
        assertFalse(row("NextDirtyBenchmark", "| flat | density=0.001 |").contains("⚠"));
        assertTrue(report.contains("1 of 20 hot-path results allocate:"), report);
        assertTrue(report.contains("- ⚠ `MarkBenchmark.markDirty` (impl=summary) allocates 24.0000 ± 0.0010 B/op"),
            report);
        assertEquals(1, report.lines().filter(l -> l.contains("⚠")).count() - 2, "only one table row is marked");
    }

    @Test
    void referenceRatiosComeFromTheCitedResource()
    {
        assertTrue(report.contains("| `NextDirtyBenchmark.flat` density=0.001 | 0.500 ± 0.071 | 0.371 – 0.52 | 1.122 |"), report);
        assertTrue(report.contains("| `XbzrleEncodeBenchmark.encode` pattern=UNCHANGED | 0.500 ± 0.035 | 0.43 | 1.163 |"), report);
        assertTrue(report.contains("| `ZeroPageBenchmark.isZero` input=FIRST_BYTE, workingSet=64m | 5.000 ns/page | ~4.5 ns/page |"),
            report);
    }

    @Test
    void granularityRecommendationIsReasoned()
    {
        // uniform: 1 page per bit wins outright; sequential: 8 is least, 64 within 5 %, so 64 is recommended.
        assertTrue(report.contains("| uniform | **1** |"), report);
        assertTrue(report.contains("| sequential | **64** |"), report);
        assertTrue(report.contains("The least cost is at 8 pages per bit"), report);
        assertTrue(report.contains("recommended is the coarsest, **64 pages per bit**"), report);
    }

    @Test
    void environmentAndAuxCountersAreShown()
    {
        assertTrue(report.contains("| machine.cpu | AMD EPYC 7B13 |"), report);
        assertTrue(report.contains("| git.commit | 0123456789abcdef0123456789abcdef01234567 |"), report);
        assertTrue(report.contains("Preset **quick**, Eclipse Adoptium 17.0.15, commit 0123456789abcdef0123456789abcdef01234567;"), report);
        assertTrue(row("MigrationBenchmark", "| migrate | mode=precopy, ratio=2.0 |").contains("| 1600 | 360.0 |"),
            report);
    }

    @Test
    void everyChartIsAValidPng() throws IOException
    {
        for (final String chart : CHARTS)
        {
            final Path png = shared.resolve("full/charts/" + chart + ".png");
            assertTrue(report.contains("](charts/" + chart + ".png)"), chart);
            try (InputStream in = Files.newInputStream(png))
            {
                assertArrayEquals(new byte[] {(byte)0x89, 'P', 'N', 'G'}, in.readNBytes(4), chart);
            }
            final BufferedImage image = ImageIO.read(png.toFile());
            assertNotNull(image, chart);
            assertEquals(Charts.WIDTH, image.getWidth(), chart);
        }
    }

    @Test
    void chartsWithoutTheirBenchmarksAreSkippedWithANote(@TempDir final Path dir) throws Exception
    {
        final ArrayNode onlyMark = Fixtures.only(Fixtures.fullRunJson(),
            e -> e.get("benchmark").asText().contains("MarkBenchmark"));
        Fixtures.write(dir, onlyMark);
        Files.createDirectories(dir.resolve("charts"));
        Files.writeString(dir.resolve("charts/scaling.png"), "stale");
        final String md = Files.readString(ReportWriter.write(dir, ReportWriter.DEFAULT_BANDWIDTH));
        assertTrue(Files.exists(dir.resolve("charts/mark-cost.png")));
        for (final String chart : CHARTS)
        {
            if (!chart.equals("mark-cost"))
            {
                assertFalse(Files.exists(dir.resolve("charts/" + chart + ".png")), chart);
            }
        }
        assertTrue(md.contains("_Skipped: no NextDirtyBenchmark results in this run._"), md);
        assertTrue(md.contains("_Skipped: no MigrationBenchmark.migrate with its counters results in this run._"), md);
        assertTrue(md.contains("_No env.json in this directory"), md);
        assertTrue(md.contains("_Skipped: no GranularityBenchmark.harvestAndScan results with counters in this run._"), md);
    }

    @Test
    void missingOrMalformedInputsAreNamed(@TempDir final Path dir) throws Exception
    {
        final ReportException missing = assertThrows(ReportException.class,
            () -> ReportWriter.write(dir.resolve("nope"), ReportWriter.DEFAULT_BANDWIDTH));
        assertEquals(dir.resolve("nope") + ": not a directory", missing.getMessage());
        assertEquals(dir.resolve("jmh.json") + ": no such file or directory",
            assertThrows(ReportException.class, () -> ReportWriter.write(dir, 1e9)).getMessage());
        Files.writeString(dir.resolve("jmh.json"), "[{\"benchmark\": \"x.Y.z\", \"mode\": \"avgt\"");
        assertTrue(assertThrows(ReportException.class, () -> ReportWriter.write(dir, 1e9)).getMessage()
            .startsWith(dir.resolve("jmh.json") + ": not valid JSON"));
        Files.writeString(dir.resolve("jmh.json"), "[{\"benchmark\": \"x.Y.z\", \"mode\": \"avgt\"}]");
        assertEquals(dir.resolve("jmh.json") + ": result 0 (x.Y.z) primaryMetric: missing",
            assertThrows(ReportException.class, () -> ReportWriter.write(dir, 1e9)).getMessage());
        Files.writeString(dir.resolve("jmh.json"), "{}");
        assertEquals(dir.resolve("jmh.json") + ": not JMH's JSON (expected an array of results)",
            assertThrows(ReportException.class, () -> ReportWriter.write(dir, 1e9)).getMessage());
        Files.writeString(dir.resolve("jmh.json"), "[]");
        Files.writeString(dir.resolve("env.json"), "{oops");
        assertTrue(assertThrows(ReportException.class, () -> ReportWriter.write(dir, 1e9)).getMessage()
            .startsWith(dir.resolve("env.json") + ": not valid JSON"));
    }
}
