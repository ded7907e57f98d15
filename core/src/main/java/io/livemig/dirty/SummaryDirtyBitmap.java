package io.livemig.dirty;

import java.lang.invoke.VarHandle;

/**
 * A two-level lock-free dirty bitmap: the flat bitmap of {@link AtomicDirtyBitmap} plus a summary with one
 * bit per bitmap word, set while that word may be non-zero. {@link #nextDirty} and {@link #harvestInto}
 * walk the summary and touch only the words it names, so a sparse 2^28-unit bitmap (32 MiB) is scanned by
 * reading 512 KiB of summary instead of every word.
 *
 * <p>Thread-safety: as {@link AtomicDirtyBitmap}, for any number of writers and readers.
 *
 * <p>Invariant: a non-zero word has its summary bit set, or a {@code mark} in flight is about to set it.
 * A summary bit may be set over a zero word (stale); readers skip such words. Orderings that keep the
 * invariant, all accesses being volatile or atomic (so they fall in one total order):
 * <ul>
 *   <li>{@code mark}: atomic OR into the word, <em>then</em> volatile read of the summary bit and, if clear,
 *       atomic OR into the summary. A mark that finds its bit already set still checks the summary bit the
 *       same way, so that once {@code mark} returns a later harvest or {@code nextDirty} finds the unit even
 *       if the writer that set the bit is stalled before its own summary update.</li>
 *   <li>a clear that may empty a word: atomic AND on the word; if it became zero, clear the summary bit,
 *       <em>then</em> re-read the word and set the summary bit again if it is non-zero.</li>
 *   <li>harvest: exchange the summary word with 0, <em>then</em> take each word it named.</li>
 * </ul>
 * A mark racing with a clear of the summary either sets its word bit before the clearer's re-read (which
 * then sees it and restores the summary), or reads the summary after the clear (and sets it itself).
 *
 * <p>Allowed race, benign: while a {@code mark} is in flight, {@link #isDirty} may already report its unit
 * while a harvest or {@code nextDirty} does not see it yet (its summary bit is not set); likewise a harvest
 * may miss a word whose summary bit a concurrent harvest has just taken. The unit stays set and the next
 * pass finds it, so no write is lost, but unlike {@link AtomicDirtyBitmap} a harvest is not linearizable
 * against other observers of the same log.
 */
public final class SummaryDirtyBitmap extends AbstractDirtyBitmap
{
    private final long[] summary;

    /**
     * @param pageCount        number of pages tracked, at least 1.
     * @param granularityShift one unit covers {@code 2^granularityShift} pages, 0 to {@value #MAX_GRANULARITY_SHIFT}.
     */
    public SummaryDirtyBitmap(final long pageCount, final int granularityShift)
    {
        super(pageCount, granularityShift);
        summary = new long[((words.length - 1) >>> 6) + 1];
    }

    @Override
    void markUnit(final long unit)
    {
        final int index = (int)(unit >>> 6);
        final long bit = 1L << unit;
        if (((long)WORDS.getVolatile(words, index) & bit) == 0)
        {
            or(index, bit);
        }
        else
        {
            // The bit is set, but the mark that set it may not have set the summary bit yet (it may be
            // descheduled between the two). Without this check our mark would return while a harvest or
            // nextDirty could still miss the unit for as long as that other writer stays stalled.
            setSummary(index);
        }
    }

    @Override
    long nextDirtyFrom(final long fromUnit)
    {
        final long[] words = this.words;
        final long[] summary = this.summary;
        int index = (int)(fromUnit >>> 6);
        final long first = words[index] & (-1L << fromUnit);
        if (first != 0)
        {
            return ((long)index << 6) + Long.numberOfTrailingZeros(first);
        }
        if (++index == words.length)
        {
            return -1;
        }
        int summaryIndex = index >>> 6;
        long candidates = summary[summaryIndex] & (-1L << index);
        while (true)
        {
            while (candidates == 0)
            {
                if (++summaryIndex == summary.length)
                {
                    return -1;
                }
                candidates = summary[summaryIndex];
            }
            final int wordIndex = (summaryIndex << 6) + Long.numberOfTrailingZeros(candidates);
            final long word = words[wordIndex];
            if (word != 0)
            {
                return ((long)wordIndex << 6) + Long.numberOfTrailingZeros(word);
            }
            // Stale summary bit over a word that a racing clear emptied: benign, skip it.
            candidates &= candidates - 1;
        }
    }

    @Override
    long harvest(final DirtyLog target)
    {
        final long[] summary = this.summary;
        long newlyDirty = 0;
        for (int s = 0; s < summary.length; s++)
        {
            if (summary[s] == 0)
            {
                continue;
            }
            // Clear the summary before taking the words: a mark that lands after a take re-sets it.
            long candidates = (long)WORDS.getAndSet(summary, s, 0L);
            while (candidates != 0)
            {
                final int wordIndex = (s << 6) + Long.numberOfTrailingZeros(candidates);
                candidates &= candidates - 1;
                final long taken = (long)WORDS.getAndSet(words, wordIndex, 0L);
                if (taken != 0)
                {
                    newlyDirty += moveWord(target, wordIndex, taken);
                }
            }
        }
        return newlyDirty;
    }

    @Override
    long take(final int wordIndex)
    {
        clearSummary(wordIndex);
        return (long)WORDS.getAndSet(words, wordIndex, 0L);
    }

    @Override
    long or(final int wordIndex, final long bits)
    {
        final long previous = (long)WORDS.getAndBitwiseOr(words, wordIndex, bits);
        setSummary(wordIndex);
        return previous;
    }

    /** Sets the summary bit of a word known to be non-zero, skipping the atomic OR when already set. */
    private void setSummary(final int wordIndex)
    {
        final int s = wordIndex >>> 6;
        final long summaryBit = 1L << wordIndex;
        if (((long)WORDS.getVolatile(summary, s) & summaryBit) == 0)
        {
            WORDS.getAndBitwiseOr(summary, s, summaryBit);
        }
    }

    @Override
    long andNot(final int wordIndex, final long bits)
    {
        final long previous = (long)WORDS.getAndBitwiseAnd(words, wordIndex, ~bits);
        if (previous != 0 && (previous & ~bits) == 0)
        {
            clearSummary(wordIndex);
            if ((long)WORDS.getVolatile(words, wordIndex) != 0)
            {
                WORDS.getAndBitwiseOr(summary, wordIndex >>> 6, 1L << wordIndex);
            }
        }
        return previous;
    }

    private void clearSummary(final int wordIndex)
    {
        WORDS.getAndBitwiseAnd(summary, wordIndex >>> 6, ~(1L << wordIndex));
    }
}
