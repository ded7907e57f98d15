package io.livemig.stream;

import io.livemig.codec.Lz4PageCodec;
import io.livemig.codec.Xbzrle;
import io.livemig.memory.GuestMemory;
import io.livemig.memory.PagePlacer;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

import static io.livemig.stream.PageStreamDescriptor.CONTINUE;
import static io.livemig.stream.PageStreamDescriptor.EOS;
import static io.livemig.stream.PageStreamDescriptor.HEADER_LENGTH;
import static io.livemig.stream.PageStreamDescriptor.KNOWN_FLAGS;
import static io.livemig.stream.PageStreamDescriptor.LZ4;
import static io.livemig.stream.PageStreamDescriptor.MEM_SIZE;
import static io.livemig.stream.PageStreamDescriptor.PAGE;
import static io.livemig.stream.PageStreamDescriptor.PAGE_KIND_FLAGS;
import static io.livemig.stream.PageStreamDescriptor.XBZRLE;
import static io.livemig.stream.PageStreamDescriptor.XBZRLE_ENCODING;
import static io.livemig.stream.PageStreamDescriptor.XBZRLE_MAX_PAGE_SIZE;
import static io.livemig.stream.PageStreamDescriptor.ZERO;

/**
 * The destination side of the page stream: reads records from a {@link ChannelInput} and applies each page to
 * destination {@link GuestMemory} through {@link GuestMemory#wrapPage} (unmarked writes), with buffers and
 * codecs allocated once.
 *
 * <p>Every byte is untrusted. Each refusal of {@code page-stream.md} ("What a reader must refuse") is a
 * {@link PageStreamException} whose offset is the start of the record at fault and whose reason names the
 * field; no other exception escapes a read (a codec's runtime exception is converted, with the offset). A
 * record is read and checked whole before its page is written, so a record that fails leaves memory as it
 * was: PAGE bytes are buffered whole in the input first, an XBZRLE delta is checked run by run against the
 * page bounds before it is decoded onto the page, and an LZ4 block goes to {@link Lz4PageCodec#decompress},
 * which leaves an off-heap page (destination memory always is) untouched unless the block yields exactly one
 * page. Nothing is written outside the page the record names, and every
 * length is checked before it sizes anything (lengths never allocate: the input buffer holds any payload).
 *
 * <p>A fresh destination ({@link #destinationStartsZero()}) is not written for a ZERO record of a page this
 * reader has not written yet: that page is already zero, and writing it would only first-touch and dirty
 * memory (an idle 1 GiB guest would cost 1 GiB of stores). The reader keeps one bit per page for it, set
 * by every record that writes the page.
 *
 * <p>Memory with a {@link PagePlacer} (registered in userfaultfd MISSING mode, where a plain store into a
 * missing page would block this thread in a fault) is never stored into here: PAGE bytes are placed from the
 * input buffer, XBZRLE and LZ4 decode into an off-heap staging page (holding the old page for a delta, when
 * it was placed before), ZERO is placed as zeros (always: a vCPU may wait for it), each through the placer.
 *
 * <p>Not thread-safe: one thread (the receiver) reads. The destination memory must not be written by others
 * meanwhile; a {@link PageStreamListener} hears of each page after it is written.
 */
public final class PageStreamReader
{
    private final ChannelInput in;
    private final GuestMemory memory;
    private final int pageSize;
    private final int pageShift;
    private final long blockSize;
    private final byte[] blockName;
    private final UnsafeBuffer pageView = new UnsafeBuffer(0, 0);
    /** The memory's placer ({@link GuestMemory#placer()}), or null when pages are stored in place. */
    private PagePlacer placer;
    /** With a placer: one off-heap page that decoders write into before the page is placed from it. */
    private final UnsafeBuffer staging;
    private final Lz4PageCodec lz4;
    private final PageStreamStats stats = new PageStreamStats();
    private PageStreamListener listener;
    /** One bit per page this reader has written; null unless the destination started zero. */
    private long[] written;
    /** With {@link #channel}: the only pages this reader accepts are its channel's; null accepts every page. */
    private ChannelPartition partition;
    private int channel;
    private boolean memSizeRead;
    private boolean haveBlock;
    private boolean lastIterationEnded = true;

