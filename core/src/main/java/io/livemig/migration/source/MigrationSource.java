package io.livemig.migration.source;

import io.livemig.dirty.DirtyLog;
import io.livemig.dirty.DirtyRingLog;
import io.livemig.dirty.DirtyScanner;
import io.livemig.memory.GuestMemory;
import io.livemig.migration.link.MigrationLink;
import io.livemig.migration.link.Reconnect;
import io.livemig.migration.link.RoleThreads;
import io.livemig.migration.options.MigrationMode;
import io.livemig.migration.options.MigrationOptions;
import io.livemig.migration.options.MigrationProgress;
import io.livemig.migration.result.MigrationResult;
import io.livemig.migration.throttle.DirtyLimit;
import io.livemig.stream.write.PageStreamWriter;
import io.livemig.workload.GuestContents;
import io.livemig.workload.GuestWorkload;
import io.livemig.workload.VcpuTarget;

import java.io.IOException;
import java.nio.channels.WritableByteChannel;

/**
 * The source role of a live migration: sends a guest's memory over a {@link MigrationLink} in any {@link
 * MigrationMode} while the guest's writers keep running, and knows the destination only through the link.
 * Alone it is {@code scripts/migrate --to}'s engine; {@code io.livemig.migration.Migration} joins it with a
 * destination in one process. This class coordinates one phase class each, over a {@link SourceSession}:
 * {@link SourceSetup}, {@link PrecopyRounds}, {@link SwitchOver} (stop-and-copy), {@link PostcopyPush} (push
 * and serve), {@link SourceRecovery} and {@link SourceFinish}; {@link SourceReturnPath} reads the return path.
 *
 * <h2>Threads</h2>
 * <ul>
 *   <li>the caller of {@link #run()} is the source's migration thread: it syncs the dirty log, sends the
 *       rounds, stops the vCPUs and serves post-copy requests;</li>
 *   <li>{@code migration-return-path} reads the return path: page requests go to a queue, SHUT ends the
 *       migration, then (with {@link MigrationOptions#digests()}) the destination's page digests;</li>
 *   <li>with several page channels ({@link MigrationLink#channels()} &gt; 1), one {@code migration-channel-N}
 *       thread per channel ({@link io.livemig.migration.channel.SenderChannels}): pre-copy rounds (and the
 *       stop-and-copy round) go there; control sections, the device state, post-copy's pages (requested and
 *       pushed: never queued behind bulk pages) and the return path stay on the main channel. With a capture,
 *       channel 0's stream is captured (a page stream of its own);</li>
 *   <li>the guest's writers ({@link GuestWorkload}).</li>
 * </ul>
 *
 * <h2>A broken link</h2>
 * The source tells the link each phase it enters ({@link MigrationLink#phase}: setup, pre-copy round k,
 * stop-and-copy, post-copy), which a fault injector may act on. Any failure closes the link, so the
 * destination fails too, and the result says {@code failed}, the phase and the reason. Which side then runs
 * the guest follows one rule, QEMU's: the source owns it until it has read the destination's acknowledgement
 * (SHUT 0) that it holds every page and the device state, and the destination resumes only after writing
 * that acknowledgement. A failure before the vCPUs stopped leaves them running here; one after they stopped
 * and before the acknowledgement was read resumes them here; after it, the guest is the destination's
 * (see {@code resumeIfOwner} for why this gives exactly one side). A retry is a new instance on the same
 * memory and log: its setup marks every page dirty, so nothing the failed attempt sent is trusted.
 *
 * <h2>Downtime</h2>
 * Alone, the source sees only its side, as QEMU's source does: from the instant it asks the vCPUs to stop
 * (before they have all parked) to the instant the last byte before the destination may resume (COMPLETE,
 * or POSTCOPY_RUN) is flushed to the link; the total runs to the destination's SHUT. In one process the
 * destination's instants are used instead ({@link #finishPeer}).
 *
 * <h2>Digests</h2>
 * With {@link MigrationOptions#digests()} the source, after COMPLETE, hashes every page of its stopped
 * memory and sends the digests; the destination answers with its own after SHUT; each side compares and
 * names the pages that differ. The source's memory must then stay as it was at the stop (no mirrored
 * destination writes).
 *
 * <p>Not thread-safe: {@link #run()} once. The protected hooks are for running both roles in one process
 * ({@code startPeer} and the other peer hooks) and for tests that must see a broken engine fail ({@link
 * #sendDirtyPages}).
 */
