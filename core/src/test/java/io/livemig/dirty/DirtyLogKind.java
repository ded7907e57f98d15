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
    };

    public abstract DirtyLog create(long pageCount, int granularityShift);

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
