package io.livemig.dirty;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import static io.livemig.dirty.DirtyLogKind.assertHolds;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The contract every {@link DirtyLog} must keep, run against each implementation by a one-line subclass, at
 * granularity shifts 0, 1, 5 and 9 and at unit counts around word boundaries (1, 63, 64, 65, 130, 4097), with
 * a partial last unit wherever the shift allows one. Expected answers come from a {@link BitSet} model.
 */
abstract class DirtyLogContractTest
{
    private final DirtyLogKind kind;

    DirtyLogContractTest(final DirtyLogKind kind)
    {
        this.kind = kind;
    }

    static List<Arguments> shapes()
    {
        final List<Arguments> shapes = new ArrayList<>();
        for (final int shift : new int[] {0, 1, 5, 9})
        {
            for (final long units : new long[] {1, 63, 64, 65, 130, 4097})
            {
                // Last unit partial (3 pages short of full, or 1 page) except at shift 0.
                final long lastUnitPages = Math.max(1, (1L << shift) - 3);
                shapes.add(Arguments.of(shift, units, ((units - 1) << shift) + lastUnitPages));
            }
        }
        return shapes;
    }

    /** Units worth probing: both ends and both sides of every word boundary. */
    private static long[] edges(final long units)
    {
        return java.util.stream.LongStream.of(0, 1, 62, 63, 64, 65, 127, 128, 129, units - 2, units - 1)
            .filter(u -> u >= 0 && u < units).distinct().toArray();
    }

    /** Marks the first page of every edge unit of {@code log}; returns the model of what it set. */
    private static BitSet markEdges(final DirtyLog log)
    {
        final BitSet model = new BitSet();
        for (final long u : edges(log.size()))
        {
            log.mark(log.firstPageOf(u));
            model.set((int)u);
        }
        return model;
    }

    @ParameterizedTest(name = "shift {0}, {1} units, {2} pages")
    @MethodSource("shapes")
    void shape(final int shift, final long units, final long pages)
    {
        final DirtyLog log = kind.create(pages, shift);
        assertEquals(pages, log.pageCount());
        assertEquals(shift, log.granularityShift());
        assertEquals(units, log.size());
        assertEquals((units + 63) / 64, log.wordCount());
        assertEquals(0, log.cardinality());
        assertEquals(-1, log.nextDirty(0));
        assertEquals(0, log.firstPageOf(0));
        assertEquals((units - 1) << shift, log.firstPageOf(units - 1));
        assertEquals(pages - ((units - 1) << shift), log.pagesIn(units - 1));
        if (units > 1)
        {
            assertEquals(1L << shift, log.pagesIn(units - 2));
        }
        long covered = 0;
        for (long u = 0; u < units; u++)
        {
            covered += log.pagesIn(u);
        }
        assertEquals(pages, covered, "pagesIn over all units");
    }

    @ParameterizedTest(name = "shift {0}, {1} units, {2} pages")
    @MethodSource("shapes")
    void markSetsTheUnitOfEveryPageItCovers(final int shift, final long units, final long pages)
    {
        final DirtyLog log = kind.create(pages, shift);
        final BitSet model = new BitSet();
        for (final long u : edges(units))
        {
            final long first = log.firstPageOf(u);
            final long last = first + log.pagesIn(u) - 1;
            log.mark(last);
            model.set((int)u);
            assertTrue(log.isDirty(u), "unit " + u + " after marking its last page " + last);
            log.mark(first);
            assertHolds(model, log);
        }
        log.mark(pages - 1);
        assertTrue(log.isDirty(units - 1), "last page marks the last unit");
    }

    @ParameterizedTest(name = "shift {0}, {1} units, {2} pages")
    @MethodSource("shapes")
    void markRangeSetsTheUnitsOfExactlyThosePages(final int shift, final long units, final long pages)
    {
        for (final long first : new long[] {0, 1, pages / 3, pages - 1})
        {
            for (final long count : new long[] {0, 1, 2, 65, pages})
            {
                if (first + count > pages)
                {
                    continue;
                }
                final DirtyLog ranged = kind.create(pages, shift);
                final BitSet model = new BitSet();
                ranged.markRange(first, count);
                for (long p = first; p < first + count; p++)
                {
                    model.set((int)(p >>> shift));
                }
                assertHolds(model, ranged);
            }
        }
        final DirtyLog log = kind.create(pages, shift);
        assertThrows(IndexOutOfBoundsException.class, () -> log.markRange(-1, 1));
        assertThrows(IndexOutOfBoundsException.class, () -> log.markRange(0, -1));
        assertThrows(IndexOutOfBoundsException.class, () -> log.markRange(pages - 1, 2));
        assertThrows(IndexOutOfBoundsException.class, () -> log.markRange(1, Long.MAX_VALUE));
        assertEquals(0, log.cardinality());
    }

