package io.livemig.migration.destination;

import io.livemig.memory.GuestMemory;
import io.livemig.migration.link.MigrationLink;
import io.livemig.migration.link.Reconnect;
import io.livemig.migration.link.RoleThreads;
import io.livemig.migration.result.MigrationResult;
import io.livemig.stream.ChannelInput;
import io.livemig.workload.GuestWorkload;

import java.io.IOException;

/**
 * The destination role of a migration, run on its own thread: reads the envelope strictly ({@link
 * EnvelopeReader}), applies the page stream to destination memory, checks the device state, resumes the guest's
 * vCPUs on the destination (at COMPLETE for pre-copy, at POSTCOPY_RUN for post-copy) and answers SHUT on the
 * return path: 0 when every page arrived, 1 on any failure. It knows the source only through the link: alone
 * it is {@code scripts/migrate --listen}'s engine, in one process {@code io.livemig.migration.Migration} runs it
 * beside a source. This class coordinates its parts over a {@link DestinationSession}: the {@link
 * EnvelopeReader}, the page channels ({@link io.livemig.migration.channel.ReceiverChannels}), {@link
 * DestinationDigests}, {@link DestinationRecovery} and {@link DestinationFigures}.
 *
 * <h2>Page channels</h2>
 * With several page channels ({@link MigrationLink#channels()} &gt; 1) a {@code migration-receive-N} thread per
 * channel applies that channel's page stream; all readers share one set of written bits (their pages are
 * disjoint stripes). Each CHANNEL_SYNC on the main channel announces one more round, and before any other
 * section (DISCARD, DEVICE, POSTCOPY_RUN, post-copy's RAM, COMPLETE) this thread waits until every channel
 * applied every round announced, so the guest never resumes, and post-copy never starts, ahead of a channel.
 * At the end every channel must have ended cleanly after exactly the rounds announced.
 *
 * <h2>Switch-over and failure</h2>
 * At a pre-copy COMPLETE this role first writes SHUT 0, the acknowledgement that it holds every page and the
 * device state, and only then resumes the vCPUs: until the source has read it the source owns the guest (see
 * {@code MigrationSource}, "A broken link"). A failure before the resume discards the partial guest (the
 * memory is zeroed, as a retry's destination must start), and the result says {@code failed}, the phase this
 * side saw (setup, precopy, stop-and-copy from DEVICE, postcopy from DISCARD) and {@code guestRunsOn: source}.
 * A check that fails after the acknowledgement (the page channels' round count, bytes after COMPLETE) fails
 * this side only: the guest already runs here.
 *
 * <h2>Kernel page faults</h2>
 * When the memory is a {@link io.livemig.kernel.FaultingGuest}'s (userfaultfd MISSING mode, {@code --faults kernel}), its
 * {@link GuestMemory#placer()} says so: the gate is a kernel gate, the vCPUs resume without a software gate
 * and block in the kernel on a missing page, and the readers place every page through the guest's ioctls
 * (never a plain store into registered memory).
 *
 * <p>Thread-safety: {@link #run()} once, on one thread. The instants, the failure and the verdict are
 * volatile, read by others after joining this thread (which also orders them).
 */
public final class MigrationDestination implements Runnable
{
    private final DestinationSession s;
    private final DestinationDigests digests;
    private final EnvelopeReader envelope;
    private final DestinationFigures figures;
    private DestinationRecovery recovery;

    /** A destination that exchanges no digests: see the full constructor. */
    public MigrationDestination(
        final MigrationLink link, final GuestMemory memory, final GuestWorkload workload, final GuestMemory mirror)
    {
        this(link, memory, workload, mirror, false);
    }

    /**
     * @param link     the connection (only its destination ends are used).
     * @param memory   empty (all zero) memory of the source's shape.
     * @param workload the guest's vCPUs to resume here, or null for an idle guest.
     * @param mirror   the source memory when destination writes are mirrored for verification, else null.
     * @param digests  whether to exchange page digests after COMPLETE (not with a mirror).
     */
    public MigrationDestination(
        final MigrationLink link, final GuestMemory memory, final GuestWorkload workload, final GuestMemory mirror,
        final boolean digests)
    {
        if (digests && mirror != null)
        {
            throw new IllegalArgumentException("digests need the source as it was at the stop: no mirror");
        }
        this.s = new DestinationSession(link, memory, workload, mirror);
        this.digests = new DestinationDigests(s, digests);
        this.envelope = new EnvelopeReader(s, this.digests);
        this.figures = new DestinationFigures(s);
    }

    /**
     * Lets a cut after POSTCOPY_RUN pause the migration and recover over a new link (see {@link
     * DestinationRecovery}). Call before {@link #run()}.
     *
     * @param reconnect where new links come from.
     * @param timeoutMs how long one pause may last before the migration fails.
     * @return this.
     */
    public MigrationDestination recover(final Reconnect reconnect, final long timeoutMs)
    {
        if (s.channelCount > 1)
        {
            throw new IllegalArgumentException("post-copy recovery needs one channel: post-copy's pages travel on " +
                "the main channel, but the page channels would have to be joined again too");
        }
        if (timeoutMs <= 0)
        {
            throw new IllegalArgumentException("recover timeout must be positive: " + timeoutMs);
        }
        this.recovery = new DestinationRecovery(s, envelope, digests, reconnect, timeoutMs);
        s.gate.recoverable(true);
        return this;
    }