    /**
     * @param pageSize the page size of the destination.
     * @return the smallest {@link ChannelInput} buffer a reader of that page size accepts: a whole payload
     * must fit, so that it can be checked before anything is written.
     */
    public static int requiredBufferBytes(final int pageSize)
    {
        return pageSize + HEADER_LENGTH;
    }

    /**
     * @param in     the stream; its buffer must hold {@link #requiredBufferBytes(int)} bytes.
     * @param memory destination memory: a single RAM block whose name, size and page size the stream must
     *               match.
     */
    public PageStreamReader(final ChannelInput in, final GuestMemory memory)
    {
        if (in.capacity() < requiredBufferBytes(memory.pageSize()))
        {
            throw new IllegalArgumentException("a reader of " + memory.pageSize() + "-byte pages needs an input " +
                "buffer of at least " + requiredBufferBytes(memory.pageSize()) + " bytes: " + in.capacity());
        }
        this.in = in;
        this.memory = memory;
        this.pageSize = memory.pageSize();
        this.pageShift = memory.pageShift();
        this.placer = memory.placer();
        this.staging = placer == null ? null : new UnsafeBuffer(ByteBuffer.allocateDirect(pageSize));
        this.blockSize = memory.size();
        this.blockName = memory.blockName().getBytes(StandardCharsets.US_ASCII);
        this.lz4 = new Lz4PageCodec(pageSize);
    }

    /**
     * Declares that the destination memory is all zero now and that nobody else writes a page until this
     * reader has applied it (a migration destination before its vCPUs run; in post-copy the vCPUs wait
     * for each absent page). From here on, a ZERO record for a page this reader has not written leaves
     * memory untouched. Call before the first page record; allocates one bit per page, once.
     *
     * @throws IllegalStateException if called twice.
     */
    public void destinationStartsZero()
    {
        if (written != null)
        {
            throw new IllegalStateException("destinationStartsZero has already been called");
        }
        final long words = (memory.pageCount() + 63) >>> 6;
        if (words > Integer.MAX_VALUE - 8)
        {
            throw new IllegalStateException("guest of " + memory.pageCount() + " pages is too large to track");
        }
        written = new long[(int)words];
    }

    /**
     * As {@link #destinationStartsZero()}, for several readers of one destination (page channels, QEMU's
     * multifd): they share one set of written bits, so that a ZERO record read by one of them for a page
     * another one wrote is applied. Readers running at the same time must write pages of disjoint 64-page
     * groups (a {@link ChannelPartition}'s stripes): the bits are plain longs, and concurrent readers then
     * never write the same word. Whoever runs a reader after another must order it after that reader's
     * writes (a join, a lock).
     *
     * @return the bits, to pass to the next reader's {@link #destinationStartsZero(long[])}.
     * @throws IllegalStateException    if called twice.
     * @throws IllegalArgumentException if {@code shared} does not have one bit per page of this memory.
     */
    public long[] destinationStartsZero(final long[] shared)
    {
        if (written != null)
        {
            throw new IllegalStateException("destinationStartsZero has already been called");
        }
        if (shared.length != (memory.pageCount() + 63) >>> 6)
        {
            throw new IllegalArgumentException("written bits of " + shared.length + " words for " +
                memory.pageCount() + " pages");
        }
        written = shared;
        return shared;
    }

    /**
     * Makes this reader one page channel's: a page record for a page that {@code partition} gives to another
     * channel is refused ({@link PageStreamException}, nothing written), so that a hostile or broken source
     * cannot make two channels' readers write one page, or one word of shared written bits, at the same time.
     * Call before the first page record.
     *
     * @throws IllegalArgumentException if the partition is not of this memory's pages or {@code channel} is not
     *                                  one of its channels.
     */
    public void acceptOnly(final ChannelPartition partition, final int channel)
    {
        if (partition.pageCount() != memory.pageCount() || channel < 0 || channel >= partition.channels())
        {
            throw new IllegalArgumentException("channel " + channel + " of " + partition + " for a guest of " +
                memory.pageCount() + " pages");
        }
        this.partition = partition;
        this.channel = channel;
    }

