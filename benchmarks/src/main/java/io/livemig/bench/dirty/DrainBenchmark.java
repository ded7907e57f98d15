package io.livemig.bench.dirty;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.TimeUnit;

import io.livemig.bench.BenchJvm;
import io.livemig.bench.anchor.QemuAnchors;
import io.livemig.bench.state.DirtyBitmapInputs;
import io.livemig.bench.state.InputLog;
import io.livemig.bench.state.OffHeapPages;
import io.livemig.bench.state.Placement;
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
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.infra.BenchmarkParams;

/**
 * One migration round's hand-out of a 2^28-unit bitmap: every dirty unit found, cleared and handed out, ms
 * per round (the report adds ns per set unit), at densities from 0.001 % to 50 %. {@code flat} and
 * {@code summary} drain a word at a time ({@link DirtyLog#drain}, 512-unit batches, as
 * {@code Migration.sendDirtyPages} does); {@code baselineScanAndClear} is the unit-at-a-time loop it replaces
 * ({@code nextDirty} then {@code testAndClear}, re-reading the word for each unit). {@code baselineExchangePerWord}
 * is the floor under any drain that clears a word before it hands out its units: one locked exchange with 0 per
 * non-zero word of the same words, and nothing else; divided by the units it is the part of the ns per unit that
 * the clear-before-read rule costs on this machine, measured in the same run.
 *
 * <p>C anchor: {@code qemuFindNextBitClear}, QEMU's {@code find_next_bit} loop clearing each bit it finds
 * with {@code test_and_clear_bit}, as {@code migration_bitmap_clear_dirty} does, over an off-heap copy of the
 * same words, one JNI call per round.
 *
 * <p>Steady state: a round clears the bitmap, so each invocation's setup ({@link Level#Invocation}, excluded
 * from the time; a round lasts at least about a millisecond) restores the bits, into the one structure the
 * running method drains. Both sides start with the restored words partly in cache (the last written), the
 * Java bitmaps from the OR of each non-zero word, the C copy from a {@code memcpy}.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@State(Scope.Benchmark)
@Fork(jvmArgsAppend = {BenchJvm.ADD_OPENS, BenchJvm.MISC_OPENS, BenchJvm.NO_BOUNDS_CHECKS, BenchJvm.HEAP_MIN,
    BenchJvm.HEAP_MAX})
public class DrainBenchmark
{
    /** Units per drain call, as {@code Migration} drains (512 measured 20 % faster than 64 at 10 %, 40 % at 50 %). */
    static final int BATCH = 512;

    /** Fraction of units set. */
    @Param({"0.00001", "0.001", "0.01", "0.1", "0.5"})
    public double density;

    /** Units in the bitmap (the tests shrink it). */
    public long units = DirtyBitmapInputs.TIB_UNITS;

    private static final VarHandle WORDS = MethodHandles.arrayElementVarHandle(long[].class);

    long[] words;
    /** A copy of {@link #words} that {@link #baselineExchangePerWord()} clears, restored before each round. */
    long[] exchanged;
    AtomicDirtyBitmap flat;
    SummaryDirtyBitmap summary;
    AtomicDirtyBitmap unitAtATime;
    OffHeapPages pristineWords;
    OffHeapPages offHeapWords;
    final long[] batch = new long[BATCH];
    private String method = "";

    /** Builds the inputs and records their digest (in C for the C anchor, over the copy it clears). */
    @Setup(Level.Trial)
    public void trial(final BenchmarkParams run)
    {
        setup();
        method = run.getBenchmark().substring(run.getBenchmark().lastIndexOf('.') + 1);
        final long[] javaReads = switch (method)
        {
            case "flat" -> DirtyBitmapInputs.wordsOf(flat);
            case "summary" -> DirtyBitmapInputs.wordsOf(summary);
            case "baselineScanAndClear" -> DirtyBitmapInputs.wordsOf(unitAtATime);
            case "baselineExchangePerWord" -> exchanged;
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
        unitAtATime = DirtyBitmapInputs.load(new AtomicDirtyBitmap(units, 0), words);
        exchanged = words.clone();
        pristineWords = DirtyBitmapInputs.offHeap(words);
        // C clears its copy at the page offset of the words Java drains
        offHeapWords = DirtyBitmapInputs.offHeap(words, Placement.pageOffsetOrZero(DirtyBitmapInputs.wordsOf(flat)));
    }

    /** Restores the bits the last round cleared, in the structure the running method drains. */
    @Setup(Level.Invocation)
    public void redirty()
    {
        switch (method)
        {
            case "flat" -> DirtyBitmapInputs.load(flat, words);
            case "summary" -> DirtyBitmapInputs.load(summary, words);
            case "baselineScanAndClear" -> DirtyBitmapInputs.load(unitAtATime, words);
            case "baselineExchangePerWord" -> System.arraycopy(words, 0, exchanged, 0, words.length);
            case "qemuFindNextBitClear" -> restoreOffHeap();
            default -> throw new IllegalStateException("no re-dirtying for " + method);
        }
    }

    /** Restores every structure (the unit tests call this between rounds). */
    public void redirtyAll()
    {
        DirtyBitmapInputs.load(flat, words);
        DirtyBitmapInputs.load(summary, words);
        DirtyBitmapInputs.load(unitAtATime, words);
        System.arraycopy(words, 0, exchanged, 0, words.length);
        restoreOffHeap();
    }

    private void restoreOffHeap()
    {
        offHeapWords.buffer().putBytes(0, pristineWords.buffer(), 0, words.length * Long.BYTES);
    }

    /** Frees the off-heap copies. */
    @TearDown(Level.Trial)
    public void tearDown()
    {
        offHeapWords.close();
        pristineWords.close();
    }

    /** @return units handed out. */
    @Benchmark
    public long flat()
    {
        return drainAll(flat, batch);
    }

    /** @return units handed out. */
    @Benchmark
    public long summary()
    {
        return drainAll(summary, batch);
    }

    /** @return units handed out by {@code nextDirty} + {@code testAndClear}, one unit per search. */
    @Benchmark
    public long baselineScanAndClear()
    {
        return DirtyBitmapInputs.scanAndClear(unitAtATime);
    }

    /**
     * The cost of the clear-before-read rule alone: one locked exchange with 0 per non-zero word (a drain must
     * take each word atomically before it hands out a unit of it, or a concurrent mark could be lost), nothing
     * handed out.
     *
     * @return the units of the words taken.
     */
    @Benchmark
    public long baselineExchangePerWord()
    {
        final long[] words = exchanged;
        long units = 0;
        for (int i = 0; i < words.length; i++)
        {
            if (words[i] != 0)
            {
                units += Long.bitCount((long)WORDS.getAndSet(words, i, 0L));
            }
        }
        return units;
    }

    /** @return units cleared by the C {@code find_next_bit} + {@code test_and_clear_bit} loop. */
    @Benchmark
    public long qemuFindNextBitClear()
    {
        return QemuAnchors.findNextBitClearCount(offHeapWords.buffer(), units);
    }

    /**
     * Drains every dirty unit of {@code log} in batches, as a send pass does.
     *
     * @return the number of units handed out.
     */
    static long drainAll(final DirtyLog log, final long[] batch)
    {
        final long size = log.size();
        long count = 0;
        long from = 0;
        int n;
        while ((n = log.drain(from, size, batch, 0)) == batch.length)
        {
            count += n;
            from = batch[n - 1] + 1;
        }
        return count + n;
    }
}
