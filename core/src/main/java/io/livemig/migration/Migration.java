package io.livemig.migration;

import io.livemig.dirty.DirtyLog;
import io.livemig.memory.GuestMemory;
import io.livemig.migration.destination.MigrationDestination;
import io.livemig.migration.link.MigrationLink;
import io.livemig.migration.link.Reconnect;
import io.livemig.migration.link.RoleThreads;
import io.livemig.migration.options.MigrationOptions;
import io.livemig.migration.result.MigrationResult;
import io.livemig.migration.source.MigrationSource;
import io.livemig.workload.GuestWorkload;

import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A live migration inside one process: the two roles joined by a {@link MigrationLink}. The source role
 * ({@link MigrationSource}, this class) runs on the caller's thread; the destination role ({@link
 * MigrationDestination}) on a thread of its own, {@code migration-destination}. They share nothing but the
 * link and the guest's writers (the same {@link GuestWorkload} is paused on the source and resumed on the
 * destination), so running them in two processes ({@code scripts/migrate --listen} and {@code --to}) is the
 * same code.
 *
 * <p>Because both ends read one clock, downtime here runs from the instant the source asks the vCPUs to
 * stop to the instant the destination has resumed them, and the total to the destination's completion.
 *
 * <p>Not thread-safe: {@link #run()} once. The subclass hook {@link #sendDirtyPages} exists for tests that
 * must see a broken engine fail.
 */
public class Migration extends MigrationSource
{
    private final MigrationDestination dest;
    private volatile Thread destThread;
    private final BlockingQueue<MigrationLink> toDestination = new LinkedBlockingQueue<>();
    private final List<MigrationLink> opened = new CopyOnWriteArrayList<>();

    /**
     * @param options     the migration's settings.
     * @param source      the guest's memory, written by {@code workload}, marking {@code sourceLog}.
     * @param sourceLog   the log {@code source} marks: one bit per page.
     * @param destination empty (all zero) memory of the same shape, written only by the migration and, after
     *                    resume, by the guest.
     * @param workload    the guest's writers, running on {@code source}; {@code null} for an idle guest.
     * @param link        the connection; the migration closes it when it fails.
     */
    public Migration(
        final MigrationOptions options, final GuestMemory source, final DirtyLog sourceLog,
        final GuestMemory destination, final GuestWorkload workload, final MigrationLink link)
    {
        super(options, source, sourceLog, workload, link);
        if (destination.size() != source.size() || destination.pageSize() != source.pageSize() ||
            !destination.blockName().equals(source.blockName()))
        {
            throw new IllegalArgumentException("destination " + destination + " does not match source " + source);
        }
        this.dest = new MigrationDestination(link, destination, workload,
            options.mirrorForVerify() ? source : null, options.digests());
    }

    /**
     * Lets a post-copy cut pause both roles and recover when {@link MigrationOptions#recover()} is on: the
     * source, once paused, opens a new link with {@code opener} and hands the same link to the destination, which
     * takes the links in the order they were opened (a link cut before the destination took it fails at once
     * there, and it takes the next). Every link opened here is closed when the migration ends.
     *
     * @param opener opens a new link of the same kind (the first argument is the deadline).
     * @return this.
     */
    public Migration recoverWith(final Reconnect opener)
    {
        if (!options().recover())
        {
            return this; // recovery is off: a cut fails the migration, as it always did
        }
        recover((deadlineNs) ->
        {
            if (System.nanoTime() - deadlineNs >= 0 || destThread == null || !destThread.isAlive())
            {
                return null; // too late, or the destination has failed: nobody would take the link
            }
            final MigrationLink next = opener.next(deadlineNs);
            if (next != null)
            {
                opened.add(next);
                toDestination.add(next);
            }
            return next;
        });
        dest.recover((deadlineNs) ->
            toDestination.poll(Math.max(0, deadlineNs - System.nanoTime()), TimeUnit.NANOSECONDS),
            options().recoverTimeoutMs());
        return this;
    }

    @Override
    protected final void startPeer()
    {
        destThread = new Thread(dest, "migration-destination");
        destThread.setDaemon(true);
        destThread.start();
    }

    /** @return the destination role (tests watch its state). */
    MigrationDestination destination()
    {
        return dest;
    }

    @Override
    protected final boolean peerFailed()
    {
        final Thread t = destThread;
        return t != null && !t.isAlive();
    }

    @Override
    protected final boolean peerNeverResumed()
    {
        final Thread t = destThread;
        if (t == null)
        {
            return true;
        }
        try
        {
            t.join(options().recoverTimeoutMs() + 10_000); // a paused destination gives up within its timeout
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
        return !t.isAlive() && dest.resumeNs() == 0;
    }

    @Override
    protected final boolean peerCompleted()
    {
        final Thread t = destThread;
        return t != null && !t.isAlive() && dest.failure() == null;
    }

    @Override
    protected final void joinPeer()
    {
        RoleThreads.join(destThread);
        for (final MigrationLink l : opened)
        {
            l.close();
        }
    }

    /**
     * Both views joined: {@code source} or {@code destination} when exactly one side resumed the guest (or the
     * source never stopped it), else {@code both} or {@code neither}, which the switch-over rule ({@link
     * MigrationSource}'s {@code resumeIfOwner}) must never produce and the fault campaign counts.
     */
    @Override
    protected final String guestRunsOn(final boolean sourceRuns)
    {
        final boolean destRuns = dest.resumeNs() != 0;
        return sourceRuns == destRuns ? (sourceRuns ? "both" : "neither") : sourceRuns ? "source" : "destination";
    }

    @Override
    protected final Throwable finishPeer(final MigrationResult result, final long startNs, final long stopNs)
    {
        result.role = "in-process";
        final long resumeNs = dest.resumeNs();
        final long completeNs = dest.completeNs();
        if (resumeNs != 0 && stopNs != 0)
        {
            result.downtimeMs = (resumeNs - stopNs) / 1e6;
        }
        if (completeNs != 0)
        {
            result.totalMs = (completeNs - startNs) / 1e6;
        }
        dest.postcopyFigures(result);
        dest.faultRecoveryFigures(result); // the source's view of each pause, the destination's of its vCPUs
        dest.cpuFigures(result);
        return dest.failure();
    }
}
