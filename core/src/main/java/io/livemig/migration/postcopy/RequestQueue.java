package io.livemig.migration.postcopy;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * The pages post-copy faults asked for, handed from the return-path reader thread to the sending thread:
 * a single-producer single-consumer ring of {@code long} page numbers, so a request costs no allocation.
 *
 * <p>Thread-safety: one producer ({@link #offer}), one consumer ({@link #poll}). Ordering: the producer
 * stores the slot, then publishes the tail with a release store; the consumer reads the tail with an
 * acquire load before the slot, and releases the head so the producer may reuse it.
 */
public final class RequestQueue
{
    private final long[] slots;
    private final int mask;
    private final AtomicLong head = new AtomicLong();
    private final AtomicLong tail = new AtomicLong();

    /** @param capacity a power of two. */
    public RequestQueue(final int capacity)
    {
        if (capacity < 2 || Integer.bitCount(capacity) != 1)
        {
            throw new IllegalArgumentException("capacity must be a power of two of at least 2: " + capacity);
        }
        slots = new long[capacity];
        mask = capacity - 1;
    }

    /** Producer: adds {@code page}, waiting while the ring is full (the sender drains it between pages). */
    public void offer(final long page)
    {
        final long t = tail.get();
        while (t - head.getAcquire() == slots.length)
        {
            LockSupport.parkNanos(10_000);
        }
        slots[(int)(t & mask)] = page;
        tail.setRelease(t + 1);
    }

    /** Consumer: @return the oldest page asked for, or -1 if there is none. */
    public long poll()
    {
        final long h = head.get();
        if (h == tail.getAcquire())
        {
            return -1;
        }
        final long page = slots[(int)(h & mask)];
        head.setRelease(h + 1);
        return page;
    }
}
