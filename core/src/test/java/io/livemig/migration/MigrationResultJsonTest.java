package io.livemig.migration;

import io.livemig.migration.result.MigrationResult;
import io.livemig.migration.result.RoundStats;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Pins {@code scripts/migrate --json}: the field names, their nesting and the number format are a published
 * interface (README), so a rename or a move must fail here, not in a user's script.
 */
class MigrationResultJsonTest
{
    /** Every field path of the JSON, in order, as it was when the hand-written writer was replaced. */
    private static final List<String> FIELDS = List.of(
        "mode", "role", "link", "channels", "channelBytes", "cpuMs", "cpuMs.migration", "cpuMs.senders",
        "cpuMs.destination", "cpuMs.receivers", "policy", "tracker", "tracker.kind", "tracker.ringSize", "tracker.pushes",
        "tracker.stalls", "tracker.stallMs", "memoryBytes", "pageSize", "bandwidth", "downtimeLimitMs", "converged",
        "reason", "error", "totalMs", "setupMs", "downtimeMs", "postcopyMs", "rounds", "wireBytes", "pages",
        "pages.zero", "pages.normal", "pages.xbzrle", "pages.lz4", "pages.unchanged", "xbzrle", "xbzrle.cacheMiss",
        "xbzrle.cacheMissRate", "xbzrle.overflow", "xbzrle.encodingRate", "throttlePct", "faults", "faults.gate", "faults.count",
        "faults.p50Us", "faults.p99Us", "faults.maxUs", "faults.requestedPages", "faults.prepagedPages",
        "faults.pushedPages", "writesPerSec", "writesPerSec.before", "writesPerSec.during", "writesPerSec.postcopy",
        "writesPerSec.after", "vcpuWritesPerSec", "vcpuWritesPerSec.before", "vcpuWritesPerSec.during",
        "vcpuWritesPerSec.after", "throttle", "throttle.autoConverge", "throttle.dirtyLimitBytesPerSec",
        "throttle.dirtyLimitTriggered", "verified", "mismatchPages", "sweepViolation", "digest", "digest.algorithm",
        "digest.pages", "digest.source", "digest.destination", "digest.hashMs", "roundStats", "roundStats.round",
        "roundStats.pagesSent", "roundStats.wireBytes", "roundStats.ms", "roundStats.dirtyPagesPerSec",
        "roundStats.remainingPages", "roundStats.throttlePct", "roundStats.bandwidthBytesPerSec",
        "roundStats.estimateBytes", "roundStats.thresholdBytes", "status", "failure", "failure.phase",
        "failure.reason", "guestRunsOn", "downtimeOverLimit", "recovery", "recovery.cutAtMs", "recovery.pauses",
        "recovery.pausedMs", "recovery.maxPauseMs", "recovery.resentPages", "recovery.lostRequests",
        "recovery.faultsBeforeCut", "recovery.faultsBeforeCut.count", "recovery.faultsBeforeCut.p50Us",
        "recovery.faultsBeforeCut.p99Us", "recovery.faultsBeforeCut.maxUs", "recovery.faultsAfterCut",
        "recovery.faultsAfterCut.count", "recovery.faultsAfterCut.p50Us", "recovery.faultsAfterCut.p99Us",
        "recovery.faultsAfterCut.maxUs", "paths", "paths.jdk", "paths.codec", "paths.kernel", "paths.startup",
        "paths.warmUp", "paths.warmUpMs", "baselineCopy", "baselineCopy.ms", "baselineCopy.bytes",
        "baselineCopy.gbPerSecond", "tls", "tls.enabled", "tls.protocol", "tls.cipherSuite", "tls.peer", "tls.sessions",
        "tls.handshakeMs", "tls.resumed", "refusedConnections", "postcopyPreempt", "postcopyPreempt.enabled", "postcopyPreempt.pages",
        "postcopyPreempt.bytes", "postcopyPreempt.faultsByPush", "postcopyPreempt.faultsByPush.count",
        "postcopyPreempt.faultsByPush.p50Us", "postcopyPreempt.faultsByPush.p99Us", "postcopyPreempt.faultsByPush.maxUs",
        "postcopyPreempt.faultsByPreempt", "postcopyPreempt.faultsByPreempt.count",
        "postcopyPreempt.faultsByPreempt.p50Us", "postcopyPreempt.faultsByPreempt.p99Us",
        "postcopyPreempt.faultsByPreempt.maxUs");

