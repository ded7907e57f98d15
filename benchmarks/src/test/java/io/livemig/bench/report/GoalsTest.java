package io.livemig.bench.report;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The goals table: each goal read from the run, its verdict, and a reason only when it falls short. */
class GoalsTest
{
    private static final String PKG = "io.livemig.bench.";

    private static JmhResult result(final String classAndMethod, final Map<String, String> params, final double score,
                                    final double error, final String unit, final String mode, final int threads)
    {
        return new JmhResult(PKG + classAndMethod, mode, threads, 3, params,
            new Metric(score, error, score - error, score + error, unit, List.of()), Map.of(), "1 s");
    }

    private static JmhResult ns(final String classAndMethod, final Map<String, String> params, final double score,
                                final double error)
    {
        return result(classAndMethod, params, score, error, "ns/op", "avgt", 1);
    }

    private static AnchorComparison.Row pair(final String livemig, final String anchor, final JmhResult l,
                                             final JmhResult c)
    {
        final AnchorComparison.Pair pair = AnchorComparison.PAIRS.stream()
            .filter(p -> p.livemig().equals(livemig) && p.anchor().equals(anchor)).findFirst().orElseThrow();
        return new AnchorComparison.Row(pair, l, c, Optional.of("00000000000000aa"), Optional.empty());
    }

    private static Goals.Row only(final List<Goals.Row> rows, final String core)
    {
        final List<Goals.Row> of = rows.stream().filter(r -> r.core().startsWith(core)).toList();
        assertEquals(1, of.size(), core + " in " + rows);
        return of.get(0);
    }

    @Test
    void theEncoderIsReadOnItsSimdRowAndAShortfallCitesTheCEncodersOwnGain()
    {
        final Map<String, String> random = Map.of("pattern", "RANDOM");
        final JmhResult scalar = ns("codec.XbzrleEncodeBenchmark.encode", random, 900, 9);
        final JmhResult vector = ns("codec.XbzrleEncodeBenchmark.encodeVector", random, 800, 8);
        final JmhResult c = ns("codec.XbzrleEncodeBenchmark.qemuEncode", random, 1200, 12);
        final JmhResult avx = ns("codec.XbzrleEncodeBenchmark.qemuEncodeAvx512", random, 960, 9.6);
        final List<AnchorComparison.Row> anchors = List.of(pair("encode", "qemuEncode", scalar, c),
            pair("encode", "qemuEncodeAvx512", scalar, avx), pair("encodeVector", "qemuEncode", vector, c),
            pair("encodeVector", "qemuEncodeAvx512", vector, avx));
        final List<Goals.Row> rows = Goals.evaluate(List.of(scalar, vector, c, avx), anchors, Map.of());

        final Goals.Row vsScalar = only(rows, "XBZRLE encode ÷ scalar C");
        assertEquals("SIMD", vsScalar.path(), "the scalar row of an input with a SIMD row is not a goal row");
        assertEquals("≥ 1.6", vsScalar.goal());
        assertEquals("short by 6.3 %", vsScalar.verdict()); // 1200 / 800 = 1.5
        assertTrue(vsScalar.why().contains("runs at 1.250 ± 0.018× scalar C") &&
            vsScalar.why().contains("below the 1.6×"), vsScalar.why());

        final Goals.Row vsAvx = only(rows, "XBZRLE encode ÷ AVX-512BW C");
        assertEquals("met", vsAvx.verdict()); // 960 / 800 = 1.2
        assertEquals("", vsAvx.why(), "a goal that is met gives no reason");
    }

    @Test
    void aGoalInsideTheIntervalIsLevelWithinErrorAndOutsideItIsShort()
    {
        final Map<String, String> dense = Map.of("pattern", "DENSE_50");
        final JmhResult decode = ns("codec.XbzrleDecodeBenchmark.decode", dense, 1000, 200);
        final JmhResult c = ns("codec.XbzrleDecodeBenchmark.qemuDecode", dense, 900, 9);
        final Goals.Row level = only(Goals.evaluate(List.of(decode, c), List.of(pair("decode", "qemuDecode", decode, c)),
            Map.of()), "XBZRLE decode");
        assertEquals("level within error", level.verdict()); // 0.9 ± 0.18 reaches 1.0
        assertFalse(level.why().isEmpty());

        final JmhResult tight = ns("codec.XbzrleDecodeBenchmark.decode", dense, 1000, 1);
        final Goals.Row shortRow = only(Goals.evaluate(List.of(tight, c), List.of(pair("decode", "qemuDecode", tight,
            c)), Map.of()), "XBZRLE decode");
        assertEquals("short by 10.0 %", shortRow.verdict());
    }

