package io.livemig.bench.report.section;

import io.livemig.bench.report.analysis.GranularityAnalysis;
import io.livemig.bench.report.result.JmhResult;
import io.livemig.bench.report.stats.Metric;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The crossover and the write-cost table of the report's "Dirty trackers" section, from synthetic results. */
class DirtyTrackersTest
{
    private static JmhResult result(final String benchmark, final Map<String, String> params, final double score,
                                    final String unit)
    {
        return new JmhResult("io.livemig.bench.dirty." + benchmark, "avgt", 1, 1, params,
            new Metric(score, 0, score, score, unit, List.of()), Map.of(), "500 ms");
    }

    @Test
    void crossoverIsInterpolatedOnLogLogBetweenTheMeasuredPoints()
    {
        final List<JmhResult> results = new ArrayList<>();
        // flat grows with the guest (1, 16, 256 ms); the ring stays at 4 ms: equal at 64 GiB on log-log.
        final String[] guests = {"4g", "64g", "1t"};
        final double[] flat = {1, 4 * 4, 4 * 16};
        for (int i = 0; i < guests.length; i++)
        {
            results.add(result("CollectBenchmark.harvestFlat", Map.of("guest", guests[i], "dirtyPages", "4096"),
                flat[i] / 4, "ms/op"));
            results.add(result("CollectBenchmark.collectRing", Map.of("guest", guests[i], "dirtyPages", "4096"),
                4, "ms/op"));
        }
        // The sweep: ring cost grows in proportion to the dirty pages, flat fixed at 2 ms: ring below 1024 * sqrt 2.
        for (final int pages : new int[] {1024, 4096})
        {
            results.add(result("CollectSweepBenchmark.harvestFlat",
                Map.of("guest", "64g", "dirtyPages", String.valueOf(pages)), 2, "ms/op"));
            results.add(result("CollectSweepBenchmark.collectRing",
                Map.of("guest", "64g", "dirtyPages", String.valueOf(pages)), pages / 1024.0 * 1.414213562, "ms/op"));
        }
        final List<DirtyTrackers.Crossover> crossovers = DirtyTrackers.crossovers(results);
        assertEquals(2, crossovers.size(), crossovers.toString());
        assertEquals("dirtyPages=4096", crossovers.get(0).fixed());
        assertEquals("above", crossovers.get(0).ringWins());
        assertEquals(64, crossovers.get(0).x(), 1e-9, "ring 4 ms = flat 4 ms at 64 GiB");
        assertEquals("below", crossovers.get(1).ringWins());
        assertEquals(1024 * Math.sqrt(2), crossovers.get(1).x(), 1e-3);
        assertTrue(crossovers.get(1).text().contains("below about"), crossovers.get(1).text());
    }

    @Test
    void ringOnOneSideEverywhereSaysSo()
    {
        final TreeMap<Double, double[]> points = new TreeMap<>();
        points.put(1.0, new double[] {1, 2});
        points.put(16.0, new double[] {1, 3});
        final DirtyTrackers.Crossover c = DirtyTrackers.crossover("dirtyPages=4096", "guest size, GiB", points)
            .orElseThrow();
        assertTrue(Double.isNaN(c.x()));
        assertEquals("everywhere", c.ringWins());
        points.put(16.0, new double[] {1});
        assertTrue(DirtyTrackers.crossover("x", "y", new TreeMap<>(Map.of(1.0, new double[] {1, 2}))).isEmpty(),
            "one point is no crossover");
    }

    @Test
    void writeCostTableHasOneRowPerTrackerAndThePlainStore()
    {
        final List<JmhResult> results = List.of(
            result("MarkBenchmark.markFresh", Map.of("impl", "ring"), 12, "ns/op"),
            result("MarkBenchmark.markDirtyX2", Map.of("impl", "ring"), 3, "ns/op"),
            result("MarkBenchmark.baselinePlainStore", Map.of("impl", "atomic"), 1, "ns/op"));
        final String table = DirtyTrackers.writeCostTable(results).orElseThrow();
        assertTrue(table.contains("| dirty ring | 12.00 ns | – | – | 3.000 ns |"), table);
        assertTrue(table.contains("| plain store (no tracking) | 1.000 ns |"), table);
        assertTrue(DirtyTrackers.writeCostTable(List.of()).isEmpty());
    }

    @Test
    void throttleTableShowsEachThrottlesMeansPerShot()
    {
        final Map<String, Metric> counters = Map.of(
            "converged", new Metric(1, 0, 1, 1, "#", List.of(List.of(1.0), List.of(0.0))),
            "convergeMs", new Metric(0, 0, 0, 0, "#", List.of(List.of(6000.0), List.of(10000.0))),
            "writerLossPct", new Metric(0, 0, 0, 0, "#", List.of(List.of(40.0), List.of(60.0))),
            "computeLossPct", new Metric(0, 0, 0, 0, "#", List.of(List.of(-2.0), List.of(2.0))));
        final JmhResult r = new JmhResult("io.livemig.bench.migration.ThrottleBenchmark.migrate", "ss", 1, 2,
            Map.of("throttle", "dirty-limit"), new Metric(9000, 0, 9000, 9000, "ms/op", List.of()), counters, "");
        final String table = DirtyTrackers.throttleTable(List.of(r)).orElseThrow();
        assertTrue(table.contains("| dirty-limit | 50.00 % of shots | 8.000 s | 50.00 % | 0 % | 2 |"), table);
        assertTrue(DirtyTrackers.throttleTable(List.of()).isEmpty());
    }

