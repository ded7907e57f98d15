package io.livemig.kernel;

import java.lang.foreign.MemorySegment;

import io.livemig.dirty.DirtyLog;

import static io.livemig.kernel.PagemapScan.PAGEMAP_SCAN;
import static io.livemig.kernel.PagemapScan.PAGE_IS_WRITTEN;
import static io.livemig.kernel.PagemapScan.PM_SCAN_CHECK_WPASYNC;
import static io.livemig.kernel.PagemapScan.PM_SCAN_WP_MATCHING;

/**
 * {@link KernelTracker#UFFD_WP_ASYNC}: the guest registered for write-protection with {@code
 * UFFD_FEATURE_WP_ASYNC | UFFD_FEATURE_WP_UNPOPULATED}. A write to a protected page is resolved by the kernel
 * itself (it drops the protection and the page counts as written); no thread of ours sees a fault, and the
 * guest's stores are plain. A harvest is {@code PAGEMAP_SCAN} over the guest with {@code PM_SCAN_WP_MATCHING |
 * PM_SCAN_CHECK_WPASYNC} and category and return masks {@code PAGE_IS_WRITTEN}: one walk returns the written
 * ranges and protects them again, page by page under the page-table lock, so a write either lands before its
 * page is reported (and the caller, reading after the harvest, sees it) or faults after the protection and
 * is reported next time. The walk stops when its vector of ranges fills; the harvest continues from {@code
 * walk_end} until it reaches the end.
 *
 * <p>Ordering: protecting a page again flushes it from the TLB of every CPU that runs a thread of this
 * process (an inter-processor interrupt, a full barrier on that CPU), so a store that completed before the
 * protection is visible to the harvesting thread when it reads the page after the harvest returns.
 *
 * <p>With transparent huge pages, a write anywhere in a 2 MiB huge page reports the whole of it; {@code
 * hugePages = false} advises {@code MADV_NOHUGEPAGE} so that the kernel tracks 4 KiB pages.
 *
 * <p>Thread-safety: the guest memory is for any number of threads; {@link DirtyLog#harvestInto} for one
 * thread at a time.
 */
final class AsyncWpGuest extends UffdGuest
{
    /** Ranges per {@code PAGEMAP_SCAN} call: 24 KiB of {@code page_region}s. */
    static final int VEC_LEN = 1024;

    private final int pagemap;
    private final MemorySegment scanArg = arena.allocate(PagemapScan.pm_scan_arg);
    private final MemorySegment vec = arena.allocate(PagemapScan.page_region, VEC_LEN);
    private final Log log;
    private long scans;

    AsyncWpGuest(final String blockName, final long size, final int pageSize, final boolean hugePages)
    {
        super(KernelTracker.UFFD_WP_ASYNC, blockName, size, pageSize, hugePages,
            FfmKernelProvider.ASYNC_FEATURES, false, false);
        int fd;
        try
        {
            fd = Libc.openReadOnly(errno, "/proc/self/pagemap");
        }
        catch (final RuntimeException ex)
        {
            memory.close();
            throw ex;
        }
        pagemap = fd;
        log = new Log(size >>> pageShift);
    }

    @Override
    public DirtyLog log()
    {
        return log;
    }

    @Override
    public long faultsServed()
    {
        return 0;
    }

    /** @return {@code PAGEMAP_SCAN} calls made by harvests so far. */
    long scans()
    {
        return scans;
    }

    @Override
    void closeDescriptors()
    {
        Libc.close(errno, pagemap);
    }

    /**
     * One walk over the guest: ORs every written page into {@code target} and, when {@code protect}, protects
     * them again in the same call.
     *
     * @return units newly set in {@code target}.
     */
    private long scan(final DirtyLog target, final boolean protect)
    {
        final long end = base + size;
        final int shift = pageShift;
        long newly = 0;
        long start = base;
        while (start < end)
        {
            final MemorySegment arg = scanArg;
            arg.fill((byte)0);
            PagemapScan.pm_scan_arg_size.set(arg, 0L, PagemapScan.pm_scan_arg.byteSize());
            PagemapScan.pm_scan_arg_flags.set(arg, 0L, protect ? PM_SCAN_WP_MATCHING | PM_SCAN_CHECK_WPASYNC : 0L);
            PagemapScan.pm_scan_arg_start.set(arg, 0L, start);
            PagemapScan.pm_scan_arg_end.set(arg, 0L, end);
            PagemapScan.pm_scan_arg_vec.set(arg, 0L, vec.address());
            PagemapScan.pm_scan_arg_vec_len.set(arg, 0L, (long)VEC_LEN);
            PagemapScan.pm_scan_arg_category_mask.set(arg, 0L, PAGE_IS_WRITTEN);
            PagemapScan.pm_scan_arg_return_mask.set(arg, 0L, PAGE_IS_WRITTEN);
            final int regions = Libc.check(Libc.ioctl(errno, pagemap, PAGEMAP_SCAN, arg),
                "ioctl(/proc/self/pagemap, PAGEMAP_SCAN, 0x" + Long.toHexString(start) + "-0x" + Long.toHexString(end) + ")",
                errno);
            scans++;
            for (int i = 0; i < regions; i++)
            {
                final long from = vec.getAtIndex(java.lang.foreign.ValueLayout.JAVA_LONG, 3L * i);
                final long to = vec.getAtIndex(java.lang.foreign.ValueLayout.JAVA_LONG, 3L * i + 1);
                newly += KernelDirtyLog.orUnitsOf(target, (from - base) >>> shift,
                    (to - base + (1L << shift) - 1) >>> shift);
            }
            final long walkEnd = (long)PagemapScan.pm_scan_arg_walk_end.get(arg, 0L);
            if (walkEnd <= start)
            {
                throw new IllegalStateException("PAGEMAP_SCAN made no progress at 0x" + Long.toHexString(start));
            }
            start = walkEnd;
        }
        return newly;
    }

    private final class Log extends KernelDirtyLog
    {
        Log(final long pageCount)
        {
            super(pageCount);
        }

        @Override
        public long harvestInto(final DirtyLog target)
        {
            checkShape(target);
            long newly = pending.harvestInto(target);
            if (harvest == Harvest.PROTECT_THEN_READ)
            {
                writeProtect(base, size, true);
                final Runnable window = protectWindow;
                if (window != null)
                {
                    window.run();
                }
                return newly + scan(target, false);
            }
            return newly + scan(target, true);
        }

        @Override
        public String toString()
        {
            return "uffd-wp-async log over " + AsyncWpGuest.this;
        }
    }
}
