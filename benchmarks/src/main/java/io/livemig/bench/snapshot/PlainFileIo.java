package io.livemig.bench.snapshot;

import com.sun.nio.file.ExtendedOpenOption;
import io.livemig.snapshot.file.FileThreads;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.SplittableRandom;
import java.util.function.BooleanSupplier;

/**
 * The snapshot benchmarks' baselines: a plain write or read of {@code bytes} bytes of one file on {@code threads}
 * threads (the caller's and {@code threads - 1} started per call), each moving its contiguous share with
 * positional I/O through its own 1 MiB buffer, 4 KiB aligned and direct, so that the same buffers serve {@code
 * O_DIRECT} ({@link ExtendedOpenOption#DIRECT}). A share is a whole number of buffers but for the last thread's,
 * which takes the rest. The buffers hold random bytes drawn once (what a written guest's pages hold: nothing a
 * file system could compress); no byte is copied to or from guest memory, so the baselines are the file system's
 * rate for these bytes and nothing else.
 *
 * <p>{@link #write} creates or truncates the file and ends with {@code force(true)}, as a snapshot save ends
 * with its own forces; {@link #read} reads {@code bytes} bytes from {@code offset}. Where the file system refuses
 * {@code O_DIRECT} (tmpfs on older kernels), {@link #direct()} stays false after the call that asked for it and
 * the call goes through the page cache, as {@code SnapshotWriter} falls back.
 *
 * <p>Not thread-safe: one call at a time, from one thread; it owns its buffers.
 */
final class PlainFileIo
{
    /** Bytes of a thread's buffer: the longest single write or read. */
    static final int BUFFER_BYTES = 1 << 20;
    /** Alignment of the buffers, file offsets and lengths for {@code O_DIRECT}. */
    static final int ALIGN = 4096;

    private final ByteBuffer[] buffers;
    private boolean direct;

    /** @param threads the threads of every call, 1 or more. */
    PlainFileIo(final int threads)
    {
        if (threads < 1)
        {
            throw new IllegalArgumentException("threads must be at least 1: " + threads);
        }
        buffers = new ByteBuffer[threads];
        final SplittableRandom random = new SplittableRandom(threads);
        for (int i = 0; i < threads; i++)
        {
            buffers[i] = ByteBuffer.allocateDirect(BUFFER_BYTES + ALIGN).alignedSlice(ALIGN);
            while (buffers[i].remaining() >= Long.BYTES)
            {
                buffers[i].putLong(random.nextLong());
            }
            buffers[i].clear();
        }
    }

    /** @return whether the last call went with {@code O_DIRECT}. */
    boolean direct()
    {
        return direct;
    }

    /**
     * Writes {@code bytes} bytes (a multiple of {@value #ALIGN}) to {@code path} from offset 0, creating or
     * truncating it, then forces it to the device with {@code force(true)}.
     *
     * @param directIo bypass the page cache where the file system allows it.
     */
    void write(final Path path, final long bytes, final boolean directIo) throws IOException, InterruptedException
    {
        run(path, 0, bytes, directIo, true);
    }

    /** Reads {@code bytes} bytes (a multiple of {@value #ALIGN}) of {@code path} from {@code offset} (aligned). */
    void read(final Path path, final long offset, final long bytes, final boolean directIo)
        throws IOException, InterruptedException
    {
        run(path, offset, bytes, directIo, false);
    }

    /**
     * Reads the first {@code into.capacity()} bytes of {@code path} into {@code into} (a direct buffer of the
     * guest's size), each thread its contiguous share straight into its part: the bytes end in memory, as a
     * restore's must, with no copy but the kernel's.
     */
    void readInto(final Path path, final ByteBuffer into) throws IOException, InterruptedException
    {
        run(path, 0, into.capacity(), false, false, into);
    }

    private void run(final Path path, final long offset, final long bytes, final boolean directIo, final boolean write)
        throws IOException, InterruptedException
    {
        run(path, offset, bytes, directIo, write, null);
    }

    private void run(final Path path, final long offset, final long bytes, final boolean directIo, final boolean write,
        final ByteBuffer into) throws IOException, InterruptedException
    {
        if (bytes % ALIGN != 0 || offset % ALIGN != 0)
        {
            throw new IllegalArgumentException(bytes + " bytes at " + offset + ": both must be multiples of " + ALIGN);
        }
        try (FileChannel channel = open(path, directIo, write))
        {
            final int threads = buffers.length;
            final long share = bytes / threads / BUFFER_BYTES * BUFFER_BYTES;
            FileThreads.run("plain-io", threads, FileThreads.deadlineMs(bytes),
                (t, stop) -> share(channel, t, offset, share, bytes, write, into, stop));
            if (write)
            {
                channel.force(true);
            }
        }
    }

    /** Opens {@code path} with {@code O_DIRECT} if asked and allowed (recording which), else through the cache. */
    private FileChannel open(final Path path, final boolean directIo, final boolean write) throws IOException
    {
        final OpenOption[] plain = write ? new OpenOption[] {StandardOpenOption.CREATE, StandardOpenOption.WRITE,
            StandardOpenOption.TRUNCATE_EXISTING} : new OpenOption[] {StandardOpenOption.READ};
        direct = false;
        if (directIo)
        {
            final OpenOption[] withDirect = java.util.Arrays.copyOf(plain, plain.length + 1);
            withDirect[plain.length] = ExtendedOpenOption.DIRECT;
            try
            {
                final FileChannel channel = FileChannel.open(path, withDirect);
                direct = true;
                return channel;
            }
            catch (final IOException | UnsupportedOperationException ex)
            {
                // the file system refuses O_DIRECT: the page cache, as the snapshot's writer falls back
            }
        }
        return FileChannel.open(path, plain);
    }

    /** Thread {@code t}'s share: {@code [t * share, (t + 1) * share)} of the bytes, the last thread to the end. */
    private void share(final FileChannel channel, final int t, final long offset, final long share, final long bytes,
                       final boolean write, final ByteBuffer into, final BooleanSupplier stop) throws IOException
    {
        final ByteBuffer buffer = into == null ? buffers[t] : into.duplicate();
        final long from = t * share;
        final long to = t == buffers.length - 1 ? bytes : from + share;
        for (long at = from; at < to && !stop.getAsBoolean(); at += BUFFER_BYTES)
        {
            if (into == null)
            {
                buffer.clear().limit((int)Math.min(BUFFER_BYTES, to - at));
            }
            else
            {
                buffer.limit((int)(at + Math.min(BUFFER_BYTES, to - at))).position((int)at); // its part of the guest
            }
            long position = offset + at;
            while (buffer.hasRemaining())
            {
                final int n = write ? channel.write(buffer, position) : channel.read(buffer, position);
                if (n < 0)
                {
                    throw new IOException(channel + " ends at " + position + ", before " + (offset + to));
                }
                position += n;
            }
        }
    }
}
