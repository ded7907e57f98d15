package io.livemig.migration.result;

import io.livemig.stream.PageKind;

import java.util.Locale;

/**
 * {@link MigrationResult#summary()}: one line in the spirit of QEMU's {@code info migrate}. Stateless and
 * thread-safe; reads a result that is no longer being filled.
 */
final class ResultSummary
{
    private ResultSummary()
    {
    }

    /** @return {@code res} as one line. */
    static String of(final MigrationResult res)
    {
        final double throughputMbps = res.totalMs > 0 ? res.wireBytes * 8 / 1e6 / (res.totalMs / 1e3) : 0;
        final StringBuilder sb = new StringBuilder(256);
        sb.append("Migration status: ").append(res.error != null ? MigrationResult.FAILED : res.status)
            .append(res.converged ? " (converged)" : " (not converged)")
            .append(", mode: ").append(res.mode)
            .append("in-process".equals(res.role) ? "" : ", role: " + res.role)
            .append(", link: ").append(res.link)
            .append(res.tls ? ", tls: " + res.tlsProtocol + " " + res.tlsCipherSuite + " peer " + res.tlsPeer : "")
            .append(String.format(Locale.ROOT, ", total time: %.0f ms, downtime: %s, setup: %.1f ms", res.totalMs,
                Double.isNaN(res.downtimeMs) ? "measured by the source" : String.format(Locale.ROOT, "%.1f ms%s", res.downtimeMs,
                    res.downtimeOverLimit ? " (over the " + res.downtimeLimitMs + " ms limit)" : ""),
                res.setupMs))
            .append(", transferred ram: ").append(res.wireBytes / 1024).append(" kbytes")
            .append(String.format(Locale.ROOT, ", throughput: %.2f mbps", throughputMbps))
            .append(", dirty sync count: ").append(res.rounds)
            .append(", normal: ").append(res.pages[PageKind.NORMAL.ordinal()])
            .append(", zero: ").append(res.pages[PageKind.ZERO.ordinal()])
            .append(", xbzrle: ").append(res.pages[PageKind.XBZRLE.ordinal()])
            .append(", lz4: ").append(res.pages[PageKind.LZ4.ordinal()])
            .append(String.format(Locale.ROOT, ", cache miss rate: %.3f", res.xbzrleCacheMissRate))
            .append(", throttle: ").append(res.throttlePercent).append(" %")
            .append(", tracker: ").append(res.tracker);
        if (res.kernelFaults >= 0)
        {
            sb.append(" (").append(res.kernelHugePages ? "huge pages" : "4k pages").append(", ")
                .append(res.kernelFaults).append(" write faults served)");
        }
        if (res.ringSize > 0)
        {
            sb.append(String.format(Locale.ROOT, " (%d entries, %d pushes, %d stalls, %.1f ms stalled)",
                res.ringSize, res.ringPushes, res.ringStalls, res.ringStallMs));
        }
        if (res.dirtyLimitBytesPerSecond > 0)
        {
            sb.append(String.format(Locale.ROOT, ", dirty-limit: %.1f MB/s per vCPU (%s)",
                res.dirtyLimitBytesPerSecond / 1e6, res.dirtyLimitTriggered ? "triggered" : "not triggered"));
        }
        if (res.vcpuWritesPerSecDuring != null)
        {
            sb.append(", vcpu writes/s before ").append(rateList(res.vcpuWritesPerSecBefore))
                .append(" during ").append(rateList(res.vcpuWritesPerSecDuring))
                .append(" after ").append(rateList(res.vcpuWritesPerSecAfter));
        }
        if (res.faults > 0 || res.postcopyMs > 0)
        {
            sb.append(String.format(Locale.ROOT, ", postcopy: %.0f ms, %s faults: %d (p50 %.0f us, p99 %.0f us, max %.0f us)",
                res.postcopyMs, res.faultGate, res.faults, res.faultP50Us, res.faultP99Us, res.faultMaxUs));
        }
        if (res.postcopyPreempt)
        {
            sb.append(", preempt: ").append(res.preemptPages).append(" pages");
            if (!Double.isNaN(res.faultsByPreempt[0])) // the faults are the destination's to see
            {
                sb.append(" (faults by preempt ").append(faultFigures(res.faultsByPreempt)).append(", by push ")
                    .append(faultFigures(res.faultsByPush)).append(')');
            }
        }
        if (res.verified != null)
        {
            sb.append(", verified: ").append(res.verified);
        }
        if (res.digestAlgorithm != null)
        {
            sb.append(", digests: ").append(res.digestPages).append(" pages (").append(res.digestAlgorithm).append(", source ")
                .append(res.digestSource).append(", destination ").append(res.digestDestination)
                .append(String.format(Locale.ROOT, ", hashed here in %.1f ms)", res.digestHashMs));
        }
        if (res.recoveryPauses > 0)
        {
            sb.append(String.format(Locale.ROOT, ", recovered: %d pause(s), first cut at %.0f ms, paused %.1f ms " +
                "(longest %.1f ms)", res.recoveryPauses, res.recoveryCutAtMs, res.recoveryPausedMs, res.recoveryMaxPauseMs));
            if (res.recoveryResentPages >= 0)
            {
                sb.append(", resent ").append(res.recoveryResentPages).append(" pages");
            }
            if (!Double.isNaN(res.recoveryFaultsAfter[0]))
            {
                sb.append(String.format(Locale.ROOT, ", faults before the cut %.0f (p50 %.0f us, p99 %.0f us, max %.0f us)" +
                    ", after %.0f (p50 %.0f us, p99 %.0f us, max %.0f us)",
                    res.recoveryFaultsBefore[0], res.recoveryFaultsBefore[1], res.recoveryFaultsBefore[2], res.recoveryFaultsBefore[3],
                    res.recoveryFaultsAfter[0], res.recoveryFaultsAfter[1], res.recoveryFaultsAfter[2], res.recoveryFaultsAfter[3]));
            }
        }
        if (!Double.isNaN(res.baselineCopyMs))
        {
            sb.append(String.format(Locale.ROOT, ", plain copy of the same %d kbytes: %.0f ms (%.2f GB/s)",
                res.baselineCopyBytes / 1024, res.baselineCopyMs, res.baselineCopyBytes / (res.baselineCopyMs * 1e6)));
        }
        sb.append(", reason: ").append(res.reason);
        if (res.error != null)
        {
            sb.append(", error: ").append(res.error);
        }
        if (res.failurePhase != null)
        {
            sb.append(", failed in: ").append(res.failurePhase);
        }
        sb.append(", guest runs on: ").append(res.guestRunsOn);
        return sb.toString();    }

    /** @return {@code count (p50 X us, p99 Y us)} of a measured {count, p50, p99, max} array, {@code 0} with none. */
    private static String faultFigures(final double[] f)
    {
        return f[0] == 0 ? "0" :
            String.format(Locale.ROOT, "%.0f (p50 %.0f us, p99 %.0f us)", f[0], f[1], f[2]);
    }

    /** One-line list of per-vCPU rates, e.g. {@code [1200, 35]}; {@code -} when not measured. */
    static String rateList(final double[] rates)
    {
        if (rates == null)
        {
            return "-";
        }
        final StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < rates.length; i++)
        {
            sb.append(i > 0 ? ", " : "").append(String.format(Locale.ROOT, "%.0f", rates[i]));
        }
        return sb.append(']').toString();
    }}
