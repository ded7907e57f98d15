package io.livemig.codec;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * {@link RawBytes#copy} against the obvious model (byte {@code k} of the source lands at byte {@code k} of the
 * destination, nothing outside the destination range changes) at every length from 0 past the bulk-copy
 * threshold, at every source and destination alignment, from arrays to arrays and to off-heap memory: the
 * size classes copy overlapping blocks, so each class boundary is covered.
 */
class RawBytesTest
{
    private static final int MAX_LENGTH = 300;
    private static final int GUARD = 40;

    @Test
    void copiesExactlyTheRangeAtEveryLengthAndAlignment()
    {
        final byte[] src = new byte[MAX_LENGTH + 2 * GUARD];
        for (int k = 0; k < src.length; k++)
        {
            src[k] = (byte)(k * 31 + 7);
        }
        final UnsafeBuffer offHeap = new UnsafeBuffer(ByteBuffer.allocateDirect(MAX_LENGTH + 2 * GUARD));
        for (int length = 0; length <= MAX_LENGTH; length++)
        {
            for (int srcOffset = GUARD - 8; srcOffset < GUARD; srcOffset++)
            {
                for (int dstOffset = GUARD - 8; dstOffset < GUARD; dstOffset++)
                {
                    final byte[] dst = new byte[MAX_LENGTH + 2 * GUARD];
                    RawBytes.copy(src, RawBytes.ARRAY_BASE_OFFSET + srcOffset, dst, RawBytes.ARRAY_BASE_OFFSET + dstOffset,
                        length);
                    offHeap.setMemory(0, offHeap.capacity(), (byte)0);
                    RawBytes.copy(src, RawBytes.ARRAY_BASE_OFFSET + srcOffset, null,
                        offHeap.addressOffset() + dstOffset, length);
                    for (int k = 0; k < dst.length; k++)
                    {
                        final int from = k - dstOffset + srcOffset;
                        final byte expected = k >= dstOffset && k < dstOffset + length ? src[from] : 0;
                        assertEquals(expected, dst[k], "array, length " + length + ", byte " + k);
                        assertEquals(expected, offHeap.getByte(k), "off-heap, length " + length + ", byte " + k);
                    }
                }
            }
        }
    }
}
