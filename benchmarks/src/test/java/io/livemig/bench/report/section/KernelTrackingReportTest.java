package io.livemig.bench.report.section;

import io.livemig.bench.report.result.JmhResult;
import io.livemig.bench.report.stats.Metric;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** The report's "Software vs kernel tracking" section, from synthetic results, and its skipped line. */
class KernelTrackingReportTest
{
    private static JmhResult result(final String method, final Map<String, String> params, final double ns)
    {
        return new JmhResult("io.livemig.bench.dirty.KernelTrackingBenchmark." + method, "avgt", 1, 1, params,
            new Metric(ns, 0, ns, ns, "ns/op", List.of()), Map.of(), "300 ms");
    }

    @Test
    void tablesShowWriteCostRatiosAndHarvestPerGibAndPerDirtyPage()
    {
        final List<JmhResult> results = new ArrayList<>();
        results.add(result("firstWrite", Map.of("tracker", "uffd-wp-async"), 20_000));
        results.add(result("rewrite", Map.of("tracker", "uffd-wp-async"), 5));
        results.add(result("baselineSoftwareMark", Map.of(), 4));
        results.add(result("baselinePlainStore", Map.of(), 1));
        results.add(result("harvest", Map.of("guestSize", "1g", "dirty", "0", "huge", "false"), 2_000_000));
        results.add(result("harvest", Map.of("guestSize", "1g", "dirty", "256", "huge", "false"), 2_256_000));
        results.add(result("baselineBitmapHarvest", Map.of("guestSize", "1g", "dirty", "0"), 800));
        final StringBuilder md = new StringBuilder();
        KernelTrackingReport.section(md, results, Map.of());
        final String text = md.toString();
        assertTrue(text.contains("| uffd-wp-async | 20.00 µs | 5.000 ns | 5000×"), text);
        assertTrue(text.contains("| uffd-wp | – | – | – |"), text);
        assertTrue(text.contains("| PAGEMAP_SCAN, 4 KiB pages | 1g | 2.000 ms | 2.256 ms | 2.000 ms | 1.000 µs |"), text);
        assertTrue(text.contains("| flat bitmap | 1g | 800.0 ns | – | 800.0 ns | – |"), text);
    }

    @Test
    void notMeasuredSaysWhy()
    {
        final StringBuilder md = new StringBuilder();
        KernelTrackingReport.section(md, List.of(), Map.of("kernel.skipped",
            "KernelTrackingBenchmark not measured: uffd-wp-async unavailable: JDK 17 < 22 (the kernel trackers use the FFM API, final in JDK 22)"));
        assertTrue(md.toString().contains("_Not measured in this run: KernelTrackingBenchmark not measured: " +
            "uffd-wp-async unavailable: JDK 17 < 22"), md.toString());
    }
}
