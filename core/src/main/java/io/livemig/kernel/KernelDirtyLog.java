package io.livemig.kernel;

import io.livemig.dirty.AtomicDirtyBitmap;
import io.livemig.dirty.DirtyLog;

/**
 * The {@link DirtyLog} face of a kernel tracker. What the kernel records is read only by {@link
 * #harvestInto}, which each tracker implements (a {@code PAGEMAP_SCAN}, or the fault thread's bitmap with the
 * pages protected again); every other method works on a software bitmap of <em>pending</em> units: the units
 * a synchronous tracker's fault thread marked and not yet harvested, plus any {@link #mark} call. The engines
 * only harvest, so this is the whole contract they need.
 *
 * <p>Thread-safety: as {@link DirtyLog}; {@link #harvestInto} is for one migration thread at a time (the
 * kernel calls it makes are not designed to race each other, and the engines never do).
 */
public abstract class KernelDirtyLog implements DirtyLog
{
    /** Units marked in software and not yet harvested; a synchronous tracker's fault thread marks here. */
    protected final AtomicDirtyBitmap pending;

    /** @param pageCount pages tracked, one unit per page. */
    protected KernelDirtyLog(final long pageCount)
    {
        pending = new AtomicDirtyBitmap(pageCount, 0);
    }

    /**
     * Moves what the kernel recorded since the last harvest into {@code target}, protecting those pages again
     * before it returns, so that a caller that reads the pages afterwards sees every write made before the
     * page was protected again, and every later write is recorded for the next harvest.
     *
     * @return units newly dirty in {@code target}.
     */
    @Override
    public abstract long harvestInto(DirtyLog target);

    /**
     * Sets units {@code [fromUnit, toUnit)} in {@code target} a word at a time (one atomic OR per word).
     *
     * @return units newly set in {@code target}.
     */
    protected static long orUnitsOf(final DirtyLog target, final long fromUnit, final long toUnit)
    {
        long newly = 0;
        long u = fromUnit;
        while (u < toUnit)
        {
            final int word = (int)(u >>> 6);
            final long wordEnd = Math.min(toUnit, ((long)word + 1) << 6);
            final int bits = (int)(wordEnd - u);
            final long mask = (bits == 64 ? -1L : (1L << bits) - 1) << (u & 63);
            newly += Long.bitCount(mask & ~target.orWord(word, mask));
            u = wordEnd;
        }
        return newly;
    }

    /** Throws {@link IllegalArgumentException} unless {@code target} has this log's shape. */
    protected final void checkShape(final DirtyLog target)
    {
        if (target.size() != size() || target.granularityShift() != granularityShift())
        {
            throw new IllegalArgumentException("target has " + target.size() + " units at shift " +
                target.granularityShift() + ", this log " + size() + " at shift " + granularityShift());
        }
    }

    @Override
    public long pageCount()
    {
        return pending.pageCount();
    }

    @Override
    public int granularityShift()
    {
        return 0;
    }

    @Override
    public long size()
    {
        return pending.size();
    }

    @Override
    public int wordCount()
    {
        return pending.wordCount();
    }

    @Override
    public void mark(final long page)
    {
        pending.mark(page);
    }

    @Override
    public boolean isDirty(final long unit)
    {
        return pending.isDirty(unit);
    }

    @Override
    public boolean testAndClear(final long unit)
    {
        return pending.testAndClear(unit);
    }

    @Override
    public void clearRange(final long fromUnit, final long toUnit)
    {
        pending.clearRange(fromUnit, toUnit);
    }

    @Override
    public void setAll()
    {
        pending.setAll();
    }

    @Override
    public long cardinality()
    {
        return pending.cardinality();
    }

    @Override
    public long nextDirty(final long fromUnit)
    {
        return pending.nextDirty(fromUnit);
    }

    @Override
    public long orWord(final int wordIndex, final long bits)
    {
        return pending.orWord(wordIndex, bits);
    }

    @Override
    public long takeWord(final int wordIndex)
    {
        return pending.takeWord(wordIndex);
    }
}
