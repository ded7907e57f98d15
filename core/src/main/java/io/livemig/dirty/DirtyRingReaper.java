package io.livemig.dirty;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * A daemon thread that reaps a {@link DirtyRingLog} at an interval, as QEMU's {@code kvm-reaper} thread does,
 * and at once when the owner of a soft-full ring wakes it. While it runs, stalled owners wait for it instead
 * of reaping their own rings.
 *
 * <p>Thread-safety: {@link #start()} and {@link #close()} are for the one thread that owns the reaper; the
 * counters may be read from any thread (volatile reads).
 */
public final class DirtyRingReaper implements AutoCloseable
{
    private final DirtyRingLog log;
    private final long intervalNanos;
    private final Thread thread;
    private volatile boolean running = true;
    private volatile long reaps;
    private volatile long entries;

    /**
     * @param log      the log to reap.
     * @param interval time between reaps, positive.
     * @param unit     unit of {@code interval}.
     */
    public DirtyRingReaper(final DirtyRingLog log, final long interval, final TimeUnit unit)
    {
        if (interval <= 0)
        {
            throw new IllegalArgumentException("reaper interval must be positive: " + interval + " " + unit);
        }
        this.log = log;
        this.intervalNanos = unit.toNanos(interval);
        this.thread = new Thread(this::run, "dirty-ring-reaper");
        this.thread.setDaemon(true);
    }

    /** Attaches the reaper to the log and starts its thread. */
    public DirtyRingReaper start()
    {
        log.attachReaper(thread);
        thread.start();
        return this;
    }

    /** @return reaps done so far. */
    public long reaps()
    {
        return reaps;
    }

    /** @return entries collected so far. */
    public long entries()
    {
        return entries;
    }

    private void run()
    {
        while (running)
        {
            final long n = log.reap();
            reaps = reaps + 1; // single writer
            entries = entries + n;
            LockSupport.parkNanos(this, intervalNanos);
        }
    }

    /**
     * Detaches the reaper (owners reap their own rings again), stops the thread and waits for it. Entries
     * still in the rings stay there for the next reap or sync.
     */
    @Override
    public void close() throws InterruptedException
    {
        log.attachReaper(null);
        running = false;
        LockSupport.unpark(thread);
        thread.join();
    }
}
