package io.livemig.bench.codec;

import io.livemig.bench.anchor.QemuAnchors;
import io.livemig.bench.anchor.TestAnchors;
import io.livemig.bench.dirty.DrainBenchmark;
import io.livemig.bench.dirty.HarvestBenchmark;
import io.livemig.bench.dirty.NextDirtyBenchmark;
import io.livemig.bench.state.Placement;
import io.livemig.bench.state.XbzrleInputs;
import io.livemig.bench.state.ZeroPageInputs;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Every C anchor method of the benchmarks computes what its livemig twin computes, on the twin's own inputs
 * (small working sets built the same way as the measured ones): so a C row measures the same work. Needs a C
 * compiler; without one the runner leaves the anchors out, and so do these tests (only there: see {@link
 * TestAnchors}).
 */
class AnchorBenchmarksTest
{
    private static final int PAGES = 64;

    @BeforeAll
    static void buildAndLoad()
    {
        TestAnchors.load(); // skips only where this machine has no C compiler
    }

    @ParameterizedTest
    @EnumSource(XbzrleInputs.Pattern.class)
    void encodersAgree(final XbzrleInputs.Pattern pattern)
    {
        final XbzrleEncodeBenchmark bench = new XbzrleEncodeBenchmark();
        bench.pattern = pattern.name();
        bench.pages = PAGES;
        bench.setup();
        try
        {
            final long java = bench.encode();
            assertEquals(java, bench.qemuEncode(), pattern + ": scalar C");
            if (QemuAnchors.hasAvx512bw())
            {
                assertEquals(java, bench.qemuEncodeAvx512(), pattern + ": AVX-512BW C");
            }
        }
        finally
        {
            bench.tearDown();
        }
    }

    @ParameterizedTest
    @EnumSource(value = XbzrleInputs.Pattern.class, names = "RANDOM", mode = EnumSource.Mode.EXCLUDE)
    void decodersAgree(final XbzrleInputs.Pattern pattern)
    {
        final XbzrleDecodeBenchmark bench = new XbzrleDecodeBenchmark();
        bench.pattern = pattern.name();
        bench.pages = PAGES;
        bench.setup();
        try
        {
            assertEquals(bench.decode(), bench.qemuDecode(), pattern.name());
        }
        finally
        {
            bench.tearDown();
        }
    }

    @ParameterizedTest
    @EnumSource(ZeroPageInputs.class)
    void zeroDetectionAgrees(final ZeroPageInputs input)
    {
        for (final String workingSet : new String[] {"page", "64m"})
        {
            final ZeroPageBenchmark bench = new ZeroPageBenchmark();
            bench.input = input.name();
            bench.workingSet = workingSet;
            bench.operations = PAGES;
            bench.setup();
            try
            {
                assumeTrue(QemuAnchors.hasAvx2(), "the zero-detection anchors need AVX2");
                assertEquals(bench.isZero(), bench.qemuBufferIsZeroAvx2(), "QEMU 9.0+: " + input + " " + workingSet);
                assertEquals(bench.isZero(), bench.qemuBufferIsZero8xAvx2(), "QEMU 8.x: " + input + " " + workingSet);
            }
            finally
            {
                bench.tearDown();
            }
        }
    }

    @ParameterizedTest
    @ValueSource(doubles = {0.00001, 0.01, 0.5})
    void bitmapAnchorsAgree(final double density)
    {
        final NextDirtyBenchmark next = new NextDirtyBenchmark();
        next.density = density;
        next.units = 1L << 20;
        next.setup();
        try
        {
            assertEquals(next.flat(), next.qemuFindNextBit(), "find_next_bit at " + density);
        }
        finally
        {
            next.tearDown();
        }
        final DrainBenchmark drain = new DrainBenchmark();
        drain.density = density;
        drain.units = 1L << 20;
        drain.setup();
        try
        {
            final long expected = drain.flat();
            assertEquals(expected, drain.qemuFindNextBitClear(), "find_next_bit + clear at " + density);
            assertEquals(0, drain.qemuFindNextBitClear(), "the C loop clears what it finds");
        }
        finally
        {
            drain.tearDown();
        }
        final HarvestBenchmark harvest = new HarvestBenchmark();
        harvest.density = density;
        harvest.units = 1L << 20;
        harvest.setup();
        try
        {
            final long java = harvest.flat();
            assertEquals(java, harvest.qemuSync(), "sync at " + density);
            assertEquals(java, harvest.qemuSync(), "the ping-pong moves the same bits again");
        }
        finally
        {
            harvest.tearDown();
        }
    }


    /** Java's heap copies start on a page, as the off-heap pages C reads do (the library tells their address). */
    @org.junit.jupiter.api.Test
    void heapCopiesArePageAlignedLikeTheOffHeapPages()
    {
        final XbzrleEncodeBenchmark encode = new XbzrleEncodeBenchmark();
        encode.pattern = "SPARSE_10";
        encode.pages = 1024; // 4 MiB: a humongous array that G1 does not move
        encode.setup();
        final ZeroPageBenchmark zero = new ZeroPageBenchmark();
        zero.input = "ZERO";
        zero.workingSet = "64m";
        zero.operations = 1024;
        zero.setup();
        try
        {
            assertEquals(0, Placement.pageOffset(Placement.addressOf(encode.oldPages, 0)));
            assertEquals(0, Placement.pageOffset(Placement.addressOf(encode.oldHeap, 0)));
            assertEquals(0, Placement.pageOffset(Placement.addressOf(encode.newHeap, 0)));
            assertEquals(0, Placement.pageOffset(Placement.addressOf(zero.heapCopy, 0)));
            assertEquals(zero.isZero(), zero.isZeroVector(), "the slice is read where it starts");
            assertEquals(zero.isZero(), zero.baselineArraysMismatch());
        }
        finally
        {
            encode.tearDown();
            zero.tearDown();
        }
    }
}
