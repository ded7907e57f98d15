package io.livemig.snapshot.file;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * A snapshot file opened for restoring, as strict as the page stream's reader. {@link #open} reads and checks
 * the header ({@link SnapshotHeader#read}), the bitmap and the digests, and the device state against its
 * digest, before anything of the guest exists; a file that is cut short, malformed or disagrees with itself is
 * refused with a {@link SnapshotFormatException} naming the offset. Nothing is allocated from the file's
 * numbers before they are checked against the file's length and the caller's limit on guest memory.
 *
 * <p>Pages are then read from their slots by any number of threads ({@link #readPages}, positional reads);
 * {@link #check} compares a page's bytes with its digest.
 *
 * <p>Thread-safety: after {@link #open} returns, every method may be called from any number of threads; the
 * bitmap and digests are read only. {@link #close} by the owner once readers have returned.
 */
public final class SnapshotReader implements SnapshotPages, AutoCloseable
{
    private final Path path;
    private final FileChannel channel;
    private final SnapshotHeader header;
    private final long[] present;
    private final long[] digests;
    private final byte[] device;
    private final long presentPages;

    private SnapshotReader(final Path path, final FileChannel channel, final SnapshotHeader header,
        final long[] present, final long[] digests, final byte[] device, final long presentPages)
    {
        this.path = path;
        this.channel = channel;
        this.header = header;
        this.present = present;
        this.digests = digests;
        this.device = device;
        this.presentPages = presentPages;
    }

    /**
     * Opens and checks {@code path}.
     *
     * @param maxMemoryBytes the most guest memory the caller can build: a file naming more is refused before
     *                       its bitmap or digests are read.
     * @throws SnapshotFormatException the first thing in the file that does not hold.
     * @throws IOException             if the file cannot be read.
     */
    public static SnapshotReader open(final Path path, final long maxMemoryBytes) throws IOException
    {
        final FileChannel channel;
        try
        {
            channel = FileChannel.open(path, StandardOpenOption.READ);
        }
        catch (final NoSuchFileException ex)
        {
            throw new IOException("cannot read snapshot " + path + ": no such file", ex);
        }
        catch (final AccessDeniedException ex)
        {
            throw new IOException("cannot read snapshot " + path + ": permission denied", ex);
        }
        try
        {
            final long length = channel.size();
            final ByteBuffer head = ByteBuffer.allocate((int)Math.min(length, SnapshotHeader.MAX_LENGTH));
            readFully(channel, head, 0);
            head.flip();
            final SnapshotHeader header = SnapshotHeader.read(head, length);
            if (header.memoryBytes() > maxMemoryBytes)
            {
                throw new SnapshotFormatException(12, "a guest of " + header.memoryBytes() +
                    " bytes does not fit the " + maxMemoryBytes + " bytes this restore may build");
            }
            final long[] present = readLongs(channel, header.bitmapOffset(), header.bitmapWords());
            final int tail = (int)(header.pages() & 63);
            if (tail != 0 && (present[present.length - 1] >>> tail) != 0)
            {
                throw new SnapshotFormatException(header.bitmapOffset() + 8L * (present.length - 1),
                    "the bitmap's last word marks pages past the last page " + (header.pages() - 1));
            }
            final long[] digests = readLongs(channel, header.digestsOffset(), (int)header.pages());
            long count = 0;
            final long zero = PageDigest.zero(header.pageSize());
            for (int w = 0; w < present.length; w++)
            {
                count += Long.bitCount(present[w]);
                for (long bits = header.hasParent() ? 0 : present[w]; bits != 0; bits &= bits - 1)
                {
                    final long p = ((long)w << 6) + Long.numberOfTrailingZeros(bits);
                    if (digests[(int)p] == zero)
                    {
                        throw new SnapshotFormatException(header.bitmapOffset() + 8L * w, "the bitmap says page " + p +
                            " holds bytes, but its digest is the zero page's (a full snapshot keeps zero pages as holes)");
                    }
                }
                if (!header.hasParent())
                {
                    long holes = ~present[w];
                    if (w == present.length - 1 && tail != 0)
                    {
                        holes &= (1L << tail) - 1;
                    }
                    for (; holes != 0; holes &= holes - 1)
                    {
                        final long p = ((long)w << 6) + Long.numberOfTrailingZeros(holes);
                        if (digests[(int)p] != zero)
                        {
                            throw new SnapshotFormatException(header.digestsOffset() + 8 * p, "the bitmap says page " +
                                p + " is a hole (zeros), but its digest is not the zero page's: bitmap and digests disagree");
                        }
                    }
                }
            }
            final ByteBuffer dev = ByteBuffer.allocate(header.deviceBytes());
            readFully(channel, dev, header.deviceOffset());
            if (PageDigest.of(dev.array(), 0, header.deviceBytes()) != header.deviceDigest())
            {
                throw new SnapshotFormatException(header.deviceOffset(), "the device state does not match its digest");
            }
            return new SnapshotReader(path, channel, header, present, digests, dev.array(), count);
        }
        catch (final IOException | RuntimeException ex)
        {
            channel.close();
            throw ex;
        }
    }

    private static long[] readLongs(final FileChannel channel, final long offset, final int count) throws IOException
    {
        final long[] values = new long[count];
        final ByteBuffer buf = ByteBuffer.allocate(1 << 16);
        long at = offset;
        for (int i = 0; i < count; )
        {
            final int n = (int)Math.min(buf.capacity() / 8, count - i);
            buf.clear().limit(8 * n);
            readFully(channel, buf, at);
            at += 8L * n;
            buf.flip();
            buf.asLongBuffer().get(values, i, n); // big-endian, the buffer's order
            i += n;
        }
        return values;
    }

    private static void readFully(final FileChannel channel, final ByteBuffer dst, final long offset) throws IOException
    {
        long at = offset;
        while (dst.hasRemaining())
        {
            final int n = channel.read(dst, at);
            if (n < 0)
            {
                throw new SnapshotFormatException(at, "the file ends here, inside a part its header names (cut short)");
            }
            at += n;
        }
    }

    /** @return the file's path. */
    public Path path()
    {
        return path;
    }

    /** @return the header. */
    @Override
    public SnapshotHeader header()
    {
        return header;
    }

    /** @return whether page {@code page}'s bytes are in its slot (else it is zero, or its parent's). */
    @Override
    public boolean isPresent(final long page)
    {
        return (present[(int)(page >>> 6)] & (1L << page)) != 0;
    }

    /** @return the bitmap's word {@code w} (pages {@code 64w} to {@code 64w + 63}). */
    @Override
    public long presentWord(final int w)
    {
        return present[w];
    }

    /** @return pages whose bytes are in the file. */
    @Override
    public long presentPages()
    {
        return presentPages;
    }

    /** @return page {@code page}'s digest. */
    public long digest(final long page)
    {
        return digests[(int)page];
    }

    /** @return a copy of the device state. */
    public byte[] deviceState()
    {
        return device.clone();
    }

    /**
     * Reads pages {@code [first, first + dst.remaining() / pageSize)} from their slots into {@code dst}, from its
     * position to its limit, and leaves the position at the limit.
     */
    @Override
    public void readPages(final long first, final ByteBuffer dst) throws IOException
    {
        final int n = dst.remaining() / header.pageSize();
        if (first < 0 || n < 1 || dst.remaining() % header.pageSize() != 0 || first + n > header.pages())
        {
            throw new IllegalArgumentException(dst.remaining() + " bytes to pages from " + first + " of " + header.pages());
        }
        readFully(channel, dst, header.pageOffset(first));
    }

    /**
     * Checks page {@code page}'s bytes, {@code pageSize} of them at {@code offset} in {@code src}, against its
     * digest.
     *
     * @throws SnapshotFormatException naming the page's slot if they differ.
     */
    @Override
    public void check(final long page, final ByteBuffer src, final int offset) throws SnapshotFormatException
    {
        final long got = PageDigest.of(src, offset, header.pageSize());
        if (got != digests[(int)page])
        {
            throw new SnapshotFormatException(header.pageOffset(page), String.format(
                "page %d's bytes have digest %016x, the file's digest for it is %016x", page, got, digests[(int)page]));
        }
    }

    @Override
    public void close() throws IOException
    {
        channel.close();
    }
}
