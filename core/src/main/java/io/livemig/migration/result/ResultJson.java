package io.livemig.migration.result;

import io.livemig.stream.PageKind;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.math.BigDecimal;
import java.math.RoundingMode;

/**
 * {@link MigrationResult#toJsonTree()}: the result as a JSON tree. The field names and their nesting are a
 * published interface ({@code scripts/migrate --json}, docs/migrate.md): add fields, never rename or move one.
 * NaN and infinities, which JSON lacks, become {@code null}; whole numbers are written without a fraction,
 * others with three decimals. Stateless and thread-safe; reads a result that is no longer being filled.
 */
public final class ResultJson
{
    /** Thread-safe once configured; shared by every result. */
    static final ObjectMapper JSON = new ObjectMapper();

    private ResultJson()
    {
    }

    /** @return a new tree of {@code res}. */
    static ObjectNode tree(final MigrationResult res)
    {
        final ObjectNode o = JSON.createObjectNode();
        o.put("mode", res.mode);
        o.put("role", res.role);
        o.put("link", res.link);
        o.put("channels", res.channels);
        if (res.channelBytes == null)
        {
            o.putNull("channelBytes");
        }
        else
        {
            final ArrayNode a = o.putArray("channelBytes");
            for (final long b : res.channelBytes)
            {
                a.add(b);
            }
        }
        final ObjectNode cpu = o.putObject("cpuMs");
        num(cpu, "migration", res.cpuMigrationMs);
        num(cpu, "senders", res.cpuSendersMs);
        num(cpu, "destination", res.cpuDestinationMs);
        num(cpu, "receivers", res.cpuReceiversMs);
        o.put("policy", res.policy);
        final ObjectNode t = o.putObject("tracker");
        t.put("kind", res.tracker);
        if (res.kernelFaults >= 0)
        {
            t.put("hugePages", res.kernelHugePages);
            t.put("faultsServed", res.kernelFaults);
        }
        if (res.ringSize > 0)
        {
            t.put("ringSize", res.ringSize);
            t.put("pushes", res.ringPushes);
            t.put("stalls", res.ringStalls);
            num(t, "stallMs", res.ringStallMs);
        }
        o.put("memoryBytes", res.memoryBytes);
        o.put("pageSize", res.pageSize);
        o.put("bandwidth", res.bandwidth);
        o.put("downtimeLimitMs", res.downtimeLimitMs);
        o.put("converged", res.converged);
        o.put("reason", res.reason);
        o.put("error", res.error);
        num(o, "totalMs", res.totalMs);
        num(o, "setupMs", res.setupMs);
        num(o, "downtimeMs", res.downtimeMs);
        num(o, "postcopyMs", res.postcopyMs);
        o.put("rounds", res.rounds);
        o.put("wireBytes", res.wireBytes);
        final ObjectNode p = o.putObject("pages");
        p.put("zero", res.pages[PageKind.ZERO.ordinal()]);
        p.put("normal", res.pages[PageKind.NORMAL.ordinal()]);
        p.put("xbzrle", res.pages[PageKind.XBZRLE.ordinal()]);
        p.put("lz4", res.pages[PageKind.LZ4.ordinal()]);
        p.put("unchanged", res.pages[PageKind.UNCHANGED.ordinal()]);
        final ObjectNode x = o.putObject("xbzrle");
        x.put("cacheMiss", res.xbzrleCacheMiss);
        num(x, "cacheMissRate", res.xbzrleCacheMissRate);
        x.put("overflow", res.xbzrleOverflow);
        num(x, "encodingRate", res.xbzrleEncodingRate);
        o.put("throttlePct", res.throttlePercent);
        final ObjectNode f = o.putObject("faults");
        f.put("gate", res.faultGate);
        f.put("count", res.faults);
        num(f, "p50Us", res.faultP50Us);
        num(f, "p99Us", res.faultP99Us);
        num(f, "maxUs", res.faultMaxUs);
        f.put("requestedPages", res.requestedPages);
        f.put("prepagedPages", res.prepagedPages);
        f.put("pushedPages", res.pushedPages);
        final ObjectNode w = o.putObject("writesPerSec");
        num(w, "before", res.writesPerSecBefore);
        num(w, "during", res.writesPerSecDuring);
        num(w, "postcopy", res.writesPerSecPostcopy);
        num(w, "after", res.writesPerSecAfter);
        final ObjectNode v = o.putObject("vcpuWritesPerSec");
        rates(v, "before", res.vcpuWritesPerSecBefore);
        rates(v, "during", res.vcpuWritesPerSecDuring);
        rates(v, "after", res.vcpuWritesPerSecAfter);
        final ObjectNode th = o.putObject("throttle");
        th.put("autoConverge", res.autoConverge);
        th.put("dirtyLimitBytesPerSec", res.dirtyLimitBytesPerSecond);
        th.put("dirtyLimitTriggered", res.dirtyLimitTriggered);
        o.put("verified", res.verified);
        final ArrayNode m = o.putArray("mismatchPages");
        res.mismatchPages.forEach(m::add);
        o.put("sweepViolation", res.sweepViolation);
        if (res.digestAlgorithm == null)
        {
            o.putNull("digest");
        }
        else
        {
            final ObjectNode d = o.putObject("digest");
            d.put("algorithm", res.digestAlgorithm);
            d.put("pages", res.digestPages);
            d.put("source", res.digestSource);
            d.put("destination", res.digestDestination);
            num(d, "hashMs", res.digestHashMs);
        }
        final ArrayNode r = o.putArray("roundStats");
        res.roundStats.forEach(s -> s.toJson(r.addObject()));
        o.put("status", res.error != null ? MigrationResult.FAILED : res.status);
        if (res.failurePhase == null && res.failureReason == null)
        {
            o.putNull("failure");
        }
        else
        {
            final ObjectNode fail = o.putObject("failure");
            fail.put("phase", res.failurePhase);
            fail.put("reason", res.failureReason);
        }
        o.put("guestRunsOn", res.guestRunsOn);
        o.put("downtimeOverLimit", res.downtimeOverLimit);
        if (res.recoveryPauses == 0 && Double.isNaN(res.recoveryCutAtMs))
        {
            o.putNull("recovery");
        }
        else
        {
            final ObjectNode rc = o.putObject("recovery");
            num(rc, "cutAtMs", res.recoveryCutAtMs);
            rc.put("pauses", res.recoveryPauses);
            num(rc, "pausedMs", res.recoveryPausedMs);
            num(rc, "maxPauseMs", res.recoveryMaxPauseMs);
            rc.put("resentPages", res.recoveryResentPages);
            rc.put("lostRequests", res.recoveryLostRequests);
            faults(rc.putObject("faultsBeforeCut"), res.recoveryFaultsBefore);
            faults(rc.putObject("faultsAfterCut"), res.recoveryFaultsAfter);
        }
        if (res.jdk == null && res.codecPath == null && res.kernelPath == null && res.startupPath == null &&
            res.warmUp == null)
        {
            o.putNull("paths");
        }
        else
        {
            final ObjectNode pa = o.putObject("paths");
            pa.put("jdk", res.jdk);
            pa.put("codec", res.codecPath);
            pa.put("kernel", res.kernelPath);
            pa.put("startup", res.startupPath);
            pa.put("warmUp", res.warmUp);
            num(pa, "warmUpMs", res.warmUpMs);
        }
        if (Double.isNaN(res.baselineCopyMs))
        {
            o.putNull("baselineCopy");
        }
        else
        {
            final ObjectNode b = o.putObject("baselineCopy");
            num(b, "ms", res.baselineCopyMs);
            b.put("bytes", res.baselineCopyBytes);
            num(b, "gbPerSecond", res.baselineCopyBytes / (res.baselineCopyMs * 1e6));
        }
        final ObjectNode tls = o.putObject("tls");
        tls.put("enabled", res.tls);
        tls.put("protocol", res.tlsProtocol);
        tls.put("cipherSuite", res.tlsCipherSuite);
        tls.put("peer", res.tlsPeer);
        tls.put("sessions", res.tlsSessions);
        num(tls, "handshakeMs", res.tlsHandshakeMs);
        tls.put("resumed", res.tlsResumed);
        o.put("refusedConnections", res.refusedConnections);
        final ObjectNode pre = o.putObject("postcopyPreempt");
        pre.put("enabled", res.postcopyPreempt);
        pre.put("pages", res.preemptPages);
        pre.put("bytes", res.preemptBytes);
        faults(pre.putObject("faultsByPush"), res.faultsByPush);
        faults(pre.putObject("faultsByPreempt"), res.faultsByPreempt);
        return o;
    }

