package io.livemig.qemu.stream;

import io.livemig.stream.PageKind;

import java.util.Arrays;

/**
 * Counts a QEMU stream's page records per RAM block and kind, with their wire bytes, and the RAM sections, as
 * a {@link QemuStreamListener}. Not thread-safe: the reader's thread counts; read it after the read.
 */
public final class RamTally implements QemuStreamListener
{
    private static final int KINDS = PageKind.count();

    private long[][] pages = new long[0][];
    private long[][] bytes = new long[0][];
    private int sections;

    @Override
    public void onRamSection(final int index, final int type, final long offset)
    {
        sections++;
    }

    @Override
    public void onPage(final int block, final long page, final PageKind kind, final int wireBytes, final long offset)
    {
        if (block >= pages.length)
        {
            final int from = pages.length;
            pages = Arrays.copyOf(pages, block + 1);
            bytes = Arrays.copyOf(bytes, block + 1);
            for (int i = from; i <= block; i++)
            {
                pages[i] = new long[KINDS];
                bytes[i] = new long[KINDS];
            }
        }
        pages[block][kind.ordinal()]++;
        bytes[block][kind.ordinal()] += wireBytes;
    }

    /** @return page records of {@code kind} for block {@code block}. */
    public long pages(final int block, final PageKind kind)
    {
        return block < pages.length ? pages[block][kind.ordinal()] : 0;
    }

    /** @return wire bytes of the records of {@code kind} for block {@code block}, headers and names included. */
    public long bytes(final int block, final PageKind kind)
    {
        return block < bytes.length ? bytes[block][kind.ordinal()] : 0;
    }

    /** @return page records of {@code kind} over every block. */
    public long pages(final PageKind kind)
    {
        long total = 0;
        for (int b = 0; b < pages.length; b++)
        {
            total += pages[b][kind.ordinal()];
        }
        return total;
    }

    /** @return RAM sections begun. */
    public int sections()
    {
        return sections;
    }
}
