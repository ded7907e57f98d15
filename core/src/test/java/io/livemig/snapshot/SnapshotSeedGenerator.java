package io.livemig.snapshot;

import io.livemig.dirty.DirtyLog;
import io.livemig.memory.GuestMemory;
import io.livemig.snapshot.file.SnapshotMode;
import io.livemig.snapshot.save.SaveSettings;
import io.livemig.snapshot.save.SnapshotSave;
import io.livemig.workload.GuestWorkload;
import io.livemig.workload.Patterns;
import io.livemig.workload.VcpuTarget;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/**
 * Regenerates the seed corpus of {@link SnapshotFileFuzzTest} from real saves of 8-page, 4 KiB-page guests:
 * idle and half filled, full, empty, with and without device state, stopped and live with a vCPU writing.
 *
 * <p>Skipped unless asked for: {@code mvn -B -o -q -pl core test -Dtest=SnapshotSeedGenerator
 * -Dsurefire.failIfNoSpecifiedTests=false -Dlivemig.fuzz.regenerate=true}. It replaces the {@code seed-*} files
 * and leaves other inputs (regressions from findings) alone.
 */
@EnabledIfSystemProperty(named = "livemig.fuzz.regenerate", matches = "true")
class SnapshotSeedGenerator
{
    static final Path SEEDS = Path.of("src/test/resources/io/livemig/snapshot/SnapshotFileFuzzTestInputs/restoreFile");

    @Test
    void regenerate() throws Exception
    {
        Files.createDirectories(SEEDS);
        try (Stream<Path> old = Files.list(SEEDS))
        {
            for (final Path p : (Iterable<Path>)old.filter(p -> p.getFileName().toString().startsWith("seed-"))::iterator)
            {
                Files.delete(p);
            }
        }
        seed("seed-half-stopped", 0.5, 64, SnapshotMode.STOPPED, false);
        seed("seed-full-nodevice", 1.0, 0, SnapshotMode.STOPPED, false);
        seed("seed-empty", 0.0, 16, SnapshotMode.STOPPED, false);
        seed("seed-live-vcpu", 0.5, 32, SnapshotMode.LIVE, true);
    }

    private static void seed(final String name, final double fill, final int device, final SnapshotMode mode,
        final boolean vcpu) throws IOException, InterruptedException
    {
        final DirtyLog log = SnapshotGuests.log(8);
        try (GuestMemory m = SnapshotGuests.guest(8, 4096, log, fill, 3);
             GuestWorkload w = vcpu ? new GuestWorkload(Patterns.of("uniform", 8), 1, 1000, 8, 3) : null)
        {
            if (w != null)
            {
                w.start(VcpuTarget.of(m));
            }
            new SnapshotSave(m, log, w, SnapshotGuests.NO_VCPUS, new byte[device])
                .save(SEEDS.resolve(name), new SaveSettings(mode, 2, false, 1, 5));
        }
    }
}
