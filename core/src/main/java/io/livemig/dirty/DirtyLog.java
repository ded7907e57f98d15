package io.livemig.dirty;

/**
 * A dirty log: one bit per unit of {@code 2^granularityShift()} pages, set by writers through {@link
 * #mark}, read and cleared by the migration side.
 *
 * <p>Thread-safety: every operation is safe to call from any number of threads at once, and none blocks.
 * Orderings are stated per method. Bits past {@link #size()} are never set.
 *
 * <p>The word-level methods ({@link #wordCount()}, {@link #orWord}, {@link #takeWord}) expose the 64-bit
 * words so that one log can be harvested into another without per-bit work, as QEMU's
 * {@code migration_bitmap_sync} ORs the KVM dirty log into the migration bitmap. Unit {@code u} lives in
 * word {@code u >>> 6}, bit {@code u & 63}. {@link #drain} hands out set units a word at a time (one read
 * and one atomic AND per non-zero word), for scanners that send what they find.
 */
public interface DirtyLog extends DirtyMarker
{
    /** @return number of pages tracked. */
    long pageCount();

    /** @return the granularity shift {@code g}: one unit covers {@code 2^g} pages. */
    int granularityShift();

    /** @return number of units, {@code ceil(pageCount / 2^g)}. */
    long size();

    /** @return number of 64-bit words backing the units. */
    int wordCount();

    /**
     * Marks the unit that holds {@code page} dirty. Issues a full fence first, so the caller's earlier data
     * stores are ordered before the (volatile) read of the word; skips the atomic OR when the bit is already
     * set, so re-dirtying a dirty unit costs the fence and one load.
     *
     * @throws IndexOutOfBoundsException if {@code page} is not in {@code [0, pageCount())}.
     */
    @Override
    void mark(long page);

    /**
     * Volatile read of one unit.
     *
     * @return whether {@code unit} is dirty.
     * @throws IndexOutOfBoundsException if {@code unit} is not in {@code [0, size())}.
     */
    boolean isDirty(long unit);

    /**
     * Atomically clears {@code unit} and says whether it was set. Exactly one of several threads racing to
     * clear the same set bit gets {@code true}.
     *
     * @throws IndexOutOfBoundsException if {@code unit} is not in {@code [0, size())}.
     */
    boolean testAndClear(long unit);

    /**
     * Atomically (per word) clears units {@code [fromUnit, toUnit)}.
     *
     * @throws IndexOutOfBoundsException if the range is not within {@code [0, size()]} or is reversed.
     */
    void clearRange(long fromUnit, long toUnit);

    /** Atomically (per word) sets every unit, as the migration bitmap starts before the first pass. */
    void setAll();

    /**
     * Counts the dirty units with plain reads: exact when no thread writes meanwhile, otherwise some count
     * between the values before and after the concurrent changes.
     *
     * @return number of dirty units.
     */
    long cardinality();

    /**
     * Finds the next dirty unit at or after {@code fromUnit}, word at a time. Reads are plain: a bit set
     * concurrently may be missed by this call (it stays set, so the next pass finds it), which is the same
     * answer as a call made a moment earlier.
     *
     * @param fromUnit where to start, at least 0; a value at or past {@link #size()} gives -1.
     * @return the unit, or -1 if there is none.
     */
    long nextDirty(long fromUnit);

    /**
     * Finds the next dirty unit in {@code [fromUnit, toUnit)}, reading as {@link #nextDirty(long)} does, so a
     * caller that searches a range (a scanner's lap from its cursor) reads no word outside it.
     *
     * @param fromUnit where to start, at least 0.
     * @param toUnit   where to stop (exclusive); values past {@link #size()} mean {@code size()}.
     * @return the unit, or -1 if there is none in the range (also when {@code fromUnit >= toUnit}).
     * @throws IndexOutOfBoundsException if {@code fromUnit} is negative.
     */
    default long nextDirty(final long fromUnit, final long toUnit)
    {
        if (fromUnit < 0)
        {
            throw new IndexOutOfBoundsException("fromUnit " + fromUnit + " is negative");
        }
        final long unit = fromUnit < toUnit ? nextDirty(fromUnit) : -1;
        return unit < toUnit ? unit : -1;
    }