    /**
     * Places pages through {@code through} instead of the memory's own placer: a decorator that delegates to
     * {@link GuestMemory#placer()} after looking at each page's bytes (the post-copy destination hashes a page
     * before it is placed, as a vCPU may write it the instant it is).
     *
     * @throws IllegalStateException if the memory has no placer.
     */
    public void placeThrough(final PagePlacer through)
    {
        if (staging == null)
        {
            throw new IllegalStateException("placeThrough needs memory with a placer: " + memory);
        }
        placer = through;
    }

    /** @return the written bits set up by {@code destinationStartsZero}, or null. */
    public long[] writtenBits()
    {
        return written;
    }

    /** Sets who is told of each applied page; null for nobody. */
    public void setListener(final PageStreamListener listener)
    {
        this.listener = listener;
    }

    /** @return this reader's counters (see {@link PageStreamStats} for reading them from other threads). */
    public PageStreamStats stats()
    {
        return stats;
    }

    /** @return the destination memory. */
    public GuestMemory memory()
    {
        return memory;
    }

    /**
     * Reads the MEM_SIZE record that starts the stream and checks it against the destination: each block
     * listed must exist here, once, with the same used length, the lengths must add up to the total, and
     * every block here must be listed.
     *
     * @throws PageStreamException  if the record is missing, malformed or disagrees.
     * @throws IllegalStateException if MEM_SIZE was already read.
     */
    public void readMemSize() throws PageStreamException
    {
        if (memSizeRead)
        {
            throw new IllegalStateException("MEM_SIZE has already been read");
        }
        final long start = in.position();
        in.markRecord();
        if (in.atEnd())
        {
            throw new PageStreamException(start, "stream is empty: expected a MEM_SIZE record");
        }
        final long header = in.readLong();
        final int flags = PageStreamDescriptor.flags(header, pageSize);
        if (flags != MEM_SIZE)
        {
            throw new PageStreamException(start, "expected a MEM_SIZE record first, found a record with flags " +
                PageStreamDescriptor.describeFlags(flags));
        }
        final long total = PageStreamDescriptor.offset(header, pageSize);
        long remaining = total;
        boolean listed = false;
        while (remaining > 0)
        {
            final int nameLength = in.readUnsignedByte();
            final String name = nameLength == 0 ? "" : readBlockName(nameLength);
            if (name != null)
            {
                throw new PageStreamException(start, "MEM_SIZE lists " + (nameLength == 0 ? "a block name of length 0" :
                    "unknown block \"" + name + "\"") + ": the destination has only \"" + memory.blockName() + "\"");
            }
            if (listed)
            {
                throw new PageStreamException(start, "MEM_SIZE lists block \"" + memory.blockName() + "\" twice");
            }
            final long used = in.readLong();
            if (used != blockSize)
            {
                throw new PageStreamException(start, "MEM_SIZE says block \"" + memory.blockName() + "\" has " +
                    Long.toUnsignedString(used) + " bytes, the destination has " + blockSize);
            }
            if (used > remaining)
            {
                throw new PageStreamException(start, "MEM_SIZE block lengths add up to more than its total " +
                    Long.toUnsignedString(total));
            }
            remaining -= used;
            listed = true;
        }
        if (!listed)
        {
            throw new PageStreamException(start, "MEM_SIZE lists no block (total " + Long.toUnsignedString(total) +
                " bytes): the " +
                "destination has \"" + memory.blockName() + "\" of " + blockSize + " bytes");
        }
        memSizeRead = true;
        haveBlock = false;
        stats.memSize((int)(in.position() - start));
    }

    /**
     * Applies the records of one iteration, up to and including its EOS.
     *
     * @return page records applied, or -1 if the stream was already at a clean end (not one byte of a record).
     * @throws PageStreamException  if a record is refused, or the stream ends before EOS.
     * @throws IllegalStateException if {@link #readMemSize()} has not been called.
     */
    public long readIteration() throws PageStreamException
    {
        checkMemSizeRead();
        if (in.atEnd())
        {
            return -1;
        }
        return iteration(true);
    }

    /**
     * Reads a whole captured stream: MEM_SIZE, then iterations until the input ends.
     *
     * @param requireEos whether the stream must end right after an EOS record; if not, a stream that ends
     *                   cleanly between two records is accepted (a capture cut short).
     * @throws PageStreamException if a record is refused, or the stream ends without EOS when required.
     */
    public void readToEnd(final boolean requireEos) throws PageStreamException
    {
        if (!memSizeRead)
        {
            readMemSize();
        }
        lastIterationEnded = false;
        while (!in.atEnd())
        {
            iteration(requireEos);
        }
        if (requireEos && !lastIterationEnded)
        {
            throw new PageStreamException(in.position(), "stream ends without EOS");
        }
    }