    /** @return when this role resumed the guest's vCPUs (System.nanoTime), or 0 if it has not. */
    public long resumeNs()
    {
        return s.resumeNs;
    }

    /** @return when this role completed (every page here), or 0 if it has not. */
    public long completeNs()
    {
        return s.completeNs;
    }

    /** @return why this role failed, or null. Read after the role's thread has ended, which orders it. */
    public Throwable failure()
    {
        return s.failure;
    }

    /** @return whether POSTCOPY_RUN has been read: the guest runs here in post-copy. */
    public boolean postcopyStarted()
    {
        return s.postcopyStarted;
    }

    /** @return whether this role is paused in post-copy, waiting for a new link. */
    public boolean paused()
    {
        return s.paused;
    }

    @Override
    public void run()
    {
        final long cpu0 = RoleThreads.cpuNanos();
        try
        {
            runRole();
        }
        finally
        {
            final long cpu1 = RoleThreads.cpuNanos();
            s.cpuMs = cpu0 >= 0 && cpu1 >= 0 ? (cpu1 - cpu0) / 1e6 : Double.NaN;
            s.receiversCpuMs = s.channels == null ? 0 : s.channels.cpuMs();
        }
    }

    private void runRole()
    {
        s.startNs = System.nanoTime();
        ChannelInput in = s.input(s.link);
        long bytesBefore = 0;
        try
        {
            while (true)
            {
                try
                {
                    envelope.receive(in);
                    if (s.channels != null)
                    {
                        s.channels.finish(s.announced);
                    }
                    if (s.preempt != null)
                    {
                        s.preempt.finish();
                    }
                    if (!s.shutSent)
                    {
                        s.shutSent = true;
                        s.gate.shut(0);
                    }
                    if (digests.enabled())
                    {
                        s.gate.writeDigests(s.memory.pageSize(), digests.digests());
                    }
                    break;
                }
                catch (final IOException ex)
                {
                    if (recovery == null || !s.postcopyStarted)
                    {
                        throw ex;
                    }
                    bytesBefore += in.position();
                    in = recovery.pauseAndRecover(ex);
                }
            }
        }
        catch (final Throwable t)
        {
            fail(t);
        }
        finally
        {
            if (s.channels != null)
            {
                s.channels.join();
            }
            for (final PreemptReceiver r : s.preempts)
            {
                r.join(PreemptReceiver.END_TIMEOUT_MS); // ended already, or its input is closed
            }
            s.endNs = System.nanoTime();
            if (s.failure != null && s.resumeNs == 0)
            {
                // The guest never ran here: what arrived is a partial copy, worth nothing; a retry starts from zero.
                s.memory.fill(0, s.memory.size(), (byte)0);
                s.guestDiscarded = true;
            }
            s.wireBytes = bytesBefore + in.position() + (s.channels == null ? 0 : s.channels.bytes()) +
                s.preempts.stream().mapToLong(PreemptReceiver::position).sum();
            try
            {
                s.link.finishDestination();
            }
            catch (final IOException ignored)
            {
                // The source reads to the end or fails on its own; nothing to add here.
            }
        }
    }

    /** Fails this role: the gate releases its waiters, SHUT 1 if none was sent, and the link's reads unblock. */
    private void fail(final Throwable thrown)
    {
        // A failed preempt connection closed the forward stream to stop this role: its failure is the cause
        // (with recovery, a failure that outlasted a pause is the pause's, not the cut connection's).
        final Throwable preemptFailure = s.preempt == null || recovery != null ? null : s.preempt.failure();
        final Throwable t = preemptFailure != null ? preemptFailure : thrown;
        s.failure = t;
        s.gate.cancel();
        try
        {
            if (!s.shutSent)
            {
                s.shutSent = true;
                s.gate.shut(1);
            }
        }
        catch (final IOException | RuntimeException ignored)
        {
            // The return path failed too; the source learns of the failure from the broken link.
        }
        if (s.channels != null)
        {
            s.channels.fail(t);
        }
        try
        {
            s.link.destinationIn().close();
            for (int c = 0; s.channels != null && c < s.channelCount; c++)
            {
                s.link.destinationIn(c).close();
            }
            if (s.preempt != null)
            {
                s.preempt.begin(false); // its thread reads on, into the closed connection, and ends
                s.link.destinationPreempt().close();
            }
        }
        catch (final IOException ignored)
        {
            // Closing only to unblock the source's writes.
        }
    }

    /**
     * Alone: the destination's view of the migration, after {@link #run()} returned: role, status, total
     * (from the envelope's header to the last page), post-copy figures and faults, pages received by kind,
     * bytes read, and with digests the verdict. Downtime is the source's to measure (JSON null here).
     */
    public MigrationResult result()
    {
        return figures.whole();
    }

    /** Puts post-copy's time, the guest's rate during it and the fault latencies into {@code r}. */
    public void postcopyFigures(final MigrationResult r)
    {
        figures.postcopy(r);
    }

    /** Puts what only this role sees of a recovery into {@code r}: lost requests, faults before and after the cut. */
    public void faultRecoveryFigures(final MigrationResult r)
    {
        figures.faultRecovery(r);
    }

    /** Puts the destination's CPU times into {@code r}. */
    public void cpuFigures(final MigrationResult r)
    {
        figures.cpu(r);
    }
}
