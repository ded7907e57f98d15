package io.livemig.dirty;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * Shape, validation and word storage shared by the bitmap dirty logs: a {@code long[]} reached through a
 * {@link VarHandle} for atomic access. Subclasses decide how marks and clears keep any extra index current.
 */
abstract class AbstractDirtyBitmap implements DirtyLog
{
    /** Largest granularity shift accepted: one bit per 2^20 pages (4 GiB of 4 KiB pages). */
    public static final int MAX_GRANULARITY_SHIFT = 20;

    static final VarHandle WORDS = MethodHandles.arrayElementVarHandle(long[].class);

    final long[] words;
    final long pageCount;
    final long units;
    final int shift;

    AbstractDirtyBitmap(final long pageCount, final int granularityShift)
    {
        if (pageCount <= 0)
        {
            throw new IllegalArgumentException("pageCount must be positive: " + pageCount);
        }
        if (granularityShift < 0 || granularityShift > MAX_GRANULARITY_SHIFT)
        {
            throw new IllegalArgumentException(
                "granularityShift must be in [0, " + MAX_GRANULARITY_SHIFT + "]: " + granularityShift);
        }
        final long units = ((pageCount - 1) >>> granularityShift) + 1;
        final long wordCount = ((units - 1) >>> 6) + 1;
        if (wordCount > Integer.MAX_VALUE - 8)
        {
            throw new IllegalArgumentException(
                "too many units for one bitmap: " + units + " (pageCount " + pageCount + ", shift " +
                granularityShift + "); use a larger granularity");
        }
        this.pageCount = pageCount;
        this.shift = granularityShift;
        this.units = units;
        this.words = new long[(int)wordCount];
    }

    @Override
    public final long pageCount()
    {
        return pageCount;
    }

    @Override
    public final int granularityShift()
    {
        return shift;
    }

    @Override
    public final long size()
    {
        return units;
    }

    @Override
    public final int wordCount()
    {
        return words.length;
    }

    @Override
    public final void mark(final long page)
    {
        checkPage(page);
        // StoreLoad: the caller's data stores must be visible before we may see the bit set and skip.
        VarHandle.fullFence();
        markUnit(page >>> shift);
    }

    /**
     * Marks every unit holding a page of {@code [firstPage, firstPage + pageCount)} after one full fence, so a
     * write that spans many pages (a fill, a whole-page copy) pays the fence once, and each unit once.
     *
     * @throws IndexOutOfBoundsException if the range is not within {@code [0, pageCount())}.
     */
    @Override
    public final void markRange(final long firstPage, final long pageCount)
    {
        checkPageRange(firstPage, pageCount, this.pageCount);
        if (pageCount == 0)
        {
            return;
        }
        VarHandle.fullFence();
        for (long unit = firstPage >>> shift, last = (firstPage + pageCount - 1) >>> shift; unit <= last; unit++)
        {
            markUnit(unit);
        }
    }

    /** Sets one unit's bit, skipping the atomic OR when it is already set; the caller has fenced. */
    abstract void markUnit(long unit);

    @Override
    public final long nextDirty(final long fromUnit)
    {
        return nextDirty(fromUnit, units);
    }

    @Override
    public final long nextDirty(final long fromUnit, final long toUnit)
    {
        if (fromUnit < 0)
        {
            throw new IndexOutOfBoundsException("fromUnit " + fromUnit + " is negative");
        }
        final long to = Math.min(toUnit, units);
        if (fromUnit >= to)
        {
            return -1;
        }
        final long[] words = this.words;
        final int end = (int)((to - 1) >>> 6) + 1;
        int index = (int)(fromUnit >>> 6);
        long word = words[index] & (-1L << fromUnit);
        while (word == 0)
        {
            if ((index = nextNonZeroWord(index + 1, end)) < 0)
            {
                return -1;
            }
            // Re-read: a racing clear may have emptied it since the search saw it (benign, look further).
            word = words[index];
        }
        final long unit = ((long)index << 6) + Long.numberOfTrailingZeros(word);
        return unit < to ? unit : -1;
    }

    /**
     * Plain-reads for the first non-zero word in {@code [fromWord, toWord)}; {@code fromWord} may equal
     * {@code toWord}.
     *
     * @return its index, or -1.
     */
    abstract int nextNonZeroWord(int fromWord, int toWord);

