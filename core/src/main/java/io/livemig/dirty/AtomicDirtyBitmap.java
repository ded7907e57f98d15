package io.livemig.dirty;

import java.lang.invoke.VarHandle;

/**
 * A flat lock-free dirty bitmap: one {@code long} word per 64 units, every change an atomic operation on
 * that word.
 *
 * <p>Thread-safety: any number of writers may {@link #mark} while any number of threads read, clear and
 * harvest. Orderings: {@code mark} is a full fence, a volatile load and, only when the bit is clear, an
 * atomic OR; clears and {@code harvestInto} use atomic read-modify-write operations; {@code nextDirty} and
 * {@code cardinality} read plainly (see {@link DirtyLog#nextDirty}). Scanning reads every word, so its cost
 * is proportional to the size of the bitmap; {@link SummaryDirtyBitmap} skips clean regions instead.
 */
public final class AtomicDirtyBitmap extends AbstractDirtyBitmap
{
    /**
     * @param pageCount        number of pages tracked, at least 1.
     * @param granularityShift one unit covers {@code 2^granularityShift} pages, 0 to {@value #MAX_GRANULARITY_SHIFT}.
     */
    public AtomicDirtyBitmap(final long pageCount, final int granularityShift)
    {
        super(pageCount, granularityShift);
    }

    @Override
    void markUnit(final long unit)
    {
        final int index = (int)(unit >>> 6);
        final long bit = 1L << unit;
        if (((long)WORDS.getVolatile(words, index) & bit) == 0)
        {
            WORDS.getAndBitwiseOr(words, index, bit);
        }
    }

    @Override
    long nextDirtyFrom(final long fromUnit)
    {
        final long[] words = this.words;
        int index = (int)(fromUnit >>> 6);
        long word = words[index] & (-1L << fromUnit);
        while (word == 0)
        {
            if (++index == words.length)
            {
                return -1;
            }
            word = words[index];
        }
        return ((long)index << 6) + Long.numberOfTrailingZeros(word);
    }

    @Override
    long harvest(final DirtyLog target)
    {
        final long[] words = this.words;
        long newlyDirty = 0;
        for (int i = 0; i < words.length; i++)
        {
            // Plain read first: a clean word (the common case) costs a load, not a locked exchange.
            if (words[i] != 0)
            {
                newlyDirty += moveWord(target, i, (long)WORDS.getAndSet(words, i, 0L));
            }
        }
        return newlyDirty;
    }

    @Override
    long take(final int wordIndex)
    {
        return (long)WORDS.getAndSet(words, wordIndex, 0L);
    }

    @Override
    long or(final int wordIndex, final long bits)
    {
        return (long)WORDS.getAndBitwiseOr(words, wordIndex, bits);
    }

    @Override
    long andNot(final int wordIndex, final long bits)
    {
        return (long)WORDS.getAndBitwiseAnd(words, wordIndex, ~bits);
    }
}
