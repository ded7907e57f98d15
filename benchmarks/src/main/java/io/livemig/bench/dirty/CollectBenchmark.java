package io.livemig.bench.dirty;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

import io.livemig.bench.BenchJvm;
import io.livemig.bench.state.DirtyBitmapInputs;
import io.livemig.bench.state.HarvestPingPong;
import io.livemig.dirty.AtomicDirtyBitmap;
import io.livemig.dirty.DirtyLog;
import io.livemig.dirty.DirtyRingLog;
import io.livemig.dirty.SummaryDirtyBitmap;
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
 * The migration sync's cost per tracker against guest size at a fixed number of dirty pages, the question
 * of where the dirty ring beats the bitmap: ms to move {@code dirtyPages} dirty pages of a guest of 1 GiB to
 * 1 TiB (4 KiB pages) into an empty migration bitmap.
 *
 * <ul>
 *   <li>{@code harvestFlat}, {@code harvestSummary}: the writers' bitmap harvested ({@link HarvestPingPong},
 *       so every call moves the same bits into an empty log);</li>
 *   <li>{@code collectRing}: {@link DirtyRingLog#harvestInto}, a sync: kick, collect the one vCPU's ring
 *       (each entry re-armed and published into the collected bitmap), then harvest that bitmap, whose
 *       summary walk is the part that still grows with the guest. The entries are pushed again, and the
 *       target's bits cleared one by one, in an untimed {@code Level.Invocation} setup.</li>
 * </ul>
 * The dirty pages are spread evenly, one at a seeded offset in each of {@code dirtyPages} equal stretches.
 *
 * <p>Baseline: {@code harvestFlat} is the bitmap side of the crossover; the ring wins where {@code
 * collectRing} is below it. {@link CollectSweepBenchmark} sweeps the dirty pages at one guest size.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@State(Scope.Benchmark)
@Fork(jvmArgsAppend = {BenchJvm.ADD_OPENS, BenchJvm.MISC_OPENS, BenchJvm.NO_BOUNDS_CHECKS, BenchJvm.HEAP_MIN,
    BenchJvm.HEAP_MAX})
public class CollectBenchmark
{
    /** Guest size, of 4 KiB pages. */
    @Param({"1g", "16g", "256g", "1t"})
    public String guest;

    /** Dirty pages per sync. */
    @Param({"4096", "262144"})
    public int dirtyPages;

    long units;
    long[] pages;
    HarvestPingPong flat;
    HarvestPingPong summary;
    DirtyRingLog ring;
    DirtyLog ringTarget;

    @Setup(Level.Trial)
    public void setup()
    {
        units = ScalingBenchmark.unitsOf(guest);
        pages = spread(units, dirtyPages, DirtyBitmapInputs.SEED);
        flat = new HarvestPingPong(markAll(new AtomicDirtyBitmap(units, 0), pages), new AtomicDirtyBitmap(units, 0));
        summary = new HarvestPingPong(markAll(new SummaryDirtyBitmap(units, 0), pages), new SummaryDirtyBitmap(units, 0));
        final int ringSize = Math.max(DirtyRingLog.DEFAULT_RING_SIZE, Integer.highestOneBit(dirtyPages) * 2);
        ring = new DirtyRingLog(units, 0, ringSize, DirtyRingLog.DEFAULT_RESERVED);
        ringTarget = new SummaryDirtyBitmap(units, 0);
    }

    /** @return {@code count} distinct pages of {@code units}, one at a seeded offset in each equal stretch. */
    static long[] spread(final long units, final int count, final long seed)
    {
        final long stretch = units / count;
        final SplittableRandom random = new SplittableRandom(seed);
        final long[] pages = new long[count];
        for (int i = 0; i < count; i++)
        {
            pages[i] = i * stretch + random.nextLong(stretch);
        }
        return pages;
    }

    static DirtyLog markAll(final DirtyLog log, final long[] pages)
    {
        for (final long page : pages)
        {
            log.mark(page);
        }
        return log;
    }

    /** The ring's dirt, pushed again before every invocation by the benchmark thread (its one vCPU). */
    @State(Scope.Thread)
    public static class RingDirt
    {
        @Setup(Level.Invocation)
        public void redirty(final CollectBenchmark bench)
        {
            for (final long page : bench.pages)
            {
                bench.ringTarget.testAndClear(page);
            }
            markAll(bench.ring, bench.pages);
        }
    }

    /** Untimed: clears the ring's target and pushes the dirty pages again (the thread is the one vCPU). */
    void redirtyRing()
    {
        new RingDirt().redirty(this);
    }

    /** @return units moved. */
    @Benchmark
    public long harvestFlat()
    {
        return flat.harvest();
    }

    /** @return units moved. */
    @Benchmark
    public long harvestSummary()
    {
        return summary.harvest();
    }

    /** @return units moved. */
    @Benchmark
    public long collectRing(final RingDirt dirt)
    {
        return ring.harvestInto(ringTarget);
    }
}