    private void checkMemSizeRead()
    {
        if (!memSizeRead)
        {
            throw new IllegalStateException("read the MEM_SIZE record first (readMemSize)");
        }
    }

    private long iteration(final boolean requireEos) throws PageStreamException
    {
        long pages = 0;
        lastIterationEnded = false;
        while (true)
        {
            if (in.atEnd())
            {
                if (requireEos)
                {
                    throw new PageStreamException(in.position(), "stream ends without EOS after " + pages +
                        " page records of this iteration");
                }
                return pages;
            }
            final long start = in.position();
            in.markRecord();
            final long header = in.readLong();
            final int flags = PageStreamDescriptor.flags(header, pageSize);
            final long offset = PageStreamDescriptor.offset(header, pageSize);
            if (flags == EOS)
            {
                if (offset != 0)
                {
                    throw new PageStreamException(start, "EOS record carries an offset 0x" + Long.toHexString(offset));
                }
                haveBlock = false;
                lastIterationEnded = true;
                stats.eos(HEADER_LENGTH);
                return pages;
            }
            pageRecord(start, flags, offset);
            pages++;
        }
    }

    private void pageRecord(final long start, final int flags, final long offset) throws PageStreamException
    {
        checkFlags(start, flags);
        if ((flags & CONTINUE) != 0)
        {
            if (!haveBlock)
            {
                throw new PageStreamException(start, "CONTINUE with no previous block (the first page record " +
                    "after MEM_SIZE or EOS must name its block)");
            }
        }
        else
        {
            final int nameLength = in.readUnsignedByte();
            if (nameLength == 0)
            {
                throw new PageStreamException(start, "block name of length 0");
            }
            final String unknown = readBlockName(nameLength);
            if (unknown != null)
            {
                throw new PageStreamException(start, "unknown block \"" + unknown + "\" (the destination has \"" +
                    memory.blockName() + "\")");
            }
            haveBlock = true;
        }
        if (Long.compareUnsigned(offset, blockSize) >= 0)
        {
            throw new PageStreamException(start, "offset 0x" + Long.toHexString(offset) + " is outside block \"" +
                memory.blockName() + "\" of " + blockSize + " bytes");
        }
        final long page = offset >>> pageShift;
        final ChannelPartition partition = this.partition;
        if (partition != null && partition.owner(page) != channel)
        {
            throw new PageStreamException(start, "page " + page + " belongs to page channel " + partition.owner(page) +
                ", not to this one (" + channel + " of " + partition.channels() + ")");
        }
        final long[] written = this.written;
        if (written != null && (flags & ZERO) == 0)
        {
            // Marked before the write: a record refused below leaves the page as it was, and a later ZERO for
            // it then writes zeros it did not need to, which is harmless.
            written[(int)(page >>> 6)] |= 1L << page;
        }
        final PageKind kind;
        switch (flags & PAGE_KIND_FLAGS)
        {
            case ZERO:
                applyZero(start, page);
                kind = PageKind.ZERO;
                break;
            case PAGE:
                applyRaw(page);
                kind = PageKind.NORMAL;
                break;
            case XBZRLE:
                applyXbzrle(start, page);
                kind = PageKind.XBZRLE;
                break;
            case LZ4:
                applyLz4(start, page);
                kind = PageKind.LZ4;
                break;
            default:
                throw new IllegalStateException("unreachable: checkFlags admits one page kind");
        }
        final int wireBytes = (int)(in.position() - start);
        stats.page(kind, wireBytes);
        final PageStreamListener listener = this.listener;
        if (listener != null)
        {
            listener.onPage(page, kind, wireBytes, start);
        }
    }

