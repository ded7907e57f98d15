package io.livemig.dirty;

import java.util.BitSet;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLongArray;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link DirtyScanner}: laps, wrapping, cursor, and exclusive hand-out among racing clearers. */
class DirtyScannerTest
{
    @ParameterizedTest
    @EnumSource(DirtyLogKind.class)
    void handsOutEveryDirtyUnitOncePerLapFromTheCursorThenWraps(final DirtyLogKind kind)
    {
        for (final long units : new long[] {1, 63, 64, 65, 130, 4097})
        {
            final Random random = new Random(units);
            final DirtyLog log = kind.create(units, 0);
            final DirtyScanner scanner = new DirtyScanner(log);
            final BitSet dirty = new BitSet();
            for (int i = 0; i < units / 3 + 1; i++)
            {
                final int u = random.nextInt((int)units);
                log.mark(u);
                dirty.set(u);
            }
            log.mark(units - 1);
            dirty.set((int)units - 1);
            final long start = units / 2;
            scanner.seek(start);
            // Expected order: from the cursor to the end, then from 0 back up to the cursor.
            final BitSet seen = new BitSet();
            long previous = -1;
            boolean wrapped = false;
            for (long u = scanner.next(); u >= 0; u = scanner.next())
            {
                assertTrue(seen.get((int)u) == false, "unit " + u + " handed out twice in one lap");
                assertTrue(dirty.get((int)u), "unit " + u + " was never marked");
                if (u < previous)
                {
                    assertTrue(!wrapped && u < start, "second wrap or order broken at " + u);
                    wrapped = true;
                }
                assertTrue(wrapped ? u < start : u >= start, "unit " + u + " out of lap order");
                assertEquals(u + 1 == units ? 0 : u + 1, scanner.cursor(), "cursor after " + u);
                assertTrue(!log.isDirty(u), "handed out unit " + u + " must be clear");
                seen.set((int)u);
                previous = u;
            }
            assertEquals(dirty, seen, "units handed out in one lap (" + units + " units)");
            assertEquals(-1, scanner.next(), "a clean log gives -1 again");
            assertEquals(0, log.cardinality());
            log.mark(0);
            assertEquals(0, scanner.next(), "a re-dirtied unit behind the cursor is found after wrapping");
        }
    }

    @ParameterizedTest
    @EnumSource(DirtyLogKind.class)
    void cursorAtTheLastUnitWrapsToZero(final DirtyLogKind kind)
    {
        final DirtyLog log = kind.create(130, 0);
        final DirtyScanner scanner = new DirtyScanner(log);
        log.mark(129);
        log.mark(3);
        scanner.seek(129);
        assertEquals(129, scanner.next());
        assertEquals(0, scanner.cursor());
        assertEquals(3, scanner.next());
        assertEquals(-1, scanner.next());
        assertEquals(4, scanner.cursor(), "a fruitless lap leaves the cursor where it was");
        assertThrows(IndexOutOfBoundsException.class, () -> scanner.seek(130));
        assertThrows(IndexOutOfBoundsException.class, () -> scanner.seek(-1));
        assertEquals(log, scanner.log());
    }

    /**
     * Several scanners and a {@code testAndClear} caller (a post-copy page request) race over the same log
     * while a writer keeps marking: every mark that set a clear bit is handed out exactly once, counted per
     * unit, once the writer stops and a final scan drains the log.
     */
    @ParameterizedTest
    @EnumSource(DirtyLogKind.class)
    void eachSetBitIsHandedOutExactlyOnceAmongRacingClearers(final DirtyLogKind kind) throws Exception
    {
        final int units = 4097;
        final DirtyLog log = kind.create(units, 0);
        final AtomicLongArray handedOut = new AtomicLongArray(units);
        final AtomicLongArray setByWriter = new AtomicLongArray(units);
        final CountDownLatch start = new CountDownLatch(1);
        final long deadline = System.nanoTime() + 300_000_000L;
        final Thread writer = new Thread(() ->
        {
            final Random random = new Random(7);
            await(start);
            while (System.nanoTime() < deadline)
            {
                final int u = random.nextInt(units);
                // Count only marks that found the bit clear: each such set must be handed out once.
                if (!log.isDirty(u))
                {
                    log.mark(u);
                    setByWriter.incrementAndGet(u);
                }
            }
        });
        final Runnable scan = () ->
        {
            final DirtyScanner scanner = new DirtyScanner(log);
            await(start);
            while (System.nanoTime() < deadline)
            {
                final long u = scanner.next();
                if (u >= 0)
                {
                    handedOut.incrementAndGet((int)u);
                }
            }
        };
        final Runnable request = () ->
        {
            final Random random = new Random(11);
            await(start);
            while (System.nanoTime() < deadline)
            {
                final int u = random.nextInt(units);
                if (log.testAndClear(u))
                {
                    handedOut.incrementAndGet(u);
                }
            }
        };
        final List<Thread> threads = List.of(writer, new Thread(scan), new Thread(scan), new Thread(request));
        threads.forEach(Thread::start);
        start.countDown();
        for (final Thread t : threads)
        {
            t.join();
        }
        final DirtyScanner drain = new DirtyScanner(log);
        for (long u = drain.next(); u >= 0; u = drain.next())
        {
            handedOut.incrementAndGet((int)u);
        }
        long total = 0;
        for (int u = 0; u < units; u++)
        {
            // The writer is the only marker and marks only a bit it saw clear, so each count in setByWriter is
            // one clear-to-set transition, and each hand-out one set-to-clear transition; the log ends clear.
            assertEquals(setByWriter.get(u), handedOut.get(u), "hand-outs of unit " + u);
            total += handedOut.get(u);
        }
        assertTrue(total > 0, "the race did some work");
    }

    private static void await(final CountDownLatch latch)
    {
        try
        {
            latch.await();
        }
        catch (final InterruptedException e)
        {
            throw new IllegalStateException(e);
        }
    }
}
