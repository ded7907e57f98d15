package io.livemig.dirty;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The batch cut of {@link AbstractDirtyBitmap#drain}: the lowest {@code count} set bits, against a bit-by-bit model. */
class LowestBitsTest
{
    @Property(tries = 2000, seed = "20261128")
    void keepsExactlyTheLowestSetBits(@ForAll final long bits, @ForAll @IntRange(min = 1, max = 63) final int count)
    {
        if (Long.bitCount(bits) <= count)
        {
            return;
        }
        long expected = 0;
        long rest = bits;
        for (int i = 0; i < count; i++)
        {
            expected |= rest & -rest;
            rest &= rest - 1;
        }
        assertEquals(expected, AbstractDirtyBitmap.lowestBits(bits, count), () -> Long.toBinaryString(bits) + " / " + count);
    }
}
