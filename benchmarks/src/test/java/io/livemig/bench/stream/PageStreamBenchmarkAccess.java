package io.livemig.bench.stream;

import io.livemig.bench.state.RealGuestPages;
import io.livemig.memory.GuestMemory;
import io.livemig.stream.PageKind;

import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Reaches PageStreamBenchmark's package-private state for the real-guest test of the codec package. */
public final class PageStreamBenchmarkAccess
{
    private PageStreamBenchmarkAccess()
    {
    }

    /**
     * Runs three rounds of the real-guest page stream: each sends at least the pages of the flipped pairs (pages
     * that did not change are not sent: XBZRLE finds them unchanged), some as XBZRLE deltas, and the destination
     * equals the source after each.
     */
    public static void checkRealGuest(final int pages) throws Exception
    {
        final PageStreamBenchmark bench = new PageStreamBenchmark();
        bench.mix = RealGuestPages.INPUT;
        bench.pages = pages;
        bench.setup();
        try
        {
            for (int round = 0; round < 3; round++)
            {
                bench.prepareRound();
                final long xbzrleBefore = bench.inputs.writer().stats().pages(PageKind.XBZRLE);
                final long records = bench.writeAndRead();
                final int flipped = Math.min(RealGuestPages.corpus().pairCount(), pages);
                assertTrue(records >= flipped && records <= pages, "page records of round " + round + ": " + records);
                assertTrue(bench.inputs.writer().stats().pages(PageKind.XBZRLE) > xbzrleBefore, "round " + round);
                final GuestMemory src = bench.inputs.source();
                final GuestMemory dst = bench.inputs.destination();
                final byte[] a = new byte[(int)src.size()];
                final byte[] b = new byte[(int)dst.size()];
                src.getBytes(0, a, 0, a.length);
                dst.getBytes(0, b, 0, b.length);
                assertArrayEquals(a, b, "round " + round);
                assertTrue(Arrays.equals(a, 0, 4096, RealGuestPages.corpus().pairs(), 4096 * ((round + 1) % 2),
                    4096 * ((round + 1) % 2 + 1)), "pair 0's page holds its flipped version");
            }
        }
        finally
        {
            bench.tearDown();
        }
    }
}
