package io.livemig.codec;

import org.agrona.DirectBuffer;

/**
 * Zero-page detection: whether a range of bytes is all zero, so that the page can be sent as a one-byte
 * ZERO record instead of its contents.
 *
 * <p>Reads 64-bit words: the last word of the range first (a page that is not zero is most often non-zero near
 * its start or end, and the word also covers any tail that whole steps leave), then one ascending pass from the
 * range's first byte, 64 bytes (eight words ORed together) per step, leaving at the first non-zero step; the
 * pass's first step is the check of the start. Any length and alignment is accepted.
 *
 * <p>Why this order: the earlier loop also checked the first word beside the last before its pass; that check
 * halved its rate on all-zero pages in DRAM on JDK 17 (ZeroPageBenchmark, 64 MiB: about 210 against 102 ns per
 * page, 2026-12-08, Zen 5) and bought nothing elsewhere; 256 bytes per step was slower still there (169 ns). On
 * JDK 25 the vector kernels serve these ranges; the scalar loop runs there at about 200 ns, as C2 unrolls it
 * ({@code -XX:LoopUnrollLimit=1} gives 101). The figures and the shapes tried are in docs/simd.md.
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
        if (RawBytes.getLongLE(base, address + length - Long.BYTES) != 0)
        {
            return false;
        }
        // One ascending pass from byte 0 (its first step is the check of the page's start); the last word,
        // read above, covers whatever a whole-word step leaves.
        final int end = length - Long.BYTES;
        int i = 0;
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
