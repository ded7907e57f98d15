package io.livemig.bench.state;

import org.agrona.UnsafeApi;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.SplittableRandom;

/**
 * A working set of pages off the heap, page aligned, as the migration path holds guest memory (a plain
 * {@link UnsafeBuffer} over raw memory: no backing array, no NIO buffer), and the strong memory-read
 * baseline over it. A working set may also start at a chosen offset into its first page
 * ({@link #OffHeapPages(int, int)}), so that a C anchor's copy of a Java array sits at the array's alignment.
 *
 * <p>Not thread-safe; made and freed by one benchmark's setup and teardown.
 */
public final class OffHeapPages implements AutoCloseable
{
    /** Page size of every codec benchmark: 4 KiB. */
    public static final int PAGE_SIZE = 4096;
    /** log2 of {@link #PAGE_SIZE}. */
    public static final int PAGE_SHIFT = 12;
    /** Pages in the 64 MiB working set (not cache resident), as in reference-figures.md. */
    public static final int WORKING_SET_PAGES = (64 << 20) / PAGE_SIZE;

    private final long allocation;
    private final UnsafeBuffer buffer;
    private final int pages;

    /** {@code pages} zeroed pages, page aligned. */
    public OffHeapPages(final int pages)
    {
        this(pages, 0);
    }

    /**
     * {@code pages} pages' worth of zeroed bytes starting {@code pageOffset} bytes into a page (0: page aligned).
     *
     * @throws IllegalArgumentException if {@code pages} is outside [1, 2^19) or {@code pageOffset} outside
     *                                  [0, {@value #PAGE_SIZE}).
     */
    public OffHeapPages(final int pages, final int pageOffset)
    {
        if (pages <= 0 || pages > (Integer.MAX_VALUE >> PAGE_SHIFT))
        {
            throw new IllegalArgumentException("pages must be in [1, 2^19): " + pages);
        }
        if (pageOffset < 0 || pageOffset >= PAGE_SIZE)
        {
            throw new IllegalArgumentException("page offset must be in [0, " + PAGE_SIZE + "): " + pageOffset);
        }
        final long bytes = (long)pages << PAGE_SHIFT;
        this.allocation = UnsafeApi.allocateMemory(bytes + 2L * PAGE_SIZE);
        final long start = ((allocation + PAGE_SIZE - 1) & -(long)PAGE_SIZE) + pageOffset;
        UnsafeApi.setMemory(start, bytes, (byte)0);
        this.buffer = new UnsafeBuffer(start, (int)bytes);
        this.pages = pages;
    }

    /** @return the whole working set. */
    public UnsafeBuffer buffer()
    {
        return buffer;
    }

    /** @return the number of pages. */
    public int pages()
    {
        return pages;
    }

    /** @return the buffer index of page {@code page}. */
    public static int offset(final int page)
    {
        return page << PAGE_SHIFT;
    }

    /** Fills every page with seeded random bytes. */
    public void fillRandom(final SplittableRandom random)
    {
        for (int i = 0; i < buffer.capacity(); i += Long.BYTES)
        {
            buffer.putLong(i, random.nextLong());
        }
    }

    /**
     * Sums every 64-bit word of {@code [offset, offset + length)} ({@code length} a multiple of 32): the
     * strong plain read that the codecs are measured against, as fast as a scalar loop reads, with four
     * independent accumulators so that the adds do not serialise the loads.
     */
    public static long sumWords(final UnsafeBuffer buffer, final int offset, final int length)
    {
        final long address = buffer.addressOffset() + offset;
        long s0 = 0;
        long s1 = 0;
        long s2 = 0;
        long s3 = 0;
        for (int i = 0; i < length; i += 32)
        {
            s0 += UnsafeApi.getLong(address + i);
            s1 += UnsafeApi.getLong(address + i + 8);
            s2 += UnsafeApi.getLong(address + i + 16);
            s3 += UnsafeApi.getLong(address + i + 24);
        }
        return s0 + s1 + s2 + s3;
    }

    @Override
    public void close()
    {
        UnsafeApi.freeMemory(allocation);
    }
}
