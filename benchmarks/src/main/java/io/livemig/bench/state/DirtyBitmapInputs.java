package io.livemig.bench.state;

import java.nio.ByteOrder;
import java.util.BitSet;
import java.util.SplittableRandom;

import io.livemig.dirty.DirtyLog;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Seeded dirty-bitmap contents of an exact density, shared by the {@code bench.dirty} benchmarks: the words are
 * made once and loaded into each implementation (and a {@link BitSet}) so that every variant and its baseline
 * see the same bits. Also the strong plain read used as {@code baselineMemoryRead}.
 *
 * <p>The generator is {@link SplittableRandom} (SplitMix64) seeded with {@link #SEED}: dense bitmaps draw 16
 * {@code nextLong()}s per word (the bits of the density in 1/65536 steps pick AND or OR), then, dense or sparse,
 * single units from {@code nextLong(units)} are flipped until the count is exact. The C anchors read an
 * off-heap copy of the very same words ({@link #offHeap}).
 *
 * <p>Not thread-safe; used from benchmark setup methods only.
 */
public final class DirtyBitmapInputs
{
    /** Seed of every bitmap, so that runs and machines compare like with like. */
    public static final long SEED = 0x1D1B_17E5L;
    /** Units of the 1 TiB guest of 4 KiB pages: 2^28 (a 32 MiB bitmap). */
    public static final long TIB_UNITS = 1L << 28;

    private DirtyBitmapInputs()
    {
    }

    /**
     * @return words of {@code units} bits with exactly {@code round(density * units)} set, chosen uniformly
     *         with {@code seed}; no bit past {@code units} is set.
     */
    public static long[] words(final long units, final double density, final long seed)
    {
        if (units <= 0 || units > (long)Integer.MAX_VALUE * 64 || !(density >= 0 && density <= 1))
        {
            throw new IllegalArgumentException("units " + units + ", density " + density);
        }
        final long[] words = new long[(int)((units + 63) >>> 6)];
        final long target = Math.round(density * units);
        final SplittableRandom random = new SplittableRandom(seed);
        if (target > units / 64)
        {
            // Dense: every bit set with probability density (to 2^-16) a word at a time, sequentially, so
            // 2^28 units take a fraction of a second; the fix-up below then makes the count exact.
            final long p = Math.round(density * (1 << 16));
            for (int i = 0; i < words.length; i++)
            {
                long word = 0;
                for (int b = 0; b < 16; b++)
                {
                    word = ((p >>> b) & 1) != 0 ? word | random.nextLong() : word & random.nextLong();
                }
                words[i] = word;
            }
            if ((units & 63) != 0)
            {
                words[words.length - 1] &= (1L << units) - 1;
            }
        }
        // Sparse (or fix-up): flip bits at uniformly random positions until the count is exact.
        long count = count(words);
        while (count != target)
        {
            final boolean set = count < target;
            final long unit = random.nextLong(units);
            final int index = (int)(unit >>> 6);
            final long bit = 1L << unit;
            if (((words[index] & bit) == 0) == set)
            {
                words[index] ^= bit;
                count += set ? 1 : -1;
            }
        }
        return words;
    }

    /** @return number of set bits in {@code words}. */
    public static long count(final long[] words)
    {
        long count = 0;
        for (final long word : words)
        {
            count += Long.bitCount(word);
        }
        return count;
    }

    /** Ors {@code words} into {@code log} (of the same size) word by word; returns {@code log}. */
    public static <T extends DirtyLog> T load(final T log, final long[] words)
    {
        if (log.wordCount() != words.length)
        {
            throw new IllegalArgumentException(log + " has " + log.wordCount() + " words, not " + words.length);
        }
        for (int i = 0; i < words.length; i++)
        {
            if (words[i] != 0)
            {
                log.orWord(i, words[i]);
            }
        }
        return log;
    }

    /**
     * @return the same words off the heap, page aligned, in native byte order and zero-padded to whole pages, for
     *         the C anchors (which take an address).
     */
    public static OffHeapPages offHeap(final long[] words)
    {
        return offHeap(words, 0);
    }

    /**
     * @param pageOffset where in its first page the copy starts: a Java bitmap's own offset
     *                   ({@link Placement#pageOffsetOrZero}), so that C reads the words at the alignment Java does.
     * @return the same words off the heap, in native byte order, zero-padded to whole pages.
     */
    public static OffHeapPages offHeap(final long[] words, final int pageOffset)
    {
        final long bytes = (long)words.length * Long.BYTES;
        final OffHeapPages pages =
            new OffHeapPages((int)((bytes + OffHeapPages.PAGE_SIZE - 1) >> OffHeapPages.PAGE_SHIFT), pageOffset);
        final UnsafeBuffer buffer = pages.buffer();
        for (int i = 0; i < words.length; i++)
        {
            buffer.putLong(i * Long.BYTES, words[i], ByteOrder.nativeOrder());
        }
        return pages;
    }

    /**
     * @return the word array a livemig bitmap reads and writes (its package-private {@code words}, found by
     *         reflection on its class and superclasses), for that array's address only; null where it cannot be
     *         reached.
     */
    public static long[] wordsOf(final DirtyLog log)
    {
        for (Class<?> type = log.getClass(); type != null; type = type.getSuperclass())
        {
            try
            {
                final java.lang.reflect.Field field = type.getDeclaredField("words");
                if (field.getType() == long[].class)
                {
                    field.setAccessible(true);
                    return (long[])field.get(log);
                }
            }
            catch (final NoSuchFieldException ex)
            {
                // look in the superclass
            }
            catch (final ReflectiveOperationException | RuntimeException ex)
            {
                return null;
            }
        }
        return null;
    }

    /** @return a {@link BitSet} of the same bits. */
    public static BitSet bitSet(final long[] words)
    {
        return BitSet.valueOf(words);
    }

    /**
     * The strong plain read of reference-figures.md: every 64-bit word, four independent accumulators so the
     * loop is bound by memory, not by one add chain.
     *
     * @return the sum of the words, to be sunk by the caller.
     */
    public static long sumWords(final long[] words)
    {
        long a = 0;
        long b = 0;
        long c = 0;
        long d = 0;
        int i = 0;
        for (final int n = words.length - 3; i < n; i += 4)
        {
            a += words[i];
            b += words[i + 1];
            c += words[i + 2];
            d += words[i + 3];
        }
        for (; i < words.length; i++)
        {
            a += words[i];
        }
        return a + b + c + d;
    }

    /**
     * Enumerates every set unit of {@code log} with {@code nextDirty}, as a migration pass finds them.
     *
     * @return the number of units found.
     */
    public static long enumerate(final DirtyLog log)
    {
        long count = 0;
        for (long u = log.nextDirty(0); u >= 0; u = log.nextDirty(u + 1))
        {
            count++;
        }
        return count;
    }

    /**
     * Finds and clears every set unit of {@code log} in one pass, as QEMU's {@code find_next_bit} and
     * {@code test_and_clear} loop does in a migration round.
     *
     * @return the number of units cleared.
     */
    public static long scanAndClear(final DirtyLog log)
    {
        long count = 0;
        for (long u = log.nextDirty(0); u >= 0; u = log.nextDirty(u + 1))
        {
            if (log.testAndClear(u))
            {
                count++;
            }
        }
        return count;
    }
}