    @Test
    void fieldNamesAndNestingAreStable() throws Exception
    {
        final JsonNode j = new ObjectMapper().readTree(filled().toJson());
        final List<String> paths = new ArrayList<>();
        walk(j, "", paths);
        assertEquals(FIELDS, paths);
    }

    @Test
    void numbersKeepTheirFormat() throws Exception
    {
        final String json = filled().toJson();
        assertTrue(json.contains("\"totalMs\":1234.500,"), json);
        assertTrue(json.contains("\"setupMs\":12,"), json);
        assertTrue(json.contains("\"writesPerSec\":{\"before\":null,"), json);
        assertTrue(json.contains("\"vcpuWritesPerSec\":{\"before\":[1,2.250],\"during\":null,"), json);
        assertTrue(json.contains("\"verified\":true,\"mismatchPages\":[3,9],"), json);
        assertTrue(json.contains("\"error\":\"a \\\"quoted\\\" line\\n\""), json);
        assertTrue(!json.contains("\n"), "one line");
    }

    @Test
    void aResultWithoutOptionalPartsWritesNulls() throws Exception
    {
        final JsonNode j = new ObjectMapper().readTree(new MigrationResult().toJson());
        assertTrue(j.get("digest").isNull());
        assertTrue(j.get("recovery").isNull(), "no recovery object without a post-copy cut");
        assertTrue(j.get("verified").isNull());
        assertTrue(j.get("error").isNull());
        assertEquals("in-process", j.get("role").asText());
        assertEquals(1, j.get("channels").asInt());
        assertEquals(1, j.get("tracker").size(), "no ring fields without the ring");
        assertEquals("completed", j.get("status").asText());
        assertTrue(j.get("failure").isNull());
        assertEquals("destination", j.get("guestRunsOn").asText());
        assertTrue(j.get("paths").isNull(), "no paths unless the caller records its JVM's");
        assertTrue(j.get("baselineCopy").isNull(), "no baseline copy unless one ran");
    }

    private static MigrationResult filled()
    {
        final MigrationResult r = new MigrationResult();
        r.mode = "precopy";
        r.link = "tcp";
        r.ringSize = 64;
        r.totalMs = 1234.5;
        r.setupMs = 12;
        r.error = "a \"quoted\" line\n";
        r.recoveryPauses = 1;
        r.recoveryCutAtMs = 40;
        r.recoveryPausedMs = 12.25;
        r.vcpuWritesPerSecBefore = new double[] {1, 2.25};
        r.verified = true;
        r.mismatchPages.add(3L);
        r.mismatchPages.add(9L);
        r.digestAlgorithm = "xxh64";
        r.digestPages = 16;
        r.digestSource = "0123456789abcdef";
        r.digestDestination = "0123456789abcdef";
        r.roundStats.add(new RoundStats(0, 10, 40960, 1.5, 100, 5, 0, 1e9, 20480, 3e8));
        r.status = MigrationResult.FAILED;
        r.failurePhase = "precopy round 2";
        r.failureReason = "link cut";
        r.guestRunsOn = "source";
        r.jdk = "17.0.15";
        r.codecPath = "scalar path: why";
        r.kernelPath = "unavailable: why";
        r.startupPath = "no AOT cache: why";
        r.warmUp = "warm-up: 4 of 4 migrations";
        r.warmUpMs = 310.5;
        r.baselineCopyMs = 250;
        r.baselineCopyBytes = 1L << 30;
        return r;
    }

    private static void walk(final JsonNode node, final String prefix, final List<String> paths)
    {
        if (node.isArray())
        {
            if (node.size() > 0 && node.get(0).isObject())
            {
                walk(node.get(0), prefix, paths);
            }
            return;
        }
        for (final Iterator<String> it = node.fieldNames(); it.hasNext(); )
        {
            final String name = it.next();
            final String path = prefix.isEmpty() ? name : prefix + "." + name;
            paths.add(path);
            walk(node.get(name), path, paths);
        }
    }
}
