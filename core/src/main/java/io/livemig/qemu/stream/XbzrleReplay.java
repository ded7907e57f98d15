package io.livemig.qemu.stream;

import io.livemig.codec.Xbzrle;
import io.livemig.stream.PageKind;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.Arrays;

/**
 * Checks livemig's XBZRLE codec against every XBZRLE record of a QEMU stream, as a {@link PageHistory.Visitor}:
 * the delta QEMU wrote (read back from the stream file) must be exactly what livemig's encoder makes from the
 * page the destination held and the page the record made ({@code capacity} one page, as QEMU calls it), and
 * livemig's decoder must rebuild that page from the delta. Counts the records and the first that disagrees.
 *
 * <p>Not thread-safe: the reader's thread calls it.
 */
public final class XbzrleReplay implements PageHistory.Visitor
{
    private final FileChannel stream;
    private final byte[] encoded;
    private final byte[] decoded;
    private final ByteBuffer record;
    private long records;
    private long identical;
    private long rebuilt;
    private long firstMismatch = -1;

    /**
     * @param stream   the stream file, read at each record's offset.
     * @param pageSize the page size.
     */
    public XbzrleReplay(final FileChannel stream, final int pageSize)
    {
        this.stream = stream;
        this.encoded = new byte[pageSize];
        this.decoded = new byte[pageSize];
        this.record = ByteBuffer.allocate(8 + 256 + 3 + pageSize);
    }

    @Override
    public void onPage(final int block, final long page, final PageKind kind, final byte[] before, final byte[] after,
        final long offset, final int wireBytes)
    {
        if (kind != PageKind.XBZRLE)
        {
            return;
        }
        records++;
        final byte[] delta = delta(offset, wireBytes);
        final int length = Xbzrle.encode(before, after, encoded);
        final boolean same = length == delta.length && Arrays.equals(encoded, 0, length, delta, 0, delta.length);
        System.arraycopy(before, 0, decoded, 0, before.length);
        final boolean decodes = Xbzrle.decode(delta, delta.length, decoded) >= 0 && Arrays.equals(decoded, after);
        identical += same ? 1 : 0;
        rebuilt += decodes ? 1 : 0;
        if ((!same || !decodes) && firstMismatch < 0)
        {
            firstMismatch = offset;
        }
    }

    /** @return the delta of the XBZRLE record at {@code offset}: after its header, name, flag and length. */
    private byte[] delta(final long offset, final int wireBytes)
    {
        record.clear().limit(wireBytes);
        try
        {
            while (record.hasRemaining())
            {
                if (stream.read(record, offset + record.position()) < 0)
                {
                    throw new IOException("the stream ends inside the record at " + offset);
                }
            }
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
        final boolean named = (record.getLong(0) & 0x20) == 0;
        final int at = 8 + (named ? 1 + (record.get(8) & 0xFF) : 0) + 3;
        return Arrays.copyOfRange(record.array(), at, wireBytes);
    }

    /** @return XBZRLE records seen. */
    public long records()
    {
        return records;
    }

    /** @return records whose delta livemig's encoder made byte for byte. */
    public long identical()
    {
        return identical;
    }

    /** @return records whose page livemig's decoder rebuilt from the delta. */
    public long rebuilt()
    {
        return rebuilt;
    }

    /** @return the offset of the first record that disagreed, or -1. */
    public long firstMismatch()
    {
        return firstMismatch;
    }
}
