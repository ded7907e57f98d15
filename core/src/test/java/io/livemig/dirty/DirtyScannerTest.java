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
     * Two scanners (one by {@code next}, one by {@code drain}) and a {@code testAndClear} caller (a post-copy page request) race over the same log
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
        final Runnable drainer = () ->
        {
            final DirtyScanner scanner = new DirtyScanner(log);
            final long[] batch = new long[5];
            await(start);
            while (System.nanoTime() < deadline)
            {
                for (int i = 0, n = scanner.drain(batch); i < n; i++)
                {
                    handedOut.incrementAndGet((int)batch[i]);
                }
            }
        };
        final List<Thread> threads = List.of(writer, new Thread(scan), new Thread(drainer), new Thread(request));
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

    @ParameterizedTest
    @EnumSource(DirtyLogKind.class)
    void drainHandsOutALapInCursorOrderAWordAtATime(final DirtyLogKind kind)
    {
        for (final long units : new long[] {1, 63, 64, 65, 130, 4097})
        {
            for (final int room : new int[] {1, 3, 64, 200})
            {
                final Random random = new Random(units * 31 + room);
                final DirtyLog log = kind.create(units, 0);
                final BitSet dirty = new BitSet();
                for (int i = 0; i < units / 3 + 1; i++)
                {
                    final int u = random.nextInt((int)units);
                    log.mark(u);
                    dirty.set(u);
                }
                final DirtyScanner scanner = new DirtyScanner(log);
                final long start = units / 2;
                scanner.seek(start);
                final List<Long> order = new java.util.ArrayList<>();
                final long[] batch = new long[room];
                for (int n = scanner.drain(batch); n > 0; n = scanner.drain(batch))
                {
                    for (int i = 0; i < n; i++)
                    {
                        assertTrue(!log.isDirty(batch[i]), "handed-out unit " + batch[i] + " must be clear");
                        order.add(batch[i]);
                    }
                    final long last = batch[n - 1];
                    assertEquals(last + 1 == units ? 0 : last + 1, scanner.cursor(), "cursor after " + last);
                }
                final List<Long> expected = new java.util.ArrayList<>();
                dirty.stream().filter(u -> u >= start).forEach(u -> expected.add((long)u));
                dirty.stream().filter(u -> u < start).forEach(u -> expected.add((long)u));
                assertEquals(expected, order, units + " units, room " + room);
                assertEquals(0, log.cardinality());
            }
        }
        assertThrows(IllegalArgumentException.class, () -> new DirtyScanner(kind.create(5, 0)).drain(new long[0]));
    }

    /**
     * A lap over a clean log reads each unit once: searches that a counting double sees cover at most the
     * log's size, whether the lap starts at 0, in the middle, or at the last unit (the old {@code next} searched
     * from the cursor to the end and then the whole log again from 0).
     */
    @ParameterizedTest
    @EnumSource(DirtyLogKind.class)
    void aLapOverACleanLogSearchesEachUnitOnce(final DirtyLogKind kind)
    {
        final long units = 4097;
        for (final long start : new long[] {0, 1, 2000, units - 1})
        {
            final CountingLog log = new CountingLog(kind.create(units, 0));
            final DirtyScanner scanner = new DirtyScanner(log);
            scanner.seek(start);
            assertEquals(-1, scanner.next());
            assertEquals(units, log.searched, "next() from " + start);
            log.searched = 0;
            assertEquals(0, scanner.drain(new long[8]));
            assertEquals(units, log.searched, "drain() from " + start);
            assertEquals(start, scanner.cursor());
            log.mark(start);
            log.searched = 0;
            assertEquals(start, scanner.next(), "a dirty unit at the cursor");
            assertTrue(log.searched <= units, "searched " + log.searched);
        }
    }

    /**
     * No write is lost to a draining collector: writers store a new version of a unit's "page" and mark it,
     * while a collector drains batches and copies each drained unit's version. Once the writers stop and a
     * last lap has drained the log, every copy holds the final version. Reading before clearing (or clearing
     * after the copy) fails this: a write landing between the read and the clear is never sent again.
     */
    @ParameterizedTest
    @EnumSource(DirtyLogKind.class)
    void noWriteIsLostToACollectorDrainingBatches(final DirtyLogKind kind) throws Exception
    {
        final int units = 3000;
        final DirtyLog log = kind.create(units, 0);
        final AtomicLongArray pages = new AtomicLongArray(units);
        final long[] sent = new long[units];
        final CountDownLatch start = new CountDownLatch(1);
        final long deadline = System.nanoTime() + 300_000_000L;
        final List<Thread> writers = new java.util.ArrayList<>();
        for (int w = 0; w < 2; w++)
        {
            final int me = w;
            writers.add(new Thread(() ->
            {
                final Random random = new Random(me);
                await(start);
                while (System.nanoTime() < deadline)
                {
                    // Writer w owns the units u with u % 2 == w, so each unit's versions only grow.
                    final int u = random.nextInt(units / 2) * 2 + me;
                    pages.setOpaque(u, pages.getOpaque(u) + 1);
                    log.mark(u);
                }
            }));
        }
        writers.forEach(Thread::start);
        final DirtyScanner scanner = new DirtyScanner(log);
        final long[] batch = new long[64];
        long drained = 0;
        start.countDown();
        while (System.nanoTime() < deadline)
        {
            drained += collect(scanner, batch, pages, sent);
        }
        for (final Thread t : writers)
        {
            t.join();
        }
        while (collect(scanner, batch, pages, sent) > 0)
        {
            drained++;
        }
        for (int u = 0; u < units; u++)
        {
            assertEquals(pages.get(u), sent[u], "unit " + u + ": the last version written was sent");
        }
        assertTrue(drained > 0, "the collector drained while writers ran");
    }

    private static int collect(
        final DirtyScanner scanner, final long[] batch, final AtomicLongArray pages, final long[] sent)
    {
        final int n = scanner.drain(batch);
        for (int i = 0; i < n; i++)
        {
            final int u = (int)batch[i];
            sent[u] = pages.getOpaque(u);
        }
        return n;
    }

    /** A log that counts the units its searches cover, to see how much of the log a lap reads. */
    private static final class CountingLog implements DirtyLog
    {
        final DirtyLog log;
        long searched;

        CountingLog(final DirtyLog log)
        {
            this.log = log;
        }

        @Override
        public long nextDirty(final long fromUnit)
        {
            return nextDirty(fromUnit, log.size());
        }

        @Override
        public long nextDirty(final long fromUnit, final long toUnit)
        {
            final long found = log.nextDirty(fromUnit, toUnit);
            searched += Math.max(0, (found < 0 ? Math.min(toUnit, log.size()) : found + 1) - fromUnit);
            return found;
        }

        @Override
        public int drain(final long fromUnit, final long toUnit, final long[] units, final int offset)
        {
            final int n = log.drain(fromUnit, toUnit, units, offset);
            final long end = n == units.length - offset ? units[offset + n - 1] + 1 : Math.min(toUnit, log.size());
            searched += Math.max(0, end - fromUnit);
            return n;
        }

        @Override public long pageCount() { return log.pageCount(); }
        @Override public int granularityShift() { return log.granularityShift(); }
        @Override public long size() { return log.size(); }
        @Override public int wordCount() { return log.wordCount(); }
        @Override public void mark(final long page) { log.mark(page); }
        @Override public void markRange(final long firstPage, final long pageCount) { log.markRange(firstPage, pageCount); }
        @Override public boolean isDirty(final long unit) { return log.isDirty(unit); }
        @Override public boolean testAndClear(final long unit) { return log.testAndClear(unit); }
        @Override public void clearRange(final long fromUnit, final long toUnit) { log.clearRange(fromUnit, toUnit); }
        @Override public void setAll() { log.setAll(); }
        @Override public long cardinality() { return log.cardinality(); }
        @Override public long harvestInto(final DirtyLog target) { return log.harvestInto(target); }
        @Override public long orWord(final int wordIndex, final long bits) { return log.orWord(wordIndex, bits); }
        @Override public long takeWord(final int wordIndex) { return log.takeWord(wordIndex); }
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
