package io.livemig.qemu.stream;

import io.livemig.stream.PageKind;
import io.livemig.stream.RamBlocks;

import java.util.Arrays;

/**
 * Keeps, for every page a stream has written, the version the destination held before each record: as a
 * {@link QemuStreamListener} of the reader that applies the stream to {@code blocks}, it hands each page record
 * to a {@link Visitor} with the page before the record (zeros if the stream had not written it) and after it,
 * then remembers the new version. This is what the destination had and what QEMU sent next: XBZRLE deltas
 * can be checked against it ({@link XbzrleReplay}) and pairs of real page versions collected.
 *
 * <p>Keeps a heap copy of each block it sees written (a few hundred MiB for a guest of that size; blocks of at
 * most 1 GiB). Not thread-safe: the reader's thread calls it.
 */
public final class PageHistory implements QemuStreamListener
{
    /** Told of each page record, with the versions before and after it. */
    @FunctionalInterface
    public interface Visitor
    {
        /**
         * @param block     the block's index in the table.
         * @param page      the page number in the block.
         * @param kind      how it came.
         * @param before    the page before the record (valid during the call only).
         * @param after     the page after the record (valid during the call only).
         * @param offset    the record's stream offset.
         * @param wireBytes the record's length.
         */
        void onPage(int block, long page, PageKind kind, byte[] before, byte[] after, long offset, int wireBytes);
    }

    private final RamBlocks blocks;
    private final Visitor visitor;
    private final int pageSize;
    private byte[][] copies = new byte[0][];
    private final byte[] before;
    private final byte[] after;

    /**
     * @param blocks  the table the reader writes.
     * @param visitor told of each page record.
     */
    public PageHistory(final RamBlocks blocks, final Visitor visitor)
    {
        this.blocks = blocks;
        this.visitor = visitor;
        this.pageSize = blocks.pageSize();
        this.before = new byte[pageSize];
        this.after = new byte[pageSize];
    }

    @Override
    public void onPage(final int block, final long page, final PageKind kind, final int wireBytes, final long offset)
    {
        final byte[] copy = copy(block);
        final int at = (int)(page * pageSize);
        System.arraycopy(copy, at, before, 0, pageSize);
        blocks.memory(block).getBytes(page * pageSize, after, 0, pageSize);
        visitor.onPage(block, page, kind, before, after, offset, wireBytes);
        System.arraycopy(after, 0, copy, at, pageSize);
    }

    private byte[] copy(final int block)
    {
        if (block >= copies.length)
        {
            copies = Arrays.copyOf(copies, block + 1);
        }
        if (copies[block] == null)
        {
            final long used = blocks.usedLength(block);
            if (used > 1L << 30)
            {
                throw new IllegalStateException("block " + blocks.name(block) + " of " + used + " bytes: a page " +
                    "history keeps blocks of at most 1 GiB");
            }
            copies[block] = new byte[(int)used];
        }
        return copies[block];
    }
}
