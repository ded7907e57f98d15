package io.livemig.bench.report.section;

import io.livemig.bench.report.result.JmhResult;
import io.livemig.bench.report.stats.Metric;
import io.livemig.bench.report.stats.Verdict;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The report's "Software vs kernel faults" section, from synthetic results: the rows with and without preempt,
 * the floor beside them, issue 23's goals read with their intervals, and the skipped line.
 */
class PostcopyFaultsReportTest
{
    /** @return an aux counter of single shots, one array per fork; its JMH score is their sum, without interval. */
    private static Metric counter(final double[]... forks)
    {
        final List<List<Double>> raw = new ArrayList<>();
        double sum = 0;
        for (final double[] fork : forks)
        {
            final List<Double> values = new ArrayList<>();
            for (final double v : fork)
            {
                values.add(v);
                sum += v;
            }
            raw.add(values);
        }
        return new Metric(sum, Double.NaN, sum, sum, "#", raw);
    }

    /** @return 3 forks of 3 shots: {@code v * (1 - spread)}, {@code v}, {@code v * (1 + spread)} in each. */
    private static Metric shots(final double v, final double spread)
    {
        final double[] fork = {v * (1 - spread), v, v * (1 + spread)};
        return counter(fork, fork, fork);
    }

    private static JmhResult result(final String method, final String link, final String guest, final String bandwidth,
                                    final boolean preempt, final Map<String, Metric> counters)
    {
        final Map<String, Metric> all = new HashMap<>(Map.of("faults", shots(200, 0), "faultMaxUs", shots(5000, 0),
            "floorP50Us", shots(3, 0), "floorP99Us", shots(20, 0), "loadedFloorP50Us", shots(7, 0),
            "loadedFloorP99Us", shots(50, 0)));
        if (preempt)
        {
            all.put("faultsByPreempt", shots(180, 0));
            all.put("faultsByPreemptP99Us", shots(250, 0));
        }
        all.putAll(counters);
        return new JmhResult("io.livemig.bench.migration.PostcopyFaultsBenchmark." + method, "ss", 1, 3,
            Map.of("link", link, "guest", guest, "bandwidth", bandwidth, "preempt", String.valueOf(preempt)),
            new Metric(300, 0, 300, 300, "ms/op", List.of()), all, "");
    }

    private static Map<String, Metric> figures(final double p50Us, final double p99Us, final double postcopyMs,
                                               final double spread)
    {
        return Map.of("faultP50Us", shots(p50Us, spread), "faultP99Us", shots(p99Us, spread), "postcopyMs",
            shots(postcopyMs, spread));
    }

    private static String render(final List<JmhResult> results)
    {
        final StringBuilder md = new StringBuilder();
        PostcopyFaultsReport.section(md, results, Map.of());
        return md.toString();
    }

    @Test
    void rowsShowEachPreemptValueBesideItsFloor()
    {
        final String text = render(List.of(
            result("softwareFaults", "memory", "16m", "256m", false, figures(400, 3000, 53, 0)),
            result("softwareFaults", "memory", "16m", "256m", true, figures(40, 300, 53, 0))));
        assertTrue(text.contains("| software | memory | 16m | 256m | off | 200.0 | 400.0 µs [400.0, 400.0] | " +
            "3.000 ms [3.000, 3.000] | 5.000 ms [5.000, 5.000] | – | 53.00 ms [53.00, 53.00] | 3.000 µs [3.000, 3.000] | " +
            "20.00 µs [20.00, 20.00] | 7.000 µs [7.000, 7.000] | 50.00 µs [50.00, 50.00] |"), text);
        assertTrue(text.contains("| software | memory | 16m | 256m | on | 200.0 | 40.00 µs [40.00, 40.00] | " +
            "300.0 µs [300.0, 300.0] | 5.000 ms [5.000, 5.000] | 180.0 (p99 250.0 µs [250.0, 250.0]) |"), text);
        assertTrue(text.indexOf("| 256m | off |") < text.indexOf("| 256m | on |"), "the baseline first");
        assertTrue(text.contains("12.1 ms without the preempt channel and 0.5 ms with it"), text);
    }

    @Test
    void rowsRunInOrderOfFaultsLinkGuestAndBandwidth()
    {
        final List<JmhResult> results = new ArrayList<>();
        for (final String guest : List.of("256m", "16m"))
        {
            for (final String bandwidth : List.of("1g", "256m"))
            {
                results.add(result("softwareFaults", "tcp", guest, bandwidth, true, figures(40, 300, 53, 0.1)));
                results.add(result("kernelFaults", "memory", guest, bandwidth, false, figures(40, 300, 53, 0.1)));
            }
        }
        assertEquals(List.of("softwareFaults tcp 16m 256m", "softwareFaults tcp 16m 1g", "softwareFaults tcp 256m 256m",
                "softwareFaults tcp 256m 1g", "kernelFaults memory 16m 256m", "kernelFaults memory 16m 1g",
                "kernelFaults memory 256m 256m", "kernelFaults memory 256m 1g"),
            PostcopyFaultsReport.settings(results).stream().map(s -> s.method() + " " + s.link() + " " + s.guest() + " " +
                s.bandwidth()).toList());
    }

