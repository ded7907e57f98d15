package io.livemig.kernel;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import io.livemig.dirty.AtomicDirtyBitmap;
import io.livemig.memory.GuestMemory;

/**
 * A miniature pre-copy over a kernel-tracked guest: writer threads store ever-increasing sequence numbers
 * (through {@link GuestMemory}, so the synchronous tracker's stores are native calls) in random pages they
 * own ({@code page % writers == id}); the migration thread harvests the kernel's log into a fresh bitmap and
 * copies each reported page's first long into a destination array. After the writers stop, one more harvest
 * and copy; every page whose destination differs from the source is a lost write.
 */
final class KernelRace
{
    private final UffdGuest guest;
    private final long pages;
    private final long[] destination;
    private final java.util.concurrent.atomic.AtomicLong writes = new java.util.concurrent.atomic.AtomicLong();

    KernelRace(final UffdGuest guest)
    {
        this.guest = guest;
        this.pages = guest.memory().pageCount();
        this.destination = new long[(int)pages];
    }

    /**
     * Runs {@code writers} writers for at least {@code rounds} harvests and {@code minMillis}, then stops them
     * (within a deadline) and syncs once more.
     *
     * @return the lost pages, ascending.
     */
    List<Long> run(final int writers, final int rounds, final long minMillis, final long seed) throws InterruptedException
    {
        final GuestMemory memory = guest.memory();
        final AtomicReference<Throwable> failure = new AtomicReference<>();
        final Thread[] threads = new Thread[writers];
        final boolean[] stop = {false};
        final Object stopLock = new Object();
        for (int id = 0; id < writers; id++)
        {
            final int me = id;
            threads[id] = new Thread(() ->
            {
                final SplittableRandom random = new SplittableRandom(seed + me);
                final long owned = (pages - me + writers - 1) / writers;
                long sequence = 0;
                try
                {
                    while (true)
                    {
                        synchronized (stopLock)
                        {
                            if (stop[0])
                            {
                                writes.addAndGet(sequence);
                                return;
                            }
                        }
                        for (int i = 0; i < 64; i++)
                        {
                            final long page = me + random.nextLong(owned) * writers;
                            memory.putLong(page << 12, ++sequence);
                        }
                    }
                }
                catch (final Throwable t)
                {
                    failure.compareAndSet(null, t);
                }
            }, "kernel-race-writer-" + id);
            threads[id].setDaemon(true);
            threads[id].start();
        }
        try
        {
            sendRound(true);
            final long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(minMillis);
            for (int r = 0; r < rounds || System.nanoTime() < until; r++)
            {
                sendRound(false);
            }
        }
        finally
        {
            synchronized (stopLock)
            {
                stop[0] = true;
            }
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            for (final Thread t : threads)
            {
                t.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
                if (t.isAlive())
                {
                    throw new AssertionError(t.getName() + " did not stop within 10 s (blocked in a fault?)");
                }
            }
        }
        if (failure.get() != null)
        {
            throw new AssertionError("a writer failed", failure.get());
        }
        sendRound(false);
        return lostPages();
    }

    /** Harvests into a fresh bitmap (all pages for the first round) and copies each reported page. */
    void sendRound(final boolean all)
    {
        final AtomicDirtyBitmap bitmap = new AtomicDirtyBitmap(pages, 0);
        if (all)
        {
            bitmap.setAll();
        }
        guest.log().harvestInto(bitmap);
        final GuestMemory memory = guest.memory();
        for (long p = bitmap.nextDirty(0); p >= 0; p = bitmap.nextDirty(p + 1))
        {
            destination[(int)p] = memory.getLong(p << 12);
        }
    }

    /** @return stores the writers made in the last {@link #run}. */
    long writes()
    {
        return writes.get();
    }

    /** @return the pages whose destination differs from the source. */
    List<Long> lostPages()
    {
        final List<Long> lost = new ArrayList<>();
        for (long p = 0; p < pages; p++)
        {
            if (destination[(int)p] != guest.memory().getLong(p << 12))
            {
                lost.add(p);
            }
        }
        return lost;
    }
}
