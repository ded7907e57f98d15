package io.livemig.workload;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AccessPatternTest
{
    private static final int DRAWS = 200_000;

    @Property(tries = 50)
    void everyPatternStaysInRange(
        @ForAll @LongRange(min = 1, max = 1L << 40) final long pageCount,
        @ForAll @IntRange(min = 0, max = 3) final int which,
        @ForAll final long seed)
    {
        final AccessPattern pattern = switch (which)
        {
            case 0 -> AccessPattern.uniform(pageCount);
            case 1 -> AccessPattern.hotSet(pageCount, 0.1, 0.9);
            case 2 -> AccessPattern.zipf(pageCount, 0.99);
            default -> AccessPattern.sequential(pageCount);
        };
        final PageSequence sequence = pattern.sequence(seed, 0, 1);
        for (int i = 0; i < 1000; i++)
        {
            final long page = sequence.nextPage();
            assertTrue(page >= 0 && page < pageCount, () -> pattern + " drew " + page + " of " + pageCount);
        }
    }

    @Test
    void uniformCoversEveryPageEvenly()
    {
        final int pages = 64;
        final int[] counts = draw(AccessPattern.uniform(pages), pages);
        for (final int count : counts)
        {
            // Expected 3125 per page; a 6-sigma band (sigma ~ 55) is far outside chance.
            assertTrue(Math.abs(count - DRAWS / pages) < 400, "uneven uniform draw: " + count);
        }
    }

    @Test
    void hotSetSendsItsShareToTheHotRange()
    {
        final int pages = 1000;
        final int[] counts = draw(AccessPattern.hotSet(pages, 0.1, 0.8), pages);
        long hot = 0;
        for (int p = 0; p < 100; p++)
        {
            hot += counts[p];
        }
        assertEquals(0.8, hot / (double)DRAWS, 0.01);
    }

    @Test
    void zipfFollowsItsLaw()
    {
        final int pages = 1000;
        final double s = 1.2;
        final AccessPattern pattern = AccessPattern.zipf(pages, s);
        final int[] counts = draw(pattern, pages);
        final ZipfSampler sampler = new ZipfSampler(pages, s);
        double norm = 0;
        for (int k = 1; k <= pages; k++)
        {
            norm += Math.pow(k, -s);
        }
        // The three most popular ranks get their share, wherever the scatter put them.
        for (int rank = 1; rank <= 3; rank++)
        {
            final double expected = Math.pow(rank, -s) / norm;
            final double seen = counts[(int)sampler.scatter(rank - 1)] / (double)DRAWS;
            assertEquals(expected, seen, 0.01, "rank " + rank);
        }
    }

    @Test
    void zipfScatterIsAPermutation()
    {
        for (final int n : new int[] {1, 2, 3, 1000, 4096, 5000})
        {
            final ZipfSampler sampler = new ZipfSampler(n, 1.0);
            final boolean[] seen = new boolean[n];
            for (int r = 0; r < n; r++)
            {
                final int page = (int)sampler.scatter(r);
                assertTrue(!seen[page], "page " + page + " hit twice for n=" + n);
                seen[page] = true;
            }
        }
    }

    @Test
    void sequentialSweepsEachWritersSliceInOrder()
    {
        final AccessPattern pattern = AccessPattern.sequential(10);
        final PageSequence first = pattern.sequence(1, 0, 2);
        final PageSequence second = pattern.sequence(1, 1, 2);
        for (final long expected : new long[] {0, 1, 2, 3, 4, 0, 1})
        {
            assertEquals(expected, first.nextPage());
        }
        for (final long expected : new long[] {5, 6, 7, 8, 9, 5})
        {
            assertEquals(expected, second.nextPage());
        }
    }

    @Test
    void rejectsBadParameters()
    {
        assertThrows(IllegalArgumentException.class, () -> AccessPattern.uniform(0));
        assertThrows(IllegalArgumentException.class, () -> AccessPattern.hotSet(10, 0, 0.5));
        assertThrows(IllegalArgumentException.class, () -> AccessPattern.hotSet(10, 0.5, 1.5));
        assertThrows(IllegalArgumentException.class, () -> AccessPattern.zipf(10, 0));
        assertThrows(IllegalArgumentException.class, () -> AccessPattern.sequential(10).sequence(0, 2, 2));
    }

    private static int[] draw(final AccessPattern pattern, final int pages)
    {
        final int[] counts = new int[pages];
        final PageSequence sequence = pattern.sequence(42, 0, 1);
        for (int i = 0; i < DRAWS; i++)
        {
            counts[(int)sequence.nextPage()]++;
        }
        return counts;
    }
}
