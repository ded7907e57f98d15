package io.livemig.snapshot;

import io.livemig.codec.ZeroPage;
import io.livemig.dirty.DirtyLog;
import io.livemig.memory.GuestMemory;
import io.livemig.snapshot.file.SnapshotChain;
import io.livemig.snapshot.file.SnapshotFormatException;
import io.livemig.snapshot.file.SnapshotHeader;
import io.livemig.snapshot.file.SnapshotMode;
import io.livemig.snapshot.file.SnapshotReader;
import io.livemig.snapshot.restore.EagerRestore;
import io.livemig.snapshot.save.SaveFigures;
import io.livemig.snapshot.save.SaveSettings;
import io.livemig.snapshot.save.SnapshotSave;
import io.livemig.workload.GuestWorkload;
import io.livemig.workload.Patterns;
import io.livemig.workload.VcpuTarget;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A guest saved and restored equals itself, page for page: stopped on any number of threads, and live with
 * vCPUs writing throughout, where the file must equal the memory at the instant the vCPUs stopped (copied
 * there by the save's hook). Zero pages are holes, the file has exactly its layout's length, and a save that
 * fails leaves no file.
 */
@Timeout(60)
class SnapshotSaveRestoreTest
{
    @TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 4})
    void stoppedSaveRestoresEveryPage(final int threads) throws Exception
    {
        final long pages = 1000;
        final DirtyLog log = SnapshotGuests.log(pages);
        final Path path = dir.resolve("g.snap");
        try (GuestMemory m = SnapshotGuests.guest(pages, 4096, log, 0.6, 7))
        {
            final byte[] device = {1, 2, 3, 4, 5};
            final SaveFigures f = SnapshotGuests.save(m, log, path, threads, device);
            long nonZero = 0;
            final byte[] page = new byte[4096];
            for (long p = 0; p < pages; p++)
            {
                m.readPage(p, page, 0);
                nonZero += ZeroPage.isZero(page, 0, 4096) ? 0 : 1;
            }
            assertEquals(nonZero, f.presentPages(), "a page is present exactly when it is not zero");
            assertEquals(pages - nonZero, f.zeroPages());
            assertTrue(nonZero > 400 && nonZero < 800, "the fill made both kinds: " + nonZero);
            try (SnapshotReader file = SnapshotReader.open(path, 1L << 30))
            {
                assertEquals(file.header().fileLength(), Files.size(path));
                assertEquals(nonZero, file.presentPages());
                assertEquals(SnapshotMode.STOPPED, file.header().mode());
                assertEquals(f.id(), file.header().id());
                assertEquals(5, file.deviceState().length);
            }
            try (GuestMemory restored = SnapshotGuests.restore(path, threads, true))
            {
                assertEquals(-1, SnapshotGuests.firstDifference(m, restored));
            }
        }
    }

    @Test
    void hugePagesAndNoDeviceState() throws Exception
    {
        final long pages = 5;
        final DirtyLog log = SnapshotGuests.log(pages);
        final Path path = dir.resolve("huge.snap");
        try (GuestMemory m = SnapshotGuests.guest(pages, 2 << 20, log, 0.7, 3))
        {
            SnapshotGuests.save(m, log, path, 2, new byte[0]);
            try (GuestMemory restored = SnapshotGuests.restore(path, 2, true))
            {
                assertEquals(-1, SnapshotGuests.firstDifference(m, restored));
            }
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2})
    void liveSaveHoldsTheInstantWhileVcpusWrite(final int threads) throws Exception
    {
        final long pages = 4096;
        final DirtyLog log = SnapshotGuests.log(pages);
        final Path path = dir.resolve("live.snap");
        final AtomicReference<GuestMemory> instant = new AtomicReference<>();
        try (GuestMemory m = SnapshotGuests.guest(pages, 4096, log, 0.5, 11);
             GuestWorkload vcpus = new GuestWorkload(Patterns.of("uniform", pages), 2, 0, 8, 5))
        {
            vcpus.start(VcpuTarget.of(m));
            while (vcpus.writes() < 10_000)
            {
                Thread.onSpinWait(); // the vCPUs are writing before the save starts
            }
            final long before = vcpus.writes();
            final SaveFigures f = new SnapshotSave(m, log, vcpus, SnapshotGuests.NO_VCPUS, new byte[16])
                .atInstant(mem -> instant.set(SnapshotGuests.copy(mem)))
                .save(path, new SaveSettings(SnapshotMode.LIVE, threads, false, 5, 10));
            assertTrue(f.pagesPerPass().size() >= 2, "a live save has a last pass with the vCPUs stopped");
            assertTrue(vcpus.writes() > before, "the vCPUs wrote during the save and resumed after it");
            try (GuestMemory restored = SnapshotGuests.restore(path, threads, true);
                 GuestMemory copy = instant.get())
            {
                assertEquals(-1, SnapshotGuests.firstDifference(copy, restored),
                    "the file equals the memory at the instant the vCPUs stopped");
            }
        }
    }

    @Test
    void aDiffHoldsWhatChangedAndItsChainRestoresTheInstant() throws Exception
    {
        final long pages = 500;
        final Path basePath = dir.resolve("base.snap");
        final Path diffPath = dir.resolve("diff.snap");
        try (GuestMemory g = SnapshotGuests.guest(pages, 4096, SnapshotGuests.log(pages), 0.5, 13))
        {
            SnapshotGuests.save(g, SnapshotGuests.log(pages), basePath, 2, new byte[7]);
        }
        final DirtyLog log = SnapshotGuests.log(pages);
        try (SnapshotChain base = SnapshotChain.open(basePath, 1L << 30);
             GuestMemory m = new GuestMemory(pages * 4096, 4096, log))
        {
            EagerRestore.fill(base, m, 2, true);
            log.clearRange(0, log.size());
            long zeroed = -1;
            long written = -1;
            for (long p = 0; p < pages && (zeroed < 0 || written < 0); p++)
            {
                zeroed = zeroed < 0 && base.isPresent(p) ? p : zeroed;
                written = written < 0 && !base.isPresent(p) ? p : written;
            }
            m.fill(zeroed * 4096, 4096, (byte)0); // a page of the parent that became zero
            m.putLong(written * 4096 + 64, 42); // a zero page of the parent that holds data now
            m.putLong(3 * 4096 + 128, 7);
            final SaveFigures f = new SnapshotSave(m, log, null, SnapshotGuests.NO_VCPUS, new byte[7])
                .diffOf(new SnapshotSave.Parent(base.header().id(), "base.snap", base.digests()))
                .save(diffPath, SaveSettings.stopped(2));
            final long changed = new java.util.HashSet<>(java.util.List.of(zeroed, written, 3L)).size();
            assertEquals(changed, f.presentPages(), "only the pages written since the parent, zero ones too");
            try (SnapshotChain chain = SnapshotChain.open(diffPath, 1L << 30))
            {
                assertEquals(2, chain.length());
                assertTrue(chain.header().hasParent());
                assertEquals(base.header().id(), chain.header().parentId());
                try (GuestMemory restored = new GuestMemory(pages * 4096, 4096, io.livemig.dirty.DirtyMarker.NONE))
                {
                    EagerRestore.fill(chain, restored, 3, true);
                    assertEquals(-1, SnapshotGuests.firstDifference(m, restored), "the chain gives the guest at the diff");
                }
            }
        }
        // A parent replaced by another snapshot is refused, naming both; a missing one in one line.
        try (GuestMemory other = SnapshotGuests.guest(pages, 4096, SnapshotGuests.log(pages), 0.5, 99))
        {
            SnapshotGuests.save(other, SnapshotGuests.log(pages), basePath, 1, new byte[7]);
        }
        final SnapshotFormatException wrong = assertThrows(SnapshotFormatException.class,
            () -> SnapshotChain.open(diffPath, 1L << 30).close());
        assertTrue(wrong.getMessage().contains("names parent"), wrong.getMessage());
        Files.delete(basePath);
        final IOException missing = assertThrows(IOException.class, () -> SnapshotChain.open(diffPath, 1L << 30).close());
        assertTrue(missing.getMessage().contains("no such file"), missing.getMessage());
    }

    @Test
    void aFailedSaveLeavesNoFile() throws Exception
    {
        final long pages = 64;
        final DirtyLog log = SnapshotGuests.log(pages);
        final Path path = dir.resolve("fails.snap");
        try (GuestMemory m = SnapshotGuests.guest(pages, 4096, log, 1, 2))
        {
            assertThrows(IllegalStateException.class, () -> new SnapshotSave(m, log, null, SnapshotGuests.NO_VCPUS,
                new byte[0]).atInstant(mem -> { throw new IllegalStateException("the disk is gone"); })
                .save(path, SaveSettings.stopped(1)));
            assertFalse(Files.exists(path), "the half-written file is deleted");
        }
    }

    @Test
    void aChangedPageIsFoundByItsDigest() throws Exception
    {
        final long pages = 64;
        final DirtyLog log = SnapshotGuests.log(pages);
        final Path path = dir.resolve("bad.snap");
        try (GuestMemory m = SnapshotGuests.guest(pages, 4096, log, 1, 2))
        {
            SnapshotGuests.save(m, log, path, 1, new byte[0]);
        }
        final long slot;
        try (SnapshotReader file = SnapshotReader.open(path, 1L << 30))
        {
            slot = file.header().pageOffset(9);
        }
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.WRITE))
        {
            ch.write(ByteBuffer.wrap(new byte[] {0x5a}), slot + 100);
        }
        final SnapshotFormatException ex = assertThrows(SnapshotFormatException.class,
            () -> SnapshotGuests.restore(path, 2, true));
        assertEquals(slot, ex.offset(), ex.getMessage());
        assertTrue(ex.getMessage().contains("page 9's bytes"), ex.getMessage());
    }

    @Test
    void everyPrefixOfAFileIsRefused() throws Exception
    {
        final long pages = 20;
        final DirtyLog log = SnapshotGuests.log(pages);
        final Path path = dir.resolve("whole.snap");
        try (GuestMemory m = SnapshotGuests.guest(pages, 4096, log, 0.5, 2))
        {
            SnapshotGuests.save(m, log, path, 1, new byte[100]);
        }
        final byte[] whole = Files.readAllBytes(path);
        final Path cut = dir.resolve("cut.snap");
        for (int length = 0; length < whole.length; length += length < 300 ? 1 : 997)
        {
            Files.write(cut, java.util.Arrays.copyOf(whole, length));
            final int n = length;
            final SnapshotFormatException ex = assertThrows(SnapshotFormatException.class,
                () -> SnapshotReader.open(cut, 1L << 30).close(), () -> "a prefix of " + n + " bytes");
            assertTrue(ex.offset() <= whole.length, ex.getMessage());
            assertFalse(ex.getMessage().contains("\n"), "one line");
        }
        assertEquals(SnapshotHeader.MAGIC, ByteBuffer.wrap(whole).getInt(0));
    }
}