    private void checkFlags(final long start, final int flags) throws PageStreamException
    {
        if ((flags & ~KNOWN_FLAGS) != 0)
        {
            throw new PageStreamException(start, "undefined flags " +
                PageStreamDescriptor.describeFlags(flags & ~KNOWN_FLAGS) + " in header flags " +
                PageStreamDescriptor.describeFlags(flags));
        }
        if ((flags & (MEM_SIZE | EOS)) != 0)
        {
            throw new PageStreamException(start, (flags == MEM_SIZE ? "a second MEM_SIZE record" :
                "contradictory flags " + PageStreamDescriptor.describeFlags(flags) +
                " (MEM_SIZE and EOS carry no other flag)"));
        }
        if (Integer.bitCount(flags & PAGE_KIND_FLAGS) != 1)
        {
            throw new PageStreamException(start, "contradictory flags " + PageStreamDescriptor.describeFlags(flags) +
                " (a page record has exactly one of ZERO, PAGE, XBZRLE, LZ4)");
        }
    }

    /** @return null if the next {@code length} bytes name our block (consumed), else the name read, escaped. */
    private String readBlockName(final int length) throws PageStreamException
    {
        final int at = in.require(length);
        final DirectBuffer buffer = in.buffer();
        boolean same = length == blockName.length;
        for (int i = 0; same && i < length; i++)
        {
            same = buffer.getByte(at + i) == blockName[i];
        }
        if (same)
        {
            in.skip(length);
            return null;
        }
        final StringBuilder sb = new StringBuilder(length);
        for (int i = 0; i < length; i++)
        {
            final int b = buffer.getByte(at + i) & 0xFF;
            if (b > 0x20 && b < 0x7f && b != '"' && b != '\\')
            {
                sb.append((char)b);
            }
            else
            {
                sb.append(String.format("\\x%02x", b));
            }
        }
        return sb.toString();
    }

    private void applyZero(final long start, final long page) throws PageStreamException
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

    private void applyRaw(final long page) throws PageStreamException
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

    private void applyXbzrle(final long start, final long page) throws PageStreamException
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
        final String malformed = checkXbzrleDelta(src, at, length, pageSize);
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

    /**
     * Walks an XBZRLE delta as the decoder would, without writing, so that a malformed delta is refused
     * before it touches the page (the decoder alone would have applied its first runs).
     *
     * @return null if it decodes within a page of {@code pageSize} bytes, else what is wrong.
     */
    static String checkXbzrleDelta(final DirectBuffer src, final int offset, final int length, final int pageSize)
    {
        int i = 0;
        int position = 0;
        while (i < length)
        {
            if (length - i < 2)
            {
                return "fewer than 2 bytes left for a zero-run length at delta byte " + i;
            }
            final int zrun = uleb128(src, offset + i);
            if (zrun < 0)
            {
                return "invalid zero-run length at delta byte " + i;
            }
            if (zrun == 0 && i > 0)
            {
                return "zero-run length 0 after the first pair at delta byte " + i;
            }
            i += uleb128Size(src, offset + i);
            position += zrun;
            if (position > pageSize)
            {
                return "zero run passes the page end (position " + position + ")";
            }
            if (length - i < 2)
            {
                return "fewer than 2 bytes left for a changed-run length at delta byte " + i;
            }
            final int nzrun = uleb128(src, offset + i);
            if (nzrun <= 0)
            {
                return (nzrun == 0 ? "changed-run length 0" : "invalid changed-run length") + " at delta byte " + i;
            }
            i += uleb128Size(src, offset + i);
            if (nzrun > pageSize - position || nzrun > length - i)
            {
                return "changed run of " + nzrun + " bytes at page position " + position + " passes the " +
                    (nzrun > pageSize - position ? "page end" : "delta end");
            }
            i += nzrun;
            position += nzrun;
        }
        return null;
    }

    /** @return the two-byte-limited ULEB128 value at {@code index}, or -1 if invalid. */
    private static int uleb128(final DirectBuffer src, final int index)
    {
        final int b0 = src.getByte(index) & 0xFF;
        if (b0 < 0x80)
        {
            return b0;
        }
        final int b1 = src.getByte(index + 1) & 0xFF;
        return (b1 & 0x80) != 0 ? -1 : (b0 & 0x7F) | (b1 << 7);
    }

    private static int uleb128Size(final DirectBuffer src, final int index)
    {
        return (src.getByte(index) & 0x80) == 0 ? 1 : 2;
    }

    private void applyLz4(final long start, final long page) throws PageStreamException
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
