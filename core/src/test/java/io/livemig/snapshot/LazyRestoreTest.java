package io.livemig.snapshot;

import io.livemig.dirty.DirtyLog;
import io.livemig.dirty.DirtyMarker;
import io.livemig.kernel.FaultingGuest;
import io.livemig.kernel.KernelAssume;
import io.livemig.kernel.KernelTracking;
import io.livemig.memory.GuestMemory;
import io.livemig.snapshot.file.SnapshotHeader;
import io.livemig.snapshot.file.SnapshotReader;
import io.livemig.snapshot.restore.LazyRestore;
import io.livemig.workload.PageGate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A lazy restore places every page of the file exactly as saved, whether a page comes by a fault (made
 * certain: the prefetch thread is off, or not started yet, when the page is touched) or by the prefetch: through
 * the software gate, and through userfaultfd where the machine has it.
 */
@Timeout(60)
class LazyRestoreTest
{
    @TempDir
    Path dir;

    private Path saved(final GuestMemory[] source) throws Exception
    {
        final long pages = 600;
        final DirtyLog log = SnapshotGuests.log(pages);
        final Path path = dir.resolve("lazy.snap");
        source[0] = SnapshotGuests.guest(pages, 4096, log, 0.5, 21);
        SnapshotGuests.save(source[0], log, path, 2, new byte[8]);
        return path;
    }

    @Test
    void aFaultLoadsItsPageAndThePrefetchTheRest() throws Exception
    {
        final GuestMemory[] source = new GuestMemory[1];
        final Path path = saved(source);
        try (SnapshotReader file = SnapshotReader.open(path, 1L << 30);
             GuestMemory m = new GuestMemory(file.header().memoryBytes(), 4096, DirtyMarker.NONE);
             GuestMemory src = source[0])
        {
            final LazyRestore lazy = new LazyRestore(file, m, null, 2, true);
            final PageGate gate = lazy.gate();
            long faulted = -1;
            for (long p = 0; p < file.header().pages() && faulted < 0; p++)
            {
                faulted = file.isPresent(p) ? p : -1;
            }
            assertTrue(!gate.isPresent(faulted), "a page of the file is absent before anything loads it");
            gate.awaitPresent(faulted, 1); // the prefetch has not started: this vCPU loads the page itself
            assertTrue(gate.isPresent(faulted));
            assertEquals(1, lazy.latency().getTotalCount());
            lazy.start();
            assertTrue(lazy.awaitComplete(30_000));
            lazy.close();
            assertNull(lazy.failure());
            assertEquals(file.presentPages() - 1, lazy.prefetched(), "the prefetch brought every other page");
            assertEquals(-1, SnapshotGuests.firstDifference(src, m));
        }
    }

    @Test
    void userfaultfdPlacesEveryTouchedPage() throws Exception
    {
        KernelAssume.faults();
        final GuestMemory[] source = new GuestMemory[1];
        final Path path = saved(source);
        try (SnapshotReader file = SnapshotReader.open(path, 1L << 30); GuestMemory src = source[0])
        {
            final SnapshotHeader h = file.header();
            final FaultingGuest kernel = KernelTracking.openFaulting(h.blockName(), h.memoryBytes(), h.pageSize());
            try (GuestMemory m = kernel.memory())
            {
                final LazyRestore lazy = new LazyRestore(file, m, kernel, 1, true);
                lazy.start(false); // no prefetch: every page comes by a fault
                assertEquals(-1, SnapshotGuests.firstDifference(src, m), "every page read through its fault");
                assertTrue(lazy.awaitComplete(30_000));
                // The fault thread records a hole's fault after placing its zeros, which wakes this thread: the
                // last page read may be recorded a moment after it returned. Wait for it, bounded.
                final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                while (lazy.latency().getTotalCount() < h.pages() && System.nanoTime() - deadline < 0)
                {
                    Thread.sleep(1);
                }
                assertEquals(h.pages(), lazy.latency().getTotalCount(),
                    "one fault per page read: a page of the file placed from it, a hole placed as zeros");
                assertEquals(0, lazy.prefetched());
                lazy.close();
                assertNull(lazy.failure());
            }
        }
    }
}
