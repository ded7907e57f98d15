package io.livemig.stream.read;

import io.livemig.stream.ChannelInput;
import io.livemig.stream.PageStreamDialect;
import io.livemig.stream.PageStreamException;
import io.livemig.stream.RamBlocks;
import org.agrona.DirectBuffer;

/**
 * The body of a MEM_SIZE record, read from a {@link ChannelInput} against a {@link RamBlocks} table: {@link
 * #check} holds a fixed table to it (each block listed once, with its size, and every block listed), {@link
 * #learn} fills a learned table from it (the total within the table's limit before any block is read). Every
 * refusal is one {@link PageStreamException} at the record's start, naming the block and the field.
 *
 * <p>Not thread-safe: the {@link PageStreamReader} that owns it reads on one thread.
 */
final class MemSizeRecord
{
    private final ChannelInput in;
    private final RamBlocks blocks;
    private final PageStreamDialect dialect;
    private final int pageSize;

    MemSizeRecord(final ChannelInput in, final RamBlocks blocks, final PageStreamDialect dialect)
    {
        this.in = in;
        this.blocks = blocks;
        this.dialect = dialect;
        this.pageSize = blocks.pageSize();
    }

    /** MEM_SIZE against a fixed table: each block listed once, with its size, and every block listed. */
    void check(final long start, final long total) throws PageStreamException
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
                    "a block name of length 0" : "unknown block \"" + escapedName(in, nameLength) + "\"") +
                    ": the destination has " + (blocks.count() == 1 ? "only " : "") + describeBlocks(blocks));
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
                " bytes): the destination has " + (blocks.count() == 1 ? describeBlocks(blocks) + " of " +
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
    void learn(final long start, final long total) throws PageStreamException
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
            final String name = escapedName(in, nameLength);
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
    static String describeBlocks(final RamBlocks blocks)
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

    /** @return the next {@code length} bytes (buffered, not consumed) as a name for a message, escaped. */
    static String escapedName(final ChannelInput in, final int length) throws PageStreamException
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
}
