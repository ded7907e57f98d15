package io.livemig.dirty;

import java.util.BitSet;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Every {@link DirtyLog} implementation, for tests that run against all of them: a new implementation is
 * covered by the contract, property, Lincheck and stress tests by adding one constant here (and, for the
 * per-class suites, one small subclass).
 */
public enum DirtyLogKind
{
    ATOMIC
    {
        @Override
        public DirtyLog create(final long pageCount, final int granularityShift)
        {
            return new AtomicDirtyBitmap(pageCount, granularityShift);
        }
    },
    SUMMARY
    {
        @Override
        public DirtyLog create(final long pageCount, final int granularityShift)
        {
            return new SummaryDirtyBitmap(pageCount, granularityShift);
        }
    },
    /** Rings of 64 entries, so that the contract's larger shapes fill them and their owners reap. */
    RING
    {
        @Override
        public DirtyLog create(final long pageCount, final int granularityShift)
        {
            return new DirtyRingLog(pageCount, granularityShift, 64, 8);
        }
    };

    public abstract DirtyLog create(long pageCount, int granularityShift);

    /**
     * Test double: a ring log that frees every published slot before it reads the entries, so that an
     * owner's next pushes can overwrite entries never collected; {@code window} runs between the two, for the
     * test to widen. The no-lost-write stress tests must catch it.
     */
    public static DirtyRingLog ringResettingBeforeCollect(
        final long pageCount, final int granularityShift, final int ringSize, final int reserved,
        final Runnable window)
    {
        return new DirtyRingLog(
            pageCount, granularityShift, ringSize, reserved, DirtyRingLog.BrokenOrder.RESET_BEFORE_COLLECT, window);
    }

    /**
     * Test double: a ring log that publishes collected units before it re-arms them, running {@code window}
     * in between: a write there finds its unit still pending and pushes nothing, after the page may have been
     * read. The no-lost-write tests must catch it.
     */
    public static DirtyRingLog ringPublishingBeforeRearm(final long pageCount, final Runnable window)
    {
        return new DirtyRingLog(pageCount, 0, 64, 8, DirtyRingLog.BrokenOrder.PUBLISH_BEFORE_REARM, window);
    }

    /** Enumerates the dirty units with {@code nextDirty}, as a scanner sees them. */
    public static BitSet enumerate(final DirtyLog log)
    {
        final BitSet seen = new BitSet();
        for (long u = log.nextDirty(0); u >= 0; u = log.nextDirty(u + 1))
        {
            seen.set(Math.toIntExact(u));
        }
        return seen;
    }

    /** Reads every unit with {@code isDirty} (volatile reads of the words, no index involved). */
    public static BitSet bits(final DirtyLog log)
    {
        final BitSet bits = new BitSet();
        for (long u = 0; u < log.size(); u++)
        {
            if (log.isDirty(u))
            {
                bits.set(Math.toIntExact(u));
            }
        }
        return bits;
    }

    /** Asserts that {@code log} holds exactly {@code model}, through every read path it has. */
    public static void assertHolds(final BitSet model, final DirtyLog log)
    {
        assertEquals(model, bits(log), () -> "isDirty of " + log);
        assertEquals(model, enumerate(log), () -> "nextDirty enumeration of " + log);
        assertEquals(model.cardinality(), log.cardinality(), () -> "cardinality of " + log);
    }
}
