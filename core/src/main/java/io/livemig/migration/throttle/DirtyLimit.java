package io.livemig.migration.throttle;

import io.livemig.dirty.DirtyRing;
import io.livemig.dirty.DirtyRingLog;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.locks.LockSupport;

/**
 * QEMU's {@code dirty-limit} (8.1): a per-vCPU quota on the rate of dirtied pages, measured from each vCPU's
 * dirty ring and enforced every period by a penalty the vCPU sleeps in its own push path. Only vCPUs that
 * dirty faster than the quota pay; one that computes, reads, or re-writes pages already dirty pushes nothing
 * and is not slowed, where auto-converge's throttle stops every vCPU alike.
 *
 * <p>Each period, each ring whose vCPU pushed more than its quota allows for the period is set a penalty of
 * {@code 1/quota} seconds per push, kept until the limit ends: from the next period on that vCPU dirties at most
 * its quota, by construction, whatever else it does between two pushes. A vCPU that stays under its quota is
 * never set a penalty. (An earlier penalty of {@code 1/quota} less the vCPU's own time per push, estimated as the
 * period over the pushes less the penalty, failed there: a vCPU that mostly rewrites pages already dirty takes
 * long between pushes, so its penalty fell to nothing; after each harvest, every page clean again, it then
 * dirtied the whole guest at once, thousands of pages a second against a quota of 244.)
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
    private final Map<DirtyRing, Long> pushesAtLastPeriod = new HashMap<>();
    private volatile boolean running;

    /**
     * @param log                 the source's ring tracker.
     * @param quotaBytesPerSecond each vCPU's dirty-rate quota, positive.
     * @param pageSize            bytes per dirtied page.
     * @param periodMs            how often the rates are measured and the penalties set, positive.
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

    /** Starts the controller: from its first period on, vCPUs over the quota sleep. */
    public void start()
    {
        running = true;
        for (final DirtyRing ring : log.rings())
        {
            pushesAtLastPeriod.put(ring, ring.pushes());
        }
        thread.start();
    }

    /** @return whether it has been started and not closed. */
    boolean active()
    {
        return running;
    }

    private void run()
    {
        long last = System.nanoTime();
        while (running)
        {
            LockSupport.parkNanos(this, periodNanos);
            if (!running)
            {
                break;
            }
            final long now = System.nanoTime();
            final double seconds = (now - last) / 1e9;
            last = now;
            for (final DirtyRing ring : log.rings())
            {
                final long pushes = ring.pushes();
                final Long before = pushesAtLastPeriod.put(ring, pushes);
                final long n = pushes - (before == null ? 0 : before);
                if (n > quotaPagesPerSecond * seconds)
                {
                    ring.penaltyNanosPerPush(penaltyNanos());
                }
            }
        }
    }

    /** @return the penalty per push of a vCPU over its quota: {@code 1/quota}, at most one period. */
    long penaltyNanos()
    {
        return (long)Math.min(1e9 / quotaPagesPerSecond, periodNanos);
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
            ring.penaltyNanosPerPush(0);
        }
    }
}