    @Override
    public final int drain(final long fromUnit, final long toUnit, final long[] out, final int offset)
    {
        if (fromUnit < 0)
        {
            throw new IndexOutOfBoundsException("fromUnit " + fromUnit + " is negative");
        }
        if (offset < 0 || offset > out.length)
        {
            throw new IndexOutOfBoundsException("offset " + offset + " is outside [0, " + out.length + "]");
        }
        final long to = Math.min(toUnit, units);
        if (fromUnit >= to || offset == out.length)
        {
            return 0;
        }
        final long[] words = this.words;
        final int last = (int)((to - 1) >>> 6);
        final long lastMask = -1L >>> (63 - ((to - 1) & 63));
        int index = (int)(fromUnit >>> 6);
        long mask = -1L << fromUnit;
        int n = offset;
        while (true)
        {
            if (index == last)
            {
                mask &= lastMask;
            }
            long wanted = words[index] & mask;
            if (wanted != 0)
            {
                final int room = out.length - n;
                final long taken;
                if (mask == -1L && room >= Long.SIZE)
                {
                    // The whole word is wanted and any 64 units fit: one exchange with 0 (a single locked
                    // instruction, where the AND below is a compare-and-set loop) clears every bit before any is
                    // handed out; bits set since the read above come along, and are handed out too.
                    taken = take(index);
                    drainedEmpty(index);
                }
                else
                {
                    if (Long.bitCount(wanted) > room)
                    {
                        wanted = lowestBits(wanted, room);
                    }
                    // One atomic AND clears every wanted bit of the word before any of them is handed out.
                    final long previous = andNot(index, wanted);
                    taken = previous & wanted;
                    if ((previous & ~wanted) == 0)
                    {
                        drainedEmpty(index);
                    }
                }
                n = emit(out, n, (long)index << 6, taken);
                if (n == out.length)
                {
                    break;
                }
            }
            if (index == last)
            {
                break;
            }
            // Dense logs: the next word is most often set, and needs no search.
            if (words[index + 1] != 0)
            {
                index++;
            }
            else if ((index = nextNonZeroWord(index + 1, last + 1)) < 0)
            {
                break;
            }
            mask = -1L;
        }
        return n - offset;
    }

    /**
     * Writes the units of {@code taken} (bits of the word at unit {@code base}) from {@code out[n]}, in
     * blocks of four with no branch per unit where the array has room for a whole last block (the slots past
     * the units written are then overwritten with junk), one at a time near the end of the array.
     *
     * @return the index after the last unit.
     */
    private static int emit(final long[] out, final int n, final long base, final long taken)
    {
        final int end = n + Long.bitCount(taken);
        int i = n;
        long bits = taken;
        if (end + 3 <= out.length)
        {
            while (i < end)
            {
                out[i] = base + Long.numberOfTrailingZeros(bits);
                bits &= bits - 1;
                out[i + 1] = base + Long.numberOfTrailingZeros(bits);
                bits &= bits - 1;
                out[i + 2] = base + Long.numberOfTrailingZeros(bits);
                bits &= bits - 1;
                out[i + 3] = base + Long.numberOfTrailingZeros(bits);
                bits &= bits - 1;
                i += 4;
            }
            return end;
        }
        while (bits != 0)
        {
            out[i++] = base + Long.numberOfTrailingZeros(bits);
            bits &= bits - 1;
        }
        return i;
    }

    /** Hook: {@link #drain} has just emptied word {@code wordIndex} (as far as its atomic AND saw). */
    abstract void drainedEmpty(int wordIndex);

    /**
     * @return the {@code count} lowest set bits of {@code bits}, which has more than {@code count} (at least
     *         1): the prefix up to the count-th set bit, found by halving the window six times with popcounts.
     */
    static long lowestBits(final long bits, final int count)
    {
        int need = count;
        int pos = 0;
        for (int width = 32; width > 0; width >>>= 1)
        {
            final int below = Long.bitCount((bits >>> pos) & ((1L << width) - 1));
            if (below < need)
            {
                need -= below;
                pos += width;
            }
        }
        return bits & (-1L >>> (63 - pos));
    }

    @Override
    public final boolean isDirty(final long unit)
    {
        checkUnit(unit);
        return ((long)WORDS.getVolatile(words, (int)(unit >>> 6)) & (1L << unit)) != 0;
    }

    @Override
    public final long cardinality()
    {
        final long[] words = this.words;
        long count = 0;
        for (final long word : words)
        {
            count += Long.bitCount(word);
        }
        return count;
    }

    @Override
    public final long takeWord(final int wordIndex)
    {
        checkWord(wordIndex);
        return take(wordIndex);
    }

    @Override
    public final long orWord(final int wordIndex, final long bits)
    {
        checkWord(wordIndex);
        if ((bits & ~validBits(wordIndex)) != 0)
        {
            throw new IndexOutOfBoundsException(
                "bits past the last unit " + (units - 1) + " in word " + wordIndex + ": 0x" + Long.toHexString(bits));
        }
        return or(wordIndex, bits);
    }

    /**
     * Copies {@code src} over the words, plainly: for a bitmap with no index to keep, not yet seen by another thread.
     */
    final void load(final long[] src)
    {
        if (src.length != words.length)
        {
            throw new IllegalArgumentException(src.length + " words for a bitmap of " + words.length);
        }
        final int last = words.length - 1;
        if ((src[last] & ~validBits(last)) != 0)
        {
            throw new IndexOutOfBoundsException(
                "bits past the last unit " + (units - 1) + " in word " + last + ": 0x" + Long.toHexString(src[last]));
        }
        System.arraycopy(src, 0, words, 0, words.length);
    }

    /** Unchecked atomic exchange of a word with 0, keeping any index current. */
    abstract long take(int wordIndex);

    /** Unchecked atomic OR into a word, keeping any index current; returns the previous word. */
    abstract long or(int wordIndex, long bits);

