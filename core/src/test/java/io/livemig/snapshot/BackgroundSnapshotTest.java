package io.livemig.snapshot;

import io.livemig.kernel.KernelAssume;
import io.livemig.kernel.KernelTracker;
import io.livemig.kernel.KernelTracking;
import io.livemig.kernel.TrackedGuest;
import io.livemig.memory.GuestMemory;
import io.livemig.snapshot.file.SnapshotMode;
import io.livemig.snapshot.save.SaveFigures;
import io.livemig.snapshot.save.SaveSettings;
import io.livemig.snapshot.save.SnapshotSave;
import io.livemig.workload.GuestContents;
import io.livemig.workload.GuestWorkload;
import io.livemig.workload.Patterns;
import io.livemig.workload.VcpuTarget;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The point-in-time proof of a background snapshot: vCPUs write flat out before, during and after the save,
 * each write carrying its vCPU's sequence number (a byte that grows with every write), so a page written after
 * the instant differs from the page at it. The save's hook copies the memory while the vCPUs are held at the
 * instant; the file, restored, must equal that copy page for page, although the vCPUs went on writing during
 * the save (a copy before write is made certain: the savers start only once two write faults came after the
 * instant, the first one's copy made by then).
 */
@Timeout(120)
class BackgroundSnapshotTest
{
    @TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(ints = {1, 2})
    void theFileEqualsTheGuestAtTheInstant(final int threads) throws Exception
    {
        KernelAssume.tracker(KernelTracker.UFFD_WP);
        final long pages = 8192;
        final Path path = dir.resolve("bg.snap");
        try (TrackedGuest tracked = KernelTracking.open(KernelTracker.UFFD_WP, GuestMemory.DEFAULT_BLOCK_NAME,
            pages * 4096, 4096, false);
             GuestWorkload vcpus = new GuestWorkload(Patterns.of("uniform", pages), 2, 0, 8, 9))
        {
            final GuestMemory m = tracked.memory();
            GuestContents.fill(m, 9, 0.5);
            vcpus.start(VcpuTarget.of(m));
            while (vcpus.writes() < 20_000)
            {
                Thread.onSpinWait();
            }
            for (int save = 0; save < 2; save++) // the second after the first left every page writable
            {
                saveAndCheck(tracked, vcpus, path, threads, pages);
            }
        }
    }

    private static void saveAndCheck(final TrackedGuest tracked, final GuestWorkload vcpus, final Path path,
        final int threads, final long pages) throws Exception
    {
        final GuestMemory m = tracked.memory();
        final AtomicReference<GuestMemory> instant = new AtomicReference<>();
        final long[] faultsAtInstant = new long[1];
        final long[] writesAtResume = new long[1];
        final SaveFigures f = new SnapshotSave(m, tracked.log(), vcpus, SnapshotGuests.NO_VCPUS, new byte[64])
            .tracked(tracked)
            .atInstant(mem ->
            {
                instant.set(SnapshotGuests.copy(mem));
                faultsAtInstant[0] = tracked.faultsServed();
            })
            .beforeSavers(() ->
            {
                writesAtResume[0] = vcpus.writes();
                // Until a second write fault after the instant: the fault thread counts a fault before it calls
                // the hook and serves faults one at a time, so the first one's hook has returned by then, and with
                // no saver started it found its page unsaved and copied it.
                final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                while (tracked.faultsServed() < faultsAtInstant[0] + 2 && System.nanoTime() - deadline < 0)
                {
                    Thread.onSpinWait();
                }
            })
            .save(path, new SaveSettings(SnapshotMode.BACKGROUND, threads, false, 300, 1));
        assertTrue(f.copiedByFaults() >= 1, "a vCPU's write after the instant had its page copied first: " + f);
        assertTrue(vcpus.writes() > writesAtResume[0], "the vCPUs wrote during the save");
        assertEquals(pages, f.presentPages() + f.zeroPages());
        try (GuestMemory restored = SnapshotGuests.restore(path, threads, true);
             GuestMemory copy = instant.get())
        {
            assertEquals(-1, SnapshotGuests.firstDifference(copy, restored),
                "the file equals the memory at the instant, not after");
        }
    }
}
