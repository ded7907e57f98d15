package io.livemig.bench.codec;

import io.livemig.bench.BenchJvm;
import io.livemig.bench.anchor.QemuAnchors;
import io.livemig.bench.state.InputLog;
import io.livemig.bench.state.OffHeapPages;
import io.livemig.bench.state.Placement;
import io.livemig.bench.state.RealGuestPages;
import io.livemig.bench.state.ZeroPageInputs;
import io.livemig.codec.Simd;
import io.livemig.codec.ZeroPage;
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

import java.util.Arrays;
import java.util.concurrent.TimeUnit;

/**
 * Zero-page detection, ns per 4 KiB page, over one cache-resident page ({@code page}: the same page checked
 * {@link OffHeapPages#WORKING_SET_PAGES} times) or a 64 MiB off-heap working set ({@code 64m}).
 *
 * <p>Baselines over the same bytes: {@code Arrays.mismatch} against a zero page (the JDK's vectorised
 * compare, on a heap copy of the working set, since it takes arrays; page aligned, as the off-heap pages are,
 * where the anchors' library can tell a heap array's address), and the strong plain read of every
 * word ({@link OffHeapPages#sumWords}), the anchor of reference-figures.md's ratios. C anchors, one JNI call per
 * invocation over the same pages: {@code qemuBufferIsZeroAvx2}, QEMU 9.0+'s {@code buffer_is_zero} on an AVX2
 * CPU (x86-64's best path since 9.0, which dropped the AVX-512 loop), the one the goals are read against; and
 * {@code qemuBufferIsZero8xAvx2}, QEMU 8.x's on the same CPU. The runner leaves both out where the CPU lacks
 * AVX2.
 *
 * <p>Paths: {@code isZero} runs the scalar loop (its forks set {@code -Dlivemig.simd=off}, so it stays the scalar
 * row on every JDK); {@code isZeroOffHeapVector} runs the same calls on the same off-heap pages through the JDK 22+
 * off-heap SIMD kernel, the path the migration's zero check on guest memory takes there, and refuses to start
 * unless {@link Simd} chose it in the fork; {@code isZeroVector} runs the SIMD kernel on the heap copy, and
 * refuses to start unless {@link Simd} chose the vector path in the fork.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@State(Scope.Thread)
@Fork(jvmArgsAppend = {BenchJvm.ADD_OPENS, BenchJvm.MISC_OPENS, BenchJvm.ADD_MODULES, BenchJvm.VECTOR_MODULE,
    BenchJvm.NATIVE_ACCESS, BenchJvm.NO_BOUNDS_CHECKS, BenchJvm.HEAP_MIN, BenchJvm.HEAP_MAX})
public class ZeroPageBenchmark
{
    private static final int OPS = OffHeapPages.WORKING_SET_PAGES;
    private static final byte[] ZERO_PAGE = new byte[OffHeapPages.PAGE_SIZE];

    @Param({"ZERO", "FIRST_BYTE", "LAST_BYTE", "BYTE_3600"})
    public String input;

    @Param({"page", "64m"})
    public String workingSet;

    /** Pages checked per invocation (the tests shrink it). */
    public int operations = OPS;

    OffHeapPages pages;
    UnsafeBuffer buffer;
    /** A heap copy of the pages, page aligned where the anchors' library can tell ({@link Placement}). */
    UnsafeBuffer heapCopy;
    byte[] heapArray;
    int heapBase;
    int pageMask;

    /** Builds the inputs and records their digest (in C for the C anchor). */
    @Setup(Level.Trial)
    public void trial(final BenchmarkParams run)
    {
        final boolean vector = run.getBenchmark().endsWith(".isZeroVector");
        if (vector && !Simd.vector())
        {
            throw new IllegalStateException("isZeroVector needs the vector path: " + Simd.description());
        }
        if (run.getBenchmark().endsWith(".isZeroOffHeapVector") && !Simd.vectorOffHeap())
        {
            throw new IllegalStateException("isZeroOffHeapVector needs the off-heap vector path: " +
                Simd.description());
        }
        if (run.getBenchmark().endsWith(".isZero") && Simd.vector())
        {
            throw new IllegalStateException("isZero is the scalar row, but this fork chose " + Simd.description());
        }
        setup();
        InputLog.of(run).add(vector ? heapCopy : buffer).write();
    }

    /** Builds the inputs (the unit tests call this directly). */
    public void setup()
    {
        final int count = "page".equals(workingSet) ? 1 : Math.min(operations, OPS);
        pages = new OffHeapPages(count);
        if (RealGuestPages.is(input))
        {
            RealGuestPages.fillPages(pages.buffer(), count);
        }
        else
        {
            ZeroPageInputs.valueOf(input).fill(pages);
        }
        buffer = pages.buffer();
        heapCopy = Placement.pageAlignedHeapCopy(buffer);
        heapArray = heapCopy.byteArray();
        heapBase = (int)(heapCopy.addressOffset() - org.agrona.BufferUtil.ARRAY_BASE_OFFSET);
        pageMask = count - 1;
    }

    @TearDown(Level.Trial)
    public void tearDown()
    {
        pages.close();
    }

    /** @return how many pages were zero, by the scalar loop. */
    @Benchmark
    @OperationsPerInvocation(OPS)
    @Fork(jvmArgsAppend = {BenchJvm.ADD_OPENS, BenchJvm.MISC_OPENS, BenchJvm.ADD_MODULES, BenchJvm.VECTOR_MODULE,
        BenchJvm.NATIVE_ACCESS, BenchJvm.NO_BOUNDS_CHECKS, BenchJvm.HEAP_MIN, BenchJvm.HEAP_MAX,
        "-D" + Simd.PROPERTY + "=off"})
    public int isZero()
    {
        return countZeroOffHeap();
    }

    /** @return how many pages the off-heap SIMD kernel found zero: the same as {@link #isZero()}. */
    @Benchmark
    @OperationsPerInvocation(OPS)
    public int isZeroOffHeapVector()
    {
        return countZeroOffHeap();
    }

    /** The public entry on the off-heap pages: scalar or SIMD as the fork's {@link Simd} chose. */
    private int countZeroOffHeap()
    {
        final UnsafeBuffer buffer = this.buffer;
        final int mask = pageMask;
        int zero = 0;
        for (int i = 0; i < operations; i++)
        {
            if (ZeroPage.isZero(buffer, OffHeapPages.offset(i & mask), OffHeapPages.PAGE_SIZE))
            {
                zero++;
            }
        }
        return zero;
    }

    /** @return how many pages the SIMD kernel found zero, on the heap copy: the same as {@link #isZero()}. */
    @Benchmark
    @OperationsPerInvocation(OPS)
    public int isZeroVector()
    {
        final byte[] memory = heapArray;
        final int base = heapBase;
        final int mask = pageMask;
        int zero = 0;
        for (int i = 0; i < operations; i++)
        {
            if (ZeroPage.isZero(memory, base + OffHeapPages.offset(i & mask), OffHeapPages.PAGE_SIZE))
            {
                zero++;
            }
        }
        return zero;
    }

    /** @return how many pages {@code Arrays.mismatch} found equal to a zero page. */
    @Benchmark
    @OperationsPerInvocation(OPS)
    public int baselineArraysMismatch()
    {
        final byte[] memory = heapArray;
        final int base = heapBase;
        final int mask = pageMask;
        int zero = 0;
        for (int i = 0; i < operations; i++)
        {
            final int from = base + OffHeapPages.offset(i & mask);
            if (Arrays.mismatch(memory, from, from + OffHeapPages.PAGE_SIZE, ZERO_PAGE, 0, OffHeapPages.PAGE_SIZE) < 0)
            {
                zero++;
            }
        }
        return zero;
    }

    /**
     * @return how many pages QEMU 9.0+'s {@code buffer_is_zero} (in C, on an AVX2 CPU: sampled bytes, then eight
     *         32-byte vectors per step) found zero: the same as {@link #isZero()}.
     */
    @Benchmark
    @OperationsPerInvocation(OPS)
    public int qemuBufferIsZeroAvx2()
    {
        return QemuAnchors.bufferIsZeroPagesQemu9(buffer, 0, operations, pageMask, OffHeapPages.PAGE_SIZE);
    }

    /**
     * @return how many pages QEMU 8.x's {@code buffer_is_zero} (in C, on an AVX2 CPU: four 32-byte vectors per
     *         step, PTEST) found zero: the same as {@link #isZero()}.
     */
    @Benchmark
    @OperationsPerInvocation(OPS)
    public int qemuBufferIsZero8xAvx2()
    {
        return QemuAnchors.bufferIsZeroPagesQemu8(buffer, 0, operations, pageMask, OffHeapPages.PAGE_SIZE);
    }

    /** @return the sum of every word of the pages read. */
    @Benchmark
    @OperationsPerInvocation(OPS)
    public long baselineMemoryRead()
    {
        final UnsafeBuffer buffer = this.buffer;
        final int mask = pageMask;
        long sum = 0;
        for (int i = 0; i < operations; i++)
        {
            sum += OffHeapPages.sumWords(buffer, OffHeapPages.offset(i & mask), OffHeapPages.PAGE_SIZE);
        }
        return sum;
    }
}
