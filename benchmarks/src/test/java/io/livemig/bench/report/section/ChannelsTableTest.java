package io.livemig.bench.report.section;

import io.livemig.bench.report.result.JmhResult;
import io.livemig.bench.report.stats.Metric;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** The report's channels table: one row per guest and channel count, and the goal read from the written rows. */
class ChannelsTableTest
{
    private static JmhResult shot(final String fill, final String channels, final double gbps)
    {
        return result("migrate", Map.of("fill", fill, "channels", channels), gbps, 2.0);
    }

    private static JmhResult tlsShot(final String fill, final String channels, final double gbps, final double setupMs)
    {
        return result("migrate", Map.of("fill", fill, "channels", channels, "tls", "true",
            "suite", "TLS_AES_128_GCM_SHA256"), gbps, setupMs);
    }

    private static JmhResult rawCopy(final String channels, final double gbps)
    {
        return result("baselineLoopbackCopy", Map.of("channels", channels), gbps, 2.0);
    }

    private static JmhResult result(final String method, final Map<String, String> params, final double gbps,
        final double setupMs)
    {
        final Map<String, Metric> counters = Map.of(
            "gbPerSecond", new Metric(0, 0, 0, 0, "#", List.of(List.of(gbps, gbps))),
            "cpuSecondsPerGb", new Metric(0, 0, 0, 0, "#", List.of(List.of(0.75, 0.75))),
            "migrationCpuSecondsPerGb", new Metric(0, 0, 0, 0, "#", List.of(List.of(0.0, 0.0))),
            "sendersCpuSecondsPerGb", new Metric(0, 0, 0, 0, "#", List.of(List.of(0.25, 0.25))),
            "destinationCpuSecondsPerGb", new Metric(0, 0, 0, 0, "#", List.of(List.of(0.0, 0.0))),
            "receiversCpuSecondsPerGb", new Metric(0, 0, 0, 0, "#", List.of(List.of(0.5, 0.5))),
            "linkSetupMs", new Metric(0, 0, 0, 0, "#", List.of(List.of(setupMs, setupMs))));
        return new JmhResult("io.livemig.bench.migration.ChannelsBenchmark." + method, "ss", 1, 1,
            params, new Metric(400, 0, 400, 400, "ms/op", List.of()), counters, "");
    }

    @Test
    void rowsAndTheGoalVerdict()
    {
        final String shortOf = ChannelsTable.of(List.of(shot("0", "1", 9), shot("1.0", "1", 2.4),
            shot("1.0", "2", 1.5), rawCopy("1", 4.8))).orElseThrow();
        assertTrue(shortOf.contains("| written once | 1 | no | 2.400 | 0.5000 |  | 2.000 | 0.7500 | 0 | 0.2500 | 0 | " +
            "0.5000 | 2 |"), shortOf);
        assertTrue(shortOf.contains("| written once | 2 | no | 1.500 | n/a |"), "no baseline at 2 channels: " + shortOf);
        assertTrue(shortOf.contains("| raw copy (baseline) | 1 | no | 4.800 |  |"), shortOf);
        assertTrue(shortOf.contains("| idle | 1 | no |"), shortOf);
        assertTrue(shortOf.contains("with 1 channel(s): short by 20 %"), shortOf);
        final String met = ChannelsTable.of(List.of(shot("1.0", "4", 3.2))).orElseThrow();
        assertTrue(met.contains("with 4 channel(s): met"), met);
        assertTrue(ChannelsTable.of(List.of()).isEmpty());
    }

    @Test
    void tlsRowsSitBesideTheirClearTwinsAndTheHandshakesAreJudgedOnTheWorstShot()
    {
        final String t = ChannelsTable.of(List.of(shot("1.0", "2", 4.0), tlsShot("1.0", "2", 3.0, 12.0),
            shot("0", "2", 20), tlsShot("0", "2", 15, 30.0))).orElseThrow();
        assertTrue(t.contains("| written once | 2 | TLS_AES_128_GCM_SHA256 | 3.000 | n/a | 0.7500 | 12.00 |"), t);
        assertTrue(t.contains("written once, 2 channel(s): worst shot 12.00 ms against 2.000 ms in clear, +10.00 ms: met"), t);
        assertTrue(t.contains("idle, 2 channel(s): worst shot 30.00 ms against 2.000 ms in clear, +28.00 ms: short"), t);
    }
}
