package io.livemig.stream;

import io.livemig.dirty.DirtyMarker;
import io.livemig.memory.GuestMemory;
import org.agrona.DirectBuffer;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The destination's RAM blocks by name, as a {@link io.livemig.stream.read.PageStreamReader} looks a record's block up. Two kinds:
 * <ul>
 *   <li>{@linkplain #of fixed}: the blocks a destination has (a livemig guest is one block, {@code pc.ram});
 *       the stream's MEM_SIZE record must list exactly these, with their sizes;</li>
 *   <li>{@linkplain #learned learned}: no blocks until the stream's MEM_SIZE lists them (an analyzer of a QEMU
 *       stream, whose PC guest has about nine: {@code pc.ram}, {@code 0000:00:02.0/vga.vram}, {@code pc.bios},
 *       ...). The reader refuses a MEM_SIZE whose total exceeds the table's limit, before it reads a block, so
 *       that no length from the stream sizes an allocation unchecked; each block's memory (zeroed, off-heap) is
 *       allocated when the first page record names it, so a block the stream never writes costs nothing.
 *       At most {@value #MAX_BLOCKS} blocks.</li>
 * </ul>
 * A learned table owns the memory it allocated and frees it in {@link #close()}; a fixed table leaves its
 * memories to their owner.
 *
 * <p>Not thread-safe: one reader fills and reads it; read it from other threads only after that reader is done
 * (a join).
 */
public final class RamBlocks implements AutoCloseable
{
    /** Most blocks a learned table accepts. */
    public static final int MAX_BLOCKS = 1024;

    private final boolean learned;
    private final int pageSize;
    private final long maxTotalBytes;
    private byte[][] names;
    private String[] nameText;
    private long[] used;
    private GuestMemory[] memories;
    private int count;
    private boolean closed;

    private RamBlocks(final boolean learned, final int pageSize, final long maxTotalBytes, final int capacity)
    {
        this.learned = learned;
        this.pageSize = pageSize;
        this.maxTotalBytes = maxTotalBytes;
        this.names = new byte[capacity][];
        this.nameText = new String[capacity];
        this.used = new long[capacity];
        this.memories = new GuestMemory[capacity];
    }

    /**
     * @param memories the destination's blocks, each with its own name, all of one page size; with more than
     *                 one, none may have a {@link GuestMemory#placer()}.
     * @return a fixed table of them.
     * @throws IllegalArgumentException if there is none, two share a name or the page size, or a placer is
     *                                  among several blocks.
     */
    public static RamBlocks of(final GuestMemory... memories)
    {
        if (memories.length == 0 || memories.length > MAX_BLOCKS)
        {
            throw new IllegalArgumentException("a table needs 1 to " + MAX_BLOCKS + " blocks: " + memories.length);
        }
        final RamBlocks blocks = new RamBlocks(false, memories[0].pageSize(), Long.MAX_VALUE, memories.length);
        for (final GuestMemory memory : memories)
        {
            if (memory.pageSize() != blocks.pageSize)
            {
                throw new IllegalArgumentException("blocks of different page sizes: " + memory + " and " + memories[0]);
            }
            if (memories.length > 1 && memory.placer() != null)
            {
                throw new IllegalArgumentException("a block with a placer must be the only one: " + memory);
            }
            if (blocks.indexOf(memory.blockName()) >= 0)
            {
                throw new IllegalArgumentException("two blocks named " + memory.blockName());
            }
            blocks.put(memory.blockName(), memory.size(), memory);
        }
        return blocks;
    }

    /**
     * @param pageSize      the page size agreed out of band (QEMU's target page size: 4 KiB on x86).
     * @param maxTotalBytes the most RAM, summed over blocks, that MEM_SIZE may declare.
     * @return an empty table that the stream's MEM_SIZE record fills.
     */
    public static RamBlocks learned(final int pageSize, final long maxTotalBytes)
    {
        if (pageSize < GuestMemory.MIN_PAGE_SIZE || pageSize > GuestMemory.MAX_PAGE_SIZE ||
            Integer.bitCount(pageSize) != 1)
        {
            throw new IllegalArgumentException("page size must be a power of two from 4 KiB to 2 MiB: " + pageSize);
        }
        if (maxTotalBytes < pageSize)
        {
            throw new IllegalArgumentException("limit of " + maxTotalBytes + " bytes is below one page");
        }
        return new RamBlocks(true, pageSize, maxTotalBytes, 16);
    }

    /** @return whether the blocks come from the stream's MEM_SIZE. */
    public boolean isLearned()
    {
        return learned;
    }

    /** @return the page size of every block. */
    public int pageSize()
    {
        return pageSize;
    }

    /** @return the most RAM a MEM_SIZE may declare: unlimited ({@link Long#MAX_VALUE}) for a fixed table. */
    public long maxTotalBytes()
    {
        return maxTotalBytes;
    }

    /** @return the number of blocks (for a learned table, 0 until MEM_SIZE was read). */
    public int count()
    {
        return count;
    }

    /** @return block {@code block}'s name. */
    public String name(final int block)
    {
        return nameText[check(block)];
    }

    /** @return block {@code block}'s used length in bytes. */
    public long usedLength(final int block)
    {
        return used[check(block)];
    }

    /** @return the sum of the blocks' used lengths. */
    public long totalBytes()
    {
        long total = 0;
        for (int i = 0; i < count; i++)
        {
            total += used[i];
        }
        return total;
    }

    /** @return whether block {@code block} has memory: always for a fixed table, once written for a learned one. */
    public boolean isAllocated(final int block)
    {
        return memories[check(block)] != null;
    }

    /**
     * @return block {@code block}'s memory; in a learned table allocated (zeroed) at the first call.
     * @throws OutOfMemoryError if a learned block's memory cannot be allocated.
     */
    public GuestMemory memory(final int block)
    {
        GuestMemory memory = memories[check(block)];
        if (memory == null)
        {
            if (closed)
            {
                throw new IllegalStateException("the table is closed");
            }
            memory = new GuestMemory(nameText[block], used[block], pageSize, GuestMemory.MAX_REGION_SIZE,
                DirtyMarker.NONE);
            memories[block] = memory;
        }
        return memory;
    }

    /** @return the index of the block named {@code name}, or -1. */
    public int indexOf(final String name)
    {
        for (int i = 0; i < count; i++)
        {
            if (nameText[i].equals(name))
            {
                return i;
            }
        }
        return -1;
    }

    /**
     * Looks up the block whose name is the {@code length} bytes at {@code at} of {@code buffer}, trying {@code
     * hint} first (the block of the previous record); allocates nothing.
     *
     * @return its index, or -1.
     */
    public int find(final DirectBuffer buffer, final int at, final int length, final int hint)
    {
        if (hint >= 0 && hint < count && matches(names[hint], buffer, at, length))
        {
            return hint;
        }
        for (int i = 0; i < count; i++)
        {
            if (i != hint && matches(names[i], buffer, at, length))
            {
                return i;
            }
        }
        return -1;
    }

    private static boolean matches(final byte[] name, final DirectBuffer buffer, final int at, final int length)
    {
        if (name.length != length)
        {
            return false;
        }
        for (int i = 0; i < length; i++)
        {
            if (buffer.getByte(at + i) != name[i])
            {
                return false;
            }
        }
        return true;
    }

    /**
     * Adds a block that MEM_SIZE listed to a learned table; the reader has checked the name (printable ASCII
     * without spaces, 1 to 255 bytes, new), the length (a positive multiple of the page size) and the total.
     */
    public void learn(final String name, final long usedLength)
    {
        if (!learned)
        {
            throw new IllegalStateException("a fixed table learns nothing");
        }
        if (count == MAX_BLOCKS)
        {
            throw new IllegalStateException("more than " + MAX_BLOCKS + " blocks");
        }
        put(name, usedLength, null);
    }

    private void put(final String name, final long usedLength, final GuestMemory memory)
    {
        if (count == names.length)
        {
            final int capacity = Math.min(MAX_BLOCKS, count * 2);
            names = Arrays.copyOf(names, capacity);
            nameText = Arrays.copyOf(nameText, capacity);
            used = Arrays.copyOf(used, capacity);
            memories = Arrays.copyOf(memories, capacity);
        }
        names[count] = name.getBytes(StandardCharsets.US_ASCII);
        nameText[count] = name;
        used[count] = usedLength;
        memories[count] = memory;
        count++;
    }

    private int check(final int block)
    {
        if (block < 0 || block >= count)
        {
            throw new IndexOutOfBoundsException("block " + block + " of " + count);
        }
        return block;
    }

    /** Frees the memory a learned table allocated; a fixed table's memories are left to their owner. */
    @Override
    public void close()
    {
        if (!learned)
        {
            return;
        }
        closed = true;
        for (int i = 0; i < count; i++)
        {
            if (memories[i] != null)
            {
                memories[i].close();
                memories[i] = null;
            }
        }
    }

    @Override
    public String toString()
    {
        final StringBuilder sb = new StringBuilder(learned ? "RamBlocks[learned" : "RamBlocks[fixed");
        for (int i = 0; i < count; i++)
        {
            sb.append(i == 0 ? ": " : ", ").append(nameText[i]).append('=').append(used[i]);
        }
        return sb.append(']').toString();
    }
}