    @Test
    void goalsAreMetOnlyWhenTheirIntervalClearsThem()
    {
        final List<PostcopyFaultsReport.Goal> goals = PostcopyFaultsReport.goals(List.of(
            result("softwareFaults", "memory", "16m", "256m", false, figures(480, 3400, 53, 0.01)),
            result("softwareFaults", "memory", "16m", "256m", true, figures(45, 300, 53.5, 0.01)),
            result("softwareFaults", "tcp", "256m", "1g", false, figures(180, 1000, 200, 0.01)),
            result("softwareFaults", "tcp", "256m", "1g", true, figures(60, 900, 300, 0.01))));
        assertEquals(List.of("(a) p99 with ÷ without preempt ≤ 0.3 memory", "(a) p99 with ÷ without preempt ≤ 0.3 tcp",
            "(b) p50 with preempt ≤ 100 µs memory", "(c) post-copy time with ÷ without preempt ≤ 1.05 memory",
            "(c) post-copy time with ÷ without preempt ≤ 1.05 tcp"),
            goals.stream().map(g -> g.goal() + " " + g.setting().link()).toList(), "(b) at 256 MiB/s only");
        assertEquals(List.of(Verdict.Kind.MET, Verdict.Kind.SHORT, Verdict.Kind.MET, Verdict.Kind.MET, Verdict.Kind.SHORT),
            goals.stream().map(g -> g.verdict().kind()).toList(), goals.toString());
        assertEquals("50.00 µs [50.00, 50.00]", goals.get(0).floor(), "p99's floor under load beside (a)");
        assertEquals("7.000 µs [7.000, 7.000]", goals.get(2).floor(), "p50's floor under load beside (b)");
        assertEquals("with 300.0, 300.0, 300.0; without 3400, 3400, 3400 (µs)", goals.get(0).forkMeans());
    }

    @Test
    void aGoalInsideItsIntervalIsUnresolvedAndSaysHowManyForks()
    {
        // p99 ratio 0.3 ± a wide spread: the goal lies inside the interval.
        final List<PostcopyFaultsReport.Goal> goals = PostcopyFaultsReport.goals(List.of(
            result("softwareFaults", "memory", "16m", "1g", false, figures(480, 1000, 53, 0.5)),
            result("softwareFaults", "memory", "16m", "1g", true, figures(45, 280, 53, 0.5))));
        assertEquals(Verdict.Kind.UNRESOLVED, goals.get(0).verdict().kind(), goals.get(0).toString());
        assertTrue(goals.get(0).verdict().detail().contains("more fork"), goals.get(0).verdict().detail());
    }

    @Test
    void aSingleShotPerSideHasNoIntervalAndIsUnresolved()
    {
        final JmhResult off = result("softwareFaults", "memory", "16m", "256m", false, Map.of("faultP50Us",
            counter(new double[] {480}), "faultP99Us", counter(new double[] {3400}), "postcopyMs", counter(new double[] {53})));
        final JmhResult on = result("softwareFaults", "memory", "16m", "256m", true, Map.of("faultP50Us",
            counter(new double[] {40}), "faultP99Us", counter(new double[] {300}), "postcopyMs", counter(new double[] {53})));
        final List<PostcopyFaultsReport.Goal> goals = PostcopyFaultsReport.goals(List.of(off, on));
        assertEquals(3, goals.size());
        for (final PostcopyFaultsReport.Goal g : goals)
        {
            assertEquals(Verdict.Kind.UNRESOLVED, g.verdict().kind(), g.toString());
            assertEquals("no interval (a single iteration)", g.verdict().detail());
        }
        final String text = render(List.of(off, on));
        assertTrue(text.contains("Verdicts: 3 unresolved (of 3)."), text);
    }

    @Test
    void resultsFromBeforeIssue23ReadAsTheOldScenarioWithoutGoals()
    {
        final JmhResult old = new JmhResult("io.livemig.bench.migration.PostcopyFaultsBenchmark.softwareFaults", "ss",
            1, 1, Map.of("link", "memory"), new Metric(300, 0, 300, 300, "ms/op", List.of()),
            Map.of("faults", counter(new double[] {10, 30}), "faultP50Us", counter(new double[] {400, 400}),
                "faultP99Us", counter(new double[] {11_000, 11_000}), "faultMaxUs", counter(new double[] {22_000, 22_000}),
                "postcopyMs", counter(new double[] {100, 200})), "");
        final String text = render(List.of(old));
        // Two shots of one fork: Student's t at 1 degree of freedom makes the post-copy interval very wide.
        assertTrue(text.contains("| software | memory | 16m | 256m | off | 20.00 | 400.0 µs [400.0, 400.0] | " +
            "11.00 ms [11.00, 11.00] | 22.00 ms [22.00, 22.00] | – | 150.0 ms [0, 31981] | – | – |"), text);
        assertTrue(text.contains("_Issue 23's goals: this run has no row with and without preempt"), text);
        assertFalse(text.contains("| kernel |"), text);
    }

    @Test
    void kernelNotMeasuredSaysWhy()
    {
        final StringBuilder md = new StringBuilder();
        PostcopyFaultsReport.section(md, List.of(result("softwareFaults", "memory", "16m", "256m", false,
            figures(400, 11_000, 53, 0))), Map.of(
            "kernel.skipped", "PostcopyFaultsBenchmark.kernelFaults not measured: kernel faults unavailable: JDK 17 < 22"));
        assertTrue(md.toString().contains("_Kernel faults not measured in this run: PostcopyFaultsBenchmark.kernelFaults " +
            "not measured: kernel faults unavailable: JDK 17 < 22"), md.toString());
    }
}
