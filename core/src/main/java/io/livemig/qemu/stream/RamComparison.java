package io.livemig.qemu.stream;

import io.livemig.memory.GuestMemory;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * A RAM block compared with a memory dump page by page: the lost-write check. Byte {@code i} of the dump is
 * taken to be byte {@code i} of the block, as in a physical dump of {@code pc.ram} from address 0 ({@code
 * pmemsave 0 SIZE FILE}) of a PC guest below 3 GiB; pages that overlap an ignored range (on the PC machine
 * 0xA0000-0xFFFFF, which reads as VGA and BIOS in a physical dump) are left out.
 *
 * <p>Immutable result; {@link #compare} is thread-safe if nobody writes the block meanwhile.
 *
 * @param pages     pages of the block.
 * @param ignored   pages left out.
 * @param differing the pages that differ, in increasing order.
 */
public record RamComparison(long pages, long ignored, List<Long> differing)
{
    /** An inclusive range of byte addresses in the block to leave out of the comparison. */
    public record Range(long first, long last)
    {
        /** @throws IllegalArgumentException if {@code last < first} or either is negative. */
        public Range
        {
            if (first < 0 || last < first)
            {
                throw new IllegalArgumentException("range 0x" + Long.toHexString(first) + "-0x" + Long.toHexString(last));
            }
        }

        /** The PC machine's legacy VGA and BIOS hole, 0xA0000-0xFFFFF. */
        public static final Range PC_HOLE = new Range(0xA0000, 0xFFFFF);

        /** @return whether {@code [from, from + length)} overlaps this range. */
        public boolean overlaps(final long from, final long length)
        {
            return from <= last && from + length - 1 >= first;
        }

        @Override
        public String toString()
        {
            return String.format("0x%x-0x%x", first, last);
        }
    }

    /**
     * @param block  the block, as the stream left it.
     * @param dump   the dump, at least as long as the block.
     * @param ignore ranges whose pages are left out.
     * @return the comparison.
     * @throws IOException              if the dump cannot be read.
     * @throws IllegalArgumentException if the dump is shorter than the block.
     */
    public static RamComparison compare(final GuestMemory block, final Path dump, final List<Range> ignore)
        throws IOException
    {
        final int pageSize = block.pageSize();
        try (FileChannel file = FileChannel.open(dump, StandardOpenOption.READ))
        {
            if (file.size() < block.size())
            {
                throw new IllegalArgumentException(dump + " has " + file.size() + " bytes, fewer than block " +
                    block.blockName() + "'s " + block.size());
            }
            final int chunkPages = Math.max(1, (1 << 20) / pageSize);
            final ByteBuffer chunk = ByteBuffer.allocateDirect(chunkPages * pageSize);
            final UnsafeBuffer dumped = new UnsafeBuffer(chunk);
            final UnsafeBuffer page = new UnsafeBuffer(0, 0);
            final UnsafeBuffer dumpedPage = new UnsafeBuffer(0, 0);
            final List<Long> differing = new ArrayList<>();
            long ignored = 0;
            for (long first = 0; first < block.pageCount(); first += chunkPages)
            {
                final int count = (int)Math.min(chunkPages, block.pageCount() - first);
                chunk.clear().limit(count * pageSize);
                long at = first * pageSize;
                while (chunk.hasRemaining())
                {
                    final int n = file.read(chunk, at);
                    if (n < 0)
                    {
                        throw new IOException(dump + " ends at " + at + " while it is read");
                    }
                    at += n;
                }
                for (int i = 0; i < count; i++)
                {
                    final long p = first + i;
                    if (isIgnored(ignore, p * pageSize, pageSize))
                    {
                        ignored++;
                        continue;
                    }
                    block.wrapPage(p, page);
                    dumpedPage.wrap(dumped, i * pageSize, pageSize);
                    if (page.compareTo(dumpedPage) != 0)
                    {
                        differing.add(p);
                    }
                }
            }
            return new RamComparison(block.pageCount(), ignored, List.copyOf(differing));
        }
    }

    private static boolean isIgnored(final List<Range> ignore, final long from, final int length)
    {
        for (final Range r : ignore)
        {
            if (r.overlaps(from, length))
            {
                return true;
            }
        }
        return false;
    }

    /** @return the first differing page, or -1. */
    public long first()
    {
        return differing.isEmpty() ? -1 : differing.get(0);
    }
}
