package io.livemig.bench.report.section;

import io.livemig.bench.report.result.EnvJson;
import io.livemig.bench.report.result.JmhResult;
import io.livemig.bench.report.stats.Fmt;
import io.livemig.bench.report.stats.Units;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The report's *Real guest* section: the codecs on the pages of a Linux guest that QEMU migrated (the
 * {@code REAL_GUEST} input of the codec benchmarks, from the corpus that env.json's {@code realGuest} describes)
 * beside the synthetic patterns: the guest's zero-page fraction, XBZRLE's results on its pairs of page versions
 * (unchanged, overflowing, encoding rate) beside QEMU's own counters from that migration, the LZ4 ratio of its
 * pages; then each codec's GB/s (4 KiB per operation) for livemig and for QEMU's C, and their ratio, per input.
 * Where the rows were not measured, the section says why.
 *
 * <p>Stateless; thread-safe.
 */
public final class RealGuestReport
{
    /** The input value of the real guest's rows. */
    static final String INPUT = "REAL_GUEST";

    /** One codec: its class, the parameter that names the input, livemig's methods and the C anchors'. */
    private record Codec(String name, String className, String param, Map<String, String> fixed,
                         List<String> livemig, List<String> c)
    {
    }

    private static final List<Codec> CODECS = List.of(
        new Codec("XBZRLE encode", "XbzrleEncodeBenchmark", "pattern", Map.of(), List.of("encode", "encodeVector"),
            List.of("qemuEncode", "qemuEncodeAvx512")),
        new Codec("XBZRLE decode", "XbzrleDecodeBenchmark", "pattern", Map.of(), List.of("decode"),
            List.of("qemuDecode")),
        new Codec("zero check (64 MiB)", "ZeroPageBenchmark", "input", Map.of("workingSet", "64m"),
            List.of("isZero", "isZeroOffHeapVector", "isZeroVector"),
            List.of("qemuBufferIsZeroAvx2", "qemuBufferIsZero8xAvx2")),
        new Codec("LZ4 compress", "Lz4Benchmark", "data", Map.of(), List.of("compress"), List.of()),
        new Codec("LZ4 decompress", "Lz4Benchmark", "data", Map.of(), List.of("decompress"), List.of()),
        new Codec("page stream (write and read)", "PageStreamBenchmark", "mix", Map.of(), List.of("writeAndRead"),
            List.of()));

    private RealGuestReport()
    {
    }

    /** @return every benchmark method the section reads, as {@code Class.method} (tests: each must exist). */
    static List<String> methodsRead()
    {
        final List<String> methods = new ArrayList<>();
        for (final Codec codec : CODECS)
        {
            codec.livemig().forEach(m -> methods.add(codec.className() + "." + m));
            codec.c().forEach(m -> methods.add(codec.className() + "." + m));
        }
        return methods;
    }

    /** Appends the section. */
    public static void section(final StringBuilder md, final List<JmhResult> results, final Map<String, Object> env)
    {
        md.append("## Real guest\n\n");
        final boolean any = results.stream().anyMatch(r -> r.params().containsValue(INPUT));
        if (!any)
        {
            md.append("_Not measured in this run: ")
                .append(EnvJson.text(env, "realGuest.reason", "no " + INPUT + " results")).append("._\n\n");
            return;
        }
        final String c = "realGuest.corpus.";
        md.append(String.format(Locale.ROOT, "The codecs on the pages of a Linux guest that QEMU %s migrated (the " +
                "`%s` guest of `scripts/qemu-guest`, %s; %s; docs/qemu.md), beside the synthetic patterns, on the " +
                "same bytes for livemig and the C anchors (inputs.tsv). The corpus: %s pages sampled over the " +
                "guest's RAM, and %s pairs of a page's versions from successive passes (old: what the destination " +
                "held; new: what QEMU sent next).%n%n",
            env.getOrDefault(c + "source.qemu", "?"), env.getOrDefault(c + "source.guest", "?"),
            size(env.get(c + "source.memory")), env.getOrDefault(c + "source.recipe", "?"),
            env.getOrDefault(c + "samplePages", "?"), env.getOrDefault(c + "pairs", "?")));
        md.append("| the guest | |\n|---|---|\n");
        md.append("| zero pages in its RAM | ").append(percent(env.get(c + "zeroPageFraction"))).append(" |\n");
        final double pairs = number(env.get(c + "pairs"));
        md.append("| XBZRLE on the pairs (livemig's encoder, QEMU's capacity) | ")
            .append(percent(number(env.get(c + "xbzrleUnchanged")) / pairs)).append(" unchanged, ")
            .append(percent(number(env.get(c + "xbzrleOverflow")) / pairs)).append(" overflow (sent whole), ")
            .append(percent(number(env.get(c + "xbzrleEncoded")) / pairs)).append(" encoded at ")
            .append(Fmt.num(number(env.get(c + "xbzrleEncodingRate")))).append(" page bytes per delta byte |\n");
        md.append("| QEMU's XBZRLE counters in that migration | ")
            .append(env.getOrDefault(c + "source.xbzrleCache.cache-miss", "?")).append(" cache misses, ")
            .append(env.getOrDefault(c + "source.xbzrleCache.overflow", "?")).append(" overflows, ")
            .append(env.getOrDefault(c + "source.xbzrleCache.pages", "?")).append(" pages counted (its stream ")
            .append("holds ").append(env.getOrDefault(c + "streamXbzrleRecords", "?")).append(" XBZRLE records) |\n");
        md.append("| LZ4 on its non-zero pages | ").append(Fmt.num(number(env.get(c + "lz4Ratio"))))
            .append("× (").append(env.getOrDefault(c + "lz4Incompressible", "?")).append(" of ")
            .append(env.getOrDefault(c + "sampleNonZeroPages", "?")).append(" incompressible, sent whole) |\n\n");

        md.append("GB/s = 4096 bytes per operation over its time (the mean of the run); livemig ÷ C above 1 means ")
            .append("livemig is faster. One row per input: the synthetic patterns, then **").append(INPUT)
            .append("**.\n\n");
        for (final Codec codec : CODECS)
        {
            table(md, results, codec);
        }
    }

