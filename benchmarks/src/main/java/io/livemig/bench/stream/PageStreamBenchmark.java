package io.livemig.bench.stream;

import io.livemig.bench.BenchJvm;
import io.livemig.bench.state.PageStreamInputs;
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

import java.io.IOException;
import java.util.concurrent.TimeUnit;

/**
 * The whole page path, ns per 4 KiB page over a 64 MiB guest: the writer snapshots each page, decides its
 * record (zero check, XBZRLE against its cache, framing) and writes it into an in-memory channel; the reader
 * checks every record and applies it to a destination guest. Mixes in {@link PageStreamInputs}.
 *
 * <p>Baseline: {@code baselineArraycopy} copies every page of the source guest to the destination (one
 * memcpy per page), the least any transfer that moves page contents does. For raw pages the stream copies
 * each page four times: guest to output buffer (the snapshot, taken into the record itself), output buffer to
 * channel, channel to input buffer, input buffer to destination; the two through the 64 MiB channel go to and
 * from memory, the two through the buffers mostly stay in cache, so the floor is about two baselines (a ratio
 * near 0.5). Each invocation is one iteration; the source is changed between invocations, outside the
 * measurement ({@code Level.Invocation} setup, fine at tens of milliseconds per invocation).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@State(Scope.Thread)
@Fork(jvmArgsAppend = {BenchJvm.ADD_OPENS, BenchJvm.MISC_OPENS, BenchJvm.NO_BOUNDS_CHECKS, BenchJvm.HEAP_MIN, BenchJvm.HEAP_MAX})
public class PageStreamBenchmark
{
    /** Pages of the 64 MiB guest. */
    static final int OPS = (64 << 20) / PageStreamInputs.PAGE_SIZE;

    @Param({"ALL_ZERO", "ALL_RAW", "MIXED"})
    public String mix;

    /** Pages per invocation (the tests shrink it). */
    public int pages = OPS;

    PageStreamInputs inputs;
    private final UnsafeBuffer from = new UnsafeBuffer(0, 0);
    private final UnsafeBuffer to = new UnsafeBuffer(0, 0);

    @Setup(Level.Trial)
    public void setup()
    {
        inputs = PageStreamInputs.of(mix, pages);
    }

    @Setup(Level.Invocation)
    public void prepareRound()
    {
        inputs.prepareRound();
    }

    @TearDown(Level.Trial)
    public void tearDown()
    {
        inputs.close();
    }

    /** @return page records applied. */
    @Benchmark
    @OperationsPerInvocation(OPS)
    public long writeAndRead() throws IOException
    {
        return inputs.writeAndRead();
    }

    /** @return the last word copied. */
    @Benchmark
    @OperationsPerInvocation(OPS)
    public long baselineArraycopy()
    {
        return inputs.copyPages(from, to);
    }
}
