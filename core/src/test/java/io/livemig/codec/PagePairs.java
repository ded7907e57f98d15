package io.livemig.codec;

import java.util.SplittableRandom;

/**
 * Seeded (old, new) page pairs shaped like real page changes, for the property tests: the seed, size and
 * shape are what jqwik generates and shrinks; the pages follow from them deterministically.
 */
final class PagePairs
{
    enum Shape
    {
        IDENTICAL, ZERO_OLD_SPARSE, SPARSE_RUNS, DENSE_RUNS, EVERY_NTH, SINGLE_BYTES, RANDOM, ZERO_NEW, LONG_RUN
    }

    final byte[] old;
    final byte[] now;

    private PagePairs(final byte[] old, final byte[] now)
    {
        this.old = old;
        this.now = now;
    }

    static PagePairs of(final Shape shape, final int size, final long seed)
    {
        final SplittableRandom random = new SplittableRandom(seed);
        final byte[] old = new byte[size];
        if (shape != Shape.ZERO_OLD_SPARSE)
        {
            random.nextBytes(old);
        }
        final byte[] now = old.clone();
        switch (shape)
        {
            case IDENTICAL:
                break;
            case ZERO_OLD_SPARSE:
            case SPARSE_RUNS:
                changeRuns(random, now, 0.1);
                break;
            case DENSE_RUNS:
                changeRuns(random, now, 0.5);
                break;
            case EVERY_NTH:
                final int step = 1 + random.nextInt(20);
                for (int i = random.nextInt(step); i < size; i += step)
                {
                    change(random, now, i);
                }
                break;
            case SINGLE_BYTES:
                for (int k = random.nextInt(6); k >= 0 && size > 0; k--)
                {
                    change(random, now, random.nextInt(size));
                }
                break;
            case RANDOM:
                random.nextBytes(now);
                break;
            case ZERO_NEW:
                java.util.Arrays.fill(now, (byte)0);
                break;
            case LONG_RUN:
                if (size > 0)
                {
                    final int from = random.nextInt(size);
                    final int to = from + random.nextInt(size - from + 1);
                    for (int i = from; i < to; i++)
                    {
                        change(random, now, i);
                    }
                }
                break;
            default:
                throw new IllegalStateException(shape.name());
        }
        return new PagePairs(old, now);
    }

    /** Changes runs of 1..64 bytes separated by gaps, so that about {@code fraction} of the page changes. */
    private static void changeRuns(final SplittableRandom random, final byte[] page, final double fraction)
    {
        final int meanGap = Math.max(1, (int)(32 * (1 - fraction) / fraction));
        int i = random.nextInt(2 * meanGap);
        while (i < page.length)
        {
            final int run = 1 + random.nextInt(64);
            for (int k = 0; k < run && i < page.length; k++, i++)
            {
                change(random, page, i);
            }
            i += 1 + random.nextInt(2 * meanGap);
        }
    }

    /** Sets {@code page[i]} to a different random value. */
    private static void change(final SplittableRandom random, final byte[] page, final int i)
    {
        page[i] ^= (byte)(1 + random.nextInt(255));
    }
}
