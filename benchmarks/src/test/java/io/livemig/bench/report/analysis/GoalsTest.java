package io.livemig.bench.report.analysis;

import io.livemig.bench.report.result.JmhResult;
import io.livemig.bench.report.stats.Metric;
import io.livemig.bench.report.stats.Verdict;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The goals table: each goal read from the run by its 99.9 % interval (met, short, unresolved with the forks that
 * would resolve it), bimodal and call-bound rows without a verdict, per-fork means, and a reason only where the
 * row falls short or is unresolved.
 */
public class GoalsTest
{
    private static final String PKG = "io.livemig.bench.";

    /**
     * A result of 3 forks x 2 iterations whose iterations are {@code score ± spread / 2} in every fork (so the
     * forks agree) and whose JMH interval is {@code score ± error}.
     */
    public static JmhResult result(final String classAndMethod, final Map<String, String> params, final double score,
                            final double error, final String unit, final String mode, final int threads)
    {
        final double half = error / 20;
        final List<List<Double>> raw = List.of(List.of(score - half, score + half), List.of(score + half, score - half),
            List.of(score - half, score + half));
        return new JmhResult(PKG + classAndMethod, mode, threads, 3, params,
            new Metric(score, error, score - error, score + error, unit, raw), Map.of(), "1 s");
    }

    /** As {@link #result}, with the forks at {@code forkMeans} (each fork's two iterations 0.1 % apart). */
    public static JmhResult forks(final String classAndMethod, final Map<String, String> params, final double error,
                           final double... forkMeans)
    {
        final List<List<Double>> raw = new ArrayList<>();
        double sum = 0;
        for (final double m : forkMeans)
        {
            raw.add(List.of(m * 0.9995, m * 1.0005));
            sum += m;
        }
        final double score = sum / forkMeans.length;
        return new JmhResult(PKG + classAndMethod, "avgt", 1, forkMeans.length, params,
            new Metric(score, error, score - error, score + error, "ns/op", raw), Map.of(), "1 s");
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
        // 1200 / 800 = 1.5, both sides known to 1 %: the whole interval is below 1.6
        assertEquals(Verdict.Kind.SHORT, vsScalar.verdict().kind());
        assertTrue(vsScalar.measured().high() < 1.6 && vsScalar.measured().low() > 1.45, vsScalar.measured().toString());
        assertTrue(vsScalar.why().contains("runs at 1.250 [") && vsScalar.why().contains("below the 1.6×"),
            vsScalar.why());
        assertEquals("livemig 800.0, 800.0, 800.0; C 1200, 1200, 1200 (ns/op)", vsScalar.forkMeans());

        final Goals.Row vsAvx = only(rows, "XBZRLE encode ÷ AVX-512BW C");
        assertEquals(Verdict.Kind.MET, vsAvx.verdict().kind()); // 960 / 800 = 1.2
        assertEquals("", vsAvx.why(), "a goal that is met gives no reason");
    }

    @Test
    void aGoalInsideTheIntervalIsUnresolvedWithTheForksThatWouldResolveItAndOutsideItIsShort()
    {
        final Map<String, String> dense = Map.of("pattern", "DENSE_50");
        final JmhResult decode = ns("codec.XbzrleDecodeBenchmark.decode", dense, 1000, 200);
        final JmhResult c = ns("codec.XbzrleDecodeBenchmark.qemuDecode", dense, 900, 9);
        final Goals.Row open = only(Goals.evaluate(List.of(decode, c), List.of(pair("decode", "qemuDecode", decode, c)),
            Map.of()), "XBZRLE decode");
        assertEquals(Verdict.Kind.UNRESOLVED, open.verdict().kind()); // 0.9 with livemig known to 20 %
        assertTrue(open.verdict().moreForks().isPresent(), open.verdict().toString());
        assertTrue(open.verdict().detail().contains("(as short, if the estimate holds)"), open.verdict().detail());
        assertFalse(open.why().isEmpty(), "an unresolved row keeps its reason");

        final JmhResult tight = ns("codec.XbzrleDecodeBenchmark.decode", dense, 1000, 1);
        final Goals.Row shortRow = only(Goals.evaluate(List.of(tight, c), List.of(pair("decode", "qemuDecode", tight,
            c)), Map.of()), "XBZRLE decode");
        assertEquals(Verdict.Kind.SHORT, shortRow.verdict().kind());
        assertTrue(shortRow.verdict().detail().startsWith("upper end 0.9"), shortRow.verdict().detail());
    }

