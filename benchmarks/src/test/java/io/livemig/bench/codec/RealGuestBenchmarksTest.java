package io.livemig.bench.codec;

import io.livemig.bench.state.OffHeapPages;
import io.livemig.bench.state.RealGuestPages;
import io.livemig.bench.state.TestCorpus;
import io.livemig.bench.stream.PageStreamBenchmarkAccess;
import io.livemig.codec.Xbzrle;
import io.livemig.codec.ZeroPage;
import io.livemig.qemu.RealGuestCorpus;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The codec benchmarks on the real-guest input ({@link RealGuestPages}), on a test corpus: each reads the
 * corpus's bytes (repeated over the working set) and computes what a direct computation on them gives.
 */
class RealGuestBenchmarksTest
{
    private static final int PAGES = 96;

    private static RealGuestCorpus corpus;

    @BeforeAll
    static void corpus()
    {
        corpus = TestCorpus.install();
    }

    private static byte[] page(final byte[] bytes, final int index)
    {
        final byte[] page = new byte[OffHeapPages.PAGE_SIZE];
        System.arraycopy(bytes, index * OffHeapPages.PAGE_SIZE, page, 0, OffHeapPages.PAGE_SIZE);
        return page;
    }

    @Test
    void encodeReadsThePairsRepeated()
    {
        final XbzrleEncodeBenchmark bench = new XbzrleEncodeBenchmark();
        bench.pattern = RealGuestPages.INPUT;
        bench.pages = PAGES;
        bench.setup();
        try
        {
            long expected = 0;
            final byte[] dst = new byte[OffHeapPages.PAGE_SIZE];
            for (int p = 0; p < PAGES; p++)
            {
                final int pair = p % TestCorpus.PAIRS;
                expected += Xbzrle.encode(page(corpus.pairs(), 2 * pair), page(corpus.pairs(), 2 * pair + 1), dst);
            }
            assertEquals(expected, bench.encode());
            assertTrue(expected > 0);
        }
        finally
        {
            bench.tearDown();
        }
    }

    @Test
    void decodeRebuildsTheNewVersionsOfThePairsThatEncode()
    {
        final XbzrleDecodeBenchmark bench = new XbzrleDecodeBenchmark();
        bench.pattern = RealGuestPages.INPUT;
        bench.pages = PAGES;
        bench.setup();
        try
        {
            assertTrue(bench.decode() >= 0);
            final byte[] dst = new byte[OffHeapPages.PAGE_SIZE];
            int pair = 0;
            for (int p = 0; p < PAGES; p++)
            {
                // every fourth pair overflows and is left out: the decoder's pages are the other pairs, repeated
                while (Xbzrle.encode(page(corpus.pairs(), 2 * pair), page(corpus.pairs(), 2 * pair + 1), dst) < 0)
                {
                    pair = (pair + 1) % TestCorpus.PAIRS;
                }
                final byte[] decoded = new byte[OffHeapPages.PAGE_SIZE];
                bench.targetPages.getBytes(OffHeapPages.offset(p), decoded);
                assertArrayEquals(page(corpus.pairs(), 2 * pair + 1), decoded, "page " + p);
                pair = (pair + 1) % TestCorpus.PAIRS;
            }
        }
        finally
        {
            bench.tearDown();
        }
    }

    @Test
    void zeroCheckCountsTheCorpusZeroPages()
    {
        final ZeroPageBenchmark bench = new ZeroPageBenchmark();
        bench.input = RealGuestPages.INPUT;
        bench.workingSet = "64m";
        bench.operations = PAGES;
        bench.setup();
        try
        {
            int expected = 0;
            for (int p = 0; p < PAGES; p++)
            {
                expected += ZeroPage.isZero(corpus.pages(), p * OffHeapPages.PAGE_SIZE, OffHeapPages.PAGE_SIZE) ? 1 : 0;
            }
            assertEquals(PAGES / 3, expected);
            assertEquals(expected, bench.isZero());
            assertEquals(expected, bench.baselineArraysMismatch());
        }
        finally
        {
            bench.tearDown();
        }
    }

    @Test
    void lz4RoundTripsTheCorpusPages()
    {
        final Lz4Benchmark bench = new Lz4Benchmark();
        bench.data = RealGuestPages.INPUT;
        bench.pages = PAGES;
        bench.setup();
        try
        {
            assertEquals(PAGES, bench.decompress());
            final byte[] page = new byte[OffHeapPages.PAGE_SIZE];
            bench.destinationPages.getBytes(OffHeapPages.offset(PAGES - 1), page);
            assertArrayEquals(page(corpus.pages(), PAGES - 1), page);
            final UnsafeBuffer source = bench.sourcePages;
            source.getBytes(OffHeapPages.offset(5), page);
            assertArrayEquals(page(corpus.pages(), 5), page);
        }
        finally
        {
            bench.tearDown();
        }
    }

    @Test
    void pageStreamCarriesTheRealGuestPagesAndFlipsThePairs() throws Exception
    {
        PageStreamBenchmarkAccess.checkRealGuest(PAGES);
    }
}
