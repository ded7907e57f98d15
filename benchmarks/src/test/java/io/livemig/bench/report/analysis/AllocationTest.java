package io.livemig.bench.report.analysis;

import io.livemig.bench.report.result.JmhResult;
import io.livemig.bench.report.stats.Metric;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The B/op allowance: an epsilon per operation plus JMH's own per-iteration allocation spread over its operations. */
class AllocationTest
{
    private static JmhResult result(final String benchmark, final String mode, final double score, final String unit,
                                    final double bytesPerOp)
    {
        return new JmhResult("io.livemig.bench." + benchmark, mode, 1, 1, Map.of(),
            new Metric(score, 0, score, score, unit, List.of()),
            Map.of(JmhResult.ALLOC_NORM, new Metric(bytesPerOp, 0, bytesPerOp, bytesPerOp, "B/op", List.of())),
                "500 ms");
    }

    @Test
    void shortOperationsGetAboutHalfAByte()
    {
        // 100 ns per page over 0.5 s: 5 million operations, so JMH's 16 KiB adds 0.003 B/op.
        final JmhResult r = result("codec.ZeroPageBenchmark.isZero", "avgt", 100, "ns/op", 0.4);
        assertEquals(0.5 + 16384 / 5e6, Allocation.allowance(r), 1e-9);
        assertFalse(Allocation.check(r).get().allocates());
        assertTrue(Allocation.check(result("codec.ZeroPageBenchmark.isZero", "avgt", 100, "ns/op",
            16)).get().allocates());
    }

    @Test
    void longOperationsAndThroughputModeScaleTheAllowance()
    {
        // 5 ms per operation: 100 operations per 0.5 s iteration.
        assertEquals(0.5 + 163.84, Allocation.allowance(result("dirty.NextDirtyBenchmark.flat", "avgt", 5, "ms/op",
            0)), 1e-9);
        // 2 ops/us is 1 million operations per 0.5 s.
        assertEquals(0.5 + 16384 / 1e6, Allocation.allowance(result("dirty.MarkBenchmark.markFresh", "thrpt", 2,
            "ops/us", 0)), 1e-9);
        assertEquals(0.5 + 16384, Allocation.allowance(result("stream.PageStreamBenchmark.writeAndRead", "ss", 5,
            "ms/op", 0)), 1e-9);
    }

    @Test
    void baselinesAndNonHotClassesAreNotJudged()
    {
        assertTrue(Allocation.check(result("codec.ZeroPageBenchmark.baselineMemoryRead", "avgt", 100, "ns/op",
            99)).isEmpty());
        assertTrue(Allocation.check(result("dirty.ScalingBenchmark.scanFlat", "avgt", 1, "ms/op", 9999)).isEmpty());
        assertTrue(Allocation.check(result("dirty.GranularityBenchmark.harvestAndScan", "avgt", 1, "us/op",
            99)).isEmpty());
        assertTrue(Allocation.check(result("migration.MigrationBenchmark.migrate", "ss", 1, "ms/op", 99)).isEmpty());
    }
}
