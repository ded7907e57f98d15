package io.livemig.bench.snapshot;

import io.livemig.snapshot.save.SaveFigures;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link SnapshotBenchmark} on an 8 MiB guest, its states driven as JMH drives them: every save writes a file the
 * shot's teardown deletes, every restore (eager, lazy) rebuilds the guest exactly, the baselines move their bytes,
 * and the trial teardowns leave no file behind.
 */
@Timeout(120)
class SnapshotBenchmarkTest
{
    @TempDir
    Path base;

    private SnapshotBenchmark.Size size()
    {
        System.setProperty(SnapshotFiles.DIR_PROPERTY, base.toString());
        final SnapshotBenchmark.Size size = new SnapshotBenchmark.Size();
        size.guest = "8m";
        return size;
    }

    private static SnapshotBenchmark.Channels channels(final int threads)
    {
        final SnapshotBenchmark.Channels c = new SnapshotBenchmark.Channels();
        c.threads = threads;
        return c;
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 3})
    void savesAndRestoresRebuildTheGuestAndLeaveNoFile(final int threads) throws Exception
    {
        final SnapshotBenchmark bench = new SnapshotBenchmark();
        final SnapshotBenchmark.Size size = size();
        final SnapshotBenchmark.Guest guest = new SnapshotBenchmark.Guest();
        guest.fill = 1.0;
        guest.setup(size);
        final SnapshotBenchmark.Channels channels = channels(threads);
        final SnapshotFileStates.Target target = new SnapshotFileStates.Target();
        target.setup(channels);
        final SnapshotFileStates.Saved saved = new SnapshotFileStates.Saved();
        saved.setup(guest);
        final SnapshotFileStates.Destination destination = new SnapshotFileStates.Destination();
        destination.setup(size);
        final SnapshotCounters.Figures figures = new SnapshotCounters.Figures();
        try
        {
            for (final boolean direct : new boolean[] {false, true})
            {
                final SnapshotBenchmark.Io io = new SnapshotBenchmark.Io();
                io.direct = direct;
                final SaveFigures f = bench.saveStopped(guest, channels, io, target, figures);
                assertEquals(2048, f.presentPages(), "every page of the written guest holds data");
                assertTrue(Files.exists(target.file));
                assertTrue(figures.gbPerSecond > 0);
                target.deleteShot();
                assertFalse(Files.exists(target.file), "the shot's file goes after it");
                bench.baselineWrite(size, io, target, figures);
                assertEquals(8L << 20, Files.size(target.file));
                target.deleteShot();
            }
            bench.saveLive(guest, channels, target, figures);
            target.deleteShot();

            saved.warm();
            destination.empty();
            bench.restoreEager(saved, channels, destination, figures);
            assertSame(guest, destination);

            final LazyShot.Lazy lazy = new LazyShot.Lazy();
            destination.empty();
            bench.lazyResume(saved, destination, lazy);
            lazy.close(); // the teardown waits for the prefetch
            assertSame(guest, destination);

            destination.empty();
            final SnapshotCounters.FaultFigures faults = new SnapshotCounters.FaultFigures();
            bench.lazyComplete(saved, destination, lazy, faults);
            assertTrue(faults.resumeMs > 0 && faults.faults + faults.prefetchedPages >= 2048,
                "every page came by a fault or by the prefetch: " + faults.faults + " + " + faults.prefetchedPages);
            assertTrue(faults.faultP50Us <= faults.faultP99Us && faults.faultP99Us <= faults.faultMaxUs);
            lazy.close();
        }
        finally
        {
            destination.tearDown();
            saved.tearDown();
            target.tearDown();
            guest.tearDown();
        }
        try (var left = Files.list(base))
        {
            assertEquals(0, left.count(), "the trial teardowns delete their directories");
        }
    }

    /** Only the pages the restore loaded: the vCPUs of a complete shot write the guest after it resumes. */
    private static void assertSame(final SnapshotBenchmark.Guest guest, final SnapshotFileStates.Destination d)
    {
        final UnsafeBuffer a = new UnsafeBuffer(0, 0);
        final UnsafeBuffer b = new UnsafeBuffer(0, 0);
        for (long p = 0; p < guest.memory.pageCount(); p++)
        {
            assertEquals(0, guest.memory.wrapPage(p, a).compareTo(d.memory.wrapPage(p, b)), "page " + p);
        }
    }

    @Test
    void thePlainReadReadsWhatThePlainWriteWrote() throws Exception
    {
        final Path file = base.resolve("plain.bin");
        final PlainFileIo io = new PlainFileIo(3);
        io.write(file, 5L << 20, true);
        assertEquals(5L << 20, Files.size(file), "the last thread takes the rest of an uneven split");
        final byte[] written = Files.readAllBytes(file);
        io.read(file, 0, 5L << 20, false);
        assertFalse(io.direct());
        assertArrayEquals(written, Files.readAllBytes(file));
        SnapshotFiles.warm(file);
    }
}
