package io.livemig.migration.source;

import io.livemig.codec.XbzrleStats;
import io.livemig.migration.link.RoleThreads;
import io.livemig.migration.result.MigrationResult;
import io.livemig.migration.wire.PageDigests;
import io.livemig.stream.PageKind;
import io.livemig.stream.write.PageStreamWriter;

import java.io.IOException;

/**
 * The source's finish: after COMPLETE, with digests on, the digests of every page of the stopped source ({@link
 * PageDigests}), the end of the forward stream and the destination's SHUT (then its digests, compared page by
 * page); after the run, the result's outcome and figures, from the session and every writer.
 *
 * <p>Not thread-safe: the source's migration thread runs it, after the page channels and the return-path
 * thread have been joined.
 */
final class SourceFinish
{
    private final SourceSession s;

    SourceFinish(final SourceSession session)
    {
        this.s = session;
    }

    /** After COMPLETE: the digests if any, the end of the forward stream, then the destination's SHUT. */
    void endStream() throws IOException
    {
        final long[] digests = s.options.digests() ? sendDigests() : null;
        s.link.finishSource();
        s.returnPath.join();
        final Throwable failure = s.returnPath.failure();
        if (failure != null)
        {
            throw new IOException("return path: " + failure.getMessage(), failure);
        }
        if (s.returnPath.shutCode() != 0)
        {
            throw new IOException("destination answered SHUT " + s.returnPath.shutCode());
        }
        if (digests != null)
        {
            s.result.digests(digests, s.returnPath.peerDigests(), s.result.digestHashMs);
        }
        s.streamFinished = true;
    }

    /** Sends the digests of every page of the stopped source; @return them. */
    private long[] sendDigests() throws IOException
    {
        final long t0 = System.nanoTime();
        final long[] digests = PageDigests.compute(s.memory);
        s.result.digestHashMs = (System.nanoTime() - t0) / 1e6;
        PageDigests.write(s.envOut, s.memory.pageSize(), digests);
        s.envOut.flush();
        return digests;
    }

    /** Before the destination's view joins the result: throttles off, the settings, the recovery figures. */
    void settle()
    {
        if (s.dirtyLimit != null)
        {
            s.dirtyLimit.close();
        }
        final MigrationResult r = s.result;
        r.dirtyLimitBytesPerSecond = s.options.dirtyLimit();
        r.autoConverge = s.options.autoConverge();
        if (s.cutNs != 0)
        {
            r.recoveryCutAtMs = (s.cutNs - s.startNs) / 1e6;
            r.recoveryPausedMs = s.pausedNanos / 1e6;
            r.recoveryMaxPauseMs = s.maxPauseNanos / 1e6;
            r.recoveryResentPages = Math.max(0, r.recoveryResentPages);
        }
    }

    /** The outcome: both sides' failures, when both failed (one side's failure usually breaks the other's link). */
    void outcome(final Throwable failure, final Throwable destinationFailure)
    {
        final MigrationResult r = s.result;
        if (failure != null || destinationFailure != null)
        {
            r.error = (failure == null ? "" : "source: " + RoleThreads.describe(failure)) +
                (failure != null && destinationFailure != null ? "; " : "") +
                (destinationFailure == null ? "" : "destination: " + RoleThreads.describe(destinationFailure));
        }
        if (r.error != null)
        {
            r.converged = false;
            r.status = MigrationResult.FAILED;
            r.failureReason = r.error;
            if (r.totalMs == 0)
            {
                r.totalMs = (System.nanoTime() - s.startNs) / 1e6; // a failed run's time: until it failed
            }
            if (r.failurePhase == null)
            {
                r.failurePhase = s.failurePhase();
            }
        }
        r.downtimeOverLimit = r.downtimeMs > s.options.downtimeLimitMs();
    }

    /** The figures: rounds, bytes and pages of every writer, XBZRLE, channels, throttle and the guest's rates. */
    void figures()
    {
        final MigrationResult r = s.result;
        r.rounds = r.roundStats.size();
        if (s.writer != null)
        {
            r.wireBytes = s.wireBytes();
            long lookups = 0;
            long xbzrlePages = 0;
            long xbzrleBytes = 0;
            for (final PageStreamWriter w : s.writers())
            {
                for (final PageKind kind : PageKind.values())
                {
                    r.pages[kind.ordinal()] += w.stats().pages(kind);
                }
                final XbzrleStats x = w.xbzrleStats();
                if (x != null)
                {
                    lookups += x.lookups();
                    xbzrlePages += x.pages();
                    xbzrleBytes += x.bytes();
                    r.xbzrleCacheMiss += x.cacheMiss();
                    r.xbzrleOverflow += x.overflow();
                }
            }
            r.xbzrleCacheMissRate = lookups == 0 ? 0.0 : (double)r.xbzrleCacheMiss / lookups;
            r.xbzrleEncodingRate = xbzrlePages == 0 || xbzrleBytes == 0 ? 0.0 :
                (double)xbzrlePages * s.memory.pageSize() / xbzrleBytes;
            r.channels = s.link.channels();
            if (s.preempt != null)
            {
                r.postcopyPreempt = true;
                r.preemptPages = s.preempt.pages();
                r.requestedPages += r.preemptPages; // requested pages the push's queue did not serve
                r.preemptBytes = s.preempt.wireBytes();
            }
            r.cpuSendersMs = 0;
            if (s.channels != null)
            {
                r.cpuSendersMs = s.channels.cpuMs();
                r.channelBytes = s.channels.channelBytes();
            }
        }
        r.throttlePercent = s.workload == null ? 0 : s.workload.throttlePercent();
        if (s.workload != null)
        {
            s.workload.setThrottlePercent(0); // as QEMU stops the CPU throttle once migration ends
        }
        if (s.stopNs > s.startNs && s.workload != null)
        {
            r.writesPerSecDuring = (s.writesAtStop - s.writesAtStart) / ((s.stopNs - s.startNs) / 1e9);
            r.vcpuWritesPerSecDuring = MigrationResult.rates(s.vcpuWritesAtStart, s.vcpuWritesAtStop,
                s.stopNs - s.startNs);
        }
    }
}