    @ParameterizedTest(name = "shift {0}, {1} units, {2} pages")
    @MethodSource("shapes")
    void testAndClearHandsOutEachSetBitOnce(final int shift, final long units, final long pages)
    {
        final DirtyLog log = kind.create(pages, shift);
        final BitSet model = markEdges(log);
        for (final long u : edges(units))
        {
            assertTrue(log.testAndClear(u), "first clear of unit " + u);
            assertFalse(log.testAndClear(u), "second clear of unit " + u);
            model.clear((int)u);
            assertHolds(model, log);
        }
        assertEquals(-1, log.nextDirty(0));
    }

    @ParameterizedTest(name = "shift {0}, {1} units, {2} pages")
    @MethodSource("shapes")
    void setAllAndClearRangeAtWordBoundaries(final int shift, final long units, final long pages)
    {
        final DirtyLog log = kind.create(pages, shift);
        final BitSet model = new BitSet();
        log.setAll();
        model.set(0, (int)units);
        assertHolds(model, log);
        final long lastWordBits = log.takeWord(log.wordCount() - 1);
        assertEquals(units % 64 == 0 ? -1L : (1L << units) - 1, lastWordBits, "no bit set past the last unit");
        model.clear(Math.toIntExact((units - 1) & ~63L), (int)units);
        assertHolds(model, log);

        log.setAll();
        model.set(0, (int)units);
        final long[][] ranges = {{0, 0}, {units, units}, {0, 1}, {63, 65}, {64, 128}, {1, 63}, {units - 1, units}};
        for (final long[] r : ranges)
        {
            if (r[1] <= units)
            {
                log.clearRange(r[0], r[1]);
                model.clear((int)r[0], (int)r[1]);
                assertHolds(model, log);
            }
        }
        log.clearRange(0, units);
        assertHolds(new BitSet(), log);
    }

    @ParameterizedTest(name = "shift {0}, {1} units, {2} pages")
    @MethodSource("shapes")
    void nextDirtyFindsTheNextSetUnitFromAnyStart(final int shift, final long units, final long pages)
    {
        final DirtyLog log = kind.create(pages, shift);
        final BitSet model = new BitSet();
        for (final long u : edges(units))
        {
            if (u % 3 != 1)
            {
                log.mark(log.firstPageOf(u));
                model.set((int)u);
            }
        }
        for (long from = 0; from <= units + 1; from++)
        {
            final int expected = from >= units ? -1 : model.nextSetBit((int)from);
            assertEquals(expected, log.nextDirty(from), "nextDirty(" + from + ")");
        }
        assertEquals(-1, log.nextDirty(Long.MAX_VALUE));
    }

    @ParameterizedTest(name = "shift {0}, {1} units, {2} pages")
    @MethodSource("shapes")
    void nextDirtyInARangeReadsNothingPastItsEnd(final int shift, final long units, final long pages)
    {
        final DirtyLog log = kind.create(pages, shift);
        final BitSet model = markEdges(log);
        for (final long from : edges(units))
        {
            for (final long to : edges(units))
            {
                final int next = model.nextSetBit((int)from);
                final long expected = next >= 0 && next < to ? next : -1;
                assertEquals(expected, log.nextDirty(from, to), "nextDirty(" + from + ", " + to + ")");
            }
            assertEquals(model.nextSetBit((int)from), log.nextDirty(from, Long.MAX_VALUE), "to past the end");
        }
        assertEquals(-1, log.nextDirty(units, units + 5));
    }

    @ParameterizedTest(name = "shift {0}, {1} units, {2} pages")
    @MethodSource("shapes")
    void drainClearsAndHandsOutEachSetUnitOfItsRangeInOrder(final int shift, final long units, final long pages)
    {
        for (final int room : new int[] {1, 2, 3, 64, 5000})
        {
            for (final long from : new long[] {0, 1, 63, 65, units / 2})
            {
                for (final long to : new long[] {units, units - 1, 64, 130})
                {
                    if (from >= units || to < from)
                    {
                        continue;
                    }
                    final DirtyLog log = kind.create(pages, shift);
                    log.setAll();
                    log.clearRange(units / 3, units / 3 + Math.min(units - units / 3, 70));
                    final BitSet model = DirtyLogKind.bits(log);
                    final BitSet expected = model.get((int)from, (int)Math.min(to, units));
                    final BitSet drained = new BitSet();
                    final long[] out = new long[room + 1];
                    long next = from;
                    int n;
                    do
                    {
                        out[0] = -7;
                        n = log.drain(next, to, out, 1);
                        assertEquals(-7, out[0], "drain writes from the offset");
                        for (int i = 1; i <= n; i++)
                        {
                            final long u = out[i];
                            assertTrue(u >= next && u < to, "unit " + u + " outside [" + next + ", " + to + ")");
                            assertFalse(drained.get((int)(u - from)), "unit " + u + " twice");
                            assertFalse(log.isDirty(u), "handed-out unit " + u + " is clear");
                            drained.set((int)(u - from));
                            next = u + 1;
                        }
                    }
                    while (n == room);
                    final String where = "room " + room + ", [" + from + ", " + to + ")";
                    assertEquals(expected, drained, where);
                    model.clear((int)from, (int)Math.min(to, units));
                    assertHolds(model, log);
                    assertEquals(0, log.drain(from, to, out, 1), where + ": nothing left");
                }
            }
        }
    }