    /**
     * Clears and hands out the dirty units of {@code [fromUnit, toUnit)} in ascending order, a word at a time:
     * each non-zero word is read once, the set bits wanted from it are cleared with one atomic AND, and the
     * bits that AND found set are written to {@code units}. A unit is written only if this call cleared it,
     * so, as with {@link #testAndClear}, each set bit goes to exactly one of several racing clearers; and
     * every bit is cleared before the call returns, so a caller that reads the pages of the units afterwards
     * keeps the clear-before-read order of {@link DirtyScanner} for each of them.
     *
     * <p>Stops when {@code units} is full (then the caller continues from the last unit + 1) or at
     * {@code toUnit}. A bit set concurrently behind the search position stays set for the next call.
     *
     * @param fromUnit where to start, at least 0.
     * @param toUnit   where to stop (exclusive); values past {@link #size()} mean {@code size()}.
     * @param units    receives the units, from index {@code offset}; slots after the last unit written may be
     *                 overwritten too (an implementation may write a word's units in whole blocks).
     * @param offset   first index of {@code units} to fill, in {@code [0, units.length]}.
     * @return how many units were written; fewer than {@code units.length - offset} means the range held no
     *         further set bit when its words were read.
     * @throws IndexOutOfBoundsException if {@code fromUnit} is negative or {@code offset} is out of range.
     */
    default int drain(final long fromUnit, final long toUnit, final long[] units, final int offset)
    {
        if (offset < 0 || offset > units.length)
        {
            throw new IndexOutOfBoundsException("offset " + offset + " is outside [0, " + units.length + "]");
        }
        int n = offset;
        for (long u = nextDirty(fromUnit, toUnit); u >= 0 && n < units.length; u = nextDirty(u + 1, toUnit))
        {
            if (testAndClear(u))
            {
                units[n++] = u;
            }
        }
        return n - offset;
    }

    /**
     * Moves every dirty bit of this log into {@code target}: word by word, atomically takes the word
     * (exchange with 0) and ORs it into the same word of {@code target}. A concurrent {@link #mark} is either
     * taken by this call or left set here for the next one, never dropped.
     *
     * @param target a log of the same {@link #size()} and granularity.
     * @return number of units newly dirty in {@code target} (set here and not already set there).
     * @throws IllegalArgumentException if the shapes differ.
     */
    long harvestInto(DirtyLog target);

    /**
     * As {@link #harvestInto}, for a target that no other thread reads or writes until this call returns (QEMU's
     * migration bitmap, which its sync updates under the bitmap mutex; livemig's between two pre-copy rounds,
     * once every sender has finished its round). This log is still taken word by word with an atomic exchange,
     * so a concurrent {@link #mark} of this log is never dropped; only the target's words are updated with plain
     * reads and writes, which saves a bitmap one locked instruction per non-zero word. The caller hands the
     * target to other threads afterwards through a happens-before edge (a lock, a volatile write, a thread
     * start), as it would any object it filled alone.
     *
     * <p>Logs without a cheaper way take the atomic path: the default is {@link #harvestInto}.
     *
     * @param target a log of the same {@link #size()} and granularity, private to the calling thread during the
     *               call.
     * @return number of units newly dirty in {@code target}.
     * @throws IllegalArgumentException if the shapes differ.
     */
    default long harvestIntoExclusive(final DirtyLog target)
    {
        return harvestInto(target);
    }

    /**
     * Atomically ORs {@code bits} into word {@code wordIndex}.
     *
     * @return the word's previous value.
     * @throws IndexOutOfBoundsException if {@code wordIndex} is not in {@code [0, wordCount())}, or bits
     *                                   past {@link #size()} are given.
     */
    long orWord(int wordIndex, long bits);

    /**
     * Atomically exchanges word {@code wordIndex} with 0.
     *
     * @return the word's previous value.
     * @throws IndexOutOfBoundsException if {@code wordIndex} is not in {@code [0, wordCount())}.
     */
    long takeWord(int wordIndex);

    /**
     * @return the first page covered by {@code unit}.
     * @throws IndexOutOfBoundsException if {@code unit} is not in {@code [0, size())}.
     */
    default long firstPageOf(final long unit)
    {
        checkUnitOf(this, unit);
        return unit << granularityShift();
    }

    /**
     * @return the number of pages covered by {@code unit}: {@code 2^g}, fewer for a last partial unit.
     * @throws IndexOutOfBoundsException if {@code unit} is not in {@code [0, size())}.
     */
    default long pagesIn(final long unit)
    {
        checkUnitOf(this, unit);
        final long first = unit << granularityShift();
        return Math.min(1L << granularityShift(), pageCount() - first);
    }

    /** Throws {@link IndexOutOfBoundsException} naming {@code unit} and the size if it is not a unit of {@code log}. */
    private static void checkUnitOf(final DirtyLog log, final long unit)
    {
        if (unit < 0 || unit >= log.size())
        {
            throw new IndexOutOfBoundsException("unit " + unit + " is outside [0, " + log.size() + ")");
        }
    }
}
