package io.livemig.bench.report;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.livemig.bench.report.result.ReportException;
import io.livemig.bench.state.InputLog;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The report's QEMU section: livemig beside the C anchors of the same run, only where both sides digested the
 * same inputs; a single line, and no table, when the anchors were not built.
 */
class AnchorReportTest
{
    private static final String PKG = "io.livemig.bench.";
    private static final String ENCODE = PKG + "codec.XbzrleEncodeBenchmark.";
    private static final String NEXT = PKG + "dirty.NextDirtyBenchmark.";

    /** The fixture plus C anchors: qemuEncode at twice livemig's SPARSE_10 time, find_next_bit at 0.1 %. */
    private static Path runWithAnchors(final Path dir) throws Exception
    {
        final ArrayNode results = Fixtures.fullRunJson();
        final ObjectNode encode = Fixtures.entry(results, "XbzrleEncodeBenchmark.encode", "pattern", "SPARSE_10");
        Fixtures.score(encode, 800, 8);
        Fixtures.sibling(results, encode, "qemuEncode", 1600, 16);
        Fixtures.sibling(results, encode, "encodeVector", 400, 4);
        final ObjectNode flat = Fixtures.entry(results, "NextDirtyBenchmark.flat", "density", "0.001");
        final ObjectNode find = flat.deepCopy();
        find.put("benchmark", NEXT + "qemuFindNextBit");
        Fixtures.score(find, 5, 0.5);
        results.add(find);
        Fixtures.write(dir, results);
        Fixtures.MAPPER.writeValue(dir.resolve("env.json").toFile(), Fixtures.MAPPER.readTree(
            "{\"preset\":\"quick\",\"anchors\":{\"built\":true,\"compilerVersion\":\"gcc (Debian 12.2.0) 12.2.0\"," +
            "\"command\":\"cc -O2 -fno-strict-aliasing -fwrapv\",\"zeroPath\":\"avx512\",\"skipped\":[]}," +
            "\"simd\":{\"module\":true,\"path\":\"vector\",\"species\":\"512-bit (64 byte lanes)\"," +
            "\"description\":\"vector path (jdk.incubator.vector, 512-bit (64 byte lanes)) for heap pages\"}}"));
        return dir;
    }

    private static void digests(final Path dir, final String... lines) throws Exception
    {
        Files.write(dir.resolve(InputLog.FILE), List.of(lines));
    }

    private static String report(final Path dir) throws Exception
    {
        return Files.readString(ReportWriter.write(dir, ReportWriter.DEFAULT_BANDWIDTH));
    }

    @Test
    void pairsWithEqualDigestsAreComparedInGigabytesAndPerSetBit(@TempDir final Path tmp) throws Exception
    {
        final Path dir = runWithAnchors(tmp);
        digests(dir,
            ENCODE + "encode\tpattern=SPARSE_10\tjava\t00000000000000aa\t128",
            ENCODE + "qemuEncode\tpattern=SPARSE_10\tc\t00000000000000aa\t128",
            ENCODE + "encodeVector\tpattern=SPARSE_10\tjava\t00000000000000aa\t128",
            NEXT + "flat\tdensity=0.001\tjava\t00000000000000bb\t64",
            NEXT + "flat\tdensity=0.001\tjava\t00000000000000bb\t64",
            NEXT + "qemuFindNextBit\tdensity=0.001\tc\t00000000000000bb\t64");
        final String report = report(dir);
        // 4096 B / 800 ns = 5.12 GB/s; C 2.56; livemig ÷ C = 1600 / 800 = 2, within a factor exp(sqrt(2) * 0.01)
        assertTrue(report.contains("| `XbzrleEncodeBenchmark.encode` | scalar | pattern=SPARSE_10 | 800.0 ± 8.0 | " +
            "5.120 ± 0.051 | 1600 ± 16 | 2.560 ± 0.026 | **2.000 [1.972, 2.028]** | **livemig faster**: lower end " +
            "1.972 ≥ 1 |"), report);
        // both paths shown, each row naming the path it ran
        assertTrue(report.contains("| `XbzrleEncodeBenchmark.encodeVector` | SIMD, 512-bit (64 byte lanes) | " +
            "pattern=SPARSE_10 | 400.0 ± 4.0 | 10.24 ± 0.10 | 1600 ± 16 | 2.560 ± 0.026 | **4.000 [3.944, 4.057]** |"),
            report);
        assertTrue(report.contains("Codec path of the forks (`io.livemig.codec.Simd`): vector path " +
            "(jdk.incubator.vector, 512-bit (64 byte lanes)) for heap pages."), report);
        assertTrue(report.contains("`00000000000000aa` (both); layout not recorded"), report);
        // flat 10 ± 1 ms in the fixture against C's 5 ± 0.5: livemig is at half C's speed; 268435 set bits.
        assertTrue(report.contains("| `flat` | 0.001 | 268435 | 10.0 ± 1.0 | 5.00 ± 0.50 | 37.3 ± 3.7 | " +
            "18.6 ± 1.9 | **0.5000 [0.4338, 0.5763]** | **C faster**: upper end 0.5763 < 1 |"), report);
        assertTrue(report.contains("Verdicts: 2 livemig faster (of 2), against parity."), report);
        assertTrue(report.contains("Verdicts: 1 C faster (of 1), against parity."), report);
        assertTrue(report.contains("call-bound* when C's time is within 3x of an empty call of its kind (not " +
            "measured in this run, so no row is marked call-bound)"), report);
        assertTrue(report.contains("](charts/qemu-anchors.png)"), report);
        assertTrue(Files.size(dir.resolve("charts/qemu-anchors.png")) > 0);
        assertTrue(report.contains("## Appendix: QEMU's ratios from another machine (history)"), report);
        assertTrue(report.indexOf("## Against QEMU's C cores, measured in this run") <
            report.indexOf("## Appendix"), "history comes last");
    }

