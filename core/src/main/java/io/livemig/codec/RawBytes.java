package io.livemig.codec;

import org.agrona.BufferUtil;
import org.agrona.DirectBuffer;
import org.agrona.UnsafeApi;

import java.nio.ByteOrder;

/**
 * The one place in this package that reads and writes memory raw, as {@code (base, address)} pairs the way
 * {@link org.agrona.UnsafeApi} takes them: a {@code byte[]} with {@link #ARRAY_BASE_OFFSET} plus an index, or
 * {@code null} with an absolute off-heap address. {@link #base(DirectBuffer)} and {@link
 * #address(DirectBuffer, int)} turn any Agrona buffer into such a pair, so one implementation of each codec
 * serves arrays, heap buffers and off-heap buffers alike.
 *
 * <p>Nothing here checks anything: callers check every range against the buffers' capacities first.
 */
final class RawBytes
{
    /** Offset of element 0 of a {@code byte[]}. */
    static final long ARRAY_BASE_OFFSET = BufferUtil.ARRAY_BASE_OFFSET;

    private static final boolean LITTLE_ENDIAN = ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN;

    private RawBytes()
    {
    }

    /** @return the object that {@code buffer}'s addresses are relative to ({@code null} when off-heap). */
    static Object base(final DirectBuffer buffer)
    {
        return buffer.byteArray();
    }

    /** @return the raw address of {@code buffer}'s byte {@code index}, relative to {@link #base}. */
    static long address(final DirectBuffer buffer, final int index)
    {
        return buffer.addressOffset() + index;
    }

    /**
     * @return the 8 bytes at {@code address} as a little-endian long on every platform, so that the first
     *         byte in memory is the least significant and {@link #firstByte} finds it.
     */
    static long getLongLE(final Object base, final long address)
    {
        return littleEndian(UnsafeApi.getLongUnaligned(base, address));
    }

    /** @return the 2 bytes at {@code address} as a little-endian unsigned value: first byte in bits 0-7. */
    static int getShortLE(final Object base, final long address)
    {
        final short value = UnsafeApi.getShortUnaligned(base, address);
        return (LITTLE_ENDIAN ? value : Short.reverseBytes(value)) & 0xffff;
    }

    /** Writes the low 16 bits of {@code value} little-endian at {@code address}. */
    static void putShortLE(final Object base, final long address, final int value)
    {
        final short v = (short)value;
        UnsafeApi.putShortUnaligned(base, address, LITTLE_ENDIAN ? v : Short.reverseBytes(v));
    }

    /** @return the 8 bytes at {@code address} in native order. */
    static long getLongNative(final Object base, final long address)
    {
        return UnsafeApi.getLongUnaligned(base, address);
    }

    /** Stores 8 bytes at {@code address} in native order. */
    static void putLongNative(final Object base, final long address, final long value)
    {
        UnsafeApi.putLongUnaligned(base, address, value);
    }

    /** @return a word loaded in native order, as {@link #getLongLE} would have loaded it. */
    static long littleEndian(final long nativeWord)
    {
        return LITTLE_ENDIAN ? nativeWord : Long.reverseBytes(nativeWord);
    }

    /** @return the index (0-7) of the lowest-addressed byte whose bits are set in a {@link #getLongLE} word. */
    static int firstByte(final long word)
    {
        return Long.numberOfTrailingZeros(word) >>> 3;
    }

    static byte getByte(final Object base, final long address)
    {
        return UnsafeApi.getByte(base, address);
    }

    static void putByte(final Object base, final long address, final byte value)
    {
        UnsafeApi.putByte(base, address, value);
    }

    /**
     * Copies {@code length} bytes between non-overlapping ranges without a loop up to 64 bytes, the way a C
     * library's {@code memcpy} copies small sizes: one size class per branch, each copied by a fixed set of
     * loads and stores that overlap where the length is not a multiple of their width (the short runs of an
     * XBZRLE delta would pay more for a loop's mispredicted exit, or for {@code Unsafe.copyMemory}'s checks and
     * stub, than for the copy). Longer ranges copy 8 bytes at a time, and bulk above 256 bytes.
     */
    static void copy(final Object srcBase, final long src, final Object dstBase, final long dst, final int length)
    {
        if (length > 64)
        {
            copyLong(srcBase, src, dstBase, dst, length);
        }
        else if (length >= 8)
        {
            copyWords(srcBase, src, dstBase, dst, length);
        }
        else
        {
            copyUnder8(srcBase, src, dstBase, dst, length);
        }
    }

