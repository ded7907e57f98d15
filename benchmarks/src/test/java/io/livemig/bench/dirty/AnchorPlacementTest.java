package io.livemig.bench.dirty;

import io.livemig.bench.anchor.TestAnchors;
import io.livemig.bench.state.DirtyBitmapInputs;
import io.livemig.bench.state.Placement;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;


import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

/**
 * The bitmap anchors read their copy of the words at the page offset of the array the Java bitmaps read: the
 * C copy is placed by the Java array's address, which the anchors' library tells. Bitmaps of 2^24 units (2 MiB
 * of words: humongous in G1, so the arrays do not move while the test looks). Needs a C compiler.
 */
class AnchorPlacementTest
{
    private static final long UNITS = 1L << 24;

    @BeforeAll
    static void buildAndLoad()
    {
        TestAnchors.load();
    }

    private static int offsetOf(final long[] words)
    {
        assertNotNull(words, "the bitmap's words are reachable");
        return Placement.pageOffset(Placement.addressOf(words));
    }

    @Test
    void cReadsItsWordsAtTheOffsetJavaReadsThem()
    {
        final NextDirtyBenchmark next = new NextDirtyBenchmark();
        next.density = 0.01;
        next.units = UNITS;
        next.setup();
        try
        {
            final int java = offsetOf(DirtyBitmapInputs.wordsOf(next.flat));
            assertEquals(java, offsetOf(DirtyBitmapInputs.wordsOf(next.summary)));
            assertEquals(java, Placement.pageOffset(Placement.addressOf(next.offHeapWords.buffer(), 0)));
            assertEquals(next.flat(), next.qemuFindNextBit());
        }
        finally
        {
            next.tearDown();
        }
        final DrainBenchmark drain = new DrainBenchmark();
        drain.density = 0.01;
        drain.units = UNITS;
        drain.setup();
        try
        {
            assertEquals(offsetOf(DirtyBitmapInputs.wordsOf(drain.flat)),
                Placement.pageOffset(Placement.addressOf(drain.offHeapWords.buffer(), 0)));
        }
        finally
        {
            drain.tearDown();
        }
        final HarvestBenchmark harvest = new HarvestBenchmark();
        harvest.density = 0.01;
        harvest.units = UNITS;
        harvest.setup();
        try
        {
            final int java = offsetOf(DirtyBitmapInputs.wordsOf(harvest.flat.source()));
            assertEquals(java, Placement.pageOffset(Placement.addressOf(harvest.offHeapFull.buffer(), 0)));
            assertEquals(java, Placement.pageOffset(Placement.addressOf(harvest.offHeapEmpty.buffer(), 0)));
            assertEquals(harvest.flat(), harvest.qemuSync());
        }
        finally
        {
            harvest.tearDown();
        }
    }
}
