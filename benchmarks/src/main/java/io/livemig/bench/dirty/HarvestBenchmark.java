package io.livemig.bench.dirty;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.TimeUnit;

import io.livemig.bench.BenchJvm;
import io.livemig.bench.anchor.QemuAnchors;
import io.livemig.bench.state.InputLog;
import io.livemig.bench.state.OffHeapPages;
import io.livemig.bench.state.Placement;
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
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.infra.BenchmarkParams;

/**
 * One harvest of a whole 2^28-unit dirty log (1 TiB of 4 KiB pages) into an empty migration bitmap of the same
 * kind, ms per harvest, at densities from 0.001 % to 50 %: QEMU's bitmap sync in reference-figures.md (atomic
 * exchange of each word with 0, OR into the target, count of new bits). The target is private to the harvesting
 * thread ({@code harvestIntoExclusive}, the pre-copy round's sync), so its words are ORed plainly, as QEMU's and
 * the C anchor's are.
 *
 * <p>Steady state: {@link HarvestPingPong} harvests the full log into the empty one and swaps them, so every
 * invocation moves the same bits into an empty target with no untimed setup between invocations (a
 * {@code Level.Invocation} re-load would cost more than the harvest itself at low density).
 *
 * <p>Baselines: the strong plain read of a {@code long[]} of the same 32 MiB of words; and one locked exchange per
 * non-zero word of them ({@link #baselineExchangePerWord()}), the floor that both livemig's and C's sync stand on
 * where most words are non-zero. C anchor: {@code qemuSync},
 * QEMU's bitmap sync step (if a word is non-zero: atomic exchange with 0, OR into the target, popcount of the
 * new bits) between two off-heap copies in the same ping-pong, one JNI call per harvest.
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

    private static final VarHandle WORDS = MethodHandles.arrayElementVarHandle(long[].class);

    long[] words;
    /** A copy of {@link #words} for {@link #baselineExchangePerWord()}, which exchanges its words in place. */
    long[] exchanged;
    HarvestPingPong flat;
    HarvestPingPong summary;
    OffHeapPages offHeapFull;
    OffHeapPages offHeapEmpty;

    /** Builds the inputs and records their digest (in C for the C anchor, over the copy it reads). */
    @Setup(Level.Trial)
    public void trial(final BenchmarkParams run)
    {
        setup();
        final String method = run.getBenchmark().substring(run.getBenchmark().lastIndexOf('.') + 1);
        final long[] javaReads = switch (method)
        {
            case "flat" -> DirtyBitmapInputs.wordsOf(flat.source());
            case "summary" -> DirtyBitmapInputs.wordsOf(summary.source());
            case "baselineMemoryRead" -> words;
            case "baselineExchangePerWord" -> exchanged;
            default -> null;
        };
        InputLog.of(run).addWords(words, javaReads, offHeapFull.buffer()).write();
    }

    /** Frees the off-heap copies. */
    @TearDown(Level.Trial)
    public void tearDown()
    {
        offHeapFull.close();
        offHeapEmpty.close();
    }

    /** Builds the inputs (the unit tests call this directly). */
    public void setup()
    {
        words = DirtyBitmapInputs.words(units, density, DirtyBitmapInputs.SEED);
        exchanged = words.clone();
        flat = new HarvestPingPong(
            DirtyBitmapInputs.load(new AtomicDirtyBitmap(units, 0), words), new AtomicDirtyBitmap(units, 0));
        summary = new HarvestPingPong(
            DirtyBitmapInputs.load(new SummaryDirtyBitmap(units, 0), words), new SummaryDirtyBitmap(units, 0));
        // C's source and target at the page offset of the words Java harvests
        final int pageOffset = Placement.pageOffsetOrZero(DirtyBitmapInputs.wordsOf(flat.source()));
        offHeapFull = DirtyBitmapInputs.offHeap(words, pageOffset);
        offHeapEmpty = new OffHeapPages(offHeapFull.pages(), pageOffset);
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

    /** @return units moved by the C sync step (then the copies swap roles): the same as {@link #flat()}. */
    @Benchmark
    public long qemuSync()
    {
        final OffHeapPages source = offHeapFull;
        final long moved = QemuAnchors.syncBitmap(source.buffer(), offHeapEmpty.buffer(), words.length);
        offHeapFull = offHeapEmpty;
        offHeapEmpty = source;
        return moved;
    }

    /**
     * The floor of any sync that takes each non-zero word atomically, in Java: one locked exchange per non-zero
     * word of a {@code long[]} of the same words (exchanged with its own value, so that every invocation finds the
     * same words), and nothing else. Where {@link #flat()} and {@link #qemuSync()} both run at this floor, neither
     * can beat the other: the locked instruction per word sets the speed.
     *
     * @return the units of the non-zero words.
     */
    @Benchmark
    public long baselineExchangePerWord()
    {
        final long[] words = this.exchanged;
        long units = 0;
        for (int i = 0; i < words.length; i++)
        {
            final long word = words[i];
            if (word != 0)
            {
                units += Long.bitCount((long)WORDS.getAndSet(words, i, word));
            }
        }
        return units;
    }

    /** @return the sum of the words. */
    @Benchmark
    public long baselineMemoryRead()
    {
        return DirtyBitmapInputs.sumWords(words);
    }
}
