package io.livemig.kernel;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import io.livemig.memory.GuestMemory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The MISSING-mode guest alone: a thread touching a missing page blocks until the page is placed, the fault
 * thread reports the page, {@code UFFDIO_COPY} wakes the waiter with the page's bytes, zero pages read as
 * zeros, a second placement of a page that is there is skipped ({@code EEXIST}) and leaves it as it was.
 */
class MissingFaultGuestTest
{
    private static final int PAGE = 4096;

    static FaultingGuest open(final long pages)
    {
        KernelAssume.faults();
        return KernelTracking.openFaulting("pc.ram", pages * PAGE, PAGE);
    }

    @Test
    @Timeout(30)
    void aReaderBlocksUntilThePageIsCopiedAndSeesItsBytes() throws Exception
    {
        try (FaultingGuest guest = open(16); Arena arena = Arena.ofConfined())
        {
            final LinkedBlockingQueue<Long> faults = new LinkedBlockingQueue<>();
            guest.start((page, ns) -> faults.add(page));
            final GuestMemory memory = guest.memory();
            final AtomicReference<Object> read = new AtomicReference<>();
            final Thread reader = new Thread(() -> read.set(memory.getLong(5L * PAGE + 8)));
            reader.start();
            assertEquals(5L, faults.poll(10, TimeUnit.SECONDS), "the fault thread reports the page");
            assertTrue(reader.isAlive(), "the reader waits for the page");
            final MemorySegment src = arena.allocate(PAGE, PAGE);
            src.set(java.lang.foreign.ValueLayout.JAVA_LONG, 8, 0x1234_5678_9abcL);
            assertTrue(guest.place(5, src.address()));
            reader.join(10_000);
            assertFalse(reader.isAlive(), "UFFDIO_COPY woke the reader");
            assertEquals(0x1234_5678_9abcL, read.get());
            assertTrue(guest.isPlaced(5));
        }
    }

    @Test
    @Timeout(30)
    void aSecondPlacementOfAPageThatIsThereIsSkipped() throws Exception
    {
        try (FaultingGuest guest = open(4); Arena arena = Arena.ofConfined())
        {
            guest.start((page, ns) -> guest.zeroIfMissing(page));
            final MemorySegment src = arena.allocate(PAGE, PAGE);
            src.fill((byte)7);
            // The fault thread's zero placement races nothing here: the page is placed first by the push...
            assertTrue(guest.place(1, src.address()));
            // ...and the fault path's zero placement of the same page meets EEXIST and leaves the bytes.
            guest.zeroIfMissing(1);
            assertEquals(1, guest.placementsSkipped());
            assertEquals((byte)7, guest.memory().getByte(PAGE + 100));
            // A page touched before anything was placed is served as zeros by the handler.
            assertEquals(0L, guest.memory().getLong(3L * PAGE));
            assertEquals(1, guest.faultsRead());
            // placeZero of a placed page overwrites it (a pre-copy round sending it again as ZERO).
            assertTrue(guest.placeZero(1));
            assertEquals((byte)0, guest.memory().getByte(PAGE + 100));
        }
    }

    @Test
    @Timeout(30)
    void releaseWaitersWakesABlockedThread() throws Exception
    {
        try (FaultingGuest guest = open(4))
        {
            final LinkedBlockingQueue<Long> faults = new LinkedBlockingQueue<>();
            guest.start((page, ns) -> faults.add(page));
            final AtomicReference<Throwable> failure = new AtomicReference<>();
            final Thread writer = new Thread(() ->
            {
                try
                {
                    guest.memory().putLong(2L * PAGE, 1);
                }
                catch (final Throwable t)
                {
                    failure.set(t);
                }
            });
            writer.start();
            assertNotNull(faults.poll(10, TimeUnit.SECONDS));
            guest.releaseWaiters();
            writer.join(10_000);
            assertFalse(writer.isAlive());
            assertNull(failure.get());
        }
    }

    /**
     * A placement that does not wake its waiter (the lost wake of "A wake after every fault message read", made
     * certain with {@code UFFDIO_COPY_MODE_DONTWAKE}), made after the fault thread has answered its message: the
     * placement answers with a wake of its own. The fault thread serves messages one at a time, so once a second
     * reader's fault has reached the handler, the first message's answer is behind it. A whole-suite benchmark run
     * hung for good on a lost wake before.
     */
    @Test
    @Timeout(30)
    void aPlacementAfterTheFaultMessageWakesTheWaiterEvenIfItsOwnWakeIsLost() throws Exception
    {
        try (FaultingGuest guest = open(4); Arena arena = Arena.ofConfined())
        {
            final LinkedBlockingQueue<Long> faults = new LinkedBlockingQueue<>();
            guest.start((page, ns) -> faults.add(page));
            final AtomicReference<Object> read = new AtomicReference<>();
            final Thread reader = new Thread(() -> read.set(guest.memory().getLong(2L * PAGE + 16)));
            final Thread second = new Thread(() -> guest.memory().getLong(3L * PAGE));
            reader.start();
            try
            {
                assertEquals(2L, faults.poll(10, TimeUnit.SECONDS), "the fault thread reads the reader's fault");
                second.start();
                assertEquals(3L, faults.poll(10, TimeUnit.SECONDS), "and then the second one's, past the first answer");
                assertTrue(((MissingFaultGuest)guest).placeWithoutWake(2, page(arena, 42L).address()));
                reader.join(10_000);
                assertFalse(reader.isAlive(), "the placement's answer woke the reader");
                assertEquals(42L, read.get());
                assertTrue(guest.place(3, page(arena, 0L).address()));
                second.join(10_000);
                assertFalse(second.isAlive());
            }
            finally
            {
                guest.releaseWaiters(); // a reader still asleep must wake before the memory is unmapped
                reader.join(10_000);
                second.join(10_000);
            }
        }
    }

