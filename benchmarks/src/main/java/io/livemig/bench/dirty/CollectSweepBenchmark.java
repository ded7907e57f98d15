package io.livemig.bench.dirty;

import java.util.concurrent.TimeUnit;

import io.livemig.bench.BenchJvm;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * The migration sync's cost per tracker against the number of dirty pages at one guest size (256 GiB of 4 KiB
 * pages): the other axis of {@link CollectBenchmark}, whose inputs and operations it reuses. The ring's cost
 * grows with the dirty pages, the flat bitmap's does not: the ring wins below the crossover.
 *
 * <p>Baseline: {@code harvestFlat}, the bitmap side of the crossover.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@State(Scope.Benchmark)
@Fork(jvmArgsAppend = {BenchJvm.ADD_OPENS, BenchJvm.MISC_OPENS, BenchJvm.NO_BOUNDS_CHECKS, BenchJvm.HEAP_MIN,
    BenchJvm.HEAP_MAX})
public class CollectSweepBenchmark
{
    /** Guest size, of 4 KiB pages. */
    @Param({"256g"})
    public String guest;

    /** Dirty pages per sync. */
    @Param({"1024", "8192", "65536", "524288"})
    public int dirtyPages;

    final CollectBenchmark inputs = new CollectBenchmark();

    @Setup(Level.Trial)
    public void setup()
    {
        inputs.guest = guest;
        inputs.dirtyPages = dirtyPages;
        inputs.setup();
    }

    /** The ring's dirt, pushed again before every invocation by the benchmark thread (its one vCPU). */
    @State(Scope.Thread)
    public static class RingDirt
    {
        @Setup(Level.Invocation)
        public void redirty(final CollectSweepBenchmark bench)
        {
            bench.inputs.redirtyRing();
        }
    }

    /** @return units moved. */
    @Benchmark
    public long harvestFlat()
    {
        return inputs.harvestFlat();
    }

    /** @return units moved. */
    @Benchmark
    public long harvestSummary()
    {
        return inputs.harvestSummary();
    }

    /** @return units moved. */
    @Benchmark
    public long collectRing(final RingDirt dirt)
    {
        return inputs.ring.harvestInto(inputs.ringTarget);
    }
}
