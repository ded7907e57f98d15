package io.livemig.codec;

import org.agrona.concurrent.UnsafeBuffer;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.Arrays;

/** Helpers shared by the codec tests: resources, buffers on and off the heap, guard bytes. */
final class TestPages
{
    static final byte GUARD = (byte)0xA5;

    private TestPages()
    {
    }

    /** @return the bytes of classpath resource {@code name}, or {@code null} if there is none. */
    static byte[] resource(final String name)
    {
        try (InputStream in = TestPages.class.getResourceAsStream(name))
        {
            return in == null ? null : in.readAllBytes();
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    /** @return an off-heap buffer (no backing array) holding a copy of {@code bytes}. */
    static UnsafeBuffer offHeap(final byte[] bytes)
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(ByteBuffer.allocateDirect(Math.max(1, bytes.length)), 0, bytes.length);
        buffer.putBytes(0, bytes);
        return buffer;
    }

    /** @return an off-heap buffer of {@code guard} guard bytes, then {@code page}, then {@code guard} more. */
    static UnsafeBuffer guarded(final byte[] page, final int guard)
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(ByteBuffer.allocateDirect(page.length + 2 * guard));
        buffer.setMemory(0, buffer.capacity(), GUARD);
        buffer.putBytes(guard, page);
        return buffer;
    }

    /** @return whether the {@code guard} bytes on either side of a page of {@code pageSize} are intact. */
    static boolean guardsIntact(final UnsafeBuffer buffer, final int guard, final int pageSize)
    {
        for (int i = 0; i < guard; i++)
        {
            if (buffer.getByte(i) != GUARD || buffer.getByte(guard + pageSize + i) != GUARD)
            {
                return false;
            }
        }
        return true;
    }

    static byte[] bytes(final UnsafeBuffer buffer, final int offset, final int length)
    {
        final byte[] bytes = new byte[length];
        buffer.getBytes(offset, bytes);
        return bytes;
    }

    static byte[] copy(final byte[] bytes)
    {
        return Arrays.copyOf(bytes, bytes.length);
    }
}
