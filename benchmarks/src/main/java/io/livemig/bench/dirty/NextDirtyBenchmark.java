package io.livemig.bench.dirty;

import java.util.BitSet;
import java.util.concurrent.TimeUnit;

import io.livemig.bench.BenchJvm;
import io.livemig.bench.anchor.QemuAnchors;
import io.livemig.bench.state.InputLog;
import io.livemig.bench.state.OffHeapPages;
import io.livemig.bench.state.Placement;
import io.livemig.bench.state.DirtyBitmapInputs;
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
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.infra.BenchmarkParams;

/**
 * One full enumeration of the dirty units of a 2^28-unit bitmap (1 TiB of 4 KiB pages, 32 MiB of bits) with
 * {@code nextDirty}, ms per enumeration, at densities from 0.001 % to 50 % of units set: QEMU's
 * {@code find_next_bit} loop in reference-figures.md. {@code flat} reads every word; {@code summary} skips clean
 * words through its summary. Read-only, so the steady state needs no re-dirtying.
 *
 * <p>Baselines on the same bits: {@link BitSet#nextSetBit} over a {@code BitSet} of them, and the strong plain
 * read of a {@code long[]} holding the same 32 MiB of words (the bitmaps keep their words private; the copy
 * has the same size and contents, so it is the same amount of memory, not cache resident either).
 *
 * <p>C anchor: {@code qemuFindNextBit}, QEMU's {@code find_next_bit} enumeration loop over an off-heap copy
 * of the same words, one JNI call per enumeration.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@State(Scope.Benchmark)
@Fork(jvmArgsAppend = {BenchJvm.ADD_OPENS, BenchJvm.MISC_OPENS, BenchJvm.NO_BOUNDS_CHECKS, BenchJvm.HEAP_MIN,
    BenchJvm.HEAP_MAX})
public class NextDirtyBenchmark
{
    /** Fraction of units set. */
    @Param({"0.00001", "0.001", "0.01", "0.1", "0.5"})
    public double density;

    /** Units in the bitmap (the tests shrink it). */
    public long units = DirtyBitmapInputs.TIB_UNITS;

    long[] words;
    AtomicDirtyBitmap flat;
    SummaryDirtyBitmap summary;
    BitSet bitSet;
    OffHeapPages offHeapWords;

    /** Builds the inputs and records their digest (in C for the C anchor, over the copy it reads). */
    @Setup(Level.Trial)
    public void trial(final BenchmarkParams run)
    {
        setup();
        final String method = run.getBenchmark().substring(run.getBenchmark().lastIndexOf('.') + 1);
        final long[] javaReads = switch (method)
        {
            case "flat" -> DirtyBitmapInputs.wordsOf(flat);
            case "summary" -> DirtyBitmapInputs.wordsOf(summary);
            case "baselineMemoryRead" -> words;
            default -> null;
        };
        InputLog.of(run).addWords(words, javaReads, offHeapWords.buffer()).write();
    }

    /** Builds the inputs (the unit tests call this directly). */
    public void setup()
    {
        words = DirtyBitmapInputs.words(units, density, DirtyBitmapInputs.SEED);
        flat = DirtyBitmapInputs.load(new AtomicDirtyBitmap(units, 0), words);
        summary = DirtyBitmapInputs.load(new SummaryDirtyBitmap(units, 0), words);
        bitSet = DirtyBitmapInputs.bitSet(words);
        // C enumerates its copy at the page offset of the words Java enumerates
        offHeapWords = DirtyBitmapInputs.offHeap(words, Placement.pageOffsetOrZero(DirtyBitmapInputs.wordsOf(flat)));
    }

    /** Frees the off-heap copy. */
    @TearDown(Level.Trial)
    public void tearDown()
    {
        offHeapWords.close();
    }

    /** @return units found. */
    @Benchmark
    public long flat()
    {
        return DirtyBitmapInputs.enumerate(flat);
    }

    /** @return units found. */
    @Benchmark
    public long summary()
    {
        return DirtyBitmapInputs.enumerate(summary);
    }

    /** @return units found. */
    @Benchmark
    public long baselineBitSet()
    {
        final BitSet bits = bitSet;
        long count = 0;
        for (int i = bits.nextSetBit(0); i >= 0; i = bits.nextSetBit(i + 1))
        {
            count++;
        }
        return count;
    }

    /** @return units found by the C {@code find_next_bit} loop: the same as {@link #flat()}. */
    @Benchmark
    public long qemuFindNextBit()
    {
        return QemuAnchors.findNextBitCount(offHeapWords.buffer(), units);
    }

    /** @return the sum of the words. */
    @Benchmark
    public long baselineMemoryRead()
    {
        return DirtyBitmapInputs.sumWords(words);
    }
}