    /**
     * 8 to 64 bytes: the words at {@code min(8k, length - 8)}, four of them up to 32 bytes and eight above, so
     * that the only branch is the size class's and every word lies within the range.
     */
    private static void copyWords(final Object srcBase, final long src, final Object dstBase, final long dst,
                                  final int length)
    {
        final int last = length - 8;
        if (length <= 32)
        {
            final long w0 = UnsafeApi.getLongUnaligned(srcBase, src);
            final long w1 = UnsafeApi.getLongUnaligned(srcBase, src + Math.min(8, last));
            final long w2 = UnsafeApi.getLongUnaligned(srcBase, src + Math.min(16, last));
            final long w3 = UnsafeApi.getLongUnaligned(srcBase, src + last);
            UnsafeApi.putLongUnaligned(dstBase, dst, w0);
            UnsafeApi.putLongUnaligned(dstBase, dst + Math.min(8, last), w1);
            UnsafeApi.putLongUnaligned(dstBase, dst + Math.min(16, last), w2);
            UnsafeApi.putLongUnaligned(dstBase, dst + last, w3);
            return;
        }
        // 33 to 64 bytes: words 0-3 are whole, words 4-7 at min(8k, last) cover the rest
        final long w0 = UnsafeApi.getLongUnaligned(srcBase, src);
        final long w1 = UnsafeApi.getLongUnaligned(srcBase, src + 8);
        final long w2 = UnsafeApi.getLongUnaligned(srcBase, src + 16);
        final long w3 = UnsafeApi.getLongUnaligned(srcBase, src + 24);
        final long w4 = UnsafeApi.getLongUnaligned(srcBase, src + Math.min(32, last));
        final long w5 = UnsafeApi.getLongUnaligned(srcBase, src + Math.min(40, last));
        final long w6 = UnsafeApi.getLongUnaligned(srcBase, src + Math.min(48, last));
        final long w7 = UnsafeApi.getLongUnaligned(srcBase, src + last);
        UnsafeApi.putLongUnaligned(dstBase, dst, w0);
        UnsafeApi.putLongUnaligned(dstBase, dst + 8, w1);
        UnsafeApi.putLongUnaligned(dstBase, dst + 16, w2);
        UnsafeApi.putLongUnaligned(dstBase, dst + 24, w3);
        UnsafeApi.putLongUnaligned(dstBase, dst + Math.min(32, last), w4);
        UnsafeApi.putLongUnaligned(dstBase, dst + Math.min(40, last), w5);
        UnsafeApi.putLongUnaligned(dstBase, dst + Math.min(48, last), w6);
        UnsafeApi.putLongUnaligned(dstBase, dst + last, w7);
    }

    /** 0 to 7 bytes: two overlapping ints, two overlapping shorts, or one byte. */
    private static void copyUnder8(final Object srcBase, final long src, final Object dstBase, final long dst,
                                   final int length)
    {
        if (length >= 4)
        {
            final int head = UnsafeApi.getIntUnaligned(srcBase, src);
            final int tail = UnsafeApi.getIntUnaligned(srcBase, src + length - 4);
            UnsafeApi.putIntUnaligned(dstBase, dst, head);
            UnsafeApi.putIntUnaligned(dstBase, dst + length - 4, tail);
        }
        else if (length >= 2)
        {
            final short head = UnsafeApi.getShortUnaligned(srcBase, src);
            final short tail = UnsafeApi.getShortUnaligned(srcBase, src + length - 2);
            UnsafeApi.putShortUnaligned(dstBase, dst, head);
            UnsafeApi.putShortUnaligned(dstBase, dst + length - 2, tail);
        }
        else if (length == 1)
        {
            UnsafeApi.putByte(dstBase, dst, UnsafeApi.getByte(srcBase, src));
        }
    }

    /** Over 64 bytes: 8 at a time with the last word overlapping the previous one, bulk above 256. */
    private static void copyLong(final Object srcBase, final long src, final Object dstBase, final long dst,
                                 final int length)
    {
        if (length > 256)
        {
            UnsafeApi.copyMemory(srcBase, src, dstBase, dst, length);
            return;
        }
        final int last = length - 8;
        for (int k = 0; k < last; k += 8)
        {
            UnsafeApi.putLongUnaligned(dstBase, dst + k, UnsafeApi.getLongUnaligned(srcBase, src + k));
        }
        UnsafeApi.putLongUnaligned(dstBase, dst + last, UnsafeApi.getLongUnaligned(srcBase, src + last));
    }
}
