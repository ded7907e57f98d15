package io.livemig.kernel;

import java.util.concurrent.LinkedBlockingQueue;
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
 * The JVM hazard of post-copy with kernel faults: a vCPU blocked in a MISSING fault must not hold up a
 * safepoint that the fault thread or the placing thread then waits for. Two vCPUs read and write a guest
 * whose pages are made missing again and again (DISCARD's {@code MADV_DONTNEED}); each fault goes from the
 * fault thread to a placing thread that waits a millisecond (a page in flight) and places it; meanwhile
 * another thread forces garbage collections, each a safepoint, in a loop. It runs until it has seen {@value
 * #FAULTS} faults served and {@value #COLLECTIONS} collections started while a fault was outstanding, with a
 * deadline: a deadlock stops the faults and fails it.
 */
class SafepointUnderMissingFaultsTest
{
    private static final long FAULTS = 100;
    private static final long COLLECTIONS = 10;
    private static final long DEADLINE_MS = 45_000;
    private static final int PAGES = 64;

    @Test
    @Timeout(90)
    void garbageCollectionsWhileVcpusBlockInMissingFaultsNeverDeadlock() throws InterruptedException
    {
        try (FaultingGuest guest = MissingFaultGuestTest.open(PAGES))
        {
            final GuestMemory memory = guest.memory();
            final AtomicReference<Throwable> failure = new AtomicReference<>();
            final AtomicBoolean stop = new AtomicBoolean();
            final AtomicLong outstanding = new AtomicLong();
            final AtomicLong served = new AtomicLong();
            final AtomicLong gcsWhileOutstanding = new AtomicLong();
            final LinkedBlockingQueue<Long> inFlight = new LinkedBlockingQueue<>();
            guest.start((page, ns) ->
            {
                outstanding.incrementAndGet();
                inFlight.add(page);
            });
            final Thread placer = new Thread(() ->
            {
                try
                {
                    while (!stop.get())
                    {
                        final Long page = inFlight.poll(50, TimeUnit.MILLISECONDS);
                        if (page != null)
                        {
                            Thread.sleep(1);
                            guest.zeroIfMissing(page);
                            served.incrementAndGet();
                            outstanding.decrementAndGet();
                        }
                    }
                }
                catch (final Throwable t)
                {
                    failure.compareAndSet(null, t);
                }
            }, "safepoint-placer");
            final Thread[] vcpus = new Thread[2];
            for (int id = 0; id < vcpus.length; id++)
            {
                final int me = id;
                vcpus[id] = new Thread(() ->
                {
                    try
                    {
                        for (long i = 0; !stop.get(); i++)
                        {
                            final long address = ((i * 2 + me) % PAGES) << 12;
                            memory.putLong(address, memory.getLong(address) + 1);
                        }
                    }
                    catch (final Throwable t)
                    {
                        failure.compareAndSet(null, t);
                    }
                }, "safepoint-vcpu-" + id);
            }
            final Thread collector = new Thread(() ->
            {
                while (!stop.get())
                {
                    final boolean during = outstanding.get() > 0;
                    System.gc();
                    if (during)
                    {
                        gcsWhileOutstanding.incrementAndGet();
                    }
                }
            }, "safepoint-collector");
            placer.start();
            for (final Thread t : vcpus)
            {
                t.start();
            }
            collector.start();
            final long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(DEADLINE_MS);
            while ((served.get() < FAULTS || gcsWhileOutstanding.get() < COLLECTIONS) && System.nanoTime() < deadline &&
                failure.get() == null)
            {
                guest.discard(0, PAGES); // every page missing again: the vCPUs' next touches fault
                Thread.sleep(5);
            }
            stop.set(true);
            collector.join(10_000);
            placer.join(10_000);
            guest.releaseWaiters(); // a vCPU that faulted after the placer stopped
            for (final Thread t : vcpus)
            {
                t.join(10_000);
                assertFalse(t.isAlive(), t.getName() + " still blocked");
            }
            assertNull(failure.get());
            System.out.println("SafepointUnderMissingFaultsTest: " + served.get() + " faults served, " +
                gcsWhileOutstanding.get() + " collections while one was outstanding, " + guest.faultsRead() + " read");
            assertTrue(served.get() >= FAULTS && gcsWhileOutstanding.get() >= COLLECTIONS, "before the " + DEADLINE_MS +
                " ms deadline only " + served.get() + " faults served and " + gcsWhileOutstanding.get() +
                " collections started while a fault was outstanding");
        }
    }
}
