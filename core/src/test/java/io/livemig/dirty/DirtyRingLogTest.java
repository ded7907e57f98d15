package io.livemig.dirty;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The ring's own behaviour: push on first write only, soft-full stalls, the reaper, and shapes. */
class DirtyRingLogTest
{
    @Test
    void pushesAUnitOnlyOnItsFirstWriteSinceItWasCollectedAndReset()
    {
        final DirtyRingLog log = new DirtyRingLog(1000, 0, 64, 8);
        log.mark(7);
        log.mark(7);
        log.markRange(6, 3); // 6, 7, 8: only 6 and 8 are new
        assertEquals(3, log.pushes());
        assertEquals(3, log.reap());
        assertEquals(0, log.reap(), "a reaped ring is empty");
        log.mark(7); // re-armed by the reset: pushed again
        assertEquals(4, log.pushes());
        final AtomicDirtyBitmap target = new AtomicDirtyBitmap(1000, 0);
        assertEquals(3, log.harvestInto(target));
        assertEquals(3, target.cardinality());
        assertEquals(1, log.rings().length, "one thread, one ring");
    }

    @Test
    void eachWritingThreadGetsItsOwnRing() throws InterruptedException
    {
        final DirtyRingLog log = new DirtyRingLog(1000, 0, 64, 8);
        final Thread a = new Thread(() -> log.mark(1));
        final Thread b = new Thread(() -> log.mark(2));
        a.start();
        b.start();
        a.join();
        b.join();
        log.mark(1); // pending from a's entry: no push
        assertEquals(2, log.rings().length);
        assertEquals(2, log.pushes());
    }

    @Test
    void withoutAReaperAFullRingsOwnerReapsItselfAndCountsTheStall()
    {
        final DirtyRingLog log = new DirtyRingLog(1000, 0, 16, 4);
        for (int page = 0; page < 100; page++)
        {
            log.mark(page);
        }
        // Soft-full at 12 entries: the 12th, 24th, ... push stalls (8 times in 100), each reaping the ring.
        assertEquals(8, log.stalls());
        assertTrue(log.stallNanos() > 0);
        assertEquals(100, log.cardinality());
    }

    /** KVM_EXIT_DIRTY_RING_FULL: with a reaper attached, the owner waits for it and resumes after its reset. */
    @Test
    void aWriterBlocksOnAFullRingAndResumesAfterReset() throws InterruptedException
    {
        final DirtyRingLog log = new DirtyRingLog(1000, 0, 16, 4);
        log.attachReaper(Thread.currentThread()); // this thread plays a reaper that is late
        final AtomicLong written = new AtomicLong();
        final Thread writer = new Thread(() ->
        {
            for (int page = 0; page < 20; page++)
            {
                log.mark(page);
                written.set(page + 1);
            }
        }, "vcpu");
        writer.start();
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (log.stallsInProgress() == 0 && System.nanoTime() < deadline)
        {
            Thread.sleep(1);
        }
        Thread.sleep(100);
        assertEquals(11, written.get(), "the 12th push made the ring soft-full: the writer stops before its next write");
        assertTrue(writer.isAlive());
        assertEquals(0, log.stalls(), "a stall in progress is counted when it ends");

        assertEquals(12, log.reap());
        writer.join(TimeUnit.SECONDS.toMillis(10));
        assertEquals(20, written.get(), "the writer resumed after the reset");
        assertEquals(1, log.stalls());
        assertTrue(log.stallNanos() >= TimeUnit.MILLISECONDS.toNanos(100), "the stall was timed: " + log.stallNanos());
        log.attachReaper(null);
    }

    @Test
    void aReaperCollectsAtItsIntervalAndServesFullRings() throws InterruptedException
    {
        final DirtyRingLog log = new DirtyRingLog(100_000, 0, 16, 4);
        try (DirtyRingReaper reaper = new DirtyRingReaper(log, 1, TimeUnit.MILLISECONDS).start())
        {
            for (int page = 0; page < 10_000; page++)
            {
                log.mark(page);
            }
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (reaper.entries() < 10_000 && System.nanoTime() < deadline)
            {
                Thread.sleep(1);
            }
            assertEquals(10_000, reaper.entries(), "the reaper collected every entry by itself");
            assertTrue(reaper.reaps() > 1);
            assertTrue(log.stalls() > 0, "16-entry rings filled");
        }
        assertEquals(10_000, log.cardinality());
    }

    @Test
    void rejectsBadRingShapesNamingTheValue()
    {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new DirtyRingLog(10, 0, 48, 4))
            .getMessage().contains("48"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new DirtyRingLog(10, 0, 1, 1))
            .getMessage().contains("1"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new DirtyRingLog(10, 0, 16, 16))
            .getMessage().contains("16"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new DirtyRingLog(10, 0, 16, 0))
            .getMessage().contains("0"));
        assertThrows(IndexOutOfBoundsException.class, () -> new DirtyRingLog(10, 0).mark(10));
        assertEquals(64, DirtyRingLog.defaultReserved(4096));
        assertEquals(4, DirtyRingLog.defaultReserved(16));
        assertEquals(1, DirtyRingLog.defaultReserved(2));
    }

    /**
     * The dirty-limit penalty paces a ring's owner by construction: pushes due 2 ms apart with 10 ms of credit take
     * at least 50 x 2 - 10 ms for 50 pages in a row (a sleep never ends early), and an owner that pushes less often
     * than that, here every 5 ms, never sleeps.
     */
    @Test
    void aPenaltyPacesPushesAboveItsRateAndCostsNothingBelowIt() throws InterruptedException
    {
        final DirtyRingLog log = new DirtyRingLog(1024, 0);
        log.mark(0); // this thread's ring
        DirtyRing mine = null;
        for (final DirtyRing ring : log.rings())
        {
            mine = ring.owner() == Thread.currentThread() ? ring : mine;
        }
        final DirtyRing ring = mine;
        ring.penaltyNanosPerPush(2_000_000, 10_000_000);
        for (int page = 1; page <= 20; page++)
        {
            Thread.sleep(5);
            log.mark(page);
        }
        assertEquals(0, ring.throttledNanos(), "an owner below the rate never sleeps");
        final long t0 = System.nanoTime();
        for (int page = 100; page < 150; page++)
        {
            log.mark(page);
        }
        final long ms = (System.nanoTime() - t0) / 1_000_000;
        assertTrue(ms >= 50 * 2 - 10 - 1, "50 pushes due 2 ms apart with 10 ms of credit took " + ms + " ms");
        assertTrue(ring.throttledNanos() > 0);
        ring.penaltyNanosPerPush(0, 0);
        final long slept = ring.throttledNanos();
        for (int page = 200; page < 250; page++)
        {
            log.mark(page);
        }
        assertEquals(slept, ring.throttledNanos(), "no penalty once it is ended");
    }
}
