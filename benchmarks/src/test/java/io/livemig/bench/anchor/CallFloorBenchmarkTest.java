package io.livemig.bench.anchor;

import io.livemig.bench.state.OffHeapPages;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The call floor times what a page anchor's invocation calls: as many pages as the codec benchmarks' working set
 * (a constant of its own, since the anchors sit below the inputs that use them), each call returning C's 0.
 */
class CallFloorBenchmarkTest
{
    @Test
    void aPageAnchorsInvocationHoldsTheWorkingSetsPages()
    {
        assertEquals(OffHeapPages.WORKING_SET_PAGES, CallFloorBenchmark.PAGES);
    }

    @Test
    void theEmptyCallsReturnZero()
    {
        TestAnchors.load(); // skips only where this machine has no C compiler
        final CallFloorBenchmark bench = new CallFloorBenchmark();
        bench.setup();
        assertEquals(0, bench.qemuEmptyCall());
        assertEquals(0, bench.qemuEmptyPageCalls());
    }
}
