package io.livemig.bench.report.analysis;

import io.livemig.bench.report.result.JmhResult;
import io.livemig.bench.report.stats.Metric;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Only a full run whose every result ran its class's full-preset forks, and whose every planned run left a result,
 * is publishable.
 */
class PublicationTest
{
    private static JmhResult result(final String benchmark, final String mode, final int forks)
    {
        return new JmhResult("io.livemig.bench." + benchmark, mode, 1, forks, Map.of(),
            new Metric(1, 0.1, 0.9, 1.1, "ns/op", List.of()), Map.of(), "");
    }

    @Test
    void aFullRunWithThePresetsForksIsPublishableAndOneWithFewerIsNot()
    {
        final List<JmhResult> ok = List.of(result("codec.XbzrleEncodeBenchmark.encode", "avgt", 5),
            result("codec.XbzrleDecodeBenchmark.decode", "avgt", 3),
            result("migration.MigrationBenchmark.migrate", "ss", 4));
        assertEquals("**Publishable**: every result ran at least the forks the full preset gives its class.",
            Publication.verdict(ok, "full"));
        // the published runs of 2026-11-28 passed -f 3 to full
        final List<JmhResult> three = List.of(result("codec.XbzrleEncodeBenchmark.encode", "avgt", 3),
            result("codec.XbzrleEncodeBenchmark.qemuEncode", "avgt", 3),
            result("dirty.HarvestBenchmark.flat", "avgt", 3), result("codec.XbzrleDecodeBenchmark.decode", "avgt", 3));
        assertEquals("**Not publishable**: 3 of 4 results ran fewer forks than the full preset gives their class " +
            "(XbzrleEncodeBenchmark 3 of 5, HarvestBenchmark 3 of 4 forks); its verdicts are for development, not for " +
            "quoting.", Publication.verdict(three, "full"));
        assertEquals("**Not for publication**: the quick preset runs one fork per benchmark; publish figures from a " +
            "`full` run.", Publication.verdict(ok, "quick"));
        // a fork killed after it hung: the plan held four runs, three left results
        assertEquals("**Not publishable**: 1 of 4 planned benchmark runs left no result (a fork failed, or hung and " +
            "was killed; the runner's log names it), so this report is silent on those rows; its verdicts are for " +
            "development, not for quoting.", Publication.verdict(ok, "full", 4));
        assertEquals(Publication.verdict(ok, "full"), Publication.verdict(ok, "full", 3));
        assertEquals(5, Publication.presetForks(result("dirty.MarkBenchmark.sameWord", "avgt", 1)));
        assertEquals(3, Publication.presetForks(result("migration.MigrationBenchmark.migrate", "bogus", 1)));
    }
}
