package io.livemig.codec;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link ZeroPage} against the obvious model (every byte is zero) at every length, alignment and position
 * of a single non-zero byte, through arrays and off-heap buffers, with non-zero bytes just outside the
 * range that must not count.
 */
class ZeroPageTest
{
    @Test
    void everyPositionOfOneNonZeroByteIsFoundAtEveryLengthAndAlignment()
    {
        for (int length = 0; length <= 100; length++)
        {
            for (int offset = 0; offset < 8; offset++)
            {
                final byte[] memory = new byte[offset + length + 8];
                memory[offset + length] = 1; // just past the range: must not count
                if (offset > 0)
                {
                    memory[offset - 1] = 1; // just before it
                }
                assertBoth(true, memory, offset, length);
                for (int at = 0; at < length; at++)
                {
                    memory[offset + at] = (byte)0x80;
                    assertBoth(false, memory, offset, length);
                    memory[offset + at] = 0;
                }
            }
        }
    }

    @Property(tries = 300)
    void agreesWithTheModel(
        @ForAll @IntRange(min = 0, max = 16384) final int length,
        @ForAll @IntRange(min = 0, max = 15) final int offset,
        @ForAll @IntRange(min = -1, max = 16383) final int nonZeroAt,
        @ForAll final byte value)
    {
        final byte[] memory = new byte[offset + length];
        if (nonZeroAt >= 0 && nonZeroAt < length)
        {
            memory[offset + nonZeroAt] = value;
        }
        boolean expected = true;
        for (int i = offset; i < offset + length; i++)
        {
            expected &= memory[i] == 0;
        }
        assertBoth(expected, memory, offset, length);
    }

    @Test
    void publicApiChecksItsArguments()
    {
        assertThrows(IndexOutOfBoundsException.class, () -> ZeroPage.isZero(new byte[8], 1, 8));
        assertThrows(IndexOutOfBoundsException.class, () -> ZeroPage.isZero(new byte[8], 0, -1));
        assertThrows(IndexOutOfBoundsException.class, () -> ZeroPage.isZero(new UnsafeBuffer(new byte[8]), 4, 5));
        assertThrows(NullPointerException.class, () -> ZeroPage.isZero((byte[])null, 0, 0));
    }

    private static void assertBoth(final boolean expected, final byte[] memory, final int offset, final int length)
    {
        final String where = "offset " + offset + ", length " + length;
        assertEquals(expected, ZeroPage.isZero(memory, offset, length), "array, " + where);
        final boolean offHeap = ZeroPage.isZero(TestPages.offHeap(memory), offset, length);
        if (expected)
        {
            assertTrue(offHeap, "off-heap, " + where);
        }
        else
        {
            assertFalse(offHeap, "off-heap, " + where);
        }
    }
}
