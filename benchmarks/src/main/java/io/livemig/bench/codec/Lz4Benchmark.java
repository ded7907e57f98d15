package io.livemig.bench.codec;

import io.livemig.bench.BenchJvm;
import io.livemig.bench.state.Lz4Inputs;
import io.livemig.bench.state.OffHeapPages;
import io.livemig.codec.Lz4PageCodec;
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

import java.util.concurrent.TimeUnit;

/**
 * LZ4 page compression and decompression through {@link Lz4PageCodec}, ns per 4 KiB page, over a 64 MiB
 * off-heap working set of pages (guest memory: a raw off-heap buffer, which the codec copies into its scratch
 * array for lz4-java) and a 64 MiB destination set.
 *
 * <p>Baseline: copying each page into the destination set ({@code UnsafeBuffer.putBytes}, the same copy
 * stub as {@code System.arraycopy}), what sending a page raw costs the CPU.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@State(Scope.Thread)
@Fork(jvmArgsAppend = {BenchJvm.ADD_OPENS, BenchJvm.MISC_OPENS, BenchJvm.NO_BOUNDS_CHECKS, BenchJvm.HEAP_MIN, BenchJvm.HEAP_MAX})
public class Lz4Benchmark
{
    private static final int OPS = OffHeapPages.WORKING_SET_PAGES;

    @Param({"TEXT", "RANDOM", "MOSTLY_ZERO"})
    public String data;

    /** Pages per invocation (the tests shrink it). */
    public int pages = OPS;

    Lz4Inputs inputs;
    Lz4PageCodec codec;
    UnsafeBuffer sourcePages;
    UnsafeBuffer blocks;
    int[] blockOffset;
    int[] blockLength;
    UnsafeBuffer destinationPages;
    UnsafeBuffer dst;
    private OffHeapPages destination;
    private OffHeapPages dstBlock;

    @Setup(Level.Trial)
    public void setup()
    {
        inputs = Lz4Inputs.of(data, pages);
        codec = new Lz4PageCodec(OffHeapPages.PAGE_SIZE);
        sourcePages = inputs.pages();
        blocks = inputs.blocks();
        blockOffset = inputs.blockOffsets();
        blockLength = inputs.blockLengths();
        destination = new OffHeapPages(pages);
        destinationPages = destination.buffer();
        dstBlock = new OffHeapPages(2);
        dst = dstBlock.buffer();
    }

    @TearDown(Level.Trial)
    public void tearDown()
    {
        inputs.close();
        destination.close();
        dstBlock.close();
    }

    /** @return the sum of the block lengths (-1 for each page to send raw). */
    @Benchmark
    @OperationsPerInvocation(OPS)
    public long compress()
    {
        final Lz4PageCodec codec = this.codec;
        final UnsafeBuffer sourcePages = this.sourcePages;
        final UnsafeBuffer dst = this.dst;
        long total = 0;
        for (int p = 0; p < pages; p++)
        {
            total += codec.compress(sourcePages, OffHeapPages.offset(p), dst, 0);
        }
        return total;
    }

    /** @return how many blocks decompressed to exactly one page. */
    @Benchmark
    @OperationsPerInvocation(OPS)
    public int decompress()
    {
        final Lz4PageCodec codec = this.codec;
        final UnsafeBuffer blocks = this.blocks;
        final UnsafeBuffer destinationPages = this.destinationPages;
        final int[] blockOffset = this.blockOffset;
        final int[] blockLength = this.blockLength;
        int ok = 0;
        for (int p = 0; p < pages; p++)
        {
            if (codec.decompress(blocks, blockOffset[p], blockLength[p], destinationPages, OffHeapPages.offset(p)))
            {
                ok++;
            }
        }
        return ok;
    }

    /** @return a byte of the last page copied. */
    @Benchmark
    @OperationsPerInvocation(OPS)
    public byte baselineArraycopy()
    {
        final UnsafeBuffer sourcePages = this.sourcePages;
        final UnsafeBuffer destinationPages = this.destinationPages;
        for (int p = 0; p < pages; p++)
        {
            final int offset = OffHeapPages.offset(p);
            destinationPages.putBytes(offset, sourcePages, offset, OffHeapPages.PAGE_SIZE);
        }
        return destinationPages.getByte(OffHeapPages.offset(pages - 1));
    }
}