    /**
     * The other order: the page is placed without a wake after the reader faulted but before the fault thread read
     * its message (the reader faults before the fault thread starts, and the handler does nothing). The fault
     * thread, finding the page placed after the handler, answers the message with a wake.
     */
    @Test
    @Timeout(30)
    void aFaultMessageReadAfterItsPageWasPlacedIsAnsweredWithAWake() throws Exception
    {
        try (FaultingGuest guest = open(4); Arena arena = Arena.ofConfined())
        {
            final int blockedBefore = blockedInUserfault();
            final AtomicReference<Object> read = new AtomicReference<>();
            final Thread reader = new Thread(() -> read.set(guest.memory().getLong(2L * PAGE + 16)));
            reader.start();
            try
            {
                final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                while (blockedInUserfault() <= blockedBefore && System.nanoTime() < deadline)
                {
                    Thread.sleep(1);
                }
                assertTrue(blockedInUserfault() > blockedBefore, "the reader blocks in its fault");
                assertTrue(((MissingFaultGuest)guest).placeWithoutWake(2, page(arena, 42L).address()));
                guest.start((page, ns) -> { });
                reader.join(10_000);
                assertFalse(reader.isAlive(), "the fault thread's answer woke the reader");
                assertEquals(42L, read.get(), "with the placed bytes");
            }
            finally
            {
                guest.releaseWaiters();
                reader.join(10_000);
            }
        }
    }

    /** @return this JVM's threads asleep in a userfaultfd fault, as the kernel's {@code wchan} says. */
    private static int blockedInUserfault() throws java.io.IOException
    {
        int n = 0;
        try (java.util.stream.Stream<java.nio.file.Path> tasks = java.nio.file.Files.list(java.nio.file.Path.of("/proc/self/task")))
        {
            for (final java.nio.file.Path task : (Iterable<java.nio.file.Path>)tasks::iterator)
            {
                try
                {
                    n += java.nio.file.Files.readString(task.resolve("wchan")).contains("handle_userfault") ? 1 : 0;
                }
                catch (final java.io.IOException gone)
                {
                    // the thread ended while we listed
                }
            }
        }
        return n;
    }

    private static MemorySegment page(final Arena arena, final long at16)
    {
        final MemorySegment src = arena.allocate(PAGE, PAGE);
        src.set(java.lang.foreign.ValueLayout.JAVA_LONG, 16, at16);
        return src;
    }

    /**
     * In post-copy (after a DISCARD) the push and a request race to place one page that a vCPU waits for:
     * exactly one placement succeeds, the other meets {@code EEXIST} (or sees the page placed) and is skipped, so
     * it can never overwrite what the woken vCPU wrote; the waiter wakes with the page's bytes. 64 pages, one race
     * each.
     */
    @Test
    @Timeout(60)
    void pushAndRequestRacingForOnePageWakeTheWaiterOnce() throws Exception
    {
        final int pages = 64;
        try (FaultingGuest guest = open(pages); Arena arena = Arena.ofShared())
        {
            guest.start((page, ns) -> { });
            guest.discard(0, pages);
            final MemorySegment src = arena.allocate((long)pages * PAGE, PAGE);
            for (int p = 0; p < pages; p++)
            {
                src.asSlice((long)p * PAGE, PAGE).fill((byte)(p + 1));
            }
            for (int p = 0; p < pages; p++)
            {
                final long page = p;
                final AtomicReference<Object> read = new AtomicReference<>();
                final Thread vcpu = new Thread(() -> read.set(guest.memory().getByte(page * PAGE + 7)));
                vcpu.start();
                final java.util.concurrent.CyclicBarrier start = new java.util.concurrent.CyclicBarrier(2);
                final boolean[] placed = new boolean[2];
                final Thread[] racers = new Thread[2];
                for (int r = 0; r < 2; r++)
                {
                    final int me = r;
                    racers[r] = new Thread(() ->
                    {
                        try
                        {
                            start.await();
                            placed[me] = guest.place(page, src.address() + page * PAGE);
                        }
                        catch (final Exception ex)
                        {
                            throw new IllegalStateException(ex);
                        }
                    });
                    racers[r].start();
                }
                for (final Thread t : racers)
                {
                    t.join(10_000);
                }
                vcpu.join(10_000);
                assertFalse(vcpu.isAlive(), "page " + p + ": the waiter woke");
                assertEquals((byte)(p + 1), read.get());
                assertTrue(placed[0] ^ placed[1], "page " + p + ": exactly one placement succeeded");
            }
            assertEquals(pages, guest.placementsSkipped(), "one placement of each race skipped");
        }
    }
}
