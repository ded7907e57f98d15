package io.livemig.snapshot.file;

import com.sun.nio.file.ExtendedOpenOption;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * A snapshot file being written: pages go to their fixed slots from any number of threads ({@link
 * #writePages}, positional writes), then {@link #finish} writes the bitmap, the digests and the device state,
 * forces them to the device, and writes the header last. A page written twice (a live snapshot's later round)
 * overwrites its slot; a page never written stays a hole. The file is created anew (an existing one is
 * truncated), and deleted by {@link #close()} if {@link #finish} did not complete.
 *
 * <p>With direct I/O the RAM slots are written through a second descriptor opened with {@code O_DIRECT}
 * ({@link ExtendedOpenOption#DIRECT}), bypassing the page cache; callers then pass 4 KiB-aligned direct buffers
 * (pages are whole multiples of 4 KiB at 4 KiB-aligned offsets). The other parts go through the page cache.
 * Where the file system refuses {@code O_DIRECT}, {@link #directIoRefusal()} says why and the cache is used.
 *
 * <p>Thread-safety: {@link #writePages} from any number of threads (different pages); {@link #finish} and
 * {@link #close} by the owner once every writer has returned.
 */
public final class SnapshotWriter implements AutoCloseable
{
    private final Path path;
    private final int pageSize;
    private final long pages;
    private final int deviceBytes;
    private final FileChannel channel;
    private final FileChannel ram;
    private final String directIoRefusal;
    private boolean finished;
    private boolean closed;

    private SnapshotWriter(final Path path, final int pageSize, final long pages, final int deviceBytes,
        final FileChannel channel, final FileChannel ram, final String directIoRefusal)
    {
        this.path = path;
        this.pageSize = pageSize;
        this.pages = pages;
        this.deviceBytes = deviceBytes;
        this.channel = channel;
        this.ram = ram;
        this.directIoRefusal = directIoRefusal;
    }

    /**
     * Creates (or truncates) the file for a guest of {@code pages} pages of {@code pageSize} bytes.
     *
     * @param directIo write the RAM slots with {@code O_DIRECT} where the file system allows it.
     */
    public static SnapshotWriter create(final Path path, final int pageSize, final long pages, final int deviceBytes,
        final boolean directIo) throws IOException
    {
        final FileChannel channel = FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
            StandardOpenOption.READ, StandardOpenOption.TRUNCATE_EXISTING);
        FileChannel ram = channel;
        String refusal = null;
        if (directIo)
        {
            try
            {
                final long block = Files.getFileStore(path).getBlockSize();
                if (block > SnapshotHeader.ALIGN || pageSize % block != 0)
                {
                    refusal = "the file system's block of " + block + " bytes does not divide 4 KiB pages";
                }
                else
                {
                    ram = FileChannel.open(path, StandardOpenOption.WRITE, ExtendedOpenOption.DIRECT);
                }
            }
            catch (final IOException | UnsupportedOperationException ex)
            {
                refusal = "the file system refuses O_DIRECT (" + ex.getMessage() + ")";
            }
        }
        return new SnapshotWriter(path, pageSize, pages, deviceBytes, channel, ram, refusal);
    }

    /** @return whether the RAM slots are written with {@code O_DIRECT}. */
    public boolean directIo()
    {
        return ram != channel;
    }

    /** @return why direct I/O was asked for and not used, or null. */
    public String directIoRefusal()
    {
        return directIoRefusal;
    }

    /** @return the offset of page {@code page}'s slot. */
    public long pageOffset(final long page)
    {
        return Math.max(SnapshotHeader.ALIGN, pageSize) + page * pageSize;
    }

    /**
     * Writes the bytes between {@code src}'s position and limit (whole pages) into the slots from page {@code
     * first} on, and leaves the position at the limit. With direct I/O, {@code src} is a 4 KiB-aligned direct
     * buffer.
     */
    public void writePages(final long first, final ByteBuffer src) throws IOException
    {
        final int n = src.remaining() / pageSize;
        if (first < 0 || n < 1 || src.remaining() % pageSize != 0 || first + n > pages)
        {
            throw new IllegalArgumentException(src.remaining() + " bytes to pages from " + first + " of " + pages);
        }
        long at = pageOffset(first);
        while (src.hasRemaining())
        {
            at += ram.write(src, at);
        }
    }

    /**
     * Ends the file: the bitmap ({@code present}, one bit per page), the digests, the device state, a force,
     * then the header and another force. After it returns the file is a complete snapshot.
     *
     * @param header  the header, of this file's shape.
     * @param present one bit per page, {@link SnapshotHeader#bitmapWords()} words.
     * @param digests one per page.
     * @param device  the device state, {@code deviceBytes} long.
     */
    public void finish(final SnapshotHeader header, final long[] present, final long[] digests, final byte[] device)
        throws IOException
    {
        if (header.pageSize() != pageSize || header.pages() != pages || header.deviceBytes() != deviceBytes ||
            present.length != header.bitmapWords() || digests.length != pages || device.length != deviceBytes)
        {
            throw new IllegalArgumentException("the header, bitmap, digests or device state do not fit this file");
        }
        writeLongs(present, header.bitmapOffset());
        writeLongs(digests, header.digestsOffset());
        writeFully(ByteBuffer.wrap(device), header.deviceOffset());
        if (channel.size() < header.fileLength())
        {
            writeFully(ByteBuffer.allocate(1), header.fileLength() - 1); // no device state: the digests' zero pad
        }
        channel.force(true);
        if (ram != channel)
        {
            ram.force(true);
        }
        final ByteBuffer h = ByteBuffer.allocate(SnapshotHeader.MAX_LENGTH);
        header.write(h);
        h.flip();
        writeFully(h, 0);
        channel.force(true);
        finished = true;
    }

    private void writeLongs(final long[] values, final long offset) throws IOException
    {
        final ByteBuffer buf = ByteBuffer.allocate(1 << 16).order(ByteOrder.BIG_ENDIAN);
        long at = offset;
        for (int i = 0; i < values.length; )
        {
            buf.clear();
            while (buf.remaining() >= 8 && i < values.length)
            {
                buf.putLong(values[i++]);
            }
            buf.flip();
            final int length = buf.remaining();
            writeFully(buf, at);
            at += length;
        }
    }

    private void writeFully(final ByteBuffer src, final long offset) throws IOException
    {
        long at = offset;
        while (src.hasRemaining())
        {
            at += channel.write(src, at);
        }
    }

    /** Closes the file; deletes it unless {@link #finish} completed. Idempotent. */
    @Override
    public void close() throws IOException
    {
        if (closed)
        {
            return;
        }
        closed = true;
        try
        {
            if (ram != channel)
            {
                ram.close();
            }
            channel.close();
        }
        finally
        {
            if (!finished)
            {
                Files.deleteIfExists(path);
            }
        }
    }
}
