package io.livemig.migration;

import io.livemig.dirty.DirtyLog;
import io.livemig.dirty.DirtyRingLog;
import io.livemig.dirty.DirtyRingReaper;
import io.livemig.migration.result.MigrationResult;

import java.util.concurrent.TimeUnit;

/**
 * The ring tracker's reaper and figures for one run: the reaper runs from the end of the guest's fill (so
 * the fill's own stalls are not the migration's) to the end of the run, at QEMU's reaper interval of one
 * second, and sooner whenever a full ring wakes it. Does nothing for the bitmaps.
 */
final class RingStats implements AutoCloseable
{
    /** QEMU's {@code kvm-reaper} sleeps one second between reaps. */
    static final long REAPER_INTERVAL_MS = 1000;

    private final DirtyRingLog ring;
    private DirtyRingReaper reaper;
    private long pushes0;
    private long stalls0;
    private long stallNanos0;

    RingStats(final DirtyLog log)
    {
        ring = log instanceof DirtyRingLog ? (DirtyRingLog)log : null;
    }

    void startReaper()
    {
        if (ring != null)
        {
            pushes0 = ring.pushes();
            stalls0 = ring.stalls();
            stallNanos0 = ring.stallNanos();
            reaper = new DirtyRingReaper(ring, REAPER_INTERVAL_MS, TimeUnit.MILLISECONDS).start();
        }
    }

    void report(final MigrationResult result)
    {
        if (ring != null)
        {
            result.ringSize = ring.ringSize();
            result.ringPushes = ring.pushes() - pushes0;
            result.ringStalls = ring.stalls() - stalls0;
            result.ringStallMs = (ring.stallNanos() - stallNanos0) / 1e6;
        }
    }

    @Override
    public void close() throws InterruptedException
    {
        if (reaper != null)
        {
            reaper.close();
        }
    }
}
