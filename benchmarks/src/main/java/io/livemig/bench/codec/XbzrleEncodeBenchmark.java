package io.livemig.bench.codec;

import io.livemig.bench.BenchJvm;
import io.livemig.bench.anchor.QemuAnchors;
import io.livemig.bench.state.InputLog;
import io.livemig.bench.state.OffHeapPages;
import io.livemig.bench.state.Placement;
import io.livemig.bench.state.XbzrleInputs;
import io.livemig.codec.Simd;
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
 * XBZRLE encode (cached old page → new page, capacity one page, as QEMU calls it), ns per 4 KiB page over
 * 64 MiB off-heap working sets of old and new pages, in the patterns of reference-figures.md.
 *
 * <p>Baseline: the strong plain read of every word of the 64 MiB of new pages ({@link
 * OffHeapPages#sumWords}), as QEMU's figures are given against a read of one 64 MiB working set, so that
 * ratio = baseline / encode compares with their "ratio to read" (the encoder itself reads two pages per
 * page).
 *
 * <p>C anchors on the same bytes, in the same fork layout: {@code qemuEncode}, QEMU's scalar
 * {@code xbzrle_encode_buffer} algorithm, and {@code qemuEncodeAvx512}, its AVX-512BW encoder (QEMU 8.1+; the
 * runner leaves it out where the CPU lacks AVX-512BW). Each is one JNI call per invocation over all pages.
 *
 * <p>Paths: {@code encode} runs the scalar encoder (off-heap pages always take it); {@code encodeVector} runs
 * the SIMD encoder on heap copies of the same bytes, page aligned as the off-heap pages are (where the anchors'
 * library can tell a heap array's address), and refuses to start unless {@link Simd} chose the vector path in
 * the fork (the runner leaves it out, with the reason, where that is not so).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@State(Scope.Thread)
@Fork(jvmArgsAppend = {BenchJvm.ADD_OPENS, BenchJvm.MISC_OPENS, BenchJvm.ADD_MODULES, BenchJvm.VECTOR_MODULE,
    BenchJvm.NO_BOUNDS_CHECKS, BenchJvm.HEAP_MIN, BenchJvm.HEAP_MAX})
public class XbzrleEncodeBenchmark
{
    private static final int OPS = OffHeapPages.WORKING_SET_PAGES;

    @Param({"UNCHANGED", "ONE_RUN_64", "SPARSE_10", "DENSE_50", "EVERY_16TH", "RANDOM"})
    public String pattern;

    /** Pages encoded per invocation (the tests shrink it). */
    public int pages = OPS;

    XbzrleInputs inputs;
    UnsafeBuffer oldPages;
    UnsafeBuffer newPages;
    UnsafeBuffer dst;
    private OffHeapPages dstPage;

    /** Heap copies of the pages, for {@link #encodeVector()} only. */
    UnsafeBuffer oldHeap;
    UnsafeBuffer newHeap;

    /** Builds the inputs and records the digest of those the method reads (in C for the C anchors). */
    @Setup(Level.Trial)
    public void trial(final BenchmarkParams run)
    {
        final boolean vector = run.getBenchmark().endsWith(".encodeVector");
        if (vector && !Simd.vector())
        {
            throw new IllegalStateException("encodeVector needs the vector path: " + Simd.description());
        }
        setup(vector);
        if (vector)
        {
            InputLog.of(run).add(oldHeap).add(newHeap).write();
        }
        else
        {
            InputLog.of(run).add(oldPages).add(newPages).write();
        }
    }

    /** Builds the inputs, heap copies included (the unit tests call this directly). */
    public void setup()
    {
        setup(true);
    }

    private void setup(final boolean heapCopies)
    {
        inputs = XbzrleInputs.of(pattern, pages);
        oldPages = inputs.oldPages();
        newPages = inputs.newPages();
        dstPage = new OffHeapPages(1);
        dst = dstPage.buffer();
        if (heapCopies)
        {
            oldHeap = heapCopy(oldPages);
            newHeap = heapCopy(newPages);
        }
    }

    /** @return a heap copy whose first page is page aligned, as the off-heap pages C reads are. */
    private static UnsafeBuffer heapCopy(final UnsafeBuffer offHeap)
    {
        return Placement.pageAlignedHeapCopy(offHeap);
    }

    @TearDown(Level.Trial)
    public void tearDown()
    {
        inputs.close();
        dstPage.close();
    }

    /** @return the sum of the encoder's results. */
    @Benchmark
    @OperationsPerInvocation(OPS)
    public long encode()
    {
        return encodeAll(oldPages, newPages);
    }

    private long encodeAll(final UnsafeBuffer oldPages, final UnsafeBuffer newPages)
    {
        final UnsafeBuffer dst = this.dst;
        long total = 0;
        for (int p = 0; p < pages; p++)
        {
            final int offset = OffHeapPages.offset(p);
            total += Xbzrle.encode(oldPages, offset, newPages, offset, OffHeapPages.PAGE_SIZE,
                dst, 0, OffHeapPages.PAGE_SIZE);
        }
        return total;
    }

    /**
     * @return the sum of the SIMD encoder's results over heap copies of the pages, into the same off-heap
     *         destination: the same as {@link #encode()}.
     */
    @Benchmark
    @OperationsPerInvocation(OPS)
    public long encodeVector()
    {
        return encodeAll(oldHeap, newHeap);
    }

    /** @return the sum of the C scalar encoder's results: the same as {@link #encode()}. */
    @Benchmark
    @OperationsPerInvocation(OPS)
    public long qemuEncode()
    {
        return QemuAnchors.xbzrleEncodePages(oldPages, 0, newPages, 0, pages, OffHeapPages.PAGE_SIZE,
            dst, 0, OffHeapPages.PAGE_SIZE);
    }

    /** @return the sum of the C AVX-512BW encoder's results: the same as {@link #encode()}. */
    @Benchmark
    @OperationsPerInvocation(OPS)
    public long qemuEncodeAvx512()
    {
        return QemuAnchors.xbzrleEncodePagesAvx512(oldPages, 0, newPages, 0, pages, OffHeapPages.PAGE_SIZE,
            dst, 0, OffHeapPages.PAGE_SIZE);
    }

    /** @return the sum of every word of the new pages. */
    @Benchmark
    @OperationsPerInvocation(OPS)
    public long baselineMemoryRead()
    {
        return OffHeapPages.sumWords(newPages, 0, OffHeapPages.offset(pages));
    }
}
