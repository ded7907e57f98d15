package io.livemig.bench.report.analysis;

import io.livemig.bench.report.stats.Units;
import io.livemig.bench.report.stats.Estimate;
import io.livemig.bench.report.stats.Interval;
import io.livemig.bench.report.stats.ForkSpread;
import io.livemig.bench.report.stats.Verdict;
import io.livemig.bench.report.result.JmhResult;
import io.livemig.bench.report.result.ReportException;
import io.livemig.bench.report.result.ParamOrder;
import io.livemig.bench.report.result.Baselines;
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
 * <p>Both sides must also have read their inputs at the same alignment: where the run recorded the inputs'
 * addresses ({@link #readLayouts}), a pair whose regions sit at different offsets into their pages is refused
 * too; a difference in transparent huge pages is shown with the pair.
 *
 * <p>Speed of livemig relative to C is C's time ÷ livemig's time (above 1: livemig is faster), with its 99.9 %
 * interval on the log scale ({@link Interval#ratio}) and a verdict against parity or a goal ({@link Verdict}).
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
     * @param layout   where both sides' inputs sat ({@link #readLayouts}): e.g. {@code page offset 0, no huge
     *                 pages (both)}, a difference in huge pages, or that the run did not record it.
     */
    public record Row(Pair pair, JmhResult livemig, JmhResult anchor, Optional<String> digest,
                      Optional<String> refusal, String layout)
    {
        /** A row whose inputs' layout was not recorded. */
        public Row(final Pair pair, final JmhResult livemig, final JmhResult anchor, final Optional<String> digest,
                   final Optional<String> refusal)
        {
            this(pair, livemig, anchor, digest, refusal, NO_LAYOUT);
        }

        /** @return livemig's speed relative to C (C time ÷ livemig time), if the pair may be compared. */
        public Optional<Estimate> speed()
        {
            return refusal.isPresent() ? Optional.empty() : Baselines.speedup(livemig, anchor);
        }

        /**
         * @return livemig's speed relative to C as a measure that forks narrow: C's time over livemig's, both in
         *         livemig's unit, with its interval on the log scale ({@link Interval#ratio}).
         */
        public Verdict.Measure measure()
        {
            final double toLivemigUnit = Units.secondsPerOp(1, anchor.primary().unit()) /
                Units.secondsPerOp(1, livemig.primary().unit());
            return Verdict.Measure.ratio(Verdict.Side.of(anchor.primary(), toLivemigUnit),
                Verdict.Side.of(livemig.primary()));
        }

        /** @return the speed's 99.9 % interval ({@link #measure()}). */
        public Interval speedInterval()
        {
            return measure().interval();
        }

        /**
         * @return the verdict against {@code goal} ({@code ≥}): call-bound when C's time is within
         *         {@value Verdict#CALL_BOUND_FACTOR} x of {@code floor}'s, bimodal when either side's forks split.
         */
        public Verdict verdict(final double goal, final CallFloor floor)
        {
            return Verdict.judge(measure(), goal, true,
                List.of(ForkSpread.of(livemig.primary()), ForkSpread.of(anchor.primary())),
                floor.callBound(this).orElse(null));
        }

        /** @return the verdict against parity (1: as fast as C). */
        public Verdict parity(final CallFloor floor)
        {
            return verdict(1, floor);
        }

        /** @return livemig's GB/s of page input ({@link Kind#PAGE}). */
        public Estimate livemigGigabytes()
        {
            return livemig.gigabytesPerSecond();
        }

        /** @return the C anchor's GB/s of page input ({@link Kind#PAGE}). */
        public Estimate anchorGigabytes()
        {
            return anchor.gigabytesPerSecond();
        }
    }

    /** {@link Row#layout} of a run that recorded none. */
    static final String NO_LAYOUT = "layout not recorded";

    /**
     * Where one trial's inputs sat, from its line of {@value InputLog#FILE}.
     *
     * @param addresses each region's address, {@link #UNKNOWN} where not known.
     * @param hugeKiB   the huge pages (KiB) of each region's mapping, {@link #UNKNOWN} where not known.
     * @param library   where a C trial's anchors were mapped, or {@link #UNKNOWN}.
     */
    public record Layout(List<Long> addresses, List<Long> hugeKiB, long library)
    {
        /** An unknown value. */
        public static final long UNKNOWN = -1;

        /** @return each region's offset into its page, or null if any address is unknown. */
        List<Integer> pageOffsets()
        {
            if (addresses.isEmpty() || addresses.contains(UNKNOWN))
            {
                return null;
            }
            return addresses.stream().map(a -> (int)(a & 4095)).toList();
        }

        /** @return for each region whether its mapping had huge pages, or null if any is unknown. */
        List<Boolean> huge()
        {
            if (hugeKiB.isEmpty() || hugeKiB.contains(UNKNOWN))
            {
                return null;
            }
            return hugeKiB.stream().map(k -> k > 0).toList();
        }

        /**
         * @param fields the line's columns after the fifth ({@code addr=...}, {@code thp=...}, {@code lib=...}).
         * @return the layout, or null if the line has none.
         */
        static Layout parse(final List<String> fields)
        {
            List<Long> addresses = null;
            List<Long> huge = List.of();
            long library = UNKNOWN;
            for (final String field : fields)
            {
                if (field.startsWith("addr="))
                {
                    addresses = numbers(field.substring(5), 16);
                }
                else if (field.startsWith("thp="))
                {
                    huge = numbers(field.substring(4), 10);
                }
                else if (field.startsWith("lib=") && field.substring(4).matches("[0-9a-f]{1,16}"))
                {
                    library = Long.parseUnsignedLong(field.substring(4), 16);
                }
            }
            return addresses == null ? null : new Layout(addresses, huge, library);
        }

        private static List<Long> numbers(final String text, final int radix)
        {
            final List<Long> values = new ArrayList<>();
            for (final String value : text.split(",", -1))
            {
                values.add(value.matches(radix == 16 ? "[0-9a-f]{1,16}" : "[0-9]{1,18}") ?
                    Long.parseUnsignedLong(value, radix) : UNKNOWN);
            }
            return values;
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
        return rows(results, digests, Map.of());
    }

    /**
     * @param results  a run's results.
     * @param digests  its input digests ({@link #readDigests}).
     * @param layouts  where its inputs sat ({@link #readLayouts}); a pair whose two sides read their inputs at
     *                 different page offsets is refused.
     * @return every pair present in the run, in {@link #PAIRS} order then parameter order.
     */
    public static List<Row> rows(final List<JmhResult> results, final Map<String, Set<String>> digests,
                                 final Map<String, Set<Layout>> layouts)
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
                livemig.ifPresent(l -> rows.add(row(pair, l, anchor, digests, layouts)));
            }
        }
        return rows;
    }

    private static Row row(final Pair pair, final JmhResult livemig, final JmhResult anchor,
                           final Map<String, Set<String>> digests, final Map<String, Set<Layout>> layouts)
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
        final Set<Layout> javaLayouts = layouts.getOrDefault(key(livemig.benchmark(), livemig.params(), "java"),
            Set.of());
        final Set<Layout> cLayouts = layouts.getOrDefault(key(anchor.benchmark(), anchor.params(), "c"), Set.of());
        final Set<List<Integer>> javaOffsets = known(javaLayouts, Layout::pageOffsets);
        final Set<List<Integer>> cOffsets = known(cLayouts, Layout::pageOffsets);
        if (javaOffsets != null && cOffsets != null && !javaOffsets.equals(cOffsets))
        {
            return new Row(pair, livemig, anchor, Optional.empty(), Optional.of("refused: the inputs sit at " +
                "different page offsets (livemig " + text(javaOffsets) + ", C " + text(cOffsets) + ")"),
                NO_LAYOUT);
        }
        return new Row(pair, livemig, anchor, Optional.of(java.iterator().next()), Optional.empty(),
            layoutText(javaOffsets, cOffsets, known(javaLayouts, Layout::huge), known(cLayouts, Layout::huge)));
    }

    /** @return {@code what} of every layout, or null if there is none or any is unknown. */
    private static <T> Set<T> known(final Set<Layout> layouts, final java.util.function.Function<Layout, T> what)
    {
        if (layouts.isEmpty())
        {
            return null;
        }
        final Set<T> values = new java.util.LinkedHashSet<>();
        for (final Layout layout : layouts)
        {
            final T value = what.apply(layout);
            if (value == null)
            {
                return null;
            }
            values.add(value);
        }
        return values;
    }

    private static String text(final Set<? extends List<?>> values)
    {
        return values.size() == 1 ? values.iterator().next().toString() : values.toString();
    }

    /** @return e.g. {@code page offset 0, no huge pages (both)}; what is not known is said so. */
    static String layoutText(final Set<List<Integer>> javaOffsets, final Set<List<Integer>> cOffsets,
                             final Set<List<Boolean>> javaHuge, final Set<List<Boolean>> cHuge)
    {
        if (javaOffsets == null || cOffsets == null)
        {
            return NO_LAYOUT;
        }
        final Set<Integer> offsets = new java.util.TreeSet<>();
        javaOffsets.forEach(offsets::addAll);
        final String where = "page offset" + (offsets.size() == 1 ? " " + offsets.iterator().next() :
            "s " + offsets);
        if (javaHuge == null || cHuge == null)
        {
            return where + " (both); huge pages not recorded";
        }
        if (!javaHuge.equals(cHuge))
        {
            return where + " (both); huge pages differ: livemig " + hugeText(javaHuge) + ", C " + hugeText(cHuge);
        }
        return where + ", " + hugeText(javaHuge) + " (both)";
    }

    private static String hugeText(final Set<List<Boolean>> huge)
    {
        final boolean all = huge.stream().allMatch(l -> l.stream().allMatch(b -> b));
        final boolean none = huge.stream().allMatch(l -> l.stream().noneMatch(b -> b));
        return all ? "huge pages" : none ? "no huge pages" : "some huge pages";
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
            if (f.length < 5 || !f[3].matches("[0-9a-f]{16}") || !(f[2].equals("java") || f[2].equals("c")))
            {
                throw new ReportException(file + " line " + (i + 1) +
                    ": expected benchmark, params, java|c, a 16-digit hex digest and a byte count, tab-separated");
            }
            digests.computeIfAbsent(f[0] + "\t" + f[1] + "\t" + f[2], k -> new TreeSet<>()).add(f[3]);
        }
        return digests;
    }

    /**
     * Reads where each trial's inputs sat, from the layout columns of {@value InputLog#FILE} (lines written before
     * those columns existed give none): per {@code benchmark TAB sorted params TAB side}, the set of layouts its
     * forks recorded. Call after {@link #readDigests}, which checks the lines.
     *
     * @return the layouts; empty when the file is absent.
     * @throws ReportException if the file cannot be read.
     */
    public static Map<String, Set<Layout>> readLayouts(final Path dir) throws ReportException
    {
        final Path file = dir.resolve(InputLog.FILE);
        final Map<String, Set<Layout>> layouts = new TreeMap<>();
        if (!Files.exists(file))
        {
            return layouts;
        }
        try
        {
            for (final String line : Files.readAllLines(file, StandardCharsets.UTF_8))
            {
                final String[] f = line.split("\t", -1);
                if (f.length > 5)
                {
                    final Layout layout = Layout.parse(List.of(f).subList(5, f.length));
                    if (layout != null)
                    {
                        layouts.computeIfAbsent(f[0] + "\t" + f[1] + "\t" + f[2], k -> new java.util.LinkedHashSet<>())
                            .add(layout);
                    }
                }
            }
        }
        catch (final IOException ex)
        {
            throw new ReportException(file + ": cannot read (" + ex.getMessage() + ")", ex);
        }
        return layouts;
    }

    /** @return the key of a trial's digests: benchmark, params sorted by name as {@code k=v,...}, side. */
    static String key(final String benchmark, final Map<String, String> params, final String side)
    {
        return benchmark + "\t" + InputLog.paramsText(new TreeMap<>(params)) + "\t" + side;
    }

    /** @return set units of a 2^28-unit bitmap at the result's {@code density} param (the benchmarks' size). */
    public static double setUnits(final JmhResult r)
    {
        return Math.round(Double.parseDouble(r.param("density").orElse("NaN")) * DirtyBitmapInputs.TIB_UNITS);
    }
}
