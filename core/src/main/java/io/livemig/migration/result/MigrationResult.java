package io.livemig.migration.result;

import io.livemig.migration.tls.TlsSession;
import io.livemig.migration.wire.PageDigests;
import io.livemig.stream.PageKind;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The outcome of one migration: whether and why it converged, its times (total, setup, downtime from vCPU
 * stop to destination resume), rounds with their dirty rates, wire bytes and pages by kind, XBZRLE cache
 * figures, the final throttle, post-copy fault latencies, guest progress before, during and after, and the
 * verification verdict. {@link #summary()} gives one line in the spirit of QEMU's {@code info migrate};
 * {@link #toJson()} one JSON object.
 *
 * <p>A plain record of figures. The roles fill its public fields directly, each on its own thread (the source
 * role on its migration thread, the destination role on its own, joined before the result is returned), and
 * the caller reads it through the accessors once {@code run()} has returned it; after that it is effectively
 * immutable. Not thread-safe for concurrent filling.
 */
public final class MigrationResult
{
    /** {@link #status()} of a migration that moved the guest. */
    public static final String COMPLETED = "completed";
    /** {@link #status()} of a migration that did not. */
    public static final String FAILED = "failed";

    /** Most mismatching pages listed in a result. */
    public static final int MAX_MISMATCHES = 8;

    public String mode = "";
    /** {@code source}, {@code destination} or {@code in-process}. */
    public String role = "in-process";
    public int channels = 1;
    /** CPU time of the threads, ms: the source's migration thread and page senders, the destination's thread and page receivers (NaN: not this side's). */
    public double cpuMigrationMs = Double.NaN;
    public double cpuSendersMs = Double.NaN;
    public double cpuDestinationMs = Double.NaN;
    public double cpuReceiversMs = Double.NaN;
    /** Wire bytes of each page channel (this side's), or null with one channel. */
    public long[] channelBytes;
    /** TLS 1.3 on every connection of this migration; the fields below are the main connection's handshake. */
    public boolean tls;
    public String tlsProtocol;
    public String tlsCipherSuite;
    /** The peer certificate's subject, RFC 2253. */
    public String tlsPeer;
    /** Handshakes this side completed: the main connection, each page channel, each reconnect. */
    public int tlsSessions;
    /** Of {@link #tlsSessions}, the handshakes that resumed a session (TLS 1.3 PSK). */
    public int tlsResumed;
    public double tlsHandshakeMs = Double.NaN;
    /** The destination in another process: connections it closed without letting them join (bad TLS, stray). */
    public long refusedConnections;
    /** Post-copy's requested pages had a preempt connection of their own. */
    public boolean postcopyPreempt;
    /** Pages and bytes (page stream records, MEM_SIZE and EOS included) sent on the preempt connection. */
    public long preemptPages;
    public long preemptBytes;
    /** Faults whose page came on the forward stream (the push), and on the preempt connection: count, p50, p99, max (us). */
    public final double[] faultsByPush = {Double.NaN, Double.NaN, Double.NaN, Double.NaN};
    public final double[] faultsByPreempt = {Double.NaN, Double.NaN, Double.NaN, Double.NaN};
    /** Digest exchange: the hash's name, or null when digests were not exchanged. */
    public String digestAlgorithm;
    public long digestPages;
    /** Each side's digest of the whole guest (a hash of its page hashes), 16 hex digits. */
    public String digestSource;
    public String digestDestination;
    /** Milliseconds this side spent hashing its pages (a destination's pre-copy share lies inside the downtime). */
    public double digestHashMs;
    public String link = "";
    public String policy = "";
    public long memoryBytes;
    public int pageSize;
    public long bandwidth;
    public long downtimeLimitMs;
    public boolean converged;
    public String reason = "";
    public String error;
    /** {@code completed} or {@code failed}. */
    public String status = COMPLETED;
    /** Where the migration was when it failed ({@code setup}, {@code precopy round K}, {@code stop-and-copy}, {@code postcopy}), or null. */
    public String failurePhase;
    /** Why it failed, or null. */
    public String failureReason;
    /** Which side runs the guest afterwards: {@code source} or {@code destination} (in one process {@code both} or {@code neither} would be a bug). */
    public String guestRunsOn = "destination";
    /** The downtime exceeded its limit (a forced stop-and-copy, {@code --on-give-up stop}). */
    public boolean downtimeOverLimit;
    public double totalMs;
    public double setupMs;
    public double downtimeMs;
    public double postcopyMs;
    public int rounds;
    public long wireBytes;
    public final long[] pages = new long[PageKind.count()];
    public long xbzrleCacheMiss;
    public double xbzrleCacheMissRate;
    public long xbzrleOverflow;
    public double xbzrleEncodingRate;
    public int throttlePercent;
    public long faults;
    public String faultGate = "software";
    public double faultP50Us;
    public double faultP99Us;
    public double faultMaxUs;
    public long requestedPages;
    public long prepagedPages;
    public long pushedPages;
    public String tracker = "summary";
    public boolean kernelHugePages;
    public long kernelFaults = -1;
    public int ringSize;
    public long ringPushes;
    public long ringStalls;
    public double ringStallMs;
    public long dirtyLimitBytesPerSecond;
    public boolean dirtyLimitTriggered;
    public boolean autoConverge;
    public double[] vcpuWritesPerSecBefore;
    public double[] vcpuWritesPerSecDuring;
    public double[] vcpuWritesPerSecAfter;
    public double writesPerSecBefore = Double.NaN;
    public double writesPerSecDuring = Double.NaN;
    public double writesPerSecPostcopy = Double.NaN;
    public double writesPerSecAfter = Double.NaN;
    public Boolean verified;
    public final List<Long> mismatchPages = new ArrayList<>();
    public long sweepViolation = -1;
    public final List<RoundStats> roundStats = new ArrayList<>();
    /** Post-copy recovery: pauses recovered from (0: no cut in post-copy, JSON {@code recovery: null}). */
    public int recoveryPauses;
    /** Milliseconds from the start to the first cut in post-copy. */
    public double recoveryCutAtMs = Double.NaN;
    /** Milliseconds paused in all (each pause: from its cut to post-copy resumed over a new link), and the longest. */
    public double recoveryPausedMs;
    public double recoveryMaxPauseMs;
    /** Pages the source sent again after recovery: those the destination's received bitmap lacked. */
    public long recoveryResentPages = -1;
    /** Page requests that a cut lost (asked again after recovery); -1: not this side's. */
    public long recoveryLostRequests = -1;
    /** Fault latencies of faults that ended before, and after, the first cut: count, p50, p99, max (us). */
    public final double[] recoveryFaultsBefore = {Double.NaN, Double.NaN, Double.NaN, Double.NaN};
    public final double[] recoveryFaultsAfter = {Double.NaN, Double.NaN, Double.NaN, Double.NaN};
    /**
     * The paths this side's JVM ran, one line each, or null where the caller did not record them
     * ({@code scripts/migrate} does; JSON {@code paths: null}): the JDK's version, the codecs' path (SIMD or
     * scalar, and why: {@code io.livemig.codec.Simd.description()}) and the kernel trackers' (FFM bindings
     * loaded, or why not: {@code io.livemig.kernel.KernelTracking.description()}).
     */
    /** One line: the warm-up that ran before the migration in this process, or null when none did. */
    public String warmUp;
    /** Milliseconds the warm-up took (NaN: none ran). */
    public double warmUpMs = Double.NaN;
    /** A plain copy of the same bytes over a link like the migration's, in the same process: ms (NaN: not run). */
    public double baselineCopyMs = Double.NaN;
    /** Bytes of that copy (0: not run). */
    public long baselineCopyBytes;
    /** One line: how this process started (the JDK's ahead-of-time cache, or why none), or null if not recorded. */
    public String startupPath;
    public String jdk;
    public String codecPath;
    public String kernelPath;

    /** @return post-copy pauses recovered from (each a cut followed by post-copy resumed over a new link). */
    public int recoveries()
    {
        return recoveryPauses;
    }

    /** @return milliseconds spent paused in post-copy, all pauses together. */
    public double pausedMs()
    {
        return recoveryPausedMs;
    }

    /** @return milliseconds from the start to the first post-copy cut, NaN without one. */
    public double cutAtMs()
    {
        return recoveryCutAtMs;
    }

    /** @return pages resent after recoveries (the source's count), -1 where not known. */
    public long resentPages()
    {
        return recoveryResentPages;
    }

    /**
     * @param afterCut faults that ended after the first cut, else before it.
     * @return count, p50, p99 and max latency in microseconds (NaN where not measured).
     */
    public double[] recoveryFaults(final boolean afterCut)
    {
        return (afterCut ? recoveryFaultsAfter : recoveryFaultsBefore).clone();
    }

    /**
     * @param preempt the faults whose page came on the preempt connection, else those whose page the push brought
     *                (a fault whose page was placed before it waited is in neither).
     * @return count, p50, p99 and max latency in microseconds (NaN where not measured).
     */
    public double[] faultsBy(final boolean preempt)
    {
        return (preempt ? faultsByPreempt : faultsByPush).clone();
    }

    /** @return {@code precopy}, {@code postcopy} or {@code hybrid}. */
    public String mode()
    {
        return mode;
    }

    /** @return whether pre-copy reached the stop threshold (post-copy: whether every page arrived). */
    public boolean converged()
    {
        return converged;
    }

    /** @return why the migration ended the way it did. */
    public String reason()
    {
        return reason;
    }

    /** @return {@link #COMPLETED} or {@link #FAILED}. */
    public String status()
    {
        return status;
    }

    /** @return the phase in which the migration failed, or {@code null}. */
    public String failurePhase()
    {
        return failurePhase;
    }

    /** @return why the migration failed, or {@code null}. */
    public String failureReason()
    {
        return failureReason;
    }

    /** @return whether the downtime exceeded its limit (as after {@link io.livemig.migration.options.GiveUp#STOP}). */
    public boolean downtimeOverLimit()
    {
        return downtimeOverLimit;
    }

    /** @return the side that runs the guest afterwards: {@code source} or {@code destination}. */
    public String guestRunsOn()
    {
        return guestRunsOn;
    }

    /** @return the error that failed the migration, or {@code null}. */
    public String error()
    {
        return error;
    }

    /** @return milliseconds from start to the destination holding every page. */
    public double totalMs()
    {
        return totalMs;
    }

    /** @return milliseconds of setup before the first page. */
    public double setupMs()
    {
        return setupMs;
    }

    /** @return milliseconds from vCPU stop on the source to vCPU resume on the destination. */
    public double downtimeMs()
    {
        return downtimeMs;
    }

    /** @return milliseconds of post-copy: destination resume to the last page placed; 0 without post-copy. */
    public double postcopyMs()
    {
        return postcopyMs;
    }

    /** @return pre-copy rounds sent while the guest ran (the stop-and-copy pass not counted). */
    public int rounds()
    {
        return rounds;
    }

    /** @return every byte put on the forward link: envelope, page stream, device state. */
    public long wireBytes()
    {
        return wireBytes;
    }

    /** @return pages sent (or found unchanged) as {@code kind}. */
    public long pages(final PageKind kind)
    {
        return pages[kind.ordinal()];
    }

    /** @return the throttle at the end, percent. */
    public int throttlePercent()
    {
        return throttlePercent;
    }

    /** @return post-copy faults taken by destination vCPUs. */
    public long faults()
    {
        return faults;
    }

    /** @return who gated post-copy faults: {@code software} (parked vCPUs) or {@code kernel} (userfaultfd). */
    public String faultGate()
    {
        return faultGate;
    }

    /** @return median fault latency, microseconds. */
    public double faultP50Us()
    {
        return faultP50Us;
    }

    /** @return the longest fault latency, microseconds. */
    public double faultMaxUs()
    {
        return faultMaxUs;
    }

    /** @return 99th percentile of fault latency, microseconds. */
    public double faultP99Us()
    {
        return faultP99Us;
    }

    /** @return pages sent because a fault asked for them. */
    public long requestedPages()
    {
        return requestedPages;
    }

    /** @return pages sent because they were near a requested page (pre-paging). */
    public long prepagedPages()
    {
        return prepagedPages;
    }

    /** @return pages sent by the background push after switch-over. */
    public long pushedPages()
    {
        return pushedPages;
    }

    /** @return the verdict of the page-by-page comparison, or {@code null} if none was made. */
    public Boolean verified()
    {
        return verified;
    }

    /** @return the first pages that differed (at most a few), empty if none or not verified. */
    public List<Long> mismatchPages()
    {
        return Collections.unmodifiableList(mismatchPages);
    }

    /** @return the first page breaking the sequential-sweep invariant on the destination, or -1. */
    public long sweepViolation()
    {
        return sweepViolation;
    }

    /** @return the rounds in order. */
    public List<RoundStats> roundStats()
    {
        return Collections.unmodifiableList(roundStats);
    }

    /** @return guest writes per second before migration, NaN if not measured. */
    public double writesPerSecBefore()
    {
        return writesPerSecBefore;
    }

    /** @return guest writes per second while the source ran during migration, NaN if none. */
    public double writesPerSecDuring()
    {
        return writesPerSecDuring;
    }

    /** @return guest writes per second on the destination during post-copy, NaN if none. */
    public double writesPerSecPostcopy()
    {
        return writesPerSecPostcopy;
    }

    /** @return guest writes per second after migration, NaN if not measured. */
    public double writesPerSecAfter()
    {
        return writesPerSecAfter;
    }

    /**
     * @return the dirty tracker of the source: {@code bitmap}, {@code summary}, {@code ring}, or a kernel tracker,
     *         {@code uffd-wp-async} or {@code uffd-wp}.
     */
    public String tracker()
    {
        return tracker;
    }

    /** @return write faults a thread of livemig served for a kernel tracker (0 for uffd-wp-async), -1 for the others. */
    public long kernelFaults()
    {
        return kernelFaults;
    }

    /** @return ring entries pushed by the source's vCPUs over the run (0 unless the tracker is the ring). */
    public long ringPushes()
    {
        return ringPushes;
    }

    /** @return times a source vCPU stalled on a soft-full ring over the run (0 unless the tracker is the ring). */
    public long ringStalls()
    {
        return ringStalls;
    }

    /**
     * Records the digest exchange: each side's digests of every page, compared page by page (the first {@link
     * #MAX_MISMATCHES} pages that differ are listed), the verdict, each side's digest of the whole guest, and
     * the time this side spent hashing.
     */
    public void digests(final long[] source, final long[] destination, final double hashMs)
    {
        PageDigests.compare(source, destination, mismatchPages, MAX_MISMATCHES);
        verified = mismatchPages.isEmpty();
        digestAlgorithm = PageDigests.ALGORITHM;
        digestPages = source.length;
        digestSource = PageDigests.hex(PageDigests.combine(source));
        digestDestination = PageDigests.hex(PageDigests.combine(destination));
        digestHashMs = hashMs;
    }

    /** @return each vCPU's writes per second between two snapshots {@code nanos} apart. */
    public static double[] rates(final long[] before, final long[] after, final long nanos)
    {
        final double[] rates = new double[before.length];
        for (int i = 0; i < rates.length; i++)
        {
            rates[i] = (after[i] - before[i]) / (nanos / 1e9);
        }
        return rates;
    }

    /** @return each vCPU's writes per second before migration, or null if not measured. */
    public double[] vcpuWritesPerSecBefore()
    {
        return vcpuWritesPerSecBefore == null ? null : vcpuWritesPerSecBefore.clone();
    }

    /** @return each vCPU's writes per second from the start of migration to the vCPUs' stop, or null. */
    public double[] vcpuWritesPerSecDuring()
    {
        return vcpuWritesPerSecDuring == null ? null : vcpuWritesPerSecDuring.clone();
    }

    /** @return each vCPU's writes per second after migration, on the destination, or null. */
    public double[] vcpuWritesPerSecAfter()
    {
        return vcpuWritesPerSecAfter == null ? null : vcpuWritesPerSecAfter.clone();
    }

    /** @return whether dirty-limit was asked for and its trigger fired. */
    public boolean dirtyLimitTriggered()
    {
        return dirtyLimitTriggered;
    }


    /** @return one line in the spirit of QEMU's {@code info migrate}. */
    public String summary()
    {
        return ResultSummary.of(this);
    }

    /**
     * @return the result as one JSON object (no newline), written by Jackson from {@link #toJsonTree()}.
     */
    public String toJson()
    {
        try
        {
            return ResultJson.JSON.writeValueAsString(toJsonTree());
        }
        catch (final JsonProcessingException ex)
        {
            throw new IllegalStateException("a tree of plain nodes cannot fail to serialise", ex);
        }
    }

    /**
     * @return CPU ms of the source's migration thread, its page senders, the destination's thread and its page
     * receivers, in that order (NaN where not measured on this side).
     */
    public double[] cpuMs()
    {
        return new double[] {cpuMigrationMs, cpuSendersMs, cpuDestinationMs, cpuReceiversMs};
    }

    /**
     * Records that this side ran inside TLS: {@code session}, the main connection's handshake, {@code sessions},
     * the handshakes this side completed (main connection, page channels, reconnects), and {@code resumed}, how
     * many of them resumed a session instead of a full handshake.
     */
    public void tls(final TlsSession session, final int sessions, final int resumed)
    {
        tls = true;
        tlsProtocol = session.protocol();
        tlsCipherSuite = session.cipherSuite();
        tlsPeer = session.peer();
        tlsHandshakeMs = session.handshakeMs();
        tlsSessions = sessions;
        tlsResumed = resumed;
    }

    /** @return each page channel's wire bytes, or null with one channel. */
    public long[] channelBytes()
    {
        return channelBytes == null ? null : channelBytes.clone();
    }

    /**
     * The result as a JSON tree. The field names and their nesting are a published interface (README,
     * {@code scripts/migrate --json}): add fields, never rename or move one. NaN and infinities, which JSON
     * lacks, become {@code null}; whole numbers are written without a fraction, others with three decimals.
     *
     * @return a new tree each call.
     */
    public ObjectNode toJsonTree()
    {
        return ResultJson.tree(this);
    }

    @Override
    public String toString()
    {
        return summary();
    }

}