public class MigrationSource
{
    private final SourceSession s;
    private Reconnect reconnect;
    private long seed = 42;
    /**
     * Units drained per {@link DirtyScanner#drain} call of a send pass. 512 rather than one word's 64: a call's
     * fixed cost and a batch cut inside a word were a third of a dense drain (DrainBenchmark, 0.5: 221 against
     * 130 ms), and a bigger batch costs only a longer window in which a write to a drained page, not yet sent,
     * makes it go again next round (QEMU clears its bitmap 2^18 pages ahead).
     */
    private final long[] batch = new long[512];

    /**
     * @param options   the migration's settings.
     * @param source    the guest's memory, written by {@code workload}, marking {@code sourceLog}.
     * @param sourceLog the log {@code source} marks: one bit per page.
     * @param workload  the guest's writers, running on {@code source}; {@code null} for an idle guest.
     * @param link      the connection (only its source ends are used); the migration closes it when it fails.
     */
    public MigrationSource(
        final MigrationOptions options, final GuestMemory source, final DirtyLog sourceLog,
        final GuestWorkload workload, final MigrationLink link)
    {
        if (sourceLog.pageCount() != source.pageCount() || sourceLog.granularityShift() != 0)
        {
            throw new IllegalArgumentException("the source log must have one bit per page of " + source +
                ": it has " + sourceLog.pageCount() + " pages at shift " + sourceLog.granularityShift());
        }
        if (options.dirtyLimit() > 0 && options.autoConverge())
        {
            throw new IllegalArgumentException("dirty-limit excludes auto-converge: choose one throttle");
        }
        if (options.dirtyLimit() > 0 && !(sourceLog instanceof DirtyRingLog))
        {
            throw new IllegalArgumentException("dirty-limit needs the ring tracker, not " + sourceLog);
        }
        if (options.digests() && options.mirrorForVerify())
        {
            throw new IllegalArgumentException("digests need the source as it was at the stop: no mirrored writes");
        }
        final DirtyLimit dirtyLimit = options.dirtyLimit() > 0 ? new DirtyLimit((DirtyRingLog)sourceLog,
            options.dirtyLimit(), source.pageSize(), options.dirtyLimitPeriodMs()) : null;
        this.s = new SourceSession(options, source, sourceLog, workload, link, dirtyLimit);
    }

    /**
     * Lets a post-copy cut pause and recover over links from {@code value} when {@link
     * MigrationOptions#recover()} is on (see {@link SourceRecovery}).
     */
    public MigrationSource recover(final Reconnect value)
    {
        if (s.link.channels() > 1)
        {
            throw new IllegalArgumentException("post-copy recovery needs one channel: post-copy's pages travel on " +
                "the main channel, but the page channels would have to be joined again too");
        }
        this.reconnect = value;
        return this;
    }

    /** Records the page stream, exactly as sent, to {@code channel} (see page-stream.md, "A captured page stream"). */
    public MigrationSource capture(final WritableByteChannel channel)
    {
        s.capture = channel;
        return this;
    }

    /** Reports progress to {@code listener}. */
    public MigrationSource progress(final MigrationProgress listener)
    {
        s.progress = listener;
        return this;
    }

    /** Seeds the device-state blob. */
    public MigrationSource seed(final long value)
    {
        this.seed = value;
        return this;
    }

