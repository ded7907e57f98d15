package io.livemig.bench.dirty;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

import io.livemig.bench.BenchJvm;
import io.livemig.dirty.AtomicDirtyBitmap;
import io.livemig.dirty.DirtyLog;
import io.livemig.dirty.DirtyMarker;
import io.livemig.kernel.KernelTracker;
import io.livemig.kernel.KernelTracking;
import io.livemig.kernel.TrackedGuest;
import io.livemig.memory.GuestMemory;
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

/**
 * Software against kernel dirty tracking ({@code io.livemig.kernel}, userfaultfd write-protection, JDK 22+):
 * what a guest write costs, and what a harvest costs. On a JDK older than 22, or where the kernel or the
 * permissions do not allow userfaultfd, the runner leaves this class out with the probe's one-line reason.
 *
 * <ul>
 *   <li>{@code firstWrite}: a store to a page that a harvest has just protected again, ns per store. Few
 *       faults per invocation ({@value #WRITES} pages) because each costs microseconds: the untimed
 *       {@code Level.Invocation} setup harvests, which protects exactly the pages written last time.
 *       {@code uffd-wp-async}: the kernel resolves the fault itself; {@code uffd-wp}: the store (a native
 *       {@code memcpy}) blocks until livemig's fault thread has marked and un-protected the page.</li>
 *   <li>{@code rewrite}: the same stores to pages already written (not protected): the tracker's cost once a
 *       page is dirty (for {@code uffd-wp}, the native call of its stores).</li>
 *   <li>{@code baselineSoftwareMark}: the same stores through guest memory that marks a flat bitmap
 *       ({@code AtomicDirtyBitmap}), cleared before each invocation so every mark is fresh;
 *       {@code baselinePlainStore}: through guest memory that marks nothing.</li>
 *   <li>{@code harvest}: one {@code PAGEMAP_SCAN} harvest ({@code uffd-wp-async}) of a {@code guestSize} guest with
 *       {@code dirty} pages written at seeded random places since the last one, with {@code huge} transparent
 *       huge pages or not ({@code MADV_HUGEPAGE} against {@code MADV_NOHUGEPAGE}); per GiB from {@code dirty=0},
 *       per dirty page from the difference. {@code baselineBitmapHarvest}: the flat bitmap's harvest of the same
 *       guest size and dirty pages.</li>
 * </ul>
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(jvmArgsAppend = {BenchJvm.ADD_OPENS, BenchJvm.MISC_OPENS, BenchJvm.NO_BOUNDS_CHECKS, BenchJvm.HEAP_MIN,
    BenchJvm.HEAP_MAX, BenchJvm.NATIVE_ACCESS})
public class KernelTrackingBenchmark
{
    /** Stores per invocation of the write methods, each to its own page. */
    public static final int WRITES = 16;
    /** Pages of the write methods' guest (4 MiB); the written pages are {@value #STRIDE} apart. */
    static final int WRITE_GUEST_PAGES = 1024;
    static final int STRIDE = 61;
    static final int PAGE = 4096;

    /** @return the page of the {@code i}th store of an invocation. */
    static long writePage(final int i)
    {
        return (long)i * STRIDE % WRITE_GUEST_PAGES;
    }

    /** A kernel-tracked guest for the write methods. */
    @State(Scope.Thread)
    public static class KernelWrites
    {
        @Param({"uffd-wp-async", "uffd-wp"})
        public String tracker;

        TrackedGuest guest;
        GuestMemory memory;
        DirtyLog scratch;
        long value;

        @Setup(Level.Trial)
        public void open()
        {
            guest = KernelTracking.open(KernelTracker.parse(tracker), GuestMemory.DEFAULT_BLOCK_NAME,
                (long)WRITE_GUEST_PAGES * PAGE, PAGE, false);
            memory = guest.memory();
            scratch = new AtomicDirtyBitmap(WRITE_GUEST_PAGES, 0);
            for (int i = 0; i < WRITES; i++)
            {
                memory.putLong(writePage(i) * PAGE, 1);
            }
        }

        @TearDown(Level.Trial)
        public void close()
        {
            guest.close();
        }
    }

    /** {@link KernelWrites} whose written pages are protected again before every invocation. */
    @State(Scope.Thread)
    public static class ProtectedWrites extends KernelWrites
    {
        @Setup(Level.Invocation)
        public void protectAgain()
        {
            guest.log().harvestInto(scratch);
            scratch.clearRange(0, scratch.size());
        }
    }

    /** Guest memory that marks a flat bitmap, cleared before every invocation, or ({@code plain}) nothing. */
    @State(Scope.Thread)
    public static class SoftwareWrites
    {
        AtomicDirtyBitmap bitmap;
        GuestMemory marked;
        GuestMemory plain;
        long value;

        @Setup(Level.Trial)
        public void open()
        {
            bitmap = new AtomicDirtyBitmap(WRITE_GUEST_PAGES, 0);
            marked = new GuestMemory((long)WRITE_GUEST_PAGES * PAGE, PAGE, bitmap);
            plain = new GuestMemory((long)WRITE_GUEST_PAGES * PAGE, PAGE, DirtyMarker.NONE);
        }

        @Setup(Level.Invocation)
        public void clear()
        {
            bitmap.clearRange(0, bitmap.size());
        }

        @TearDown(Level.Trial)
        public void close()
        {
            marked.close();
            plain.close();
        }
    }

    /** Shared by the harvest methods: guest size, dirty pages per harvest, and where they are. */
    @State(Scope.Thread)
    public static class HarvestShape
    {
        @Param({"256m", "1g"})
        public String guestSize;

        @Param({"0", "256"})
        public int dirty;

        long pages;
        long[] dirtyPages;
        AtomicDirtyBitmap target;

        void shape()
        {
            pages = (guestSize.equals("1g") ? 1L << 30 : 256L << 20) / PAGE;
            final SplittableRandom random = new SplittableRandom(13);
            dirtyPages = new long[dirty];
            for (int i = 0; i < dirty; i++)
            {
                dirtyPages[i] = random.nextLong(pages);
            }
            target = new AtomicDirtyBitmap(pages, 0);
        }
    }

    /** A {@code uffd-wp-async} guest with {@code dirty} pages written before every invocation. */
    @State(Scope.Thread)
    public static class KernelHarvest extends HarvestShape
    {
        @Param({"false", "true"})
        public boolean huge;

        TrackedGuest guest;

        @Setup(Level.Trial)
        public void open()
        {
            shape();
            guest = KernelTracking.open(KernelTracker.UFFD_WP_ASYNC, GuestMemory.DEFAULT_BLOCK_NAME, pages * PAGE,
                PAGE, huge);
        }

        @Setup(Level.Invocation)
        public void dirty()
        {
            target.clearRange(0, target.size());
            final GuestMemory memory = guest.memory();
            for (final long page : dirtyPages)
            {
                memory.putLong(page * PAGE, page);
            }
        }

        @TearDown(Level.Trial)
        public void close()
        {
            guest.close();
        }
    }

    /** A flat bitmap of the same shape with {@code dirty} pages marked before every invocation. */
    @State(Scope.Thread)
    public static class BitmapHarvest extends HarvestShape
    {
        AtomicDirtyBitmap log;

        @Setup(Level.Trial)
        public void open()
        {
            shape();
            log = new AtomicDirtyBitmap(pages, 0);
        }

        @Setup(Level.Invocation)
        public void dirty()
        {
            target.clearRange(0, target.size());
            for (final long page : dirtyPages)
            {
                log.mark(page);
            }
        }
    }

    @Benchmark
    @OperationsPerInvocation(WRITES)
    public long firstWrite(final ProtectedWrites s)
    {
        return writes(s.memory, ++s.value);
    }

    @Benchmark
    @OperationsPerInvocation(WRITES)
    public long rewrite(final KernelWrites s)
    {
        return writes(s.memory, ++s.value);
    }

    @Benchmark
    @OperationsPerInvocation(WRITES)
    public long baselineSoftwareMark(final SoftwareWrites s)
    {
        return writes(s.marked, ++s.value);
    }

    @Benchmark
    @OperationsPerInvocation(WRITES)
    public long baselinePlainStore(final SoftwareWrites s)
    {
        return writes(s.plain, ++s.value);
    }

    @Benchmark
    public long harvest(final KernelHarvest s)
    {
        return s.guest.log().harvestInto(s.target);
    }

    @Benchmark
    public long baselineBitmapHarvest(final BitmapHarvest s)
    {
        return s.log.harvestInto(s.target);
    }

    /** {@value #WRITES} stores of {@code value}, one per page. */
    static long writes(final GuestMemory memory, final long value)
    {
        for (int i = 0; i < WRITES; i++)
        {
            memory.putLong(writePage(i) * PAGE, value);
        }
        return value;
    }
}
