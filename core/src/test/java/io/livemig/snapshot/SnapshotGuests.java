package io.livemig.snapshot;

import io.livemig.dirty.DirtyLog;
import io.livemig.dirty.DirtyMarker;
import io.livemig.dirty.DirtyTracker;
import io.livemig.memory.GuestMemory;
import io.livemig.snapshot.file.SnapshotHeader;
import io.livemig.snapshot.file.SnapshotReader;
import io.livemig.snapshot.restore.EagerRestore;
import io.livemig.snapshot.save.SaveFigures;
import io.livemig.snapshot.save.SaveSettings;
import io.livemig.snapshot.save.SnapshotSave;
import io.livemig.workload.GuestContents;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;

/** The snapshot tests' guests, saves and restores, and the page-by-page comparison. Stateless. */
final class SnapshotGuests
{
    static final SnapshotHeader.Vcpus NO_VCPUS = new SnapshotHeader.Vcpus(0, 0, "uniform", 8, 0, 1);

    private SnapshotGuests()
    {
    }

    /** @return a guest of {@code pages} pages marking {@code log}, a fraction {@code fill} of pages filled. */
    static GuestMemory guest(final long pages, final int pageSize, final DirtyLog log, final double fill, final long seed)
    {
        final GuestMemory m = new GuestMemory(pages * pageSize, pageSize, log);
        GuestContents.fill(m, seed, fill);
        return m;
    }

    static DirtyLog log(final long pages)
    {
        return DirtyTracker.SUMMARY.create(pages, 0, 0);
    }

    /** Saves an idle guest stopped. */
    static SaveFigures save(final GuestMemory m, final DirtyLog log, final Path path, final int threads,
        final byte[] device) throws IOException, InterruptedException
    {
        return new SnapshotSave(m, log, null, NO_VCPUS, device).save(path, SaveSettings.stopped(threads));
    }

    /** @return a new guest filled eagerly from {@code path}. */
    static GuestMemory restore(final Path path, final int threads, final boolean verify)
        throws IOException, InterruptedException
    {
        try (SnapshotReader file = SnapshotReader.open(path, 1L << 30))
        {
            final SnapshotHeader h = file.header();
            final GuestMemory m = new GuestMemory(h.blockName(), h.memoryBytes(), h.pageSize(),
                GuestMemory.MAX_REGION_SIZE, DirtyMarker.NONE);
            EagerRestore.fill(file, m, threads, verify);
            return m;
        }
    }

    /** @return the first page where {@code a} and {@code b} differ, or -1. */
    static long firstDifference(final GuestMemory a, final GuestMemory b)
    {
        final byte[] x = new byte[a.pageSize()];
        final byte[] y = new byte[b.pageSize()];
        for (long p = 0; p < a.pageCount(); p++)
        {
            a.readPage(p, x, 0);
            b.readPage(p, y, 0);
            if (!Arrays.equals(x, y))
            {
                return p;
            }
        }
        return -1;
    }

    /** @return a copy of every byte of {@code m}. */
    static GuestMemory copy(final GuestMemory m)
    {
        final GuestMemory c = new GuestMemory(m.size(), m.pageSize(), DirtyMarker.NONE);
        final byte[] page = new byte[m.pageSize()];
        for (long p = 0; p < m.pageCount(); p++)
        {
            m.readPage(p, page, 0);
            c.writePage(p, page, 0);
        }
        return c;
    }
}
