package io.livemig.bench.dirty;

import java.util.concurrent.TimeUnit;

import io.livemig.bench.BenchJvm;
import io.livemig.bench.state.DirtyBitmapInputs;
import io.livemig.bench.state.HarvestPingPong;
import io.livemig.dirty.AtomicDirtyBitmap;
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
 * One harvest of a whole 2^28-unit dirty log (1 TiB of 4 KiB pages) into an empty migration bitmap of the same
 * kind, ms per harvest, at densities from 0.001 % to 50 %: QEMU's bitmap sync in reference-figures.md (atomic
 * exchange of each word with 0, OR into the target, count of new bits).
 *
 * <p>Steady state: {@link HarvestPingPong} harvests the full log into the empty one and swaps them, so every
 * invocation moves the same bits into an empty target with no untimed setup between invocations (a
 * {@code Level.Invocation} re-load would cost more than the harvest itself at low density).
 *
 * <p>Baseline: the strong plain read of a {@code long[]} of the same 32 MiB of words.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@State(Scope.Benchmark)
@Fork(jvmArgsAppend = {BenchJvm.ADD_OPENS, BenchJvm.MISC_OPENS, BenchJvm.NO_BOUNDS_CHECKS, BenchJvm.HEAP_MIN,
    BenchJvm.HEAP_MAX})
public class HarvestBenchmark
{
    /** Fraction of units set. */
    @Param({"0.00001", "0.001", "0.01", "0.1", "0.5"})
    public double density;

    /** Units in the bitmap (the tests shrink it). */
    public long units = DirtyBitmapInputs.TIB_UNITS;

    long[] words;
    HarvestPingPong flat;
    HarvestPingPong summary;

    @Setup(Level.Trial)
    public void setup()
    {
        words = DirtyBitmapInputs.words(units, density, DirtyBitmapInputs.SEED);
        flat = new HarvestPingPong(
            DirtyBitmapInputs.load(new AtomicDirtyBitmap(units, 0), words), new AtomicDirtyBitmap(units, 0));
        summary = new HarvestPingPong(
            DirtyBitmapInputs.load(new SummaryDirtyBitmap(units, 0), words), new SummaryDirtyBitmap(units, 0));
    }

    /** @return units moved. */
    @Benchmark
    public long flat()
    {
        return flat.harvest();
    }

    /** @return units moved. */
    @Benchmark
    public long summary()
    {
        return summary.harvest();
    }

    /** @return the sum of the words. */
    @Benchmark
    public long baselineMemoryRead()
    {
        return DirtyBitmapInputs.sumWords(words);
    }
}