    /** Unchecked atomic AND-NOT of a word, keeping any index current; returns the previous word. */
    abstract long andNot(int wordIndex, long bits);

    @Override
    public final boolean testAndClear(final long unit)
    {
        checkUnit(unit);
        final int index = (int)(unit >>> 6);
        final long bit = 1L << unit;
        if (((long)WORDS.getVolatile(words, index) & bit) == 0)
        {
            return false;
        }
        return (andNot(index, bit) & bit) != 0;
    }

    @Override
    public final void clearRange(final long fromUnit, final long toUnit)
    {
        if (fromUnit < 0 || toUnit > units || fromUnit > toUnit)
        {
            throw new IndexOutOfBoundsException(
                "range [" + fromUnit + ", " + toUnit + ") is not within [0, " + units + "]");
        }
        forEachWordMask(fromUnit, toUnit, true);
    }

    @Override
    public final void setAll()
    {
        forEachWordMask(0, units, false);
    }

    private void forEachWordMask(final long fromUnit, final long toUnit, final boolean clear)
    {
        if (fromUnit == toUnit)
        {
            return;
        }
        final int first = (int)(fromUnit >>> 6);
        final int last = (int)((toUnit - 1) >>> 6);
        for (int i = first; i <= last; i++)
        {
            long mask = -1L;
            if (i == first)
            {
                mask &= -1L << fromUnit;
            }
            if (i == last)
            {
                mask &= -1L >>> (63 - ((toUnit - 1) & 63));
            }
            if (clear)
            {
                andNot(i, mask);
            }
            else
            {
                or(i, mask);
            }
        }
    }

    @Override
    public final long harvestInto(final DirtyLog target)
    {
        checkHarvestTarget(target);
        return harvest(target, false);
    }

    @Override
    public final long harvestIntoExclusive(final DirtyLog target)
    {
        checkHarvestTarget(target);
        return harvest(target, true);
    }

    private void checkHarvestTarget(final DirtyLog target)
    {
        if (target == this || target.size() != units || target.granularityShift() != shift ||
            target.pageCount() != pageCount)
        {
            throw new IllegalArgumentException(
                "harvest target must be another log of " + pageCount + " pages at shift " + shift + ", got " +
                (target == this ? "this log" : target.pageCount() + " pages at shift " + target.granularityShift()));
        }
    }

    /**
     * Subclasses walk their words, taking each non-zero one; the target's shape is already checked. With
     * {@code exclusive} the target is private to the calling thread ({@link #harvestIntoExclusive}).
     */
    abstract long harvest(DirtyLog target, boolean exclusive);

    /**
     * Moves one taken word into {@code target} (with a plain OR where {@code exclusive} and the target is a bitmap)
     * and counts the units that are new there.
     */
    static long moveWord(final DirtyLog target, final int index, final long taken, final boolean exclusive)
    {
        final long previous;
        if (target instanceof AbstractDirtyBitmap)
        {
            final AbstractDirtyBitmap bitmap = (AbstractDirtyBitmap)target;
            previous = exclusive ? bitmap.orExclusive(index, taken) : bitmap.or(index, taken);
        }
        else
        {
            previous = target.orWord(index, taken);
        }
        return Long.bitCount(taken & ~previous);
    }

    /**
     * Unchecked plain OR into a word, keeping any index current with plain writes too; returns the previous word.
     * Only for a bitmap that no other thread touches meanwhile (the target of {@link #harvestIntoExclusive}).
     */
    abstract long orExclusive(int wordIndex, long bits);

    /** Checks that {@code [firstPage, firstPage + count)} lies within {@code [0, pages)}, for every log's {@code markRange}. */
    static void checkPageRange(final long firstPage, final long count, final long pages)
    {
        if (firstPage < 0 || count < 0 || firstPage > pages - count)
        {
            throw new IndexOutOfBoundsException(
                "pages [" + firstPage + ", " + firstPage + " + " + count + ") are outside [0, " + pages + ")");
        }
    }

    final void checkPage(final long page)
    {
        if (page < 0 || page >= pageCount)
        {
            throw new IndexOutOfBoundsException("page " + page + " is outside [0, " + pageCount + ")");
        }
    }

    final void checkUnit(final long unit)
    {
        if (unit < 0 || unit >= units)
        {
            throw new IndexOutOfBoundsException("unit " + unit + " is outside [0, " + units + ")");
        }
    }

    private void checkWord(final int wordIndex)
    {
        if (wordIndex < 0 || wordIndex >= words.length)
        {
            throw new IndexOutOfBoundsException("word " + wordIndex + " is outside [0, " + words.length + ")");
        }
    }

    private long validBits(final int wordIndex)
    {
        final long firstUnit = (long)wordIndex << 6;
        final long inWord = units - firstUnit;
        return inWord >= 64 ? -1L : (1L << inWord) - 1;
    }

    @Override
    public String toString()
    {
        return getClass().getSimpleName() + "[pages=" + pageCount + ", shift=" + shift + ", units=" + units +
            ", dirty=" + cardinality() + "]";
    }
}