    /**
     * Sparse and dense regions side by side over several summary words (each covers 32768 units), so that
     * searches cross from summary-guided regions into ones scanned flat and back: {@code nextDirty} from
     * random starts, a bounded {@code nextDirty}, and a drain in odd-sized batches agree with the model.
     */
    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(longs = {1, 2, 3})
    void searchesAgreeWithTheModelAcrossSparseAndDenseRegions(final long seed)
    {
        final int units = 32768 * 5 + 77;
        final double[] densities = {0.5, 0.00005, 0.002, 0.1, 0.0};
        final java.util.Random random = new java.util.Random(seed);
        final DirtyLog log = kind.create(units, 0);
        final BitSet model = new BitSet();
        for (int u = 0; u < units; u++)
        {
            if (random.nextDouble() < densities[Math.min(u / 32768, densities.length - 1)])
            {
                log.mark(u);
                model.set(u);
            }
        }
        for (int i = 0; i < 2000; i++)
        {
            final int from = random.nextInt(units);
            final int to = from + random.nextInt(units - from + 1);
            assertEquals(model.nextSetBit(from), log.nextDirty(from), "nextDirty(" + from + ")");
            final int next = model.nextSetBit(from);
            assertEquals(next >= 0 && next < to ? next : -1, log.nextDirty(from, to), "[" + from + ", " + to + ")");
        }
        assertEquals(model, DirtyLogKind.enumerate(log));
        final BitSet drained = new BitSet();
        final long[] out = new long[37];
        long from = 0;
        int n;
        do
        {
            n = log.drain(from, units, out, 0);
            for (int i = 0; i < n; i++)
            {
                drained.set((int)out[i]);
            }
            from = n > 0 ? out[n - 1] + 1 : from;
        }
        while (n == out.length);
        assertEquals(model, drained);
        assertHolds(new BitSet(), log);
    }

    @ParameterizedTest(name = "shift {0}, {1} units, {2} pages")
    @MethodSource("shapes")
    void drainAfterMarksFindsTheUnitsAgain(final int shift, final long units, final long pages)
    {
        final DirtyLog log = kind.create(pages, shift);
        final long[] out = new long[(int)units];
        for (int round = 0; round < 3; round++)
        {
            final BitSet model = markEdges(log);
            assertEquals(model.cardinality(), log.drain(0, units, out, 0), "round " + round);
            assertHolds(new BitSet(), log);
        }
        assertEquals(0, log.drain(0, 0, out, 0));
        assertEquals(0, log.drain(3, 1, out, 0));
        assertEquals(0, log.drain(0, units, out, out.length), "no room");
    }

    @ParameterizedTest(name = "shift {0}, {1} units, {2} pages")
    @MethodSource("shapes")
    void harvestMovesEveryBitAndCountsOnlyNewOnes(final int shift, final long units, final long pages)
    {
        harvestsEveryBit(shift, pages, false);
    }

    @ParameterizedTest(name = "shift {0}, {1} units, {2} pages")
    @MethodSource("shapes")
    void exclusiveHarvestMovesWhatTheAtomicOneMoves(final int shift, final long units, final long pages)
    {
        harvestsEveryBit(shift, pages, true);
    }

    /** Both harvests: every bit moves, only new ones count, and the target's searches see every unit. */
    private void harvestsEveryBit(final int shift, final long pages, final boolean exclusive)
    {
        for (final DirtyLogKind targetKind : DirtyLogKind.values())
        {
            final DirtyLog log = kind.create(pages, shift);
            final DirtyLog target = targetKind.create(pages, shift);
            final BitSet model = markEdges(log);
            target.mark(0);
            final BitSet expected = (BitSet)model.clone();
            expected.set(0);
            assertEquals(model.cardinality() - (model.get(0) ? 1 : 0),
                exclusive ? log.harvestIntoExclusive(target) : log.harvestInto(target), "newly dirty");
            assertHolds(new BitSet(), log);
            assertHolds(expected, target);
            assertEquals(0, exclusive ? log.harvestIntoExclusive(target) : log.harvestInto(target),
                "a second harvest finds nothing");
            // the target's index is current: a log harvested into it exclusively is found by its searches
            assertEquals(expected, DirtyLogKind.enumerate(target), "the target's nextDirty sees every unit");
        }
    }

