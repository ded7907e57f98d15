package io.livemig.dirty;

import java.util.BitSet;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The summary invariant under real threads: two writers mark units of a few words on both sides of
 * summary-word boundaries (so words keep turning empty and non-empty) while a third thread clears them with {@code testAndClear}, {@code clearRange},
 * {@code takeWord} and harvests. After each round, with every thread stopped, {@code nextDirty} must find
 * exactly the bits the words hold (a non-zero word whose summary bit was lost would be skipped), and a
 * harvest must move all of them. Lincheck's model checker cannot see a missing fence; this can.
 */
class SummaryInvariantStressTest
{
    private static final int UNITS = 64 * 64 * 2 + 5; // three summary words, the last one partial

    @ParameterizedTest
    @EnumSource(DirtyLogKind.class)
    void nextDirtyFindsEverySetBitOnceWritersStop(final DirtyLogKind kind) throws InterruptedException
    {
        final DirtyLog log = kind.create(UNITS, 0);
        final DirtyLog target = kind.create(UNITS, 0);
        long checkedBits = 0;
        for (int round = 0; round < 40; round++)
        {
            final long end = System.nanoTime() + 10_000_000L;
            final int seed = round;
            final List<Thread> threads = List.of(
                new Thread(() -> mark(log, end, new Random(seed * 3L))),
                new Thread(() -> mark(log, end, new Random(seed * 3L + 1))),
                new Thread(() -> clear(log, target, end, new Random(seed * 3L + 2))));
            threads.forEach(Thread::start);
            for (final Thread t : threads)
            {
                t.join();
            }
            final BitSet bits = DirtyLogKind.bits(log);
            assertEquals(bits, DirtyLogKind.enumerate(log), "round " + round + ": nextDirty vs the words");
            assertEquals(bits.cardinality(), log.cardinality(), "round " + round);
            checkedBits += bits.cardinality();
            target.clearRange(0, target.size());
            assertEquals(bits.cardinality(), log.harvestInto(target), "round " + round + ": harvest moves every bit");
            DirtyLogKind.assertHolds(bits, target);
            DirtyLogKind.assertHolds(new BitSet(), log);
        }
        assertTrue(checkedBits > 0, "rounds ended with bits set");
    }

    /** Words both sides of each summary-word boundary, so the writers and the clearer meet in the same words. */
    private static final int[] HOT_WORDS = {0, 1, 62, 63, 64, 65, 127, 128};

    private static long hotUnit(final Random random)
    {
        return Math.min(UNITS - 1, HOT_WORDS[random.nextInt(HOT_WORDS.length)] * 64L + random.nextInt(64));
    }

    /** Marks units of the hot words, a burst per word. */
    private static void mark(final DirtyLog log, final long end, final Random random)
    {
        while (System.nanoTime() < end)
        {
            log.mark(hotUnit(random));
        }
    }

    /** Mostly empties words one bit at a time, racing the writers' marks of the same words. */
    private static void clear(final DirtyLog log, final DirtyLog target, final long end, final Random random)
    {
        while (System.nanoTime() < end)
        {
            final int op = random.nextInt(100);
            final long unit = hotUnit(random);
            if (op < 85)
            {
                log.testAndClear(unit);
            }
            else if (op < 92)
            {
                log.clearRange(unit, Math.min(UNITS, unit + random.nextInt(200)));
            }
            else if (op < 97)
            {
                log.takeWord((int)(unit >>> 6));
            }
            else
            {
                log.harvestInto(target);
            }
        }
    }
}
