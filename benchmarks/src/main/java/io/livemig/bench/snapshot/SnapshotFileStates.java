package io.livemig.bench.snapshot;

import io.livemig.bench.snapshot.SnapshotBenchmark.Channels;
import io.livemig.bench.snapshot.SnapshotBenchmark.Guest;
import io.livemig.bench.snapshot.SnapshotBenchmark.Size;
import io.livemig.dirty.DirtyMarker;
import io.livemig.memory.GuestMemory;
import io.livemig.snapshot.file.SnapshotMode;
import io.livemig.snapshot.save.SaveSettings;
import io.livemig.snapshot.save.SnapshotSave;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;

import static io.livemig.bench.snapshot.SnapshotBenchmark.DEVICE;
import static io.livemig.bench.snapshot.SnapshotBenchmark.DOWNTIME_LIMIT_MS;
import static io.livemig.bench.snapshot.SnapshotBenchmark.MAX_ROUNDS;
import static io.livemig.bench.snapshot.SnapshotBenchmark.PAGE;
import static io.livemig.bench.snapshot.SnapshotBenchmark.RECORDED;

/**
 * {@link SnapshotBenchmark}'s files and the restored guest: where a save or a plain write goes ({@link Target}),
 * the guest's snapshot saved once ({@link Saved}), the plain read's file ({@link PlainFile}), and the guest a
 * restore fills ({@link Destination}). Files go under {@link SnapshotFiles}' directory and are deleted in the
 * teardowns; every read is warm-cache (see {@link SnapshotBenchmark}).
 *
 * <p>Thread-safety: JMH's; benchmark-scoped states set up and torn down by JMH's thread.
 */
public final class SnapshotFileStates
{
    private SnapshotFileStates()
    {
    }

    /** Where a save or a plain write goes: a fresh directory; each shot's file deleted after it. */
    @State(Scope.Benchmark)
    public static class Target
    {
        Path dir;
        Path file;
        PlainFileIo plain;

        @Setup(Level.Trial)
        public void setup(final Channels channels) throws IOException
        {
            dir = SnapshotFiles.newDirectory();
            file = dir.resolve("shot.snap");
            plain = new PlainFileIo(channels.threads);
        }

        /** After each shot, outside its time: the next one writes a new file. */
        @TearDown(Level.Invocation)
        public void deleteShot() throws IOException
        {
            Files.deleteIfExists(file);
        }

        @TearDown(Level.Trial)
        public void tearDown() throws IOException
        {
            SnapshotFiles.deleteTree(dir);
        }
    }

    /**
     * A file written once per trial in a directory of its own, read through the page cache before each shot
     * (outside its time) and deleted with its directory after the trial: the restores' and the plain read's.
     */
    public abstract static class CachedFile
    {
        Path dir;
        Path file;

        /** Before each shot, outside its time: every byte of the file in the page cache. */
        @Setup(Level.Invocation)
        public void warm() throws IOException
        {
            SnapshotFiles.warm(file);
        }

        @TearDown(Level.Trial)
        public void tearDown() throws IOException
        {
            SnapshotFiles.deleteTree(dir);
        }
    }

    /** A snapshot of the guest, saved once, cached before each shot. */
    @State(Scope.Benchmark)
    public static class Saved extends CachedFile
    {
        @Setup(Level.Trial)
        public void setup(final Guest guest) throws IOException, InterruptedException
        {
            dir = SnapshotFiles.newDirectory();
            file = dir.resolve("guest.snap");
            new SnapshotSave(guest.memory, guest.log, null, RECORDED, DEVICE).save(file,
                new SaveSettings(SnapshotMode.STOPPED, 2, true, DOWNTIME_LIMIT_MS, MAX_ROUNDS));
        }
    }

    /** The plain read's file: the guest's size in random bytes, written once, cached before each shot. */
    @State(Scope.Benchmark)
    public static class PlainFile extends CachedFile
    {
        PlainFileIo plain;
        private ByteBuffer memory;
        private long bytes;

        /** @return a direct buffer of the guest's size, made on first use (only the read into memory needs it). */
        ByteBuffer memory()
        {
            if (memory == null)
            {
                memory = ByteBuffer.allocateDirect((int)bytes);
            }
            return memory;
        }

        @Setup(Level.Trial)
        public void setup(final Size size, final Channels channels) throws IOException, InterruptedException
        {
            dir = SnapshotFiles.newDirectory();
            file = dir.resolve("plain.bin");
            plain = new PlainFileIo(channels.threads);
            plain.write(file, size.bytes(), true);
            bytes = size.bytes();
        }
    }

    /** The restored guest: allocated once, zeroed before each shot (outside its time), as a new guest is. */
    @State(Scope.Benchmark)
    public static class Destination
    {
        GuestMemory memory;

        @Setup(Level.Trial)
        public void setup(final Size size)
        {
            memory = new GuestMemory(size.bytes(), PAGE, DirtyMarker.NONE);
        }

        @Setup(Level.Invocation)
        public void empty()
        {
            memory.fill(0, memory.size(), (byte)0);
        }

        @TearDown(Level.Trial)
        public void tearDown()
        {
            memory.close();
        }
    }
}