    @ParameterizedTest(name = "shift {0}, {1} units, {2} pages")
    @MethodSource("shapes")
    void orWordAndTakeWordWorkOnWholeWords(final int shift, final long units, final long pages)
    {
        final DirtyLog log = kind.create(pages, shift);
        final int last = log.wordCount() - 1;
        final long lastValid = units % 64 == 0 ? -1L : (1L << units) - 1;
        assertEquals(0, log.orWord(last, lastValid & 0x8000_0000_0000_0001L));
        assertEquals(lastValid & 0x8000_0000_0000_0001L, log.orWord(last, lastValid));
        assertEquals(Long.bitCount(lastValid), log.cardinality());
        assertEquals(lastValid, log.takeWord(last));
        assertEquals(0, log.takeWord(last));
        assertEquals(-1, log.nextDirty(0));
        if (lastValid != -1L)
        {
            final IndexOutOfBoundsException e =
                assertThrows(IndexOutOfBoundsException.class, () -> log.orWord(last, ~lastValid));
            assertTrue(e.getMessage().contains("bits past the last unit " + (units - 1)), e.getMessage());
            assertEquals(0, log.cardinality(), "a rejected orWord changes nothing");
        }
    }

    @Test
    void constructorRejectsBadShapesNamingTheValue()
    {
        assertMessage(IllegalArgumentException.class, () -> kind.create(0, 0), "pageCount", "0");
        assertMessage(IllegalArgumentException.class, () -> kind.create(-5, 0), "pageCount", "-5");
        assertMessage(IllegalArgumentException.class, () -> kind.create(10, -1), "granularityShift", "-1");
        assertMessage(IllegalArgumentException.class, () -> kind.create(10, 21), "granularityShift", "21");
        assertMessage(IllegalArgumentException.class, () -> kind.create(Long.MAX_VALUE, 0), "too many units");
        kind.create(1, 20);
    }

    @Test
    void accessorsRejectOutOfRangeArgumentsNamingThemAndTheSize()
    {
        final DirtyLog log = kind.create(129, 1);
        final DirtyLog other = kind.create(129, 0);
        assertMessage(IndexOutOfBoundsException.class, () -> log.mark(-1), "page -1", "129");
        assertMessage(IndexOutOfBoundsException.class, () -> log.mark(129), "page 129", "129");
        assertMessage(IndexOutOfBoundsException.class, () -> log.isDirty(65), "unit 65", "65");
        assertMessage(IndexOutOfBoundsException.class, () -> log.isDirty(-1), "unit -1");
        assertMessage(IndexOutOfBoundsException.class, () -> log.testAndClear(65), "unit 65");
        assertMessage(IndexOutOfBoundsException.class, () -> log.firstPageOf(65), "unit 65", "65");
        assertMessage(IndexOutOfBoundsException.class, () -> log.pagesIn(-1), "unit -1");
        assertMessage(IndexOutOfBoundsException.class, () -> log.clearRange(0, 66), "[0, 66)", "65");
        assertMessage(IndexOutOfBoundsException.class, () -> log.clearRange(-1, 3), "[-1, 3)");
        assertMessage(IndexOutOfBoundsException.class, () -> log.clearRange(5, 4), "[5, 4)");
        assertMessage(IndexOutOfBoundsException.class, () -> log.nextDirty(-1), "-1");
        assertMessage(IndexOutOfBoundsException.class, () -> log.nextDirty(-1, 5), "-1");
        assertMessage(IndexOutOfBoundsException.class, () -> log.drain(-1, 5, new long[4], 0), "-1");
        assertMessage(IndexOutOfBoundsException.class, () -> log.drain(0, 5, new long[4], 5), "offset 5", "4");
        assertMessage(IndexOutOfBoundsException.class, () -> log.takeWord(2), "word 2", "2");
        assertMessage(IndexOutOfBoundsException.class, () -> log.orWord(-1, 1), "word -1");
        assertMessage(IllegalArgumentException.class, () -> log.harvestInto(other), "129 pages at shift 1",
            "shift 0");
        assertMessage(IllegalArgumentException.class, () -> log.harvestInto(log), "this log");
        assertEquals(0, log.cardinality(), "rejected calls change nothing");
    }

    private static void assertMessage(
        final Class<? extends RuntimeException> type, final Executable call, final String... parts)
    {
        final RuntimeException e = assertThrows(type, call::run);
        for (final String part : parts)
        {
            assertTrue(e.getMessage().contains(part), () -> "'" + e.getMessage() + "' should name '" + part + "'");
        }
    }

    /** A call that may throw, for {@link #assertMessage}. */
    @FunctionalInterface
    private interface Executable
    {
        void run();
    }
}
