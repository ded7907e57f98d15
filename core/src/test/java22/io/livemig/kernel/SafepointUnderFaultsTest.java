package io.livemig.kernel;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import io.livemig.memory.GuestMemory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The JVM hazard of synchronous write-protection: a writer blocked in a fault must not hold up a safepoint
 * that the fault thread then waits for. Writers keep faulting (a harvest protects their pages again every
 * round) while another thread forces garbage collections, each a safepoint, in a loop; everything must finish
 * within its deadline, with many faults served and many collections done while faults were outstanding.
 */
class SafepointUnderFaultsTest
{
    private static final long FAULTS = 200;
    private static final long COLLECTIONS = 10;

    @Test
    @Timeout(90)
    void garbageCollectionsWhileWritersBlockInFaultsNeverDeadlock() throws InterruptedException
    {
        try (UffdGuest guest = KernelGuests.open(KernelTracker.UFFD_WP, 256))
        {
            final GuestMemory memory = guest.memory();
            final AtomicReference<Throwable> failure = new AtomicReference<>();
            final AtomicLong gcs = new AtomicLong();
            final AtomicBoolean stop = new AtomicBoolean();
            final Thread[] writers = new Thread[2];
            for (int id = 0; id < writers.length; id++)
            {
                final int me = id;
                writers[id] = new Thread(() ->
                {
                    try
                    {
                        for (long i = 0; !stop.get(); i++)
                        {
                            memory.putLong(((i * 2 + me) % 256) << 12, i);
                        }
                    }
                    catch (final Throwable t)
                    {
                        failure.compareAndSet(null, t);
                    }
                }, "safepoint-writer-" + id);
            }
            final Thread collector = new Thread(() ->
            {
                while (!stop.get())
                {
                    System.gc();
                    gcs.incrementAndGet();
                }
            }, "safepoint-gc");
            for (final Thread w : writers)
            {
                w.setDaemon(true);
                w.start();
            }
            collector.setDaemon(true);
            collector.start();
            final long giveUp = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while ((guest.faultsServed() < FAULTS || gcs.get() < COLLECTIONS) && System.nanoTime() < giveUp
                && failure.get() == null)
            {
                KernelGuests.harvest(guest); // protects the written pages again: the writers keep faulting
            }
            stop.set(true);
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            for (final Thread t : new Thread[] {writers[0], writers[1], collector})
            {
                t.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
                assertFalse(t.isAlive(), t.getName() + " is stuck: a safepoint deadlock?");
            }
            assertNull(failure.get(), "a writer failed");
            assertTrue(guest.faultsServed() >= FAULTS, "faults served in 30 s: " + guest.faultsServed());
            assertTrue(gcs.get() >= COLLECTIONS, "collections in 30 s: " + gcs.get());
        }
    }
}
