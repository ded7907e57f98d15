package io.livemig.bench.codec;

import io.livemig.bench.BenchJvm;
import io.livemig.bench.anchor.QemuAnchors;
import io.livemig.bench.state.InputLog;
import io.livemig.bench.state.OffHeapPages;
import io.livemig.bench.state.XbzrleInputs;
import io.livemig.codec.Xbzrle;
import org.agrona.concurrent.UnsafeBuffer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.infra.BenchmarkParams;

import java.util.concurrent.TimeUnit;

/**
 * XBZRLE decode in place onto the destination's pages, ns per 4 KiB page over a 64 MiB off-heap working set,
 * for the patterns whose encoding is sent (see {@link #pattern}; of the real guest's pairs, those whose encoding
 * fits), from the deltas laid back to back as a stream reader holds them. Decoding is idempotent (it copies
 * the new bytes over the old), so every invocation does the same work on the same pages.
 *
 * <p>Baseline: the strong plain read of every word of the 64 MiB of pages ({@link OffHeapPages#sumWords}).
 * C anchor: {@code qemuDecode}, QEMU's {@code xbzrle_decode_buffer} algorithm over the same deltas and pages
 * (one JNI call per invocation; the deltas' offsets and lengths from {@link XbzrleInputs#index()}).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@State(Scope.Thread)
@Fork(jvmArgsAppend = {BenchJvm.ADD_OPENS, BenchJvm.MISC_OPENS, BenchJvm.NO_BOUNDS_CHECKS, BenchJvm.HEAP_MIN, BenchJvm.HEAP_MAX})
public class XbzrleDecodeBenchmark
{
    private static final int OPS = OffHeapPages.WORKING_SET_PAGES;

    /**
     * The patterns whose encoding is sent: not RANDOM (it overflows, -1, and is sent raw) and not UNCHANGED (the
     * encoder's 0: the page is not sent at all, so nothing is decoded; a decode of an empty delta timed only the
     * loop and the call, a 5x "win" on 2 ns of C per page).
     */
    @Param({"ONE_RUN_64", "SPARSE_10", "DENSE_50", "EVERY_16TH"})
    public String pattern;

    /** Pages decoded per invocation (the tests shrink it). */
    public int pages = OPS;

    XbzrleInputs inputs;
    UnsafeBuffer deltas;
    UnsafeBuffer targetPages;
    int[] deltaLength;
    int[] deltaOffset;

    /** Builds the inputs and records their digest (in C for the C anchor). */
    @Setup(Level.Trial)
    public void trial(final BenchmarkParams run)
    {
        setup();
        InputLog.of(run).add(targetPages).add(deltas).add(inputs.index()).write();
    }

    /** Builds the inputs (the unit tests call this directly). */
    public void setup()
    {
        inputs = XbzrleInputs.of(pattern, pages, true);
        deltas = inputs.deltas();
        targetPages = inputs.oldPages();
        deltaLength = inputs.deltaLengths();
        deltaOffset = inputs.deltaOffsets();
    }

    @TearDown(Level.Trial)
    public void tearDown()
    {
        inputs.close();
    }

    /** @return the sum of the decoder's results. */
    @Benchmark
    @OperationsPerInvocation(OPS)
    public long decode()
    {
        final UnsafeBuffer deltas = this.deltas;
        final UnsafeBuffer targetPages = this.targetPages;
        final int[] deltaLength = this.deltaLength;
        final int[] deltaOffset = this.deltaOffset;
        long total = 0;
        for (int p = 0; p < pages; p++)
        {
            total += Xbzrle.decode(deltas, deltaOffset[p], deltaLength[p],
                targetPages, OffHeapPages.offset(p), OffHeapPages.PAGE_SIZE);
        }
        return total;
    }

    /** @return the sum of the C decoder's results: the same as {@link #decode()}. */
    @Benchmark
    @OperationsPerInvocation(OPS)
    public long qemuDecode()
    {
        return QemuAnchors.xbzrleDecodePages(deltas, inputs.index(), pages, targetPages, 0, OffHeapPages.PAGE_SIZE);
    }

    /** @return the sum of every word of the pages. */
    @Benchmark
    @OperationsPerInvocation(OPS)
    public long baselineMemoryRead()
    {
        return OffHeapPages.sumWords(targetPages, 0, OffHeapPages.offset(pages));
    }
}
