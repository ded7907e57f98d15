package io.livemig.dirty;

import java.lang.invoke.VarHandle;

/**
 * A two-level lock-free dirty bitmap: the flat bitmap of {@link AtomicDirtyBitmap} plus a summary with one
 * bit per group of {@value #GROUP_WORDS} bitmap words (64 bytes, one cache line's worth), set while a word
 * of the group may be non-zero. {@link #nextDirty}, {@link #drain} and {@link #harvestInto} walk the summary
 * and touch only the groups it names, so a sparse 2^28-unit bitmap (32 MiB) is scanned by reading 64 KiB of
 * summary instead of every word. Where a summary word names {@value #DENSE_GROUPS} or more of its 64 groups,
 * its 512 words are scanned as the flat bitmap scans them, so a dense region costs one summary read per 512
 * words more than the flat bitmap, and the summary never sends the search hopping where it skips little.
 *
 * <p>Thread-safety: as {@link AtomicDirtyBitmap}, for any number of writers and readers.
 *
 * <p>Invariant: a non-zero word has its group's summary bit set, or a {@code mark} in flight is about to set
 * it. A summary bit may be set over a group of zero words (stale); readers skip such groups. Clears of single
 * bits ({@code testAndClear}, {@code clearRange}, {@code takeWord}) leave the summary alone, so a writer and
 * a clearer that share a summary word do not fight over its cache line; stale bits are removed by the two
 * walks that pass over them anyway, {@code drain} and {@code harvestInto}. Orderings that keep the
 * invariant, all accesses being volatile or atomic (so they fall in one total order):
 * <ul>
 *   <li>{@code mark}: atomic OR into the word, <em>then</em> volatile read of the summary bit and, if clear,
 *       atomic OR into the summary. A mark that finds its bit already set still checks the summary bit the
 *       same way, so that once {@code mark} returns a later harvest or {@code nextDirty} finds the unit even
 *       if the writer that set the bit is stalled before its own summary update.</li>
 *   <li>{@code drain} having emptied a word of a sparse summary word (fewer than {@value #DENSE_GROUPS}
 *       groups named) with the rest of its group clear: clear the summary bit, <em>then</em> re-read the
 *       group and set the summary bit again if a word is non-zero. In dense summary words drain leaves the
 *       bits: searches scan those words flat anyway.</li>
 *   <li>harvest: exchange the summary word with 0, <em>then</em> take each word of the groups it named. Into a
 *       summary target, each taken word is ORed into the target's word, <em>then</em> the target groups that
 *       received bits are ORed into the target's summary word at once, after the last group of that summary
 *       word: like a {@code mark} in flight, a harvest in flight is about to set the bits of the words it has
 *       filled, and every one is set before {@code harvestInto} returns. {@code harvestIntoExclusive} takes
 *       this log's words the same way and writes its private target's words and summary bits plainly.</li>
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
    /** Bitmap words per summary bit: 8 words, 64 bytes. */
    public static final int GROUP_WORDS = 8;

    private static final int GROUP_SHIFT = 3;
    /** Words per summary word: 64 groups of 8. */
    private static final int SUMMARY_WORD_SHIFT = GROUP_SHIFT + 6;
    /**
     * Named groups of a summary word at and above which its 512 words are scanned flat: from about 1 unit
     * in 2000 set (a quarter of the groups dirty) the hops through the summary cost more than they skip.
     */
    public static final int DENSE_GROUPS = 16;

    private final long[] summary;

    /**
     * @param pageCount        number of pages tracked, at least 1.
     * @param granularityShift one unit covers {@code 2^granularityShift} pages, 0 to {@value #MAX_GRANULARITY_SHIFT}.
     */
    public SummaryDirtyBitmap(final long pageCount, final int granularityShift)
    {
        super(pageCount, granularityShift);
        summary = new long[((words.length - 1) >>> SUMMARY_WORD_SHIFT) + 1];
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
    int nextNonZeroWord(final int fromWord, final int toWord)
    {
        final long[] words = this.words;
        final long[] summary = this.summary;
        int i = fromWord;
        while (i < toWord)
        {
            final int s = i >>> SUMMARY_WORD_SHIFT;
            final long named = summary[s];
            final int summaryEnd = (int)Math.min((s + 1L) << SUMMARY_WORD_SHIFT, toWord);
            if (Long.bitCount(named) >= DENSE_GROUPS)
            {
                // Dense: guided jumps would cost more than they skip; scan these words as the flat bitmap.
                final int found = AtomicDirtyBitmap.nextNonZeroWord(words, i, summaryEnd);
                if (found >= 0)
                {
                    return found;
                }
                i = summaryEnd;
                continue;
            }
            // Sparse: the rest of the group holding i directly, then only the groups the summary names.
            if ((i & (GROUP_WORDS - 1)) != 0)
            {
                for (final int groupEnd = Math.min((i | (GROUP_WORDS - 1)) + 1, toWord); i < groupEnd; i++)
                {
                    if (words[i] != 0)
                    {
                        return i;
                    }
                }
                if (i >= summaryEnd)
                {
                    continue;
                }
            }
            long candidates = named & (-1L << (i >>> GROUP_SHIFT));
            while (candidates != 0)
            {
                i = ((s << 6) + Long.numberOfTrailingZeros(candidates)) << GROUP_SHIFT;
                if (i >= toWord)
                {
                    return -1;
                }
                for (final int groupEnd = Math.min(i + GROUP_WORDS, toWord); i < groupEnd; i++)
                {
                    if (words[i] != 0)
                    {
                        return i;
                    }
                }
                // A stale group (every word clear): benign, look further.
                candidates &= candidates - 1;
            }
            i = summaryEnd;
            // Skip clean summary words without touching the bitmap.
            for (int next = s + 1; i < toWord && summary[next] == 0; next++)
            {
                i = (int)Math.min((next + 1L) << SUMMARY_WORD_SHIFT, toWord);
            }
        }
        return -1;
    }

    @Override
    void drainedEmpty(final int wordIndex)
    {
        final int s = wordIndex >>> SUMMARY_WORD_SHIFT;
        if (Long.bitCount(summary[s]) >= DENSE_GROUPS)
        {
            // Dense: searches scan these words flat anyway, so a stale bit here costs nothing; harvest clears it.
            return;
        }
        // Words after this one still set: the drain reaches them next and tries again from the last.
        final int end = Math.min((wordIndex | (GROUP_WORDS - 1)) + 1, words.length);
        for (int i = wordIndex + 1; i < end; i++)
        {
            if (words[i] != 0)
            {
                return;
            }
        }
        final int first = wordIndex & -GROUP_WORDS;
        final long summaryBit = 1L << (wordIndex >>> GROUP_SHIFT);
        WORDS.getAndBitwiseAnd(summary, s, ~summaryBit);
        if (!groupClear(first))
        {
            WORDS.getAndBitwiseOr(summary, s, summaryBit);
        }
    }

    /** @return whether every word of the group starting at {@code first} reads zero (volatile reads). */
    private boolean groupClear(final int first)
    {
        final long[] words = this.words;
        final int end = Math.min(first + GROUP_WORDS, words.length);
        long any = 0;
        for (int i = first; i < end; i++)
        {
            any |= (long)WORDS.getVolatile(words, i);
        }
        return any == 0;
    }

    @Override
    long harvest(final DirtyLog target, final boolean exclusive)
    {
        final long[] summary = this.summary;
        final long[] words = this.words;
        // A summary target of the same shape (checked by harvestInto) has the same summary words: its words
        // are ORed without their summary bits, which go in afterwards, one atomic OR per summary word.
        final SummaryDirtyBitmap summaryTarget = target instanceof SummaryDirtyBitmap ? (SummaryDirtyBitmap)target : null;
        long newlyDirty = 0;
        for (int s = 0; s < summary.length; s++)
        {
            if (summary[s] == 0)
            {
                continue;
            }
            // Clear the summary before taking the words: a mark that lands after a take re-sets it.
            long candidates = (long)WORDS.getAndSet(summary, s, 0L);
            long filled = 0; // groups of the target that received bits
            while (candidates != 0)
            {
                final int group = Long.numberOfTrailingZeros(candidates);
                final int first = ((s << 6) + group) << GROUP_SHIFT;
                candidates &= candidates - 1;
                for (int i = first, end = Math.min(first + GROUP_WORDS, words.length); i < end; i++)
                {
                    // Plain read first: a clean word costs a load, not a locked exchange.
                    if (words[i] != 0)
                    {
                        final long taken = (long)WORDS.getAndSet(words, i, 0L);
                        if (summaryTarget == null)
                        {
                            newlyDirty += moveWord(target, i, taken, exclusive);
                        }
                        else if (taken != 0)
                        {
                            final long[] into = summaryTarget.words;
                            final long previous;
                            if (exclusive)
                            {
                                previous = into[i];
                                into[i] = previous | taken;
                            }
                            else
                            {
                                previous = (long)WORDS.getAndBitwiseOr(into, i, taken);
                            }
                            newlyDirty += Long.bitCount(taken & ~previous);
                            filled |= 1L << group;
                        }
                    }
                }
            }
            if (filled != 0 && exclusive)
            {
                summaryTarget.summary[s] |= filled;
            }
            else if (filled != 0 && (summaryTarget.summaryWord(s) & filled) != filled)
            {
                WORDS.getAndBitwiseOr(summaryTarget.summary, s, filled);
            }
        }
        return newlyDirty;
    }

    /** @return summary word {@code s} (volatile read). */
    private long summaryWord(final int s)
    {
        return (long)WORDS.getVolatile(summary, s);
    }

    @Override
    long take(final int wordIndex)
    {
        return (long)WORDS.getAndSet(words, wordIndex, 0L);
    }

    @Override
    long or(final int wordIndex, final long bits)
    {
        final long previous = (long)WORDS.getAndBitwiseOr(words, wordIndex, bits);
        setSummary(wordIndex);
        return previous;
    }

    @Override
    long orExclusive(final int wordIndex, final long bits)
    {
        final long previous = words[wordIndex];
        words[wordIndex] = previous | bits;
        summary[wordIndex >>> SUMMARY_WORD_SHIFT] |= 1L << (wordIndex >>> GROUP_SHIFT);
        return previous;
    }

    /** Sets the summary bit of a word known to be non-zero, skipping the atomic OR when already set. */
    private void setSummary(final int wordIndex)
    {
        final int s = wordIndex >>> SUMMARY_WORD_SHIFT;
        final long summaryBit = 1L << (wordIndex >>> GROUP_SHIFT);
        if (((long)WORDS.getVolatile(summary, s) & summaryBit) == 0)
        {
            WORDS.getAndBitwiseOr(summary, s, summaryBit);
        }
    }

    @Override
    long andNot(final int wordIndex, final long bits)
    {
        // The summary bit stays, possibly stale: see the class comment.
        return (long)WORDS.getAndBitwiseAnd(words, wordIndex, ~bits);
    }
}
