package io.livemig.bench.report.section;

import io.livemig.bench.report.result.JmhResult;
import io.livemig.bench.report.stats.Metric;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The report's "Software vs kernel faults" section, from synthetic results, and its skipped line. */
class PostcopyFaultsReportTest
{
    private static Metric counter(final double... perShot)
    {
        final List<Double> values = new ArrayList<>();
        for (final double v : perShot)
        {
            values.add(v);
        }
        return new Metric(0, Double.NaN, Double.NaN, Double.NaN, "#", List.of(values));
    }

    private static JmhResult result(final String method, final String link, final double p50Us, final double p99Us)
    {
        return new JmhResult("io.livemig.bench.migration.PostcopyFaultsBenchmark." + method, "ss", 1, 1,
            Map.of("link", link), new Metric(300, 0, 300, 300, "ms/op", List.of()),
            Map.of("faults", counter(10, 30), "faultP50Us", counter(p50Us, p50Us), "faultP99Us", counter(p99Us, p99Us),
                "faultMaxUs", counter(p99Us * 2, p99Us * 2), "postcopyMs", counter(100, 200)), "");
    }

    @Test
    void rowsShowPerShotMeansOfEachPercentile()
    {
        final List<JmhResult> results = List.of(result("softwareFaults", "memory", 400, 11_000),
            result("kernelFaults", "memory", 90, 2_500), result("softwareFaults", "tcp", 3_000, 170_000));
        final StringBuilder md = new StringBuilder();
        PostcopyFaultsReport.section(md, results, Map.of());
        final String text = md.toString();
        assertTrue(text.contains("| software | memory | 20.00 | 400.0 µs | 11.00 ms | 22.00 ms | 150.0 ms |"), text);
        assertTrue(text.contains("| kernel | memory | 20.00 | 90.00 µs | 2.500 ms | 5.000 ms | 150.0 ms |"), text);
        assertFalse(text.contains("| kernel | tcp"), text);
        assertTrue(text.contains("12.1 ms without the preempt channel and 0.5 ms with it"), text);
    }

    @Test
    void kernelNotMeasuredSaysWhy()
    {
        final StringBuilder md = new StringBuilder();
        PostcopyFaultsReport.section(md, List.of(result("softwareFaults", "memory", 400, 11_000)), Map.of(
            "kernel.skipped", "PostcopyFaultsBenchmark.kernelFaults not measured: kernel faults unavailable: JDK 17 < 22"));
        assertTrue(md.toString().contains("_Kernel faults not measured in this run: PostcopyFaultsBenchmark.kernelFaults " +
            "not measured: kernel faults unavailable: JDK 17 < 22"), md.toString());
    }
}
