package io.livemig.bench.report;

import io.livemig.bench.state.DirtyBitmapInputs;
import io.livemig.bench.state.InputLog;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * livemig's cores set beside the C anchors of the same run: which livemig benchmark each {@code qemu...} method
 * anchors, the pairs of results with equal parameters, and whether both sides read the same bytes (the input
 * digests each trial appended to {@value InputLog#FILE}). A pair whose digests differ, or that has none, is
 * refused: it is listed with the reason and never compared.
 *
 * <p>Speed of livemig relative to C is C's time ÷ livemig's time (above 1: livemig is faster), with both JMH
 * errors propagated ({@link Estimate#ratio}).
 *
 * <p>Immutable; thread-safe.
 */
public final class AnchorComparison
{
    /** How a pair's time is read. */
    public enum Kind
    {
        /** ns per 4 KiB page, shown as GB/s of page input. */
        PAGE,
        /** ms per enumeration (or drain) of a 2^28-unit bitmap, also shown per set bit. */
        ENUMERATION,
        /** ms per harvest of a 2^28-unit bitmap. */
        HARVEST
    }

    /**
     * A livemig benchmark and its C anchor.
     *
     * @param simpleClass benchmark class.
     * @param livemig     livemig's method.
     * @param anchor      the C anchor's method (same class).
     * @param what        what the anchor mirrors, for the report.
     * @param kind        how the time is read.
     */
    public record Pair(String simpleClass, String livemig, String anchor, String what, Kind kind)
    {
        /**
         * @return whether livemig's method runs the codecs' SIMD path ({@code ...Vector} methods, which the
         *         runner measures only where {@code io.livemig.codec.Simd} chose it); the others run scalar code.
         */
        public boolean vectorPath()
        {
            return livemig.endsWith("Vector");
        }
    }

    /** Every pair the report compares, in report order. */
    public static final List<Pair> PAIRS = List.of(
        new Pair("XbzrleEncodeBenchmark", "encode", "qemuEncode", "XBZRLE encode, scalar C (xbzrle_encode_buffer)",
            Kind.PAGE),
        new Pair("XbzrleEncodeBenchmark", "encode", "qemuEncodeAvx512",
            "XBZRLE encode, AVX-512BW C (QEMU 8.1+ xbzrle_encode_buffer_avx512)", Kind.PAGE),
        new Pair("XbzrleEncodeBenchmark", "encodeVector", "qemuEncode",
            "XBZRLE encode, scalar C (xbzrle_encode_buffer)", Kind.PAGE),
        new Pair("XbzrleEncodeBenchmark", "encodeVector", "qemuEncodeAvx512",
            "XBZRLE encode, AVX-512BW C (QEMU 8.1+ xbzrle_encode_buffer_avx512)", Kind.PAGE),
        new Pair("XbzrleDecodeBenchmark", "decode", "qemuDecode", "XBZRLE decode, C (xbzrle_decode_buffer)", Kind.PAGE),
        new Pair("ZeroPageBenchmark", "isZero", "qemuBufferIsZeroAvx2",
            "zero detection, C (QEMU 9.0+ buffer_is_zero, AVX2)", Kind.PAGE),
        new Pair("ZeroPageBenchmark", "isZeroOffHeapVector", "qemuBufferIsZeroAvx2",
            "zero detection, C (QEMU 9.0+ buffer_is_zero, AVX2)", Kind.PAGE),
        new Pair("ZeroPageBenchmark", "isZeroVector", "qemuBufferIsZeroAvx2",
            "zero detection, C (QEMU 9.0+ buffer_is_zero, AVX2)", Kind.PAGE),
        new Pair("ZeroPageBenchmark", "isZero", "qemuBufferIsZero8xAvx2",
            "zero detection, C (QEMU 8.x buffer_is_zero, AVX2)", Kind.PAGE),
        new Pair("ZeroPageBenchmark", "isZeroOffHeapVector", "qemuBufferIsZero8xAvx2",
            "zero detection, C (QEMU 8.x buffer_is_zero, AVX2)", Kind.PAGE),
        new Pair("ZeroPageBenchmark", "isZeroVector", "qemuBufferIsZero8xAvx2",
            "zero detection, C (QEMU 8.x buffer_is_zero, AVX2)", Kind.PAGE),
        new Pair("NextDirtyBenchmark", "flat", "qemuFindNextBit", "find_next_bit loop, C", Kind.ENUMERATION),
        new Pair("NextDirtyBenchmark", "summary", "qemuFindNextBit", "find_next_bit loop, C", Kind.ENUMERATION),
        new Pair("DrainBenchmark", "flat", "qemuFindNextBitClear", "find_next_bit + test_and_clear_bit loop, C",
            Kind.ENUMERATION),
        new Pair("DrainBenchmark", "summary", "qemuFindNextBitClear", "find_next_bit + test_and_clear_bit loop, C",
            Kind.ENUMERATION),
        new Pair("HarvestBenchmark", "flat", "qemuSync", "bitmap sync, C", Kind.HARVEST),
        new Pair("HarvestBenchmark", "summary", "qemuSync", "bitmap sync, C", Kind.HARVEST));

    /**
     * One compared (or refused) pair of results.
     *
     * @param pair     the pair.
     * @param livemig  livemig's result.
     * @param anchor   the C anchor's result with the same params.
     * @param digest   the inputs' digest both sides recorded, when they agree.
     * @param refusal  why the two may not be compared, or empty.
     */
    public record Row(Pair pair, JmhResult livemig, JmhResult anchor, Optional<String> digest,
                      Optional<String> refusal)
    {
        /** @return livemig's speed relative to C (C time ÷ livemig time), if the pair may be compared. */
        public Optional<Estimate> speed()
        {
            return refusal.isPresent() ? Optional.empty() : Baselines.speedup(livemig, anchor);
        }

        /** @return livemig's GB/s of page input ({@link Kind#PAGE}). */
        public Estimate livemigGigabytes()
        {
            return Charts.gigabytesPerSecond(livemig);
        }

        /** @return the C anchor's GB/s of page input ({@link Kind#PAGE}). */
        public Estimate anchorGigabytes()
        {
            return Charts.gigabytesPerSecond(anchor);
        }
    }

    private AnchorComparison()
    {
    }

    /**
     * @param results  a run's results.
     * @param digests  its input digests ({@link #readDigests}).
     * @return every pair present in the run, in {@link #PAIRS} order then parameter order.
     */
    public static List<Row> rows(final List<JmhResult> results, final Map<String, Set<String>> digests)
    {
        final List<Row> rows = new ArrayList<>();
        for (final Pair pair : PAIRS)
        {
            final List<JmhResult> anchors = new ArrayList<>();
            results.stream().filter(r -> r.simpleClassName().equals(pair.simpleClass()) &&
                r.method().equals(pair.anchor())).forEach(anchors::add);
            anchors.sort((a, b) -> ParamOrder.LISTS.compare(new ArrayList<>(a.params().values()),
                new ArrayList<>(b.params().values())));
            for (final JmhResult anchor : anchors)
            {
                final Optional<JmhResult> livemig = Baselines.find(results, anchor, pair.livemig());
                livemig.ifPresent(l -> rows.add(row(pair, l, anchor, digests)));
            }
        }
        return rows;
    }

    private static Row row(final Pair pair, final JmhResult livemig, final JmhResult anchor,
                           final Map<String, Set<String>> digests)
    {
        final Set<String> java = digests.getOrDefault(key(livemig.benchmark(), livemig.params(), "java"), Set.of());
        final Set<String> c = digests.getOrDefault(key(anchor.benchmark(), anchor.params(), "c"), Set.of());
        if (java.isEmpty() || c.isEmpty())
        {
            return new Row(pair, livemig, anchor, Optional.empty(), Optional.of("refused: no input digest of " +
                (java.isEmpty() ? "livemig's" : "the C") + " trial in " + InputLog.FILE));
        }
        if (java.size() != 1 || !java.equals(c))
        {
            return new Row(pair, livemig, anchor, Optional.empty(),
                Optional.of("refused: the inputs differ (livemig " + java + ", C " + c + ")"));
        }
        return new Row(pair, livemig, anchor, Optional.of(java.iterator().next()), Optional.empty());
    }

    /**
     * Reads a run's {@value InputLog#FILE}: per {@code benchmark TAB sorted params TAB side}, the set of digests
     * its trials recorded (one per fork; more than one value means the forks saw different bytes).
     *
     * @return the digests; empty when the file is absent.
     * @throws ReportException naming the file and line of a malformed line.
     */
    public static Map<String, Set<String>> readDigests(final Path dir) throws ReportException
    {
        final Path file = dir.resolve(InputLog.FILE);
        final Map<String, Set<String>> digests = new TreeMap<>();
        if (!Files.exists(file))
        {
            return digests;
        }
        final List<String> lines;
        try
        {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        }
        catch (final IOException ex)
        {
            throw new ReportException(file + ": cannot read (" + ex.getMessage() + ")", ex);
        }
        for (int i = 0; i < lines.size(); i++)
        {
            if (lines.get(i).isBlank())
            {
                continue;
            }
            final String[] f = lines.get(i).split("\t", -1);
            if (f.length != 5 || !f[3].matches("[0-9a-f]{16}") || !(f[2].equals("java") || f[2].equals("c")))
            {
                throw new ReportException(file + " line " + (i + 1) +
                    ": expected benchmark, params, java|c, a 16-digit hex digest and a byte count, tab-separated");
            }
            digests.computeIfAbsent(f[0] + "\t" + f[1] + "\t" + f[2], k -> new TreeSet<>()).add(f[3]);
        }
        return digests;
    }

    /** @return the key of a trial's digests: benchmark, params sorted by name as {@code k=v,...}, side. */
    static String key(final String benchmark, final Map<String, String> params, final String side)
    {
        return benchmark + "\t" + InputLog.paramsText(new TreeMap<>(params)) + "\t" + side;
    }

    /** @return set units of a 2^28-unit bitmap at the result's {@code density} param (the benchmarks' size). */
    static double setUnits(final JmhResult r)
    {
        return Math.round(Double.parseDouble(r.param("density").orElse("NaN")) * DirtyBitmapInputs.TIB_UNITS);
    }
}
