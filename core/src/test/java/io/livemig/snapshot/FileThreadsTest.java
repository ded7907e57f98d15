package io.livemig.snapshot;

import io.livemig.snapshot.file.FileThreads;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link FileThreads}: every share runs once, the first failure stops the rest, and no join outlives its deadline. */
@Timeout(30)
class FileThreadsTest
{
    @Test
    void everyIndexRunsOnceOnItsOwnThread() throws Exception
    {
        final AtomicIntegerArray runs = new AtomicIntegerArray(4);
        FileThreads.run("t", 4, 10_000, (thread, stop) -> runs.incrementAndGet(thread));
        for (int i = 0; i < 4; i++)
        {
            assertEquals(1, runs.get(i));
        }
    }

    @Test
    void theFirstFailureStopsTheOthersAndIsThrown() throws Exception
    {
        final IOException broken = new IOException("disk said no");
        final IOException thrown = assertThrows(IOException.class, () -> FileThreads.run("t", 3, 10_000, (thread, stop) ->
        {
            if (thread == 1)
            {
                throw broken;
            }
            while (!stop.getAsBoolean()) // the others run until they see the failure
            {
                Thread.onSpinWait();
            }
        }));
        assertSame(broken, thrown);
    }

    @Test
    void aThreadStuckPastTheDeadlineFailsTheRunAndIsInterrupted() throws Exception
    {
        final CountDownLatch never = new CountDownLatch(1);
        final AtomicReference<Thread> stuck = new AtomicReference<>();
        final CountDownLatch interrupted = new CountDownLatch(1);
        final long t0 = System.nanoTime();
        final IOException thrown = assertThrows(IOException.class, () -> FileThreads.run("io", 2, 300, (thread, stop) ->
        {
            if (thread == 1)
            {
                stuck.set(Thread.currentThread());
                try
                {
                    never.await(); // a read that never returns, until interrupted
                }
                catch (final InterruptedException ex)
                {
                    interrupted.countDown();
                }
            }
        }));
        final long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        assertEquals("io: io-1 had not finished its share of the file after 0.3 s", thrown.getMessage());
        assertTrue(tookMs >= 300, "returned at the deadline, not before: " + tookMs + " ms");
        assertTrue(interrupted.await(10, TimeUnit.SECONDS), "the stuck thread was interrupted");
        stuck.get().join(10_000);
        assertTrue(!stuck.get().isAlive());
    }
}
