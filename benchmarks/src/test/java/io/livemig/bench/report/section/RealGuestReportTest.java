package io.livemig.bench.report.section;

import io.livemig.bench.report.result.JmhResult;
import io.livemig.bench.report.stats.Metric;
import org.junit.jupiter.api.Test;
import org.openjdk.jmh.annotations.Benchmark;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The report's *Real guest* section from synthetic results and figures, and its line when not measured. */
class RealGuestReportTest
{
    private static JmhResult result(final String benchmark, final Map<String, String> params, final double ns)
    {
        return new JmhResult("io.livemig.bench." + benchmark, "avgt", 1, 1, params,
            new Metric(ns, 0, ns, ns, "ns/op", List.of()), Map.of(), "300 ms");
    }

    @Test
    void guestFiguresAndGbPerSecondBesideTheSyntheticPatterns()
    {
        final List<JmhResult> results = new ArrayList<>();
        results.add(result("codec.XbzrleEncodeBenchmark.encode", Map.of("pattern", "SPARSE_10"), 409.6));
        results.add(result("codec.XbzrleEncodeBenchmark.qemuEncode", Map.of("pattern", "SPARSE_10"), 819.2));
        results.add(result("codec.XbzrleEncodeBenchmark.encode", Map.of("pattern", "REAL_GUEST"), 1024));
        results.add(result("codec.XbzrleEncodeBenchmark.qemuEncode", Map.of("pattern", "REAL_GUEST"), 512));
        results.add(result("codec.ZeroPageBenchmark.isZero", Map.of("input", "ZERO", "workingSet", "page"), 1));
        results.add(result("codec.ZeroPageBenchmark.isZero", Map.of("input", "ZERO", "workingSet", "64m"), 204.8));
        results.add(result("codec.Lz4Benchmark.compress", Map.of("data", "TEXT"), 4096));
        final Map<String, Object> env = new LinkedHashMap<>();
        env.put("realGuest.corpus.source.qemu", "7.2.22");
        env.put("realGuest.corpus.source.guest", "mix");
        env.put("realGuest.corpus.source.memory", "134217728");
        env.put("realGuest.corpus.pairs", "200");
        env.put("realGuest.corpus.zeroPageFraction", "0.25");
        env.put("realGuest.corpus.xbzrleUnchanged", "20");
        env.put("realGuest.corpus.xbzrleOverflow", "100");
        env.put("realGuest.corpus.xbzrleEncoded", "80");
        env.put("realGuest.corpus.xbzrleEncodingRate", "4");
        env.put("realGuest.corpus.lz4Ratio", "1.5");
        final StringBuilder md = new StringBuilder();
        RealGuestReport.section(md, results, env);
        final String text = md.toString();
        assertTrue(text.startsWith("## Real guest\n\nThe codecs on the pages of a Linux guest that QEMU 7.2.22 " +
            "migrated (the `mix` guest of `scripts/qemu-guest`, 128 MiB;"), text);
        assertTrue(text.contains("| zero pages in its RAM | 25.0 % |"), text);
        assertTrue(text.contains("| XBZRLE on the pairs (livemig's encoder, QEMU's capacity) | 10.0 % unchanged, " +
            "50.0 % overflow (sent whole), 40.0 % encoded at 4.000 page bytes per delta byte |"), text);
        assertTrue(text.contains("| LZ4 on its non-zero pages | 1.500×"), text);
        // 4096 bytes in 409.6 ns = 10 GB/s; C 5 GB/s; real guest 4 GB/s against C's 8
        assertTrue(text.contains("| SPARSE_10 | 10.000 | – | 5.000 | – | 2.000× |"), text);
        assertTrue(text.contains("| **REAL_GUEST** | 4.000 | – | 8.000 | – | 0.5000× |"), text);
        assertFalse(text.contains("zero check"), "no real-guest row of the zero check: no table");
    }

    /** A renamed benchmark or anchor would leave its column empty and its ratio "–" without this. */
    @Test
    void everyMethodTheSectionReadsIsABenchmark()
    {
        for (final String method : RealGuestReport.methodsRead())
        {
            final String className = method.substring(0, method.indexOf('.'));
            final String name = method.substring(method.indexOf('.') + 1);
            final Class<?> benchmark = Stream.of("io.livemig.bench.codec.", "io.livemig.bench.stream.")
                .map(pkg -> load(pkg + className)).filter(Objects::nonNull).findFirst().orElse(null);
            assertNotNull(benchmark, method + ": no such benchmark class");
            assertTrue(Stream.of(benchmark.getMethods()).anyMatch(m -> m.getName().equals(name) &&
                m.isAnnotationPresent(Benchmark.class)), method + ": no such @Benchmark method");
        }
    }

    private static Class<?> load(final String name)
    {
        try
        {
            return Class.forName(name);
        }
        catch (final ClassNotFoundException ex)
        {
            return null;
        }
    }

    @Test
    void notMeasuredSaysWhy()
    {
        final StringBuilder md = new StringBuilder();
        RealGuestReport.section(md, List.of(), Map.of("realGuest.reason",
            "real-guest rows not measured: no real-guest corpus in /x, and none can be made here: no QEMU"));
        assertTrue(md.toString().contains("_Not measured in this run: real-guest rows not measured: no real-guest " +
            "corpus in /x"), md.toString());
    }
}
