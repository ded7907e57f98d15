package io.livemig.kernel;

import java.util.ArrayList;
import java.util.List;

import io.livemig.dirty.AtomicDirtyBitmap;
import io.livemig.dirty.DirtyLog;

/** Test helpers: open a tracked guest (or skip, see {@link KernelAssume}), and harvest into a list of pages. */
final class KernelGuests
{
    private KernelGuests()
    {
    }

    /** Opens {@code pages} 4 KiB pages of {@code kind} without huge pages, or skips or fails as {@link KernelAssume}. */
    static UffdGuest open(final KernelTracker kind, final long pages)
    {
        KernelAssume.tracker(kind);
        return (UffdGuest)KernelTracking.open(kind, "pc.ram", pages << 12, 4096, false);
    }

    /** @return the pages the next harvest reports, ascending. */
    static List<Long> harvest(final TrackedGuest guest)
    {
        final DirtyLog log = guest.log();
        final AtomicDirtyBitmap target = new AtomicDirtyBitmap(log.pageCount(), 0);
        log.harvestInto(target);
        final List<Long> pages = new ArrayList<>();
        for (long u = target.nextDirty(0); u >= 0; u = target.nextDirty(u + 1))
        {
            pages.add(u);
        }
        return pages;
    }
}
