package io.livemig.bench.report.section;

import io.livemig.bench.report.result.JmhResult;
import io.livemig.bench.report.stats.Interval;
import io.livemig.bench.report.stats.Metric;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The post-copy section's locality-hint subsection, from synthetic results: rows, ratios and the uniform verdict. */
class PostcopyLocalityReportTest
{
    /** @return 2 forks of 3 shots: {@code v - d}, {@code v}, {@code v + d} in each. */
    private static Metric shots(final double v, final double d)
    {
        final List<Double> fork = List.of(v - d, v, v + d);
        return new Metric(6 * v, Double.NaN, 6 * v, 6 * v, "#", List.of(fork, fork));
    }

    private static JmhResult result(final String pattern, final int prepage, final double postcopyMs, final double d)
    {
        return new JmhResult("io.livemig.bench.migration.PostcopyLocalityBenchmark.migrate", "ss", 1, 2,
            Map.of("pattern", pattern, "prepage", String.valueOf(prepage)),
            new Metric(300, 0, 300, 300, "ms/op", List.of()),
            Map.of("postcopyMs", shots(postcopyMs, d), "faults", shots(prepage == 0 ? 6000 : 3000, 0),
                "faultP50Us", shots(40, 0), "faultP99Us", shots(300, 0), "preemptPages", shots(5000, 0),
                "pushedPages", shots(11000, 0)), "");
    }

    private static String render(final List<JmhResult> results)
    {
        final StringBuilder md = new StringBuilder();
        PostcopyLocalityReport.section(md, results);
        return md.toString();
    }

    @Test
    void rowsShowEachPatternWithTheHintOffThenOn()
    {
        final String text = render(List.of(result("sequential", 8, 240, 1), result("uniform", 8, 241, 1),
            result("sequential", 0, 250, 1), result("uniform", 0, 240, 1)));
        assertTrue(text.contains("| uniform | off (prepage 0) | 240.0 ms ["), text);
        assertTrue(text.indexOf("| uniform | off") < text.indexOf("| uniform | on (prepage 8)") &&
            text.indexOf("| uniform | on") < text.indexOf("| sequential | off"), "uniform first, hint off first");
        assertTrue(text.contains("| 6000 | 40.00 µs [40.00, 40.00] | 300.0 µs [300.0, 300.0] | 5000 | 11000 |"), text);
        assertTrue(text.contains("| sequential | 0.9600 ["), text);
        assertTrue(text.contains("| 0.5000 |"), "faults with ÷ without: " + text);
    }

    @Test
    void theUniformCaseIsMetWhenItsIntervalHoldsOneOrLiesBelow()
    {
        assertTrue(PostcopyLocalityReport.uniformVerdict(List.of(result("uniform", 0, 240, 1),
            result("uniform", 8, 241, 1))).startsWith("met (post-copy with ÷ without the hint 1.004 ["));
        assertTrue(PostcopyLocalityReport.uniformVerdict(List.of(result("uniform", 0, 240, 1),
            result("uniform", 8, 200, 1))).contains("faster with the hint"));
        assertTrue(PostcopyLocalityReport.uniformVerdict(List.of(result("uniform", 0, 240, 1),
            result("uniform", 8, 300, 1))).startsWith("**short**"));
        assertEquals("not measured in this run (no uniform rows with and without the hint)",
            PostcopyLocalityReport.uniformVerdict(List.of(result("uniform", 8, 241, 1))));
    }

    @Test
    void aSingleShotIsUnresolved()
    {
        final Metric one = new Metric(240, Double.NaN, 240, 240, "#", List.of(List.of(240.0)));
        final JmhResult off = new JmhResult("io.livemig.bench.migration.PostcopyLocalityBenchmark.migrate", "ss", 1, 1,
            Map.of("pattern", "uniform", "prepage", "0"), new Metric(300, 0, 300, 300, "ms/op", List.of()),
            Map.of("postcopyMs", one), "");
        final JmhResult on = new JmhResult("io.livemig.bench.migration.PostcopyLocalityBenchmark.migrate", "ss", 1, 1,
            Map.of("pattern", "uniform", "prepage", "8"), new Metric(300, 0, 300, 300, "ms/op", List.of()),
            Map.of("postcopyMs", one), "");
        assertTrue(PostcopyLocalityReport.uniformVerdict(List.of(off, on)).startsWith("unresolved (1.000, no interval"));
        assertEquals("no interval (a side has a single shot)",
            PostcopyLocalityReport.reading(new Interval(1, Double.NaN, Double.NaN)));
    }

    @Test
    void notMeasuredSaysSo()
    {
        assertTrue(render(List.of()).contains("_Not measured in this run: no PostcopyLocalityBenchmark results._"));
    }
}
