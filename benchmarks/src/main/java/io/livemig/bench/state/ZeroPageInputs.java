package io.livemig.bench.state;

import org.agrona.concurrent.UnsafeBuffer;

/**
 * Pages for the zero-page benchmark: all zero, or zero but for one byte at a chosen place, as in
 * reference-figures.md.
 */
public enum ZeroPageInputs
{
    /** All zero: the whole page is read. */
    ZERO(-1),
    /** Byte 0 non-zero: the first word decides. */
    FIRST_BYTE(0),
    /** Byte 4095 non-zero: the last word decides. */
    LAST_BYTE(OffHeapPages.PAGE_SIZE - 1),
    /** Byte 3600 non-zero: most of the page is read. */
    BYTE_3600(3600);

    private final int nonZeroAt;

    ZeroPageInputs(final int nonZeroAt)
    {
        this.nonZeroAt = nonZeroAt;
    }

    /** @return whether a page of this input is all zero. */
    public boolean isZero()
    {
        return nonZeroAt < 0;
    }

    /** Writes this input into every page of {@code pages} (which must be zeroed). */
    public void fill(final OffHeapPages pages)
    {
        final UnsafeBuffer buffer = pages.buffer();
        if (nonZeroAt >= 0)
        {
            for (int p = 0; p < pages.pages(); p++)
            {
                buffer.putByte(OffHeapPages.offset(p) + nonZeroAt, (byte)0x5A);
            }
        }
    }
}
