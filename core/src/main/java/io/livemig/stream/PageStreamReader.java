package io.livemig.stream;

import io.livemig.codec.Lz4PageCodec;
import io.livemig.codec.Xbzrle;
import io.livemig.memory.GuestMemory;
import io.livemig.memory.PagePlacer;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteBuffer;

import static io.livemig.stream.PageStreamDescriptor.CONTINUE;
import static io.livemig.stream.PageStreamDescriptor.EOS;
import static io.livemig.stream.PageStreamDescriptor.HEADER_LENGTH;
import static io.livemig.stream.PageStreamDescriptor.LZ4;
import static io.livemig.stream.PageStreamDescriptor.MEM_SIZE;
import static io.livemig.stream.PageStreamDescriptor.PAGE;
import static io.livemig.stream.PageStreamDescriptor.QEMU_COMPRESS_PAGE;
import static io.livemig.stream.PageStreamDescriptor.QEMU_MULTIFD_FLUSH;
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
 * <p>Blocks: a reader made with one {@link GuestMemory} knows that one block, as a livemig destination does.
 * A reader made with a {@link RamBlocks} table knows several by name, fixed or learned from MEM_SIZE (an
 * analyzer of a QEMU stream); {@link #block()} says which one the last record wrote. The written bits, page
 * channels and placers above are for single-block readers only. The {@link PageStreamDialect} says which
 * records are accepted: livemig's own, or those of a QEMU stream's RAM section (which a reader of QEMU's
 * envelope, {@code io.livemig.qemu}, feeds to this same reader section by section).
 *
 * <p>Not thread-safe: one thread (the receiver) reads. The destination memory must not be written by others
 * meanwhile; a {@link PageStreamListener} hears of each page after it is written.
 */
public final class PageStreamReader
{
    private final ChannelInput in;
    /** The memory of a single-block reader; null for a reader of a table. */
    private final GuestMemory single;
    private final RamBlocks blocks;
    private final PageStreamDialect dialect;
    private final int knownFlags;
    private final int pageKindFlags;
    private final int pageSize;
    private final int pageShift;
    /** The block of the last page record (0 from the start for a single block, else -1 before the first); its memory and used length. */
    private int block = -1;
    private GuestMemory memory;
    private long blockSize;
    private long multifdFlushes;
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
        this(in, memory, RamBlocks.of(memory), PageStreamDialect.LIVEMIG);
    }

    /**
     * A reader of several named blocks, in either dialect.
     *
     * @param in      the stream; its buffer must hold {@link #requiredBufferBytes(int)} bytes of the blocks'
     *                page size.
     * @param blocks  the destination's blocks, fixed, or learned from the stream's MEM_SIZE; the reader does
     *                not close them.
     * @param dialect livemig's records or QEMU's.
     */
    public PageStreamReader(final ChannelInput in, final RamBlocks blocks, final PageStreamDialect dialect)
    {
        this(in, null, blocks, dialect);
    }

    private PageStreamReader(
        final ChannelInput in, final GuestMemory single, final RamBlocks blocks, final PageStreamDialect dialect)
    {
        if (in.capacity() < requiredBufferBytes(blocks.pageSize()))
        {
            throw new IllegalArgumentException("a reader of " + blocks.pageSize() + "-byte pages needs an input " +
                "buffer of at least " + requiredBufferBytes(blocks.pageSize()) + " bytes: " + in.capacity());
        }
        this.in = in;
        this.single = single;
        this.blocks = blocks;
        this.dialect = dialect;
        this.knownFlags = dialect.knownFlags();
        this.pageKindFlags = dialect.pageKindFlags();
        this.pageSize = blocks.pageSize();
        this.pageShift = Integer.numberOfTrailingZeros(pageSize);
        this.placer = single == null ? null : single.placer();
        this.staging = placer == null ? null : new UnsafeBuffer(ByteBuffer.allocateDirect(pageSize));
        if (single != null)
        {
            selectBlock(0);
        }
        this.lz4 = new Lz4PageCodec(pageSize);
    }

    /** Makes {@code index} the block of the records that follow; allocates a learned block's memory. */
    private void selectBlock(final int index)
    {
        block = index;
        memory = blocks.memory(index);
        blockSize = blocks.usedLength(index);
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
        singleBlockOnly("destinationStartsZero");
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
        singleBlockOnly("destinationStartsZero");
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
        singleBlockOnly("acceptOnly");
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

    private void singleBlockOnly(final String what)
    {
        if (single == null)
        {
            throw new IllegalStateException(what + " is for a reader of a single block, not of " + blocks);
        }
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

    /** @return the destination memory of a single-block reader; null for a reader of a {@link RamBlocks} table. */
    public GuestMemory memory()
    {
        return single;
    }

    /** @return the destination's blocks (a single-block reader's table holds its one memory). */
    public RamBlocks blocks()
    {
        return blocks;
    }

    /** @return the dialect read. */
    public PageStreamDialect dialect()
    {
        return dialect;
    }

    /**
     * @return the index in {@link #blocks()} of the block of the last page record (a listener asks during
     *         {@link PageStreamListener#onPage}): always 0 for a single-block reader; for a reader of a table, -1
     *         before the first.
     */
    public int block()
    {
        return block;
    }

    /** @return MULTIFD_FLUSH records read (QEMU dialect). */
    public long multifdFlushes()
    {
        return multifdFlushes;
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
        if (blocks.isLearned())
        {
            learnBlocks(start, total);
        }
        else
        {
            checkBlocks(start, total);
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

    /** MEM_SIZE against a fixed table: each block listed once, with its size, and every block listed. */
    private void checkBlocks(final long start, final long total) throws PageStreamException
    {
        long remaining = total;
        final boolean[] listed = new boolean[blocks.count()];
        int listedCount = 0;
        while (remaining > 0)
        {
            final int nameLength = in.readUnsignedByte();
            final int index = nameLength == 0 ? -1 : blocks.find(in.buffer(), in.require(nameLength), nameLength, 0);
            if (index < 0)
            {
                throw new PageStreamException(start, "MEM_SIZE lists " + (nameLength == 0 ?
                    "a block name of length 0" : "unknown block \"" + escapedName(nameLength) + "\"") +
                    ": the destination has " + (blocks.count() == 1 ? "only " : "") + describeBlocks());
            }
            in.skip(nameLength);
            final String name = blocks.name(index);
            if (listed[index])
            {
                throw new PageStreamException(start, "MEM_SIZE lists block \"" + name + "\" twice");
            }
            final long used = in.readLong();
            if (used != blocks.usedLength(index))
            {
                throw new PageStreamException(start, "MEM_SIZE says block \"" + name + "\" has " +
                    Long.toUnsignedString(used) + " bytes, the destination has " + blocks.usedLength(index));
            }
            if (used > remaining)
            {
                throw new PageStreamException(start, "MEM_SIZE block lengths add up to more than its total " +
                    Long.toUnsignedString(total));
            }
            skipBlockAddress();
            remaining -= used;
            listed[index] = true;
            listedCount++;
        }
        if (listedCount == 0)
        {
            throw new PageStreamException(start, "MEM_SIZE lists no block (total " + Long.toUnsignedString(total) +
                " bytes): the destination has " + (blocks.count() == 1 ? describeBlocks() + " of " +
                blocks.usedLength(0) + " bytes" : blocks.count() + " blocks of " + blocks.totalBytes() + " bytes"));
        }
        for (int i = 0; i < listed.length; i++)
        {
            if (!listed[i])
            {
                throw new PageStreamException(start, "MEM_SIZE does not list block \"" + blocks.name(i) +
                    "\" of the destination");
            }
        }
    }

    /**
     * MEM_SIZE into a learned table: the total within the table's limit (checked before any block is read),
     * each name printable ASCII without spaces and new, each length a positive multiple of the page size, and
     * the lengths adding up to the total.
     */
    private void learnBlocks(final long start, final long total) throws PageStreamException
    {
        if (Long.compareUnsigned(total, blocks.maxTotalBytes()) > 0)
        {
            throw new PageStreamException(start, "MEM_SIZE declares " + Long.toUnsignedString(total) +
                " bytes of RAM, above this reader's limit of " + blocks.maxTotalBytes() + " bytes");
        }
        long remaining = total;
        while (remaining > 0)
        {
            if (blocks.count() == RamBlocks.MAX_BLOCKS)
            {
                throw new PageStreamException(start, "MEM_SIZE lists more than " + RamBlocks.MAX_BLOCKS + " blocks");
            }
            final int nameLength = in.readUnsignedByte();
            if (nameLength == 0)
            {
                throw new PageStreamException(start, "MEM_SIZE lists a block name of length 0");
            }
            final int at = in.require(nameLength);
            final String name = escapedName(nameLength);
            if (!isPlainName(in.buffer(), at, nameLength))
            {
                throw new PageStreamException(start, "MEM_SIZE lists block \"" + name + "\", whose name is not " +
                    "printable ASCII without spaces");
            }
            if (blocks.find(in.buffer(), at, nameLength, -1) >= 0)
            {
                throw new PageStreamException(start, "MEM_SIZE lists block \"" + name + "\" twice");
            }
            in.skip(nameLength);
            final long used = in.readLong();
            if (used <= 0 || (used & (pageSize - 1)) != 0)
            {
                throw new PageStreamException(start, "MEM_SIZE says block \"" + name + "\" has " +
                    Long.toUnsignedString(used) + " bytes, not a positive multiple of the page size " + pageSize);
            }
            if (used > remaining)
            {
                throw new PageStreamException(start, "MEM_SIZE block lengths add up to more than its total " +
                    Long.toUnsignedString(total));
            }
            skipBlockAddress();
            blocks.learn(name, used);
            remaining -= used;
        }
        if (blocks.count() == 0)
        {
            throw new PageStreamException(start, "MEM_SIZE lists no block (total 0 bytes)");
        }
    }

    /** In a dialect with block addresses, reads the {@code be64} address after a MEM_SIZE block. */
    private void skipBlockAddress() throws PageStreamException
    {
        if (dialect.blockAddresses())
        {
            in.readLong();
        }
    }

    private static boolean isPlainName(final DirectBuffer buffer, final int at, final int length)
    {
        for (int i = 0; i < length; i++)
        {
            final int b = buffer.getByte(at + i) & 0xFF;
            if (b <= 0x20 || b >= 0x7f)
            {
                return false;
            }
        }
        return true;
    }

    /** @return the blocks' names for a message: {@code "pc.ram"}, or {@code blocks "a", "b", ...} (8 at most). */
    private String describeBlocks()
    {
        if (blocks.count() == 1)
        {
            return "\"" + blocks.name(0) + "\"";
        }
        final StringBuilder sb = new StringBuilder("blocks ");
        for (int i = 0; i < blocks.count(); i++)
        {
            if (i == 8)
            {
                return sb.append(", ... (").append(blocks.count()).append(" in all)").toString();
            }
            sb.append(i == 0 ? "\"" : ", \"").append(blocks.name(i)).append('"');
        }
        return sb.toString();
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
                // QEMU's destination keeps the last block across sections, and its source sends CONTINUE on
                // the first record of a section; a livemig iteration names its first block.
                haveBlock = haveBlock && dialect.isQemu();
                lastIterationEnded = true;
                stats.eos(HEADER_LENGTH);
                return pages;
            }
            if (flags == QEMU_MULTIFD_FLUSH && dialect.isQemu())
            {
                if (offset != 0)
                {
                    throw new PageStreamException(start, "MULTIFD_FLUSH record carries an offset 0x" +
                        Long.toHexString(offset));
                }
                multifdFlushes++;
                stats.other(HEADER_LENGTH);
                continue;
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
                    (dialect.isQemu() ? "after MEM_SIZE" : "after MEM_SIZE or EOS") + " must name its block)");
            }
        }
        else
        {
            final int nameLength = in.readUnsignedByte();
            if (nameLength == 0)
            {
                throw new PageStreamException(start, "block name of length 0");
            }
            final int index = blocks.find(in.buffer(), in.require(nameLength), nameLength, block);
            if (index < 0)
            {
                throw new PageStreamException(start, "unknown block \"" + escapedName(nameLength) + "\" (the " +
                    (blocks.isLearned() ? "stream's MEM_SIZE listed " : "destination has ") + describeBlocks() + ")");
            }
            if (index != block)
            {
                select(start, index);
            }
            in.skip(nameLength);
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
        switch (flags & pageKindFlags)
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
        if ((flags & ~knownFlags) != 0)
        {
            throw new PageStreamException(start, "undefined flags " +
                PageStreamDescriptor.describeFlags(flags & ~knownFlags) + " in header flags " +
                PageStreamDescriptor.describeFlags(flags) + (!dialect.isQemu() ? "" : (flags & LZ4) != 0 ?
                " (LZ4 is livemig's own record, not QEMU's)" : (flags & QEMU_COMPRESS_PAGE) != 0 ?
                " (QEMU's compress capability is not supported)" : ""));
        }
        final int alone = dialect.isQemu() ? MEM_SIZE | EOS | QEMU_MULTIFD_FLUSH : MEM_SIZE | EOS;
        if ((flags & alone) != 0)
        {
            throw new PageStreamException(start, (flags == MEM_SIZE ? "a second MEM_SIZE record" :
                "contradictory flags " + PageStreamDescriptor.describeFlags(flags) +
                (dialect.isQemu() ? " (MEM_SIZE, EOS and MULTIFD_FLUSH carry no other flag)" :
                " (MEM_SIZE and EOS carry no other flag)")));
        }
        if (Integer.bitCount(flags & pageKindFlags) != 1)
        {
            throw new PageStreamException(start, "contradictory flags " + PageStreamDescriptor.describeFlags(flags) +
                (dialect.isQemu() ? " (a page record has exactly one of ZERO, PAGE, XBZRLE)" :
                " (a page record has exactly one of ZERO, PAGE, XBZRLE, LZ4)"));
        }
    }

    /** Makes {@code index} the current block, refusing the record at {@code start} if its memory cannot be had. */
    private void select(final long start, final int index) throws PageStreamException
    {
        try
        {
            selectBlock(index);
        }
        catch (final OutOfMemoryError ex)
        {
            throw new PageStreamException(start, "cannot allocate block \"" + blocks.name(index) + "\" of " +
                blocks.usedLength(index) + " bytes: " + ex.getMessage());
        }
    }

    /** @return the next {@code length} bytes (buffered, not consumed) as a name for a message, escaped. */
    private String escapedName(final int length) throws PageStreamException
    {
        final int at = in.require(length);
        final DirectBuffer buffer = in.buffer();
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