    /** Puts a JSON number; NaN and infinities, which JSON lacks, become {@code null}. */
    public static void num(final ObjectNode node, final String name, final double v)
    {
        if (Double.isNaN(v) || Double.isInfinite(v))
        {
            node.putNull(name);
        }
        else if (v == Math.rint(v) && Math.abs(v) < 1e15)
        {
            node.put(name, (long)v);
        }
        else
        {
            node.put(name, BigDecimal.valueOf(v).setScale(3, RoundingMode.HALF_EVEN));
        }
    }

    private static void faults(final ObjectNode node, final double[] f)
    {
        num(node, "count", f[0]);
        num(node, "p50Us", f[1]);
        num(node, "p99Us", f[2]);
        num(node, "maxUs", f[3]);
    }

    private static void rates(final ObjectNode node, final String name, final double[] rates)
    {
        if (rates == null)
        {
            node.putNull(name);
            return;
        }
        final ArrayNode a = node.putArray(name);
        for (final double r : rates)
        {
            if (Double.isNaN(r) || Double.isInfinite(r))
            {
                a.addNull();
            }
            else if (r == Math.rint(r) && Math.abs(r) < 1e15)
            {
                a.add((long)r);
            }
            else
            {
                a.add(BigDecimal.valueOf(r).setScale(3, RoundingMode.HALF_EVEN));
            }
        }
    }
}