    private static JmhResult sweepPoint(final int pagesPerBit, final double ms, final double sentPages)
    {
        final Map<String, Metric> counters = Map.of(
            "sentPages", new Metric(sentPages, 0, sentPages, sentPages, "#", List.of()),
            "writtenPages", new Metric(64000, 0, 64000, 64000, "#", List.of()),
            "rounds", new Metric(1, 0, 1, 1, "#", List.of()));
        return new JmhResult("io.livemig.bench.dirty.GranularityBenchmark.harvestAndScan", "avgt", 1, 1,
            Map.of("pattern", "uniform", "pagesPerBit", String.valueOf(pagesPerBit)),
            new Metric(ms, 0, ms, ms, "ms/op", List.of()), counters, "100 ms");
    }

    @Test
    void ringGranularityChargesEachDirtyUnitItsMeasuredCost()
    {
        // 64000 pages written at random: 64000 units at 1 page per bit, 64000 units sending 64x the pages at 64.
        final List<JmhResult> results = new ArrayList<>(List.of(sweepPoint(1, 4, 64000),
            sweepPoint(64, 0.1, 64 * 64000)));
        assertTrue(GranularityAnalysis.ofRing(results, 1e15).isEmpty(), "no ring costs in the run");
        results.add(result("MarkBenchmark.markFresh", Map.of("impl", "ring"), 30, "ns/op"));
        results.add(result("MarkBenchmark.markFresh", Map.of("impl", "atomic"), 10, "ns/op"));
        results.add(result("CollectSweepBenchmark.collectRing", Map.of("guest", "256g", "dirtyPages", "1024"),
            1, "ms/op"));
        results.add(result("CollectSweepBenchmark.collectRing", Map.of("guest", "256g", "dirtyPages", "524288"),
            524288 * 10e-6, "ms/op"));
        // Per unit: 30 - 10 ns beyond a bitmap mark + 10 ns collect (at the largest count) = 30 ns.
        assertEquals(30e-9, GranularityAnalysis.ringUnitSeconds(results).orElseThrow(), 1e-15);
        final GranularityAnalysis ring = GranularityAnalysis.ofRing(results, 1e15).orElseThrow();
        final GranularityAnalysis.Sweep uniform = ring.sweeps().get(0);
        assertEquals(64000 * 30e-9, uniform.points().get(0).scanSeconds().value(), 1e-12, "64000 units x 30 ns");
        assertEquals(64000 * 30e-9, uniform.points().get(1).scanSeconds().value(), 1e-12, "as many dirty units");
        // Without transfer cost the bitmaps recommend 64 (cheaper scan), the ring 64 too (a tie, the coarsest).
        assertEquals(64, GranularityAnalysis.of(results, 1e15).sweeps().get(0).recommended().pagesPerBit());
        assertEquals(64, uniform.recommended().pagesPerBit());
        // At 10 Gbit/s the 64x amplification costs the ring as it costs the bitmaps: 1 page per bit.
        assertEquals(1, GranularityAnalysis.ofRing(results, 1.25e9).orElseThrow().sweeps().get(0).recommended()
            .pagesPerBit());
        assertTrue(ring.modelText().startsWith("dirty ring: cost per round = dirty units per round x 30.00 ns"),
            ring.modelText());
        assertTrue(ring.recommendationTable().contains("| ring work |"), ring.recommendationTable());
    }

    @Test
    void faultGranularityChargesEachDirtyUnitAFaultAndItsProtection()
    {
        // 64000 pages written at random, clustered so that 64 pages per bit dirties 1000 units (64x fewer).
        final List<JmhResult> results = new ArrayList<>(List.of(sweepPoint(1, 4, 64000),
            sweepPoint(64, 0.1, 64000)));
        assertTrue(GranularityAnalysis.ofFaults(results, 1e15).isEmpty(), "no kernel costs in the run");
        results.add(result("KernelTrackingBenchmark.firstWrite", Map.of("tracker", "uffd-wp"), 20_000, "ns/op"));
        results.add(result("KernelTrackingBenchmark.firstWrite", Map.of("tracker", "uffd-wp-async"), 1, "ns/op"));
        results.add(result("KernelTrackingBenchmark.harvest",
            Map.of("guestSize", "256m", "dirty", "0", "huge", "false"), 1_000_000, "ns/op"));
        results.add(result("KernelTrackingBenchmark.harvest",
            Map.of("guestSize", "256m", "dirty", "256", "huge", "false"), 1_000_000 + 256 * 10_000, "ns/op"));
        results.add(result("KernelTrackingBenchmark.harvest",
            Map.of("guestSize", "256m", "dirty", "256", "huge", "true"), 1, "ns/op"));
        // Per unit: a 20 us sync fault + 10 us to protect it again = 30 us.
        assertEquals(30e-6, GranularityAnalysis.faultUnitSeconds(results).orElseThrow(), 1e-12);
        final GranularityAnalysis faults = GranularityAnalysis.ofFaults(results, 1e15).orElseThrow();
        final GranularityAnalysis.Sweep uniform = faults.sweeps().get(0);
        assertEquals(64000 * 30e-6, uniform.points().get(0).scanSeconds().value(), 1e-9, "64000 units x 30 us");
        assertEquals(1000 * 30e-6, uniform.points().get(1).scanSeconds().value(), 1e-9, "1000 units x 30 us");
        assertEquals(64, uniform.recommended().pagesPerBit(), "coarser units pay a fault each: fewer faults win");
        assertTrue(faults.modelText().startsWith("kernel faults (uffd-wp): cost per round = dirty units per round x 30.00 us"),
            faults.modelText());
        assertTrue(faults.recommendationTable().contains("| fault work |"), faults.recommendationTable());
    }
}
