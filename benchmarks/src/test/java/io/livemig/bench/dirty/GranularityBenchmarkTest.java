package io.livemig.bench.dirty;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.BitSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** GranularityBenchmark's round sends exactly the units a model computes from the written pages. */
class GranularityBenchmarkTest
{
    @ParameterizedTest
    @CsvSource({"uniform,1", "hotset,8", "zipf,64", "sequential,512", "sequential,1"})
    void roundSendsExactlyTheUnitsOfTheWrittenPages(final String pattern, final int pagesPerBit)
    {
        final GranularityBenchmark.Workload bench = new GranularityBenchmark.Workload();
        bench.pattern = pattern;
        bench.pagesPerBit = pagesPerBit;
        bench.setUp();
        for (int r = 0; r < 3; r++)
        {
            final long[] pages = bench.rounds[r];
            final BitSet written = new BitSet();
            final BitSet units = new BitSet();
            for (final long page : pages)
            {
                written.set((int)page);
                units.set((int)(page / pagesPerBit));
            }
            final long written1 = bench.dirtyNextRound();
            assertEquals(written.cardinality(), written1, "distinct pages of round " + r);
            final long sent = bench.round();
            assertEquals((long)units.cardinality() * pagesPerBit, sent, "pages sent in round " + r);
            assertTrue(sent >= written1, "never fewer pages sent than written");
            assertEquals(0, bench.migrationLog.cardinality(), "every unit handed out");
            assertEquals(0, bench.guestLog.cardinality(), "guest log harvested");
        }
    }

    @ParameterizedTest
    @CsvSource({"uniform,1", "sequential,64"})
    void baselineSumsEveryWord(final String pattern, final int pagesPerBit)
    {
        final GranularityBenchmark.Workload bench = new GranularityBenchmark.Workload();
        bench.pattern = pattern;
        bench.pagesPerBit = pagesPerBit;
        bench.setUp();
        long sum = 0;
        for (final long word : bench.words)
        {
            sum += word;
        }
        assertEquals(sum, new GranularityBenchmark().baselineMemoryRead(bench));
        assertEquals(2 * bench.guestLog.wordCount(), bench.words.length);
    }
}
