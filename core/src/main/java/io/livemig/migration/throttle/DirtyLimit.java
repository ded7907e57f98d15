package io.livemig.migration.throttle;

import io.livemig.dirty.DirtyRing;
import io.livemig.dirty.DirtyRingLog;

import java.util.concurrent.locks.LockSupport;

/**
 * QEMU's {@code dirty-limit} (8.1): a per-vCPU quota on the rate of dirtied pages, enforced by a penalty each
 * vCPU pays in its own push path ({@link DirtyRing#penaltyNanosPerPush}): its pushes are due {@code 1/quota}
 * apart on average, with one period's worth of credit for a vCPU that was quiet, and a push that comes early
 * sleeps until it is due. So every vCPU dirties at most its quota (plus one period's burst), by construction;
 * one that stays under it never sleeps; one that computes, reads, or re-writes pages already dirty pushes
 * nothing and is not slowed, where auto-converge's throttle stops every vCPU alike.
 *
 * <p>An earlier controller measured each vCPU's pushes every period and set its penalty to {@code 1/quota}
 * less the vCPU's own time per push, estimated as the period over the pushes less the penalty. It failed the
 * quota by up to a hundred times: a vCPU that mostly rewrites pages already dirty takes long between pushes, so
 * its penalty fell to nothing, and after each harvest, every page clean again, it dirtied the whole guest at
 * once; and a controller thread that ran late left new pushes unpaid. The penalty is now set on every ring when
 * the limit starts, and each period on the rings of threads that pushed for the first time since.
 *
 * <p>Thread-safety: {@link #start()} and {@link #close()} are for the migration thread; the controller
 * thread writes the rings' penalties (volatile stores) and nothing else.
 */
public final class DirtyLimit implements AutoCloseable
{
    private final DirtyRingLog log;
    private final double quotaPagesPerSecond;
    private final long periodNanos;
    private final Thread thread;
    private volatile boolean running;

    /**
     * @param log                 the source's ring tracker.
     * @param quotaBytesPerSecond each vCPU's dirty-rate quota, positive.
     * @param pageSize            bytes per dirtied page.
     * @param periodMs            the credit a quiet vCPU may spend at once, and how often the rings of vCPUs that
     *                            pushed for the first time are limited; positive.
     */
    public DirtyLimit(final DirtyRingLog log, final long quotaBytesPerSecond, final int pageSize, final long periodMs)
    {
        if (quotaBytesPerSecond <= 0 || periodMs <= 0)
        {
            throw new IllegalArgumentException(
                "dirty limit needs a positive quota and period: " + quotaBytesPerSecond + " B/s, " + periodMs + " ms");
        }
        this.log = log;
        this.quotaPagesPerSecond = (double)quotaBytesPerSecond / pageSize;
        this.periodNanos = periodMs * 1_000_000L;
        this.thread = new Thread(this::run, "dirty-limit");
        this.thread.setDaemon(true);
    }

    /** Starts the limit: from now on, vCPUs over the quota sleep. */
    public void start()
    {
        running = true;
        limitNewRings();
        thread.start();
    }

    /** Sets the penalty on every ring that has none yet (all of them at the start, then new vCPUs' rings). */
    private void limitNewRings()
    {
        for (final DirtyRing ring : log.rings())
        {
            if (ring.penaltyNanosPerPush() == 0)
            {
                ring.penaltyNanosPerPush(penaltyNanos(), periodNanos);
            }
        }
    }

    /** @return whether it has been started and not closed. */
    boolean active()
    {
        return running;
    }

    private void run()
    {
        while (running)
        {
            LockSupport.parkNanos(this, periodNanos);
            if (running)
            {
                limitNewRings();
            }
        }
    }

    /** @return the time between two pushes of a vCPU at its quota: {@code 1/quota}. */
    long penaltyNanos()
    {
        return Math.max(1, (long)(1e9 / quotaPagesPerSecond));
    }

    /** Stops the controller and ends every penalty, waking vCPUs that are paying one. */
    @Override
    public void close()
    {
        if (!running)
        {
            return;
        }
        running = false;
        LockSupport.unpark(thread);
        try
        {
            thread.join();
        }
        catch (final InterruptedException e)
        {
            Thread.currentThread().interrupt();
        }
        for (final DirtyRing ring : log.rings())
        {
            ring.penaltyNanosPerPush(0, 0);
        }
    }
}
