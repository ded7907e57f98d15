package io.livemig.bench.dirty;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.function.LongBinaryOperator;

import io.livemig.bench.BenchJvm;
import io.livemig.bench.state.DirtyBitmapInputs;
import io.livemig.dirty.AtomicDirtyBitmap;
import io.livemig.dirty.DirtyLog;
import io.livemig.dirty.DirtyRingLog;
import io.livemig.dirty.SummaryDirtyBitmap;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Group;
import org.openjdk.jmh.annotations.GroupThreads;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.infra.ThreadParams;

/**
 * The writer's cost of dirty tracking, ns per mark: what every guest write pays.
 *
 * <ul>
 *   <li>{@code markFresh}: each mark finds its bit clear (a full fence, a volatile load, an atomic OR, plus the
 *       summary bit for {@code summary}). A batch of {@value #BATCH} marks over a seeded permutation of the
 *       units per invocation; the bitmap is cleared in an untimed {@code Level.Invocation} setup.</li>
 *   <li>{@code markDirty}: each mark finds its bit already set (fence and load only), the common case of a
 *       hot page re-written within a round.</li>
 *   <li>{@code impl=ring} ({@link DirtyRingLog}, 1 thread): {@code markFresh} is a first write, which pushes
 *       an entry to the thread's 4096-entry ring, and every 4032 pushes stalls and collects the ring itself
 *       (no reaper runs), so the figure includes the collection a vCPU does for itself on ring-full;
 *       {@code markDirty} re-writes units whose entries are pushed and not yet reset (fence and load of the
 *       pending bit).</li>
 *   <li>Baselines over the same permutation: {@code baselinePlainStore} ORs the bit into a plain
 *       {@code long[]} (no tracking cost at all), {@code baselineAtomicLongArray} with
 *       {@code AtomicLongArray.getAndAccumulate(i, bit, OR)} (one atomic RMW per mark, the textbook
 *       alternative; {@code getAndUpdate} would need a capturing lambda per call).</li>
 *   <li>Two writers ({@code markFreshX2}, {@code markDirtyX2}, groups of 2 threads, every impl): each thread
 *       marks its own half of a log of 2 x {@value #BATCH} units with the same cases as above (for {@code ring}
 *       each thread is a vCPU with its own ring); the ring's {@code clearRange} in the untimed setup syncs both
 *       rings, as a reaper would. Score per mark of one thread.</li>
 *   <li>Contended groups of two threads, each op a mark of a clear bit then a {@code testAndClear} of it (so
 *       the next mark is fresh again): {@code sameWord} with both threads' bits in one word (true sharing, as
 *       two vCPUs writing neighbouring pages), {@code differentWords} with the words 128 bytes apart (separate
 *       cache lines and prefetch pairs), and {@code baselineAtomicSameWord}, the same OR-then-AND pair with
 *       {@code AtomicLongArray} on one word.</li>
 * </ul>
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(jvmArgsAppend = {BenchJvm.ADD_OPENS, BenchJvm.MISC_OPENS, BenchJvm.NO_BOUNDS_CHECKS, BenchJvm.HEAP_MIN,
    BenchJvm.HEAP_MAX})
public class MarkBenchmark
{
    /** Marks per invocation of the single-threaded methods; also the units of their bitmap (512 KiB of pages). */
    public static final int BATCH = 1 << 17;
    /** Words between the two threads' words in {@code differentWords}: 128 bytes. */
    static final int SPREAD = 16;

    private static final LongBinaryOperator OR = (a, b) -> a | b;
    private static final LongBinaryOperator AND = (a, b) -> a & b;

    /** Creates the implementation named by {@code impl}. */
    static DirtyLog create(final String impl, final long pages)
    {
        switch (impl)
        {
            case "atomic": return new AtomicDirtyBitmap(pages, 0);
            case "summary": return new SummaryDirtyBitmap(pages, 0);
            case "ring": return new DirtyRingLog(pages, 0);
            default: throw new IllegalArgumentException("impl " + impl + " is not atomic, summary or ring");
        }
    }

    /** Single-threaded inputs: one bitmap, its plain and atomic baselines, and the order of the marks. */
    @State(Scope.Thread)
    public static class Single
    {
        @Param({"atomic", "summary", "ring"})
        public String impl;

        DirtyLog fresh;
        DirtyLog dirty;
        long[] plain;
        AtomicLongArray atomic;
        int[] order;

        @Setup(Level.Trial)
        public void setup()
        {
            fresh = create(impl, BATCH);
            if (impl.equals("ring"))
            {
                // Every unit pushed once and left pending (a ring large enough to hold them all): re-writes.
                dirty = new DirtyRingLog(BATCH, 0, 2 * BATCH, DirtyRingLog.DEFAULT_RESERVED);
                dirty.markRange(0, BATCH);
            }
            else
            {
                dirty = create(impl, BATCH);
                dirty.setAll();
            }
            plain = new long[BATCH / 64];
            atomic = new AtomicLongArray(BATCH / 64);
            order = permutation(BATCH, DirtyBitmapInputs.SEED);
        }

        /** Untimed: every bit clear again before the next batch of fresh marks. */
        @Setup(Level.Invocation)
        public void clear()
        {
            fresh.clearRange(0, BATCH);
            java.util.Arrays.fill(plain, 0);
            for (int i = 0; i < BATCH / 64; i++)
            {
                atomic.lazySet(i, 0);
            }
        }
    }

    /** @return a seeded permutation of {@code 0..n-1}. */
    static int[] permutation(final int n, final long seed)
    {
        final int[] order = new int[n];
        for (int i = 0; i < n; i++)
        {
            order[i] = i;
        }
        final SplittableRandom random = new SplittableRandom(seed);
        for (int i = n - 1; i > 0; i--)
        {
            final int j = random.nextInt(i + 1);
            final int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        return order;
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public void markFresh(final Single s)
    {
        markAll(s.fresh, s.order);
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public void markDirty(final Single s)
    {
        markAll(s.dirty, s.order);
    }

    private static void markAll(final DirtyLog log, final int[] order)
    {
        for (final int page : order)
        {
            log.mark(page);
        }
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public void baselinePlainStore(final Single s)
    {
        final long[] words = s.plain;
        for (final int page : s.order)
        {
            words[page >>> 6] |= 1L << page;
        }
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public void baselineAtomicLongArray(final Single s)
    {
        final AtomicLongArray words = s.atomic;
        for (final int page : s.order)
        {
            words.getAndAccumulate(page >>> 6, 1L << page, OR);
        }
    }

    /** The log two writers share in {@code markFreshX2} and {@code markDirtyX2}, each over its own half. */
    @State(Scope.Group)
    public static class Pair
    {
        @Param({"atomic", "summary", "ring"})
        public String impl;

        DirtyLog fresh;
        DirtyLog dirty;

        @Setup(Level.Trial)
        public void setup()
        {
            fresh = create(impl, 2 * BATCH);
            if (impl.equals("ring"))
            {
                dirty = new DirtyRingLog(2 * BATCH, 0, 4 * BATCH, DirtyRingLog.DEFAULT_RESERVED);
                dirty.markRange(0, 2 * BATCH);
            }
            else
            {
                dirty = create(impl, 2 * BATCH);
                dirty.setAll();
            }
        }
    }

    /** One writer's half of a {@link Pair}: a seeded permutation of its units. */
    @State(Scope.Thread)
    public static class Half
    {
        int first;
        int[] order;

        @Setup(Level.Trial)
        public void setup(final ThreadParams threads)
        {
            of(threads.getGroupThreadIndex());
        }

        /** Takes half {@code index} (0 or 1). */
        void of(final int index)
        {
            first = index * BATCH;
            order = permutation(BATCH, DirtyBitmapInputs.SEED + index);
            for (int i = 0; i < BATCH; i++)
            {
                order[i] += first;
            }
        }

        /** Untimed: this half's bits clear again before its next batch of fresh marks. */
        @Setup(Level.Invocation)
        public void clear(final Pair pair)
        {
            pair.fresh.clearRange(first, first + BATCH);
        }
    }

    @Benchmark
    @Group("markFreshX2")
    @GroupThreads(2)
    @OperationsPerInvocation(BATCH)
    public void markFreshX2(final Pair pair, final Half half)
    {
        markAll(pair.fresh, half.order);
    }

    @Benchmark
    @Group("markDirtyX2")
    @GroupThreads(2)
    @OperationsPerInvocation(BATCH)
    public void markDirtyX2(final Pair pair, final Half half)
    {
        markAll(pair.dirty, half.order);
    }

    /** The bitmap two threads share in a group. */
    @State(Scope.Group)
    public static class Shared
    {
        @Param({"atomic", "summary"})
        public String impl;

        DirtyLog log;
        AtomicLongArray atomic;

        @Setup(Level.Trial)
        public void setup()
        {
            log = create(impl, 64L * SPREAD * 4);
            atomic = new AtomicLongArray(SPREAD * 4);
        }
    }

    /** Each thread's own bit: thread {@code i} of a group uses bit {@code i} of word 0, or bit 0 of word {@code i * SPREAD}. */
    @State(Scope.Thread)
    public static class Mine
    {
        long sameWordPage;
        long ownWordPage;

        @Setup(Level.Trial)
        public void setup(final ThreadParams threads)
        {
            final int i = threads.getGroupThreadIndex();
            sameWordPage = i;
            ownWordPage = 64L * SPREAD * (i + 1);
        }
    }

    /** @return whether the clear found the bit (always, as only this thread touches it). */
    @Benchmark
    @Group("sameWord")
    @GroupThreads(2)
    public boolean sameWord(final Shared shared, final Mine mine)
    {
        shared.log.mark(mine.sameWordPage);
        return shared.log.testAndClear(mine.sameWordPage);
    }

    /** @return whether the clear found the bit. */
    @Benchmark
    @Group("differentWords")
    @GroupThreads(2)
    public boolean differentWords(final Shared shared, final Mine mine)
    {
        shared.log.mark(mine.ownWordPage);
        return shared.log.testAndClear(mine.ownWordPage);
    }

    /** @return the word before the clear. */
    @Benchmark
    @Group("baselineAtomicSameWord")
    @GroupThreads(2)
    public long baselineAtomicSameWord(final Shared shared, final Mine mine)
    {
        final long bit = 1L << mine.sameWordPage;
        shared.atomic.getAndAccumulate(0, bit, OR);
        return shared.atomic.getAndAccumulate(0, ~bit, AND);
    }
}
