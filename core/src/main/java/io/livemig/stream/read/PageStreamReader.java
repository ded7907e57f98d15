package io.livemig.stream.read;

import io.livemig.memory.GuestMemory;
import io.livemig.memory.PagePlacer;
import io.livemig.stream.ChannelInput;
import io.livemig.stream.ChannelPartition;
import io.livemig.stream.PageKind;
import io.livemig.stream.PageStreamDescriptor;
import io.livemig.stream.PageStreamDialect;
import io.livemig.stream.PageStreamException;
import io.livemig.stream.PageStreamListener;
import io.livemig.stream.PageStreamStats;
import io.livemig.stream.RamBlocks;

import static io.livemig.stream.PageStreamDescriptor.CONTINUE;
import static io.livemig.stream.PageStreamDescriptor.EOS;
import static io.livemig.stream.PageStreamDescriptor.HEADER_LENGTH;
import static io.livemig.stream.PageStreamDescriptor.LZ4;
import static io.livemig.stream.PageStreamDescriptor.MEM_SIZE;
import static io.livemig.stream.PageStreamDescriptor.PAGE;
import static io.livemig.stream.PageStreamDescriptor.QEMU_MULTIFD_FLUSH;
import static io.livemig.stream.PageStreamDescriptor.XBZRLE;
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
 * page bounds before it is decoded onto the page, and an LZ4 block goes to {@link io.livemig.codec.Lz4PageCodec#decompress},
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
    private final int pageKindFlags;
    private final int pageSize;
    private final int pageShift;
    /** The block of the last page record (0 from the start for a single block, else -1 before the first); its memory and used length. */
    private int block = -1;
    private GuestMemory memory;
    private long blockSize;
    private long multifdFlushes;
    private final MemSizeRecord memSize;
    private final PageApplier applier;
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
        this.pageKindFlags = dialect.pageKindFlags();
        this.pageSize = blocks.pageSize();
        this.pageShift = Integer.numberOfTrailingZeros(pageSize);
        this.memSize = new MemSizeRecord(in, blocks, dialect);
        this.applier = new PageApplier(in, pageSize, single == null ? null : single.placer());
        if (single != null)
        {
            selectBlock(0);
        }
    }

    /** Makes {@code index} the block of the records that follow; allocates a learned block's memory. */
    private void selectBlock(final int index)
    {
        block = index;
        memory = blocks.memory(index);
        blockSize = blocks.usedLength(index);
        applier.memory(memory);
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
        applier.written(written);
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
        applier.written(shared);
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
        applier.placeThrough(through);
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
            memSize.learn(start, total);
        }
        else
        {
            memSize.check(start, total);
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
        dialect.checkPageFlags(start, flags);
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
                throw new PageStreamException(start, "unknown block \"" + MemSizeRecord.escapedName(in, nameLength) + "\" (the " +
                    (blocks.isLearned() ? "stream's MEM_SIZE listed " : "destination has ") + MemSizeRecord.describeBlocks(blocks) + ")");
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
                applier.zero(start, page);
                kind = PageKind.ZERO;
                break;
            case PAGE:
                applier.raw(page);
                kind = PageKind.NORMAL;
                break;
            case XBZRLE:
                applier.xbzrle(start, page);
                kind = PageKind.XBZRLE;
                break;
            case LZ4:
                applier.lz4Block(start, page);
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

}