    @Test
    void pairsWhoseInputsSitAtDifferentPageOffsetsAreRefusedAndEqualOnesAreShown(@TempDir final Path tmp)
        throws Exception
    {
        final Path dir = runWithAnchors(tmp);
        digests(dir,
            ENCODE + "encode\tpattern=SPARSE_10\tjava\t00000000000000aa\t128\taddr=7f0000001000,7f0000200000\t" +
                "thp=0,0\tlib=-",
            ENCODE + "qemuEncode\tpattern=SPARSE_10\tc\t00000000000000aa\t128\taddr=7f1000001000,7f1000200000\t" +
                "thp=0,0\tlib=7f2000000000",
            ENCODE + "encodeVector\tpattern=SPARSE_10\tjava\t00000000000000aa\t128\taddr=7f0000001010," +
                "7f0000200010\tthp=0,0\tlib=-",
            NEXT + "flat\tdensity=0.001\tjava\t00000000000000bb\t64\taddr=7f0000000010\tthp=2048\tlib=-",
            NEXT + "qemuFindNextBit\tdensity=0.001\tc\t00000000000000bb\t64\taddr=7f3000000010\tthp=0\tlib=7f20");
        final String report = report(dir);
        assertTrue(report.contains("`00000000000000aa` (both); page offset 0, no huge pages (both)"), report);
        assertTrue(report.contains("refused: the inputs sit at different page offsets (livemig [16, 16], C [0, 0])"),
            report);
        assertTrue(report.contains("`00000000000000bb` (both); page offset 16 (both); huge pages differ: livemig " +
            "huge pages, C no huge pages"), report);
    }

    @Test
    void aPageRowWithinThreeTimesTheCallFloorIsCallBound(@TempDir final Path tmp) throws Exception
    {
        final Path dir = runWithAnchors(tmp);
        final ArrayNode results = (ArrayNode)Fixtures.MAPPER.readTree(dir.resolve("jmh.json").toFile());
        final ObjectNode floor = Fixtures.entry(results, "XbzrleEncodeBenchmark.encode", "pattern", "SPARSE_10")
            .deepCopy();
        floor.put("benchmark", PKG + "anchor.CallFloorBenchmark.qemuEmptyPageCalls");
        floor.putObject("params");
        Fixtures.score(floor, 600, 6); // 1600 ns of C is within 3 x 600
        results.add(floor);
        Fixtures.write(dir, results);
        digests(dir,
            ENCODE + "encode\tpattern=SPARSE_10\tjava\t00000000000000aa\t128",
            ENCODE + "qemuEncode\tpattern=SPARSE_10\tc\t00000000000000aa\t128");
        final String report = report(dir);
        assertTrue(report.contains("**call-bound**: C's 1600 ns/page is within 3x of an empty per-page call (600.0 " +
            "ns, CallFloorBenchmark.qemuEmptyPageCalls)"), report);
        assertTrue(report.contains("an empty per-page call 600.0 ns"), report);
    }

    @Test
    void pairsWhoseInputsDifferOrWereNotDigestedAreRefused(@TempDir final Path tmp) throws Exception
    {
        final Path dir = runWithAnchors(tmp);
        digests(dir,
            ENCODE + "encode\tpattern=SPARSE_10\tjava\t00000000000000aa\t128",
            ENCODE + "qemuEncode\tpattern=SPARSE_10\tc\t00000000000000ab\t128");
        final String report = report(dir);
        assertTrue(report.contains("refused: the inputs differ (livemig [00000000000000aa], C [00000000000000ab])"),
            report);
        assertTrue(report.contains("refused: no input digest of livemig's trial in inputs.tsv"), report);
        assertFalse(report.contains("**2.000"), "a refused pair shows no ratio");
        assertFalse(Files.exists(dir.resolve("charts/qemu-anchors.png")), "nothing left to chart");
    }

    @Test
    void withoutACompilerTheSectionSaysWhyAndHasNoPairTable(@TempDir final Path tmp) throws Exception
    {
        final Path dir = Fixtures.fullRun(tmp, false);
        Fixtures.MAPPER.writeValue(dir.resolve("env.json").toFile(), Fixtures.MAPPER.readTree(
            "{\"preset\":\"quick\",\"anchors\":{\"built\":false," +
            "\"reason\":\"no C compiler: 'cc' not found on PATH\"}}"));
        final String report = report(dir);
        assertTrue(report.contains("_The C anchors were not measured in this run: no C compiler: 'cc' not found on " +
            "PATH; so there is no comparison with QEMU's C code._"), report);
        final int from = report.indexOf("## Against QEMU's C cores, measured in this run");
        final String section = report.substring(from, report.indexOf("\n## ", from + 1));
        // no pair table; the goals that need no anchor (drain, summary, ...) still get theirs, and none against C
        assertFalse(section.contains("| operation |"), section);
        assertFalse(section.contains("÷ QEMU") || section.contains("÷ find_next_bit") || section.contains("C's sync"),
            section);
        assertTrue(section.contains("### Where each core stands against its goal"), section);
        assertFalse(report.contains("qemu-anchors.png"), report);
    }

    @Test
    void aMalformedDigestLogNamesItsLine(@TempDir final Path tmp) throws Exception
    {
        final Path dir = runWithAnchors(tmp);
        digests(dir, ENCODE + "encode\tpattern=SPARSE_10\tjava\tnot-hex\t128");
        final ReportException ex = assertThrows(ReportException.class, () -> report(dir));
        assertTrue(ex.getMessage().contains("inputs.tsv line 1"), ex.getMessage());
    }
}
