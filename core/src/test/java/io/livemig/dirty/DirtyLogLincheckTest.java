package io.livemig.dirty;

import java.util.BitSet;

import org.jetbrains.lincheck.datastructures.IntGen;
import org.jetbrains.lincheck.datastructures.LongGen;
import org.jetbrains.lincheck.datastructures.Operation;
import org.jetbrains.lincheck.datastructures.Param;
import org.jetbrains.lincheck.datastructures.Validate;
import org.junit.jupiter.api.Test;

/**
 * Lincheck over the per-word atomic operations of a dirty log: {@code mark}, {@code testAndClear},
 * {@code isDirty}, {@code takeWord} and a one-word {@code drain} on a two-word log (units 0..99, so the second word is partial), on units
 * 61..66 either side of the word boundary so that operations meet in the same words, checked
 * for linearizability against {@link Spec}, a {@link BitSet}. After every scenario, {@link #quiescent()} checks
 * that {@code nextDirty} (which the summary bitmap answers through its summary) finds exactly the bits
 * {@code isDirty} reads: the summary invariant once writers have stopped.
 *
 * <p>{@code nextDirty}, {@code cardinality}, {@code clearRange} and a multi-word {@code harvestInto} are
 * deliberately absent: they read or change one word at a time, so they are not linearizable across words
 * (by design; see their javadoc). {@link DirtyLogHarvestLincheckTest} checks harvest on a one-word log.
 */
public abstract class DirtyLogLincheckTest
{
    static final int PAGES = 100;

    private final DirtyLog log = LincheckSupport.newLog(getClass(), PAGES);

    @Operation
    public void mark(@Param(gen = LongGen.class, conf = "61:66") final long page)
    {
        log.mark(page);
    }

    @Operation
    public boolean testAndClear(@Param(gen = LongGen.class, conf = "61:66") final long unit)
    {
        return log.testAndClear(unit);
    }

    @Operation
    public boolean isDirty(@Param(gen = LongGen.class, conf = "61:66") final long unit)
    {
        return log.isDirty(unit);
    }

    @Operation
    public long takeWord(@Param(gen = IntGen.class, conf = "0:1") final int word)
    {
        return log.takeWord(word);
    }

    /**
     * Drains units {@code [from, 64)}: one word, so one read and one atomic AND, linearizable like the other
     * per-word operations. Returns the drained units as a mask of word 0.
     */
    @Operation
    public long drain(@Param(gen = LongGen.class, conf = "60:63") final long from)
    {
        final long[] out = new long[64];
        final int n = log.drain(from, 64, out, 0);
        long mask = 0;
        for (int i = 0; i < n; i++)
        {
            mask |= 1L << out[i];
        }
        return mask;
    }

    @Validate
    public void quiescent()
    {
        LincheckSupport.checkQuiescent(getClass(), log);
    }

    @Test
    void modelChecking()
    {
        // A word emptied by a clear while another unit of it is marked: the summary bit must survive.
        LincheckSupport.modelChecking(getClass(), Spec.class,
            LincheckSupport.scenario(getClass(), new String[] {"mark:61"},
                new String[] {"testAndClear:61"}, new String[] {"mark:62"}),
            LincheckSupport.scenario(getClass(), new String[] {"mark:61", "mark:62"},
                new String[] {"testAndClear:61", "testAndClear:62"}, new String[] {"mark:62"}),
            // A drain racing a clear and a mark of the same word: each bit goes to one of them, none is lost.
            LincheckSupport.scenario(getClass(), new String[] {"mark:61", "mark:62"},
                new String[] {"drain:60"}, new String[] {"testAndClear:62", "mark:63"}));
    }

    @Test
    void stress()
    {
        LincheckSupport.stress(getClass(), Spec.class);
    }

    /** The sequential specification: a {@link BitSet} of units 0..99 at granularity 0. */
    public static final class Spec
    {
        private final BitSet bits = new BitSet(PAGES);

        public void mark(final long page)
        {
            bits.set((int)page);
        }

        public boolean testAndClear(final long unit)
        {
            final boolean was = bits.get((int)unit);
            bits.clear((int)unit);
            return was;
        }

        public boolean isDirty(final long unit)
        {
            return bits.get((int)unit);
        }

        public long takeWord(final int word)
        {
            final BitSet slice = bits.get(word * 64, word * 64 + 64);
            bits.clear(word * 64, word * 64 + 64);
            final long[] longs = slice.toLongArray();
            return longs.length == 0 ? 0 : longs[0];
        }

        public long drain(final long from)
        {
            final long[] longs = bits.get((int)from, 64).toLongArray();
            bits.clear((int)from, 64);
            return longs.length == 0 ? 0 : longs[0] << from;
        }

        public long harvest()
        {
            final long[] longs = bits.toLongArray();
            bits.clear();
            return longs.length == 0 ? 0 : longs[0];
        }

        public long harvestExclusive()
        {
            return harvest();
        }
    }
}
