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
 * the header ({@link SnapshotHeader#read}), the bitmap, every hole's digest, and the device state against its
 * digest, before anything of the guest exists, in time proportional to the bitmap and the holes (the digests
 * are mapped, not read, so a lazy restore resumes in about a millisecond a GiB); a file that is cut short, malformed or disagrees with itself is
 * refused with a {@link SnapshotFormatException} naming the offset. Nothing is allocated from the file's
 * numbers before they are checked against the file's length and the caller's limit on guest memory.
 *
 * <p>Pages are then read from their slots by any number of threads ({@link #readPages}, positional reads);
 * {@link #check} compares a page's bytes with its digest, and refuses a present page of a full snapshot whose
 * digest is the zero page's (such a page belongs in a hole).
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
    private final long zeroDigest;

    private SnapshotReader(final Path path, final FileChannel channel, final SnapshotHeader header,
        final long[] present, final ByteBuffer[] digests, final byte[] device, final long presentPages,
        final long zeroDigest)
    {
        this.path = path;
        this.channel = channel;
        this.header = header;
        this.present = present;
        this.digests = digests;
        this.device = device;
        this.presentPages = presentPages;
        this.zeroDigest = zeroDigest;
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
            final ByteBuffer[] digests = mapDigests(channel, header);
            long count = 0;
            for (final long w : present)
            {
                count += Long.bitCount(w);
            }
            final long zero = PageDigest.zero(header.pageSize());
            if (!header.hasParent())
            {
                checkHoles(header, present, digests, zero);
            }
            final ByteBuffer dev = ByteBuffer.allocate(header.deviceBytes());
            readFully(channel, dev, header.deviceOffset());
            if (PageDigest.of(dev.array(), 0, header.deviceBytes()) != header.deviceDigest())
            {
                throw new SnapshotFormatException(header.deviceOffset(), "the device state does not match its digest");
            }
            return new SnapshotReader(path, channel, header, present, digests, dev.array(), count, zero);
        }
        catch (final IOException | RuntimeException ex)
        {
            channel.close();
            throw ex;
        }
    }

    /**
     * In a full snapshot a hole's digest must be the zero page's (else the bitmap drops a page that held bytes):
     * each hole's digest is checked, words without a hole skipped, so a guest written once costs a look at each
     * bitmap word, not at each digest. The other half of the rule, a present page whose digest is the zero page's,
     * loses nothing (its slot's bytes are what a restore places) and is refused by {@link #check}, with the page's
     * bytes, rather than by a look at every digest before a lazy restore may resume.
     */
    private static void checkHoles(final SnapshotHeader header, final long[] present, final ByteBuffer[] digests,
        final long zero) throws SnapshotFormatException
    {
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
    }

    /**
     * @return the digests, mapped from the file (no copy, and nothing read until a digest is used: a lazy restore's
     * resume maps them in microseconds where reading 2 MiB a GiB of guest took one), in buffers of at most 2^27
     * (big-endian, as written). The header's check of the file's exact length puts every mapped byte inside the
     * file; a file cut short after this (another process truncating it) makes a later digest's read throw, as
     * {@link java.nio.MappedByteBuffer} documents, never the JVM crash.
     */
    private static ByteBuffer[] mapDigests(final FileChannel channel, final SnapshotHeader header) throws IOException
    {
        final long pages = header.pages();
        final ByteBuffer[] chunks = new ByteBuffer[(int)(((pages - 1) >>> DIGEST_CHUNK_SHIFT) + 1)];
        for (int c = 0; c < chunks.length; c++)
        {
            final long first = (long)c << DIGEST_CHUNK_SHIFT;
            chunks[c] = channel.map(FileChannel.MapMode.READ_ONLY, header.digestsOffset() + 8 * first,
                8 * Math.min(1L << DIGEST_CHUNK_SHIFT, pages - first));
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

    @Override
    public long[] presentWords()
    {
        return present.clone();
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
     * @throws SnapshotFormatException naming the page's slot if they differ, or its bitmap word if the page, present
     *                                 in a full snapshot, has the zero page's digest.
     */
    @Override
    public void check(final long page, final ByteBuffer src, final int offset) throws SnapshotFormatException
    {
        final long want = digest(digests, page);
        if (want == zeroDigest && !header.hasParent())
        {
            throw new SnapshotFormatException(header.bitmapOffset() + 8 * (page >>> 6), "the bitmap says page " + page +
                " holds bytes, but its digest is the zero page's (a full snapshot keeps zero pages as holes)");
        }
        final long got = PageDigest.of(src, offset, header.pageSize());
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
