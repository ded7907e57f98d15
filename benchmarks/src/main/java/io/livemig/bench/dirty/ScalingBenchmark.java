package io.livemig.bench.dirty;

import java.util.concurrent.TimeUnit;

import io.livemig.bench.BenchJvm;
import io.livemig.bench.state.DirtyBitmapInputs;
import io.livemig.bench.state.HarvestPingPong;
import io.livemig.dirty.AtomicDirtyBitmap;
import io.livemig.dirty.DirtyLog;
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
 * How the per-round cost of dirty tracking grows with the guest at a low dirty density: ms per harvest (whole
 * log into an empty migration bitmap) and per scan (find and clear every dirty unit in one pass, QEMU's
 * {@code find_next_bit} + {@code test_and_clear} loop) of guests of 1 GiB to 1 TiB of 4 KiB pages (2^18 to 2^28
 * units), flat against summary bitmap. The flat bitmap's cost follows the guest size; the summary's the number
 * of dirty words.
 *
 * <p>Steady state: harvests ping-pong between two logs ({@link HarvestPingPong}); each scan clears its bitmap,
 * so its state re-loads the same bits in an untimed {@code Level.Invocation} setup. At 1 GiB a scan takes a few
 * microseconds, where JMH's per-invocation timestamps add a few percent; the harvest rows have no such cost.
 *
 * <p>Baseline: the strong plain read of a {@code long[]} of the same size as the guest's bitmap.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@State(Scope.Benchmark)
@Fork(jvmArgsAppend = {BenchJvm.ADD_OPENS, BenchJvm.MISC_OPENS, BenchJvm.NO_BOUNDS_CHECKS, BenchJvm.HEAP_MIN,
    BenchJvm.HEAP_MAX})
public class ScalingBenchmark
{
    /** Guest size, of 4 KiB pages. */
    @Param({"1g", "16g", "256g", "1t"})
    public String guest;

    /** Fraction of units set. */
    @Param({"0.001", "0.01"})
    public double density;

    long units;
    long[] words;
    HarvestPingPong flat;
    HarvestPingPong summary;

    /** @return units of a guest named like {@code 16g} or {@code 1t}, one per 4 KiB page. */
    public static long unitsOf(final String guest)
    {
        final long gib;
        switch (guest)
        {
            case "1g": gib = 1; break;
            case "16g": gib = 16; break;
            case "256g": gib = 256; break;
            case "1t": gib = 1024; break;
            default: throw new IllegalArgumentException("guest size " + guest + " is not one of 1g, 16g, 256g, 1t");
        }
        return gib << 18;
    }

    @Setup(Level.Trial)
    public void setup()
    {
        units = unitsOf(guest);
        words = DirtyBitmapInputs.words(units, density, DirtyBitmapInputs.SEED);
        flat = new HarvestPingPong(
            DirtyBitmapInputs.load(new AtomicDirtyBitmap(units, 0), words), new AtomicDirtyBitmap(units, 0));
        summary = new HarvestPingPong(
            DirtyBitmapInputs.load(new SummaryDirtyBitmap(units, 0), words), new SummaryDirtyBitmap(units, 0));
    }

    /** A bitmap to scan, re-loaded with the same bits before every invocation. */
    public abstract static class Scan
    {
        DirtyLog log;

        abstract DirtyLog create(long units);

        @Setup(Level.Invocation)
        public void reload(final ScalingBenchmark bench)
        {
            if (log == null || log.size() != bench.units)
            {
                log = create(bench.units);
            }
            DirtyBitmapInputs.load(log, bench.words);
        }
    }

    /** {@link Scan} of an {@link AtomicDirtyBitmap}. */
    @State(Scope.Thread)
    public static class FlatScan extends Scan
    {
        @Override
        DirtyLog create(final long units)
        {
            return new AtomicDirtyBitmap(units, 0);
        }
    }

    /** {@link Scan} of a {@link SummaryDirtyBitmap}. */
    @State(Scope.Thread)
    public static class SummaryScan extends Scan
    {
        @Override
        DirtyLog create(final long units)
        {
            return new SummaryDirtyBitmap(units, 0);
        }
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

    /** @return units cleared. */
    @Benchmark
    public long scanFlat(final FlatScan scan)
    {
        return DirtyBitmapInputs.scanAndClear(scan.log);
    }

    /** @return units cleared. */
    @Benchmark
    public long scanSummary(final SummaryScan scan)
    {
        return DirtyBitmapInputs.scanAndClear(scan.log);
    }

    /** @return the sum of the words. */
    @Benchmark
    public long baselineMemoryRead()
    {
        return DirtyBitmapInputs.sumWords(words);
    }
}
