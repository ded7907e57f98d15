package io.livemig.migration.destination;

import io.livemig.migration.link.RoleThreads;
import io.livemig.migration.postcopy.PostcopyGate;
import io.livemig.migration.result.MigrationResult;
import io.livemig.stream.PageKind;
import io.livemig.stream.read.PageStreamReader;
import org.HdrHistogram.Histogram;

/**
 * What the destination measured, put into a result: alone, its whole view of the migration; in one process,
 * the parts only it sees (post-copy's time and rates, fault latencies, recovery as its vCPUs saw it, CPU time).
 *
 * <p>Thread-safety: read after the destination's thread has ended, or, for the volatile instants, at any time.
 */
final class DestinationFigures
{
    private final DestinationSession s;

    DestinationFigures(final DestinationSession session)
    {
        this.s = session;
    }

    /**
     * Alone: role, status, total (from the envelope's header to the last page), post-copy figures and faults,
     * pages received by kind, bytes read, and with digests the verdict. Downtime is the source's to measure
     * (JSON null here).
     */
    MigrationResult whole()
    {
        final MigrationResult r = s.result;
        r.role = "destination";
        r.memoryBytes = s.memory.size();
        r.pageSize = s.memory.pageSize();
        r.downtimeMs = Double.NaN;
        final Throwable f = s.failure;
        r.error = f == null ? null : "destination: " + RoleThreads.describe(f);
        r.converged = f == null;
        if (f != null)
        {
            r.status = MigrationResult.FAILED;
            r.failurePhase = s.phase;
            r.failureReason = r.error + (s.guestDiscarded ? " (partial guest discarded)" : "");
        }
        r.guestRunsOn = s.resumeNs != 0 ? "destination" : "source";
        if (s.completeNs != 0)
        {
            r.totalMs = (s.completeNs - s.startNs) / 1e6;
        }
        else if (s.endNs != 0 && s.startNs != 0)
        {
            r.totalMs = (s.endNs - s.startNs) / 1e6; // a failed run's time: until it failed
        }
        r.wireBytes = s.wireBytes;
        for (final PageStreamReader rd : s.readers)
        {
            for (final PageKind kind : PageKind.values())
            {
                r.pages[kind.ordinal()] += rd.stats().pages(kind);
            }
        }
        r.channels = s.channelCount;
        if (s.channels != null)
        {
            r.channelBytes = new long[s.channelCount];
            for (int c = 0; c < s.channelCount; c++)
            {
                r.channelBytes[c] = s.channels.position(c);
            }
            for (final PageKind kind : PageKind.values())
            {
                r.pages[kind.ordinal()] += s.channels.pages(kind);
            }
        }
        for (final PreemptReceiver p : s.preempts)
        {
            r.postcopyPreempt = true;
            r.preemptPages += p.reader().stats().pagesSent();
            r.preemptBytes += p.position();
            for (final PageKind kind : PageKind.values())
            {
                r.pages[kind.ordinal()] += p.reader().stats().pages(kind);
            }
        }
        postcopy(r);
        recovery(r, s.startNs);
        cpu(r);
        return r;
    }

    /** Puts post-copy's time, the guest's rate during it and the fault latencies into {@code r}. */
    void postcopy(final MigrationResult r)
    {
        try
        {
            // Every page is here by now: let a vCPU that the last arrivals woke record its fault before the
            // histograms are read (bounded: a machine that does not schedule it within a second loses it).
            s.gate.awaitRecorded(1_000);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
        if (s.postcopyStarted && s.completeNs > s.resumeNs && s.resumeNs != 0)
        {
            r.postcopyMs = (s.completeNs - s.resumeNs) / 1e6;
            if (s.workload != null)
            {
                r.writesPerSecPostcopy = (s.writesAtComplete - s.writesAtResume) / ((s.completeNs - s.resumeNs) / 1e9);
            }
        }
        if (s.link.preempt())
        {
            // Before the total: a vCPU may still record a fault that ended at COMPLETE, and a record lands in its
            // connection's histogram and the total at once, so reading these first keeps their sum within it.
            latency(r.faultsByPush, s.gate.mergedLatencyBy(PostcopyGate.PUSH));
            latency(r.faultsByPreempt, s.gate.mergedLatencyBy(PostcopyGate.PREEMPT));
        }
        final Histogram faults = s.gate.mergedLatency();
        r.faults = faults.getTotalCount();
        r.faultGate = s.kernelFaults() ? "kernel" : "software";
        if (r.faults > 0)
        {
            r.faultP50Us = faults.getValueAtPercentile(50);
            r.faultP99Us = faults.getValueAtPercentile(99);
            r.faultMaxUs = faults.getMaxValue();
        }
    }

    /**
     * Puts this role's view of post-copy recovery into {@code r}: pauses (from the instant its reader saw the
     * cut to the instant a new link brought the source's header), the first cut's instant from {@code fromNs},
     * the page requests lost, and the fault latencies before and after the first cut.
     */
    void recovery(final MigrationResult r, final long fromNs)
    {
        final long cut = s.cutNs;
        if (cut == 0)
        {
            return;
        }
        r.recoveryCutAtMs = (cut - fromNs) / 1e6;
        r.recoveryPauses = s.pauses;
        r.recoveryPausedMs = s.pausedNanos / 1e6;
        r.recoveryMaxPauseMs = s.maxPauseNanos / 1e6;
        faultRecovery(r);
    }

    /** Puts what only this role sees of a recovery into {@code r}: lost requests, faults before and after the cut. */
    void faultRecovery(final MigrationResult r)
    {
        if (s.cutNs == 0)
        {
            return;
        }
        r.recoveryLostRequests = s.gate.lostRequests();
        latency(r.recoveryFaultsBefore, s.gate.mergedLatency(false));
        latency(r.recoveryFaultsAfter, s.gate.mergedLatency(true));
    }

    /** Puts the destination's CPU times into {@code r}. */
    void cpu(final MigrationResult r)
    {
        r.cpuDestinationMs = s.cpuMs;
        r.cpuReceiversMs = s.receiversCpuMs;
    }

    private static void latency(final double[] into, final Histogram h)
    {
        into[0] = h.getTotalCount();
        if (h.getTotalCount() > 0)
        {
            into[1] = h.getValueAtPercentile(50);
            into[2] = h.getValueAtPercentile(99);
            into[3] = h.getMaxValue();
        }
    }
}
