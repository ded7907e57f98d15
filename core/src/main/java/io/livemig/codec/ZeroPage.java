package io.livemig.codec;

import org.agrona.DirectBuffer;

/**
 * Zero-page detection: whether a range of bytes is all zero, so that the page can be sent as a one-byte
 * ZERO record instead of its contents.
 *
 * <p>Reads 64-bit words: the first and the last word of the range before the bulk (a page that is not zero
 * is most often non-zero near its start or end, and the two checks also cover any unaligned head and tail),
 * then 64 bytes (eight words ORed together) per step, leaving at the first non-zero step (measured against
 * 32 bytes per step: a third less time when only byte 3600 is set). Any length and alignment is accepted.
 *
 * <p>Heap ranges, and off-heap ones on JDK 22+, take the SIMD kernel instead where {@link Simd} chose the vector
 * path (same answers).
 *
 * <p>Stateless and thread-safe; allocates nothing. The bytes are read with plain loads: a range that another
 * thread writes meanwhile gives some answer that was true of some mix of its old and new bytes, which is why
 * the page stream runs it on a private snapshot of the page.
 */
public final class ZeroPage
{
    private ZeroPage()
    {
    }

    /**
     * @return whether {@code array[offset, offset + length)} is all zero ({@code true} for length 0).
     * @throws IndexOutOfBoundsException if the range is outside the array.
     */
    public static boolean isZero(final byte[] array, final int offset, final int length)
    {
        Bounds.checkRange("array", array, offset, length);
        return isZero(array, RawBytes.ARRAY_BASE_OFFSET + offset, length);
    }

    /**
     * @return whether {@code buffer[offset, offset + length)} is all zero ({@code true} for length 0).
     * @throws IndexOutOfBoundsException if the range is outside the buffer's capacity.
     */
    public static boolean isZero(final DirectBuffer buffer, final int offset, final int length)
    {
        Bounds.checkRange("buffer", buffer, offset, length);
        return isZero(RawBytes.base(buffer), RawBytes.address(buffer, offset), length);
    }

    /** Ranges go to the vector kernels where {@link Simd} chose them for their kind, the rest to the scalar loop. */
    static boolean isZero(final Object base, final long address, final int length)
    {
        final VectorKernels simd = Simd.KERNELS;
        if (simd != null && base instanceof byte[])
        {
            return simd.isZero((byte[])base, (int)(address - RawBytes.ARRAY_BASE_OFFSET), length);
        }
        final OffHeapKernels offHeap = Simd.OFF_HEAP;
        if (offHeap != null && base == null)
        {
            return offHeap.isZero(address, length);
        }
        return isZeroScalar(base, address, length);
    }

    /** The scalar loop on raw memory; the range must have been checked. */
    static boolean isZeroScalar(final Object base, final long address, final int length)
    {
        if (length < Long.BYTES)
        {
            return isZeroShort(base, address, length);
        }
        if ((RawBytes.getLongLE(base, address) | RawBytes.getLongLE(base, address + length - Long.BYTES)) != 0)
        {
            return false;
        }
        // Bytes [8, length - 8) remain; the last word already covers whatever a whole-word step leaves.
        final int end = length - Long.BYTES;
        int i = Long.BYTES;
        for (; i <= end - 64; i += 64)
        {
            final long a = address + i;
            if ((RawBytes.getLongLE(base, a) | RawBytes.getLongLE(base, a + 8) |
                RawBytes.getLongLE(base, a + 16) | RawBytes.getLongLE(base, a + 24) |
                RawBytes.getLongLE(base, a + 32) | RawBytes.getLongLE(base, a + 40) |
                RawBytes.getLongLE(base, a + 48) | RawBytes.getLongLE(base, a + 56)) != 0)
            {
                return false;
            }
        }
        for (; i < end; i += Long.BYTES)
        {
            if (RawBytes.getLongLE(base, address + i) != 0)
            {
                return false;
            }
        }
        return true;
    }

    private static boolean isZeroShort(final Object base, final long address, final int length)
    {
        int bits = 0;
        for (int i = 0; i < length; i++)
        {
            bits |= RawBytes.getByte(base, address + i);
        }
        return bits == 0;
    }
}