    private static void table(final StringBuilder md, final List<JmhResult> results, final Codec codec)
    {
        final List<String> inputs = new ArrayList<>();
        for (final JmhResult r : results)
        {
            if (r.simpleClassName().equals(codec.className()) && codec.livemig().contains(r.method()) &&
                fixed(r, codec) && r.param(codec.param()).isPresent() && !inputs.contains(r.param(codec.param()).get()))
            {
                inputs.add(r.param(codec.param()).get());
            }
        }
        if (!inputs.contains(INPUT))
        {
            return;
        }
        inputs.remove(INPUT);
        inputs.add(INPUT);
        md.append("**").append(codec.name()).append("** (").append(codec.className()).append(")\n\n| input |");
        codec.livemig().forEach(m -> md.append(" livemig `").append(m).append("` GB/s |"));
        codec.c().forEach(m -> md.append(" C `").append(m).append("` GB/s |"));
        if (!codec.c().isEmpty())
        {
            md.append(" livemig ÷ C |");
        }
        md.append("\n|---|").append("---|".repeat(codec.livemig().size() + codec.c().size() +
            (codec.c().isEmpty() ? 0 : 1))).append('\n');
        for (final String input : inputs)
        {
            md.append("| ").append(input.equals(INPUT) ? "**" + INPUT + "**" : input).append(" |");
            for (final String m : codec.livemig())
            {
                md.append(' ').append(gbps(find(results, codec, m, input))).append(" |");
            }
            for (final String m : codec.c())
            {
                md.append(' ').append(gbps(find(results, codec, m, input))).append(" |");
            }
            if (!codec.c().isEmpty())
            {
                final Optional<JmhResult> ours = find(results, codec, codec.livemig().get(0), input);
                final Optional<JmhResult> theirs = find(results, codec, codec.c().get(0), input);
                md.append(' ').append(ours.isPresent() && theirs.isPresent() ?
                    Fmt.num(theirs.get().primary().score() / ours.get().primary().score()) + "×" : "–")
                    .append(" |");
            }
            md.append('\n');
        }
        md.append('\n');
    }

    private static boolean fixed(final JmhResult r, final Codec codec)
    {
        return codec.fixed().entrySet().stream().allMatch(e -> r.param(e.getKey()).map(e.getValue()::equals)
            .orElse(true));
    }

    private static Optional<JmhResult> find(final List<JmhResult> results, final Codec codec, final String method,
        final String input)
    {
        return results.stream().filter(r -> r.simpleClassName().equals(codec.className()) &&
            r.method().equals(method) && fixed(r, codec) && r.param(codec.param()).map(input::equals).orElse(false))
            .findFirst();
    }

    /** @return GB/s of a result in time per 4 KiB operation, or "–". */
    private static String gbps(final Optional<JmhResult> result)
    {
        return result.map(r -> {
            final double seconds = Units.secondsPerOp(r.primary().score(), r.primary().unit());
            return Double.isNaN(seconds) || seconds <= 0 ? "–" : Fmt.num(Units.PAGE_BYTES / seconds / 1e9);
        }).orElse("–");
    }

    private static double number(final Object value)
    {
        try
        {
            return value == null ? Double.NaN : Double.parseDouble(String.valueOf(value));
        }
        catch (final NumberFormatException ex)
        {
            return Double.NaN;
        }
    }

    private static String percent(final Object fraction)
    {
        final double f = fraction instanceof Double d ? d : number(fraction);
        return Double.isNaN(f) ? "?" : String.format(Locale.ROOT, "%.1f %%", 100 * f);
    }

    private static String size(final Object bytes)
    {
        final double b = number(bytes);
        return Double.isNaN(b) ? "?" : String.format(Locale.ROOT, "%.0f MiB", b / (1 << 20));
    }
}
