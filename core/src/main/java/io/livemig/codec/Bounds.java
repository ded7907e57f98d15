package io.livemig.codec;

import org.agrona.DirectBuffer;

/** Argument checks shared by the codecs' public methods, so every message names the range and the capacity. */
final class Bounds
{
    private Bounds()
    {
    }

    /** Throws unless {@code [offset, offset + length)} lies within {@code [0, capacity)}. */
    static void checkRange(final String what, final int capacity, final int offset, final int length)
    {
        if (offset < 0 || length < 0 || offset > capacity - length)
        {
            throw new IndexOutOfBoundsException(
                what + ": range [" + offset + ", " + offset + " + " + length + ") is outside its capacity " +
                capacity);
        }
    }

    static void checkRange(final String what, final byte[] array, final int offset, final int length)
    {
        if (array == null)
        {
            throw new NullPointerException(what + " is null");
        }
        checkRange(what, array.length, offset, length);
    }

    static void checkRange(final String what, final DirectBuffer buffer, final int offset, final int length)
    {
        if (buffer == null)
        {
            throw new NullPointerException(what + " is null");
        }
        checkRange(what, buffer.capacity(), offset, length);
    }

    /** Throws unless {@code pageSize} is in {@code [0, max]}. */
    static void checkPageSize(final int pageSize, final int max)
    {
        if (pageSize < 0 || pageSize > max)
        {
            throw new IllegalArgumentException("page size must be in [0, " + max + "]: " + pageSize);
        }
    }
}
