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
 * <p>Each period, for each ring, with {@code n} pushes in the period of {@code T} seconds and the penalty
 * {@code p} seconds per push that was in force: the vCPU's own time per push was about {@code T/n - p}, so
 * the penalty that makes a push cost {@code 1/quota} is {@code max(0, 1/quota - (T/n - p))}, at most one
 * period. A ring that pushed nothing keeps its penalty (it may be asleep paying it).
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
                if (n > 0)
                {
                    ring.penaltyNanosPerPush(penaltyNanos(n, seconds, ring.penaltyNanosPerPush()));
                }
            }
        }
    }

    /** The penalty that makes each of {@code n} pushes in {@code seconds} cost {@code 1/quota}. */
    long penaltyNanos(final long n, final double seconds, final long currentNanos)
    {
        final double own = Math.max(0, seconds / n - currentNanos / 1e9);
        final double penalty = Math.max(0, 1 / quotaPagesPerSecond - own);
        return (long)Math.min(penalty * 1e9, periodNanos);
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