    @Test
    void anUnchangedPageIsNeverDecodedSoItHasNoDecodeGoal()
    {
        final Map<String, String> unchanged = Map.of("pattern", "UNCHANGED");
        final JmhResult decode = ns("codec.XbzrleDecodeBenchmark.decode", unchanged, 0.5, 0.05);
        final JmhResult c = ns("codec.XbzrleDecodeBenchmark.qemuDecode", unchanged, 2.3, 0.2);
        assertTrue(Goals.evaluate(List.of(decode, c), List.of(pair("decode", "qemuDecode", decode, c)), Map.of())
            .isEmpty());
    }

    @Test
    void aRowWhoseForksSplitIsBimodalAndGetsNoVerdictFromItsPooledMean()
    {
        final Map<String, String> run = Map.of("pattern", "ONE_RUN_64");
        final JmhResult java = forks("codec.XbzrleEncodeBenchmark.encodeVector", run, 20, 286, 280, 290);
        // C's forks at two levels, as qemuEncodeAvx512 ONE_RUN_64 in the published JDK 25 run: 218, 219 and 276
        final JmhResult c = forks("codec.XbzrleEncodeBenchmark.qemuEncodeAvx512", run, 30, 218.2, 276.0, 219.4);
        final JmhResult scalarC = forks("codec.XbzrleEncodeBenchmark.qemuEncode", run, 20, 492, 490, 495);
        final Goals.Row row = only(Goals.evaluate(List.of(java, c, scalarC),
            List.of(pair("encodeVector", "qemuEncode", java, scalarC), pair("encodeVector", "qemuEncodeAvx512", java, c)),
            Map.of()), "XBZRLE encode ÷ AVX-512BW C");
        assertEquals(Verdict.Kind.BIMODAL, row.verdict().kind());
        assertEquals("fork means {218.2, 219.4} {276.0}", row.verdict().detail());
        assertEquals("", row.why());
        assertTrue(row.forkMeans().contains("C 218.2, 276.0, 219.4"), row.forkMeans());
    }

    @Test
    void aRowWhoseCSideTimesItsCallIsCallBound()
    {
        final Map<String, String> page = Map.of("pattern", "ONE_RUN_64");
        final JmhResult decode = ns("codec.XbzrleDecodeBenchmark.decode", page, 2.0, 0.02);
        final JmhResult c = ns("codec.XbzrleDecodeBenchmark.qemuDecode", page, 2.5, 0.02);
        final JmhResult floor = ns("anchor.CallFloorBenchmark.qemuEmptyPageCalls", Map.of(), 1.0, 0.01);
        final JmhResult call = ns("anchor.CallFloorBenchmark.qemuEmptyCall", Map.of(), 12, 0.1);
        final Goals.Row row = only(Goals.evaluate(List.of(decode, c, floor, call),
            List.of(pair("decode", "qemuDecode", decode, c)), Map.of()), "XBZRLE decode");
        assertEquals(Verdict.Kind.CALL_BOUND, row.verdict().kind());
        assertEquals("C's 2.500 ns/page is within 3x of an empty per-page call (1.000 ns, " +
            "CallFloorBenchmark.qemuEmptyPageCalls)", row.verdict().detail());
        // three times the floor is no longer call-bound
        final JmhResult slow = ns("codec.XbzrleDecodeBenchmark.qemuDecode", page, 3.0, 0.02);
        assertEquals(Verdict.Kind.MET, only(Goals.evaluate(List.of(decode, slow, floor, call),
            List.of(pair("decode", "qemuDecode", decode, slow)), Map.of()), "XBZRLE decode").verdict().kind());
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
        assertEquals(Verdict.Kind.SHORT, row.verdict().kind()); // 110 / 160 = 0.6875 against 0.95
        assertTrue(row.why().contains("livemig's kernel runs at 0.875") && row.why().contains("C's at 1.27"),
            row.why());
        // a page whose first byte is set leaves after one sampled byte: no zero-detection goal reads it
        final Map<String, String> first = Map.of("input", "FIRST_BYTE", "workingSet", "64m");
        final JmhResult javaFirst = ns("codec.ZeroPageBenchmark.isZeroOffHeapVector", first, 7.6, 0.1);
        final JmhResult cFirst = ns("codec.ZeroPageBenchmark.qemuBufferIsZeroAvx2", first, 7.1, 0.1);
        assertTrue(Goals.evaluate(List.of(javaFirst, cFirst),
            List.of(pair("isZeroOffHeapVector", "qemuBufferIsZeroAvx2", javaFirst, cFirst)), Map.of()).isEmpty());
    }