    /**
     * Migrates. On return the destination holds the guest and, unless the migration failed, its vCPUs
     * run there. A failure is reported in {@link MigrationResult#error()}, not thrown.
     */
    public final MigrationResult run()
    {
        final long cpu0 = RoleThreads.cpuNanos();
        fillSettings();
        final byte[] deviceState = deviceState();
        s.startNs = System.nanoTime();
        s.writesAtStart = s.writes();
        s.vcpuWritesAtStart = s.vcpuWrites();
        final SourceFinish finish = new SourceFinish(s);
        final PrecopyRounds rounds = new PrecopyRounds(s, this::sendDirtyPages);
        final SwitchOver switchOver = new SwitchOver(s, rounds);
        final PostcopyPush postcopy = new PostcopyPush(s, switchOver,
            new SourceRecovery(s, reconnect, this::peerCompleted, this::peerFailed), finish);
        startPeer();
        s.returnPath.start(s.link, false);
        Throwable failure = null;
        try
        {
            new SourceSetup(s).run();
            if (s.options.mode() == MigrationMode.POSTCOPY)
            {
                postcopy.run(deviceState, "post-copy: switched over at once");
            }
            else
            {
                final PrecopyRounds.Next next = rounds.run();
                if (next.postcopy())
                {
                    postcopy.run(deviceState, next.reason());
                }
                else
                {
                    switchOver.stopAndCopy(deviceState, next.reason());
                }
            }
            if (!s.streamFinished)
            {
                finish.endStream();
            }
        }
        catch (final Throwable t)
        {
            failure = t;
            s.link.close();
        }
        finally
        {
            if (s.channels != null)
            {
                s.channels.stop();
            }
        }
        if (failure != null)
        {
            s.result.failurePhase = s.failurePhase();
            resumeIfOwner();
        }
        final long cpu1 = RoleThreads.cpuNanos();
        if (cpu0 >= 0 && cpu1 >= 0)
        {
            s.result.cpuMigrationMs = (cpu1 - cpu0) / 1e6;
        }
        joinPeer();
        s.returnPath.join();
        finish.settle();
        final Throwable destinationFailure = finishPeer(s.result, s.startNs, s.stopNs);
        finish.outcome(failure, destinationFailure);
        s.result.guestRunsOn = guestRunsOn(s.resumedHere || (s.result.error != null && s.stopNs == 0));
        finish.figures();
        return s.result;
    }

    /**
     * After a failure: resumes the vCPUs here if this side still owns the guest. The rule, QEMU's: the source
     * owns the guest until the destination has acknowledged (SHUT 0, read by the return-path thread) that it
     * holds every page and the device state; the destination resumes only after it has written that
     * acknowledgement. So a cut before the acknowledgement is read leaves the guest here (the destination
     * never resumed, or its acknowledgement write failed with the cut), and a cut after it leaves the guest
     * there: exactly one side runs it. The one window this cannot close is an acknowledgement written
     * successfully that the link then loses in flight (two-generals: no finite exchange closes it); a fault
     * injector's cut fires at one instant that both directions observe, so it never opens that window, and
     * on a real network the acknowledgement is a few bytes written after everything else arrived. In
     * post-copy, once POSTCOPY_RUN has been flushed the guest belongs to the destination (its recovery is
     * post-copy's, not this method's), unless the destination is known never to have resumed it: a cut can
     * lose POSTCOPY_RUN in flight after the source flushed it, and then the destination fails without running
     * the guest. In one process the source waits for the destination to end and looks ({@link
     * #peerNeverResumed}); between two processes it cannot know, so it does not resume, as QEMU's source stays
     * paused: the guest runs nowhere until an operator decides, never on both sides.
     */
    private void resumeIfOwner()
    {
        if (s.stopNs == 0 || s.returnPath.acked() || (s.postcopyRunSent && !peerNeverResumed()))
        {
            return; // never stopped (the vCPUs ran here all along), or the destination owns the guest
        }
        if (s.workload != null)
        {
            s.workload.resume(VcpuTarget.of(s.memory));
        }
        s.resumedHere = true;
    }

    private void fillSettings()
    {
        final MigrationResult r = s.result;
        r.mode = s.options.mode().label();
        r.role = "source";
        r.link = s.link.name();
        r.policy = s.options.stopPolicy().label();
        r.memoryBytes = s.memory.size();
        r.pageSize = s.memory.pageSize();
        r.bandwidth = s.options.bandwidth();
        r.downtimeLimitMs = s.options.downtimeLimitMs();
    }

