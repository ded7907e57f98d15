package io.livemig.dirty;

import java.lang.invoke.VarHandle;

/**
 * A flat lock-free dirty bitmap: one {@code long} word per 64 units, every change an atomic operation on
 * that word.
 *
 * <p>Thread-safety: any number of writers may {@link #mark} while any number of threads read, clear and
 * harvest. Orderings: {@code mark} is a full fence, a volatile load and, only when the bit is clear, an
 * atomic OR; clears and {@code harvestInto} use atomic read-modify-write operations ({@code harvestIntoExclusive}
 * takes this log's words so too, and ORs them into its private target plainly); {@code nextDirty} and
 * {@code cardinality} read plainly (see {@link DirtyLog#nextDirty}); {@code drain} reads plainly and clears
 * with one atomic AND per non-zero word. Scanning reads every word, four clean words per branch, so its
 * cost is proportional to the size of the bitmap; {@link SummaryDirtyBitmap} skips clean regions instead.
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

    /**
     * A bitmap of {@code pageCount} pages, one unit a page, whose words start as a copy of {@code words}: one bulk
     * copy where {@link #orWord} would take an atomic operation a word, for a bitmap built whole before another
     * thread sees it (published as any new object is: a final field, a volatile write, a thread's start).
     *
     * @param words exactly {@link #wordCount()} words, no bit set past the last page.
     */
    public static AtomicDirtyBitmap copyOf(final long pageCount, final long[] words)
    {
        final AtomicDirtyBitmap bitmap = new AtomicDirtyBitmap(pageCount, 0);
        bitmap.load(words);
        return bitmap;
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
    int nextNonZeroWord(final int fromWord, final int toWord)
    {
        return nextNonZeroWord(words, fromWord, toWord);
    }

    /** The flat search, shared with {@link SummaryDirtyBitmap}'s dense regions. */
    static int nextNonZeroWord(final long[] words, final int fromWord, final int toWord)
    {
        int i = fromWord;
        // Clean words four at a time, one branch per block, as find_next_bit does; then the block's word.
        for (final int blocks = toWord - 3; i < blocks; i += 4)
        {
            if ((words[i] | words[i + 1] | words[i + 2] | words[i + 3]) != 0)
            {
                break;
            }
        }
        for (; i < toWord; i++)
        {
            if (words[i] != 0)
            {
                return i;
            }
        }
        return -1;
    }

    @Override
    void drainedEmpty(final int wordIndex)
    {
        // No index to keep.
    }

    @Override
    long harvest(final DirtyLog target, final boolean exclusive)
    {
        final long[] words = this.words;
        long newlyDirty = 0;
        int i = 0;
        // Clean words four at a time, one branch per block (a sparse log is mostly clean blocks); then each word
        // of a block that holds a set bit. Plain reads first: a clean word costs a load, not a locked exchange.
        for (final int blocks = words.length - 3; i < blocks; i += 4)
        {
            if ((words[i] | words[i + 1] | words[i + 2] | words[i + 3]) != 0)
            {
                for (int k = i; k < i + 4; k++)
                {
                    if (words[k] != 0)
                    {
                        newlyDirty += moveWord(target, k, (long)WORDS.getAndSet(words, k, 0L), exclusive);
                    }
                }
            }
        }
        for (; i < words.length; i++)
        {
            if (words[i] != 0)
            {
                newlyDirty += moveWord(target, i, (long)WORDS.getAndSet(words, i, 0L), exclusive);
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
    long orExclusive(final int wordIndex, final long bits)
    {
        final long previous = words[wordIndex];
        words[wordIndex] = previous | bits;
        return previous;
    }

    @Override
    long andNot(final int wordIndex, final long bits)
    {
        return (long)WORDS.getAndBitwiseAnd(words, wordIndex, ~bits);
    }
}
