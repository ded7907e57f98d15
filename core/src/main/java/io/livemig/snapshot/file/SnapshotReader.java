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
    /** Digests per buffer: 2^27, a GiB of them. */
    private static final int DIGEST_CHUNK_SHIFT = 27;

    private final Path path;
    private final FileChannel channel;
    private final SnapshotHeader header;
    private final long[] present;
    private final ByteBuffer[] digests;
    private final byte[] device;
    private final long presentPages;

    private SnapshotReader(final Path path, final FileChannel channel, final SnapshotHeader header,
        final long[] present, final ByteBuffer[] digests, final byte[] device, final long presentPages)
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
            final ByteBuffer[] digests = readDigests(channel, header);
            long count = 0;
            for (final long w : present)
            {
                count += Long.bitCount(w);
            }
            if (!header.hasParent())
            {
                checkHoles(header, present, digests, count);
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

    /**
     * In a full snapshot a page is a hole exactly when its digest is the zero page's: every hole's digest is
     * checked, then the zero digests are counted, which finds a present page with the zero page's digest without a
     * look at each present page (a 1 GiB guest's 262,144 checks cost a lazy restore's resume milliseconds).
     */
    private static void checkHoles(final SnapshotHeader header, final long[] present, final ByteBuffer[] digests,
        final long count) throws SnapshotFormatException
    {
        final long zero = PageDigest.zero(header.pageSize());
        final int tail = (int)(header.pages() & 63);
        for (int w = 0; w < present.length; w++)
        {
            long holes = ~present[w];
            if (w == present.length - 1 && tail != 0)
            {
                holes &= (1L << tail) - 1;
            }
            for (; holes != 0; holes &= holes - 1)
            {
                final long p = ((long)w << 6) + Long.numberOfTrailingZeros(holes);
                if (digest(digests, p) != zero)
                {
                    throw new SnapshotFormatException(header.digestsOffset() + 8 * p, "the bitmap says page " + p +
                        " is a hole (zeros), but its digest is not the zero page's: bitmap and digests disagree");
                }
            }
        }
        long zeros = 0;
        for (final ByteBuffer chunk : digests)
        {
            for (int i = 0, n = chunk.capacity(); i < n; i += 8)
            {
                zeros += chunk.getLong(i) == zero ? 1 : 0;
            }
        }
        if (zeros != header.pages() - count)
        {
            for (long p = 0; p < header.pages(); p++) // the refusal's slow path: name the first such page
            {
                if ((present[(int)(p >>> 6)] & (1L << p)) != 0 && digest(digests, p) == zero)
                {
                    throw new SnapshotFormatException(header.bitmapOffset() + 8 * (p >>> 6), "the bitmap says page " +
                        p + " holds bytes, but its digest is the zero page's (a full snapshot keeps zero pages as holes)");
                }
            }
        }
    }

    /** @return the digests, read straight into direct buffers of at most 2^27 each (big-endian, as written). */
    private static ByteBuffer[] readDigests(final FileChannel channel, final SnapshotHeader header) throws IOException
    {
        final long pages = header.pages();
        final ByteBuffer[] chunks = new ByteBuffer[(int)(((pages - 1) >>> DIGEST_CHUNK_SHIFT) + 1)];
        for (int c = 0; c < chunks.length; c++)
        {
            final long first = (long)c << DIGEST_CHUNK_SHIFT;
            chunks[c] = ByteBuffer.allocateDirect((int)(8 * Math.min(1L << DIGEST_CHUNK_SHIFT, pages - first)));
            readFully(channel, chunks[c], header.digestsOffset() + 8 * first);
        }
        return chunks;
    }

    private static long digest(final ByteBuffer[] digests, final long page)
    {
        return digests[(int)(page >>> DIGEST_CHUNK_SHIFT)].getLong((int)(page & ((1 << DIGEST_CHUNK_SHIFT) - 1)) << 3);
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
        return digest(digests, page);
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
        final long want = digest(digests, page);
        if (got != want)
        {
            throw new SnapshotFormatException(header.pageOffset(page), String.format(
                "page %d's bytes have digest %016x, the file's digest for it is %016x", page, got, want));
        }
    }

    @Override
    public void close() throws IOException
    {
        channel.close();
    }
}
