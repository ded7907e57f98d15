package io.livemig.stream.read;

import io.livemig.codec.Lz4PageCodec;
import io.livemig.codec.Xbzrle;
import io.livemig.memory.GuestMemory;
import io.livemig.memory.PagePlacer;
import io.livemig.stream.ChannelInput;
import io.livemig.stream.PageStreamException;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteBuffer;

import static io.livemig.stream.PageStreamDescriptor.XBZRLE_ENCODING;
import static io.livemig.stream.PageStreamDescriptor.XBZRLE_MAX_PAGE_SIZE;

/**
 * The payload of one page record, read whole and checked before it writes its page: a ZERO fill byte, a raw
 * page, an XBZRLE delta (walked with {@link Xbzrle#checkDelta} before it is decoded onto the page) or an LZ4
 * block (which {@link Lz4PageCodec#decompress} leaves unwritten unless it yields exactly one page). The page is
 * stored into the current block's memory, or with a {@link PagePlacer} (userfaultfd MISSING mode) placed from the
 * input buffer or from an off-heap staging page, never stored into. With written bits (a destination that
 * started zero) a ZERO record for a page never written is skipped.
 *
 * <p>Not thread-safe: the {@link PageStreamReader} that owns it reads on one thread.
 */
final class PageApplier
{
    private final ChannelInput in;
    private final int pageSize;
    private final UnsafeBuffer pageView = new UnsafeBuffer(0, 0);
    /** With a placer: one off-heap page that decoders write into before the page is placed from it. */
    private final UnsafeBuffer staging;
    private final Lz4PageCodec lz4;
    /** The current block's memory. */
    private GuestMemory memory;
    /** The memory's placer ({@link GuestMemory#placer()}), or null when pages are stored in place. */
    private PagePlacer placer;
    /** One bit per page of a destination that started zero, else null. */
    private long[] written;

    /** @param placer the single block's placer, or null: pages are then stored in place. */
    PageApplier(final ChannelInput in, final int pageSize, final PagePlacer placer)
    {
        this.in = in;
        this.pageSize = pageSize;
        this.placer = placer;
        this.staging = placer == null ? null : new UnsafeBuffer(ByteBuffer.allocateDirect(pageSize));
        this.lz4 = new Lz4PageCodec(pageSize);
    }

    /** Makes {@code value} the memory the next records write. */
    void memory(final GuestMemory value)
    {
        memory = value;
    }

    /** Sets the written bits of a destination that started zero. */
    void written(final long[] bits)
    {
        written = bits;
    }

    /**
     * Places pages through {@code through} instead of the memory's own placer.
     *
     * @throws IllegalStateException if the memory has no placer.
     */
    void placeThrough(final PagePlacer through)
    {
        if (staging == null)
        {
            throw new IllegalStateException("placeThrough needs memory with a placer: " + memory);
        }
        placer = through;
    }

    void zero(final long start, final long page) throws PageStreamException
    {
        final int fill = in.readUnsignedByte();
        if (fill != 0)
        {
            throw new PageStreamException(start, "ZERO fill byte is 0x" + Integer.toHexString(fill) + ", must be 0");
        }
        if (placer != null)
        {
            // Placed even where the page is known zero: in post-copy a vCPU may be blocked on it.
            placer.placeZero(page);
            return;
        }
        final long[] written = this.written;
        if (written == null || (written[(int)(page >>> 6)] & (1L << page)) != 0)
        {
            memory.wrapPage(page, pageView).setMemory(0, pageSize, (byte)0);
        }
    }

    void raw(final long page) throws PageStreamException
    {
        final int at = in.require(pageSize);
        if (placer != null)
        {
            final DirectBuffer src = in.buffer();
            if (src.byteArray() == null)
            {
                placer.place(page, src.addressOffset() + at);
            }
            else
            {
                staging.putBytes(0, src, at, pageSize);
                placer.place(page, staging.addressOffset());
            }
        }
        else
        {
            memory.wrapPage(page, pageView).putBytes(0, in.buffer(), at, pageSize);
        }
        in.skip(pageSize);
    }

    /**
     * @return where a decoder writes page {@code page}: the page itself, or with a placer the staging page,
     *         holding the page's old bytes when {@code old} (a delta applies to them) and it was placed before.
     */
    private UnsafeBuffer decodeTarget(final long page, final boolean old)
    {
        if (placer == null)
        {
            return memory.wrapPage(page, pageView);
        }
        if (old && placer.isPlaced(page))
        {
            memory.readPage(page, staging, 0); // a placed page is there: the read cannot fault
        }
        else if (old)
        {
            staging.setMemory(0, pageSize, (byte)0);
        }
        return staging;
    }

    /** With a placer, places the page that {@link #decodeTarget} decoded into the staging page. */
    private void placeDecoded(final long page)
    {
        if (placer != null)
        {
            placer.place(page, staging.addressOffset());
        }
    }

    void xbzrle(final long start, final long page) throws PageStreamException
    {
        if (pageSize > XBZRLE_MAX_PAGE_SIZE)
        {
            throw new PageStreamException(start, "XBZRLE record, but XBZRLE is undefined for the page size " +
                pageSize + " (above 16 KiB)");
        }
        final int encoding = in.readUnsignedByte();
        if (encoding != XBZRLE_ENCODING)
        {
            throw new PageStreamException(start, "XBZRLE encoding flag is 0x" + Integer.toHexString(encoding) +
                ", must be 0x01");
        }
        final int length = in.readUnsignedShort();
        if (length == 0 || length > pageSize)
        {
            throw new PageStreamException(start, "XBZRLE length " + length + " must be from 1 to the page size " +
                pageSize);
        }
        final int at = in.require(length);
        final DirectBuffer src = in.buffer();
        final String malformed = Xbzrle.checkDelta(src, at, length, pageSize);
        if (malformed != null)
        {
            throw new PageStreamException(start, "XBZRLE delta does not decode: " + malformed);
        }
        final int end;
        try
        {
            end = Xbzrle.decode(src, at, length, decodeTarget(page, true), 0, pageSize);
        }
        catch (final RuntimeException ex)
        {
            throw new PageStreamException(start, "XBZRLE decoder failed: " + ex, ex);
        }
        if (end < 0)
        {
            throw new PageStreamException(start, "XBZRLE delta does not decode");
        }
        placeDecoded(page);
        in.skip(length);
    }

    void lz4Block(final long start, final long page) throws PageStreamException
    {
        final int length = in.readInt();
        if (length <= 0 || length > pageSize)
        {
            throw new PageStreamException(start, "LZ4 length " + Integer.toUnsignedString(length) +
                " must be from 1 to the page size " + pageSize);
        }
        final int at = in.require(length);
        final boolean ok;
        try
        {
            ok = lz4.decompress(in.buffer(), at, length, decodeTarget(page, false), 0);
        }
        catch (final RuntimeException ex)
        {
            throw new PageStreamException(start, "LZ4 decompressor failed: " + ex, ex);
        }
        if (!ok)
        {
            throw new PageStreamException(start, "LZ4 block of " + length + " bytes is corrupt or does not " +
                "decompress to exactly " + pageSize + " bytes");
        }
        placeDecoded(page);
        in.skip(length);
    }
}