    @Test
    void aZeroDetectionShortfallQuotesBothSidesAgainstThePlainReadOfTheSameRun()
    {
        final Map<String, String> zero = Map.of("input", "ZERO", "workingSet", "64m");
        final JmhResult java = ns("codec.ZeroPageBenchmark.isZeroOffHeapVector", zero, 160, 1.6);
        final JmhResult c = ns("codec.ZeroPageBenchmark.qemuBufferIsZeroAvx2", zero, 110, 1.1);
        final JmhResult read = ns("codec.ZeroPageBenchmark.baselineMemoryRead", zero, 140, 1.4);
        final Goals.Row row = only(Goals.evaluate(List.of(java, c, read),
            List.of(pair("isZeroOffHeapVector", "qemuBufferIsZeroAvx2", java, c)), Map.of()), "zero detection");
        assertEquals("short by 27.6 %", row.verdict()); // 110 / 160 = 0.6875 against 0.95
        assertTrue(row.why().contains("livemig's kernel runs at 0.875") && row.why().contains("C's at 1.27"),
            row.why());
    }

    @Test
    void timeGoalsAreMetFromBelowAndTheirReasonsQuoteTheSameRun()
    {
        final List<JmhResult> results = new ArrayList<>();
        // 2^28 * 0.1 set units in 53.687 ms: 2.0 ns per unit; one locked op 6.4 ns over 6.4 units per word
        results.add(result("dirty.DrainBenchmark.flat", Map.of("density", "0.1"), 53.687, 0.5, "ms/op", "avgt", 1));
        results.add(result("dirty.DrainBenchmark.summary", Map.of("density", "0.5"), 100, 1, "ms/op", "avgt", 1));
        results.add(result("dirty.MarkBenchmark.baselineAtomicLongArray", Map.of("impl", "atomic"), 6.4, 0.1,
            "ns/op", "avgt", 1));
        results.add(result("migration.LargeGuestBenchmark.migrate", Map.of("fill", "0"), 89, 12, "ms/op", "ss", 1));
        results.add(result("migration.LargeGuestBenchmark.baselineMemoryRead", Map.of("fill", "0"), 47, 2, "ms/op",
            "ss", 1));
        final List<Goals.Row> rows = Goals.evaluate(results, List.of(), Map.of());

        final Goals.Row flat = rows.stream().filter(r -> r.path().equals("flat")).findFirst().orElseThrow();
        assertEquals("≤ 1.5", flat.goal());
        assertEquals("short by 33.3 %", flat.verdict());
        assertTrue(flat.why().contains("1 ns per set unit at 6.4 set units per word"), flat.why());
        final Goals.Row summary = rows.stream().filter(r -> r.path().equals("summary")).findFirst().orElseThrow();
        assertEquals("met", summary.verdict()); // 100 ms over 2^27 units: 0.75 ns

        final Goals.Row idle = only(rows, "idle 1 GiB guest");
        assertEquals("short by 48.3 %", idle.verdict());
        assertTrue(idle.why().contains("takes 47.0 ± 2.0 ms in this run"), idle.why());
    }

    @Test
    void theSummaryIsHeldToTheFlatBitmapOfTheSameRun()
    {
        final List<JmhResult> results = List.of(
            result("dirty.NextDirtyBenchmark.flat", Map.of("density", "0.00001"), 1.0, 0.01, "ms/op", "avgt", 1),
            result("dirty.NextDirtyBenchmark.summary", Map.of("density", "0.00001"), 0.08, 0.001, "ms/op", "avgt", 1),
            result("dirty.HarvestBenchmark.flat", Map.of("density", "0.1"), 48, 1, "ms/op", "avgt", 1),
            result("dirty.HarvestBenchmark.summary", Map.of("density", "0.1"), 54, 1, "ms/op", "avgt", 1),
            result("dirty.MarkBenchmark.differentWords", Map.of("impl", "atomic"), 18, 0.5, "ns/op", "avgt", 2),
            result("dirty.MarkBenchmark.differentWords", Map.of("impl", "summary"), 19, 0.5, "ns/op", "avgt", 2));
        final List<Goals.Row> rows = Goals.evaluate(results, List.of(), Map.of());
        assertEquals("met", only(rows, "enumeration, summary").verdict()); // 12.5× at 0.001 %
        final Goals.Row harvest = only(rows, "harvest, summary");
        assertTrue(harvest.verdict().startsWith("short by"), harvest.verdict()); // 48/54 = 0.889 < 1/1.05
        assertEquals("met", only(rows, "mark, two threads").verdict()); // 18/19 = 0.947 ≥ 1/1.2
    }
}