    private byte[] deviceState()
    {
        return GuestContents.deviceState(s.options.deviceStateBytes(), seed);
    }

    // ---------------------------------------------------------------- the one step tests may replace

    /**
     * Sends every page dirty in the migration bitmap, clearing each bit before the page is read (the
     * scanner clears up to 512 units, a word at a time, then {@link PageStreamWriter#writePage} snapshots
     * each page).
     *
     * @return pages processed.
     */
    protected long sendDirtyPages(final boolean allowXbzrle) throws IOException
    {
        final DirtyScanner scanner = s.scanner;
        final PageStreamWriter writer = s.writer;
        final long[] batch = this.batch;
        long sent = 0;
        int n;
        // A word at a time: each batch's bits are all cleared before its first page is read.
        while ((n = scanner.drain(batch)) > 0)
        {
            for (int i = 0; i < n; i++)
            {
                writer.writePage(batch[i], allowXbzrle);
                if ((++sent & 255) == 0)
                {
                    pagesProgress(256);
                }
            }
        }
        return sent;
    }

    /** Progress bookkeeping for {@link #sendDirtyPages} overrides: {@code pages} more were sent. */
    protected final void pagesProgress(final long pages)
    {
        s.pagesSent(pages);
    }

    /** @return the migration bitmap (for {@link #sendDirtyPages} overrides). */
    protected final DirtyLog migrationBitmap()
    {
        return s.bitmap;
    }

    /** @return the source's dirty log (for {@link #sendDirtyPages} overrides). */
    protected final DirtyLog sourceLog()
    {
        return s.log;
    }

    /** @return whether the source's vCPUs have been stopped for the switch-over (for overrides). */
    protected final boolean vcpusStopped()
    {
        return s.stopNs != 0;
    }

    /** @return the page-stream writer (for {@link #sendDirtyPages} overrides). */
    protected final PageStreamWriter pageWriter()
    {
        return s.writer;
    }

    /** @return the migration's settings. */
    protected final MigrationOptions options()
    {
        return s.options;
    }

    // ---------------------------------------------------------------- the peer, in one process

    /**
     * In one process: where the guest runs, from the source's view ({@code sourceRuns}) and the destination's.
     * Alone, the source's view: {@code source} or {@code destination}.
     */
    protected String guestRunsOn(final boolean sourceRuns)
    {
        return sourceRuns ? "source" : "destination";
    }

    /** In one process: starts the destination role before the first byte is sent. */
    protected void startPeer()
    {
    }

    /** In one process: whether the destination role has ended (so it will never take a new link). */
    protected boolean peerFailed()
    {
        return false;
    }

    /**
     * In one process: whether the destination role has ended successfully (it applied the whole stream and
     * wrote SHUT 0), so that a cut the source saw afterwards lost nothing.
     */
    protected boolean peerCompleted()
    {
        return false;
    }

    /**
     * In one process: waits (bounded) for the destination role to end after a failure, then whether it never
     * resumed the guest. Alone, false: the source cannot know.
     */
    protected boolean peerNeverResumed()
    {
        return false;
    }

    /** In one process: waits for the destination role to end. */
    protected void joinPeer()
    {
    }

    /**
     * In one process: puts what only the destination measured (resume and completion instants, faults,
     * post-copy rates) into the result. Alone, the source's own view stays (see "Downtime").
     *
     * @return the destination's failure, or null.
     */
    protected Throwable finishPeer(final MigrationResult result, final long startNs, final long stopNs)
    {
        if (s.switchNs != 0 && stopNs != 0)
        {
            result.downtimeMs = (s.switchNs - stopNs) / 1e6;
        }
        final long shutNs = s.returnPath.shutNs();
        if (shutNs != 0)
        {
            result.totalMs = (shutNs - startNs) / 1e6;
        }
        return null;
    }
}
