package io.livemig.dirty;

import org.jetbrains.lincheck.datastructures.LongGen;
import org.jetbrains.lincheck.datastructures.Operation;
import org.jetbrains.lincheck.datastructures.Param;
import org.jetbrains.lincheck.datastructures.Validate;
import org.junit.jupiter.api.Test;

/**
 * Lincheck over {@code harvestInto} on a one-word log (50 units, operations on the last six), where a harvest is a single exchange of the
 * word and so must be linearizable: writers {@code mark} from any thread while the migration thread (one
 * Lincheck thread at a time, {@code nonParallelGroup = "migration"}) harvests into a fresh private target or
 * {@code testAndClear}s, as post-copy does. Each harvest returns the word it moved, which must equal what the
 * {@link DirtyLogLincheckTest.Spec BitSet spec} held at the linearization point: a mark is returned by exactly
 * one harvest or clear, or is still set afterwards (checked by {@link #quiescent()}), never lost or duplicated.
 *
 * <p>Not checked here, because it is not linearizable by design in {@link SummaryDirtyBitmap}: an observer on
 * another thread ({@code isDirty}, or a second harvester) may see a unit whose {@code mark} has set the word
 * bit but not yet the summary bit, which a harvest then misses (it stays set for the next one). Lincheck
 * found exactly that interleaving when {@code isDirty} ran beside {@code harvest}.
 */
public abstract class DirtyLogHarvestLincheckTest
{
    static final int PAGES = 50;

    private final DirtyLog log = LincheckSupport.newLog(getClass(), PAGES);

    @Operation
    public void mark(@Param(gen = LongGen.class, conf = "44:49") final long page)
    {
        log.mark(page);
    }

    @Operation(nonParallelGroup = "migration")
    public boolean testAndClear(@Param(gen = LongGen.class, conf = "44:49") final long unit)
    {
        return log.testAndClear(unit);
    }

    /** @return the word moved into a fresh target; throws if the reported count disagrees with it. */
    @Operation(nonParallelGroup = "migration")
    public long harvest()
    {
        final DirtyLog target = LincheckSupport.newLog(getClass(), PAGES);
        final long moved = log.harvestInto(target);
        final long word = target.takeWord(0);
        if (moved != Long.bitCount(word))
        {
            throw new AssertionError("harvestInto reported " + moved + " new units but moved " + Long.toHexString(word));
        }
        return word;
    }

    /**
     * As {@link #harvest}, through {@code harvestIntoExclusive}: the target is private to this operation, the log
     * is still marked from other threads, so a mark is moved by exactly one harvest or left set, never lost.
     */
    @Operation(nonParallelGroup = "migration")
    public long harvestExclusive()
    {
        final DirtyLog target = LincheckSupport.newLog(getClass(), PAGES);
        final long moved = log.harvestIntoExclusive(target);
        final long word = target.takeWord(0);
        if (moved != Long.bitCount(word))
        {
            throw new AssertionError("harvestIntoExclusive reported " + moved + " new units but moved " +
                Long.toHexString(word));
        }
        return word;
    }

    @Validate
    public void quiescent()
    {
        LincheckSupport.checkQuiescent(getClass(), log);
    }

    @Test
    void modelChecking()
    {
        // A mark that finds its bit set by a writer not yet done with the summary, then a harvest.
        LincheckSupport.modelChecking(getClass(), DirtyLogLincheckTest.Spec.class,
            LincheckSupport.scenario(getClass(), new String[0],
                new String[] {"mark:45", "harvest"}, new String[] {"mark:45"}));
    }

    @Test
    void stress()
    {
        LincheckSupport.stress(getClass(), DirtyLogLincheckTest.Spec.class);
    }
}
