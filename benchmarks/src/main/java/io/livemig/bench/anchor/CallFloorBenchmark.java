package io.livemig.bench.anchor;

import io.livemig.bench.BenchJvm;
import org.agrona.concurrent.UnsafeBuffer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;

/**
 * The least a C anchor can cost, measured in the run that measures the anchors, so that the report can tell a C
 * row that times its own call from one that times its work ("call-bound" rows get no verdict).
 *
 * <ul>
 *   <li>{@code qemuEmptyCall}: one JNI call into a C function that does nothing, ns per call: what every anchor
 *       pays once per JMH invocation (a whole batch of pages, or a whole bitmap).</li>
 *   <li>{@code qemuEmptyPageCalls}: one JNI call that calls a C function doing nothing once per page, through a
 *       function pointer, for the {@value #PAGES} pages of a page anchor's invocation, ns per page: the loop
 *       of the page anchors ({@code qemuEncode}, {@code qemuDecode}, {@code qemuBufferIsZero...}) without the
 *       work, and so the floor of any page anchor's ns per page (the JNI call is in it, spread over the
 *       pages).</li>
 * </ul>
 *
 * <p>The runner adds this class to every run that measures a C anchor. Both methods start with {@code qemu}: they
 * need the anchors' library, and read no input (no digest is recorded).
 *
 * <p>JMH state: one per thread; not shared.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@State(Scope.Thread)
@Fork(jvmArgsAppend = {BenchJvm.ADD_OPENS, BenchJvm.MISC_OPENS, BenchJvm.NO_BOUNDS_CHECKS, BenchJvm.HEAP_MIN,
    BenchJvm.HEAP_MAX})
public class CallFloorBenchmark
{
    /**
     * Pages of one page anchor's invocation: the 64 MiB working set of 4 KiB pages that the codec benchmarks pass
     * ({@link io.livemig.bench.state.OffHeapPages#WORKING_SET_PAGES}, which a test holds equal to this; the inputs
     * rest on the anchors, not the other way round).
     */
    public static final int PAGES = (64 << 20) / 4096;

    private UnsafeBuffer buffer;

    /**
     * Loads the library (a missing one fails the trial with its reason) and makes the one page the calls pass, off
     * the heap (C reads none of it).
     */
    @Setup(Level.Trial)
    public void setup()
    {
        QemuAnchors.require();
        buffer = new UnsafeBuffer(ByteBuffer.allocateDirect(4096));
    }

    /** @return 0, from C. */
    @Benchmark
    public int qemuEmptyCall()
    {
        return QemuAnchors.emptyCall();
    }

    /** @return 0: the sum of {@value #PAGES} empty per-page calls (each handed the same page, stride 0). */
    @Benchmark
    @OperationsPerInvocation(PAGES)
    public long qemuEmptyPageCalls()
    {
        return QemuAnchors.emptyPageCalls(buffer, PAGES, 0);
    }
}