    @Test
    void timeGoalsAreReadFromTheTopOfTheirIntervalAndTheirReasonsQuoteTheSameRun()
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
        assertEquals(Verdict.Kind.SHORT, flat.verdict().kind());
        assertTrue(flat.why().contains("1 ns per set unit at 6.4 set units per word"), flat.why());
        final Goals.Row summary = rows.stream().filter(r -> r.path().equals("summary")).findFirst().orElseThrow();
        assertEquals(Verdict.Kind.MET, summary.verdict().kind()); // 100 ms over 2^27 units: 0.75 ns
        assertTrue(summary.verdict().detail().startsWith("upper end 0.75"), summary.verdict().detail());

        final Goals.Row idle = only(rows, "idle 1 GiB guest");
        assertEquals(Verdict.Kind.SHORT, idle.verdict().kind()); // 89 ± 12: the lower end 77 is above 60
        assertTrue(idle.why().contains("takes 47.00 [45.00, 49.00] ms in this run"), idle.why());
        // the same time with a wider interval reaches the goal: unresolved
        results.set(3, result("migration.LargeGuestBenchmark.migrate", Map.of("fill", "0"), 89, 35, "ms/op", "ss", 1));
        assertEquals(Verdict.Kind.UNRESOLVED, only(Goals.evaluate(results, List.of(), Map.of()), "idle 1 GiB guest")
            .verdict().kind());
    }

    /** A single-shot counter of 3 forks, one value per shot. */
    private static Metric shots(final String unit, final List<List<Double>> forks)
    {
        final double mean = forks.stream().flatMap(List::stream).mapToDouble(Double::doubleValue).average().orElseThrow();
        return new Metric(mean, Double.NaN, Double.NaN, Double.NaN, unit, forks);
    }

    private static JmhResult cold(final String fill, final List<List<Double>> migrationMs,
                                  final List<List<Double>> gbPerSecond, final List<List<Double>> aot)
    {
        return new JmhResult(PKG + "migration.ColdProcessBenchmark.migrate", "ss", 1, 3,
            Map.of("fill", fill, "channels", "2"), new Metric(3000, 100, 2900, 3100, "ms/op",
                List.of(List.of(3000.0), List.of(3000.0), List.of(3000.0))),
            Map.of("migrationMs", shots("#", migrationMs), "gbPerSecond", shots("#", gbPerSecond),
                "plainCopyGbPerSecond", shots("#", List.of(List.of(2.5, 2.6), List.of(2.4, 2.5), List.of(2.6, 2.5))),
                "aotCache", shots("#", aot)), "1 s");
    }

    @Test
    void theColdProcessIsHeldToQemusWorstTotalAndThreeGbPerSecondByItsShots()
    {
        final List<List<Double>> ones = List.of(List.of(1.0, 1.0), List.of(1.0, 1.0), List.of(1.0, 1.0));
        final List<JmhResult> results = new ArrayList<>(List.of(
            cold("0", List.of(List.of(80.0, 82.0), List.of(79.0, 81.0), List.of(81.0, 80.0)),
                List.of(List.of(13.0, 13.1), List.of(13.2, 13.0), List.of(13.1, 13.2)), ones),
            cold("1.0", List.of(List.of(430.0, 440.0), List.of(420.0, 450.0), List.of(440.0, 430.0)),
                List.of(List.of(2.45, 2.40), List.of(2.50, 2.38), List.of(2.41, 2.47)),
                List.of(List.of(1.0, 0.0), List.of(1.0, 1.0), List.of(1.0, 1.0))),
            result("migration.LargeGuestBenchmark.migrate", Map.of("fill", "0"), 50, 2, "ms/op", "ss", 1)));
        final List<Goals.Row> rows = Goals.evaluate(results, List.of(), Map.of());

        final Goals.Row idle = only(rows, "cold scripts/migrate, idle");
        assertEquals("≤ 90", idle.goal());
        assertEquals("channels=2", idle.input());
        assertEquals("fresh JVM, AOT cache", idle.path());
        assertEquals(Verdict.Kind.MET, idle.verdict().kind()); // 80.5 ms, six shots within 79-82
        assertEquals("81.00, 80.00, 80.50 (ms)", idle.forkMeans());
        final Goals.Row written = only(rows, "cold scripts/migrate, written");
        assertEquals("≥ 3", written.goal());
        assertEquals("fresh JVM, AOT cache in 5 of 6 shots", written.path());
        assertEquals(Verdict.Kind.SHORT, written.verdict().kind()); // 2.44 GB/s, six shots within 2.38-2.50
        assertTrue(written.why().contains("plain copy of the same bytes") && written.why().contains("2.517 [2.306, 2.728] GB/s"),
            written.why());

        // a slow idle shot in every fork widens the interval over the goal: unresolved, with the warm migration
        results.set(0, cold("0", List.of(List.of(60.0, 110.0), List.of(58.0, 112.0), List.of(61.0, 109.0)),
            List.of(List.of(13.0, 13.1), List.of(13.2, 13.0), List.of(13.1, 13.2)), ones));
        final Goals.Row wide = only(Goals.evaluate(results, List.of(), Map.of()), "cold scripts/migrate, idle");
        assertEquals(Verdict.Kind.UNRESOLVED, wide.verdict().kind());
        assertTrue(wide.why().contains("in a warm JVM (LargeGuestBenchmark) takes 50.00"), wide.why());
    }

    @Test
    void tlsIsHeldToTheSameMigrationInClearAtEachChannelCount()
    {
        final List<JmhResult> results = List.of(
            result("migration.ChannelsBenchmark.migrate", Map.of("fill", "1.0", "channels", "2", "tls", "false"),
                300, 5, "ms/op", "ss", 1),
            result("migration.ChannelsBenchmark.migrate", Map.of("fill", "1.0", "channels", "2", "tls", "true",
                "suite", "TLS_AES_128_GCM_SHA256"), 1000, 20, "ms/op", "ss", 1),
            result("migration.ChannelsBenchmark.migrate", Map.of("fill", "0", "channels", "2", "tls", "true"),
                60, 5, "ms/op", "ss", 1),
            result("migration.ChannelsBenchmark.migrate", Map.of("fill", "1.0", "channels", "4", "tls", "true"),
                350, 5, "ms/op", "ss", 1),
            result("migration.ChannelsBenchmark.migrate", Map.of("fill", "1.0", "channels", "4", "tls", "false"),
                320, 5, "ms/op", "ss", 1));
        final List<Goals.Row> rows = Goals.evaluate(results, List.of(), Map.of()).stream()
            .filter(r -> r.core().startsWith("written 1 GiB guest over TLS")).toList();
        assertEquals(2, rows.size(), "one row per channel count of the written guest; the idle guest has none");
        final Goals.Row two = rows.stream().filter(r -> r.input().equals("channels=2")).findFirst().orElseThrow();
        assertEquals(Verdict.Kind.SHORT, two.verdict().kind()); // 300/1000 = 0.3 against 0.8
        assertEquals("TLS_AES_128_GCM_SHA256", two.path());
        assertTrue(two.why().contains("no SSLEngine copy beside it"), two.why());
        final Goals.Row four = rows.stream().filter(r -> r.input().equals("channels=4")).findFirst().orElseThrow();
        assertEquals(Verdict.Kind.MET, four.verdict().kind()); // 320/350 = 0.91
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
        assertEquals(Verdict.Kind.MET, only(rows, "enumeration, summary").verdict().kind()); // 12.5× at 0.001 %
        // 48/54 = 0.889, at most about 0.93 by its interval, below 1/1.05
        assertEquals(Verdict.Kind.SHORT, only(rows, "harvest, summary").verdict().kind());
        assertEquals(Verdict.Kind.MET, only(rows, "mark, two threads").verdict().kind()); // 18/19 = 0.947 ≥ 1/1.2
    }

    @Test
    void flatHarvestIsHeldToCsSyncAndEveryAnchorGoalIsDrawnOnTheChart()
    {
        final Map<String, String> dense = Map.of("density", "0.1");
        final JmhResult flat = result("dirty.HarvestBenchmark.flat", dense, 52, 1, "ms/op", "avgt", 1);
        final JmhResult sync = result("dirty.HarvestBenchmark.qemuSync", dense, 26.6, 0.5, "ms/op", "avgt", 1);
        final Goals.Row row = only(Goals.evaluate(List.of(flat, sync), List.of(pair("flat", "qemuSync", flat, sync)),
            Map.of()), "harvest, flat bitmap ÷ C's sync");
        assertEquals("≥ 1", row.goal());
        assertEquals(Verdict.Kind.SHORT, row.verdict().kind());
        for (final AnchorComparison.Pair p : AnchorComparison.PAIRS)
        {
            final boolean goal = p.simpleClass().startsWith("Xbzrle") || p.anchor().equals("qemuBufferIsZeroAvx2") ||
                (p.livemig().equals("flat") && !p.simpleClass().equals("DrainBenchmark"));
            assertEquals(goal, Goals.anchorGoal(p).isPresent(), p.toString());
        }
    }
}
