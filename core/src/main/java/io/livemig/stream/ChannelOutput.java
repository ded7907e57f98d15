package io.livemig.stream;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.WritableByteChannel;

/**
 * Big-endian output to a channel through one reusable off-heap buffer: nothing allocates after construction.
 * Bytes reach the channel when the buffer fills or on {@link #flush()}; {@link #position()} counts every byte
 * put, flushed or not, so it is the stream offset of the next byte.
 *
 * <p>Besides the {@code put} methods, a caller may build a record in place: {@link #claim(int)} a contiguous
 * region of {@link #buffer()}, write into it, then {@link #commit(int)} the bytes actually used. That is how
 * {@link io.livemig.stream.write.PageStreamWriter} lets the codecs encode straight into the output without a copy.
 *
 * <p>The channel should be blocking: a write that takes no bytes is retried at once. Not thread-safe: one
 * thread owns an instance.
 */
public final class ChannelOutput
{
    /** Smallest buffer accepted. */
    public static final int MIN_BUFFER_BYTES = 64;

    private final WritableByteChannel channel;
    private final ByteBuffer byteBuffer;
    private final UnsafeBuffer buffer;
    private static final byte[] NO_BYTES = new byte[0];
    private final UnsafeBuffer arrayView = new UnsafeBuffer(NO_BYTES);
    private int writeIndex;
    private int claimed = -1;
    private long flushedBytes;

    /**
     * @param channel     where bytes go; blocking.
     * @param bufferBytes size of the off-heap buffer, at least {@value #MIN_BUFFER_BYTES}; a
     *                    {@link io.livemig.stream.write.PageStreamWriter} needs {@link io.livemig.stream.write.PageStreamWriter#requiredBufferBytes}.
     */
    public ChannelOutput(final WritableByteChannel channel, final int bufferBytes)
    {
        this.buffer = channelBuffer(channel, bufferBytes, "output");
        this.byteBuffer = buffer.byteBuffer();
        this.channel = channel;
    }

    /** Checks a channel and buffer size, and allocates the off-heap buffer, for this class and ChannelInput. */
    static UnsafeBuffer channelBuffer(final Object channel, final int bufferBytes, final String side)
    {
        if (channel == null)
        {
            throw new NullPointerException("channel");
        }
        if (bufferBytes < MIN_BUFFER_BYTES)
        {
            throw new IllegalArgumentException(
                side + " buffer must be at least " + MIN_BUFFER_BYTES + " bytes: " + bufferBytes);
        }
        return new UnsafeBuffer(ByteBuffer.allocateDirect(bufferBytes));
    }

    /** @return the buffer's size in bytes: the longest region {@link #claim(int)} can give. */
    public int capacity()
    {
        return buffer.capacity();
    }

    /** @return bytes put since construction (flushed or not): the stream offset of the next byte. */
    public long position()
    {
        return flushedBytes + writeIndex;
    }

    /** Puts one byte. */
    public void putByte(final int value) throws IOException
    {
        final int at = ensure(Byte.BYTES);
        buffer.putByte(at, (byte)value);
        writeIndex = at + Byte.BYTES;
    }

    /** Puts a big-endian 16-bit value. */
    public void putShort(final int value) throws IOException
    {
        final int at = ensure(Short.BYTES);
        buffer.putShort(at, (short)value, ByteOrder.BIG_ENDIAN);
        writeIndex = at + Short.BYTES;
    }

    /** Puts a big-endian 32-bit value. */
    public void putInt(final int value) throws IOException
    {
        final int at = ensure(Integer.BYTES);
        buffer.putInt(at, value, ByteOrder.BIG_ENDIAN);
        writeIndex = at + Integer.BYTES;
    }

    /** Puts a big-endian 64-bit value. */
    public void putLong(final long value) throws IOException
    {
        final int at = ensure(Long.BYTES);
        buffer.putLong(at, value, ByteOrder.BIG_ENDIAN);
        writeIndex = at + Long.BYTES;
    }

    /** Puts {@code length} bytes of {@code src} from {@code offset}, flushing as often as needed. */
    public void putBytes(final byte[] src, final int offset, final int length) throws IOException
    {
        arrayView.wrap(src);
        try
        {
            putBytes(arrayView, offset, length);
        }
        finally
        {
            arrayView.wrap(NO_BYTES); // keep no reference to the caller's array
        }
    }

    /** Puts {@code length} bytes of {@code src} from {@code offset}, flushing as often as needed. */
    public void putBytes(final DirectBuffer src, final int offset, final int length) throws IOException
    {
        checkRange(src.capacity(), offset, length);
        claimed = -1;
        int from = offset;
        int left = length;
        while (left > 0)
        {
            final int chunk = Math.min(left, room());
            buffer.putBytes(writeIndex, src, from, chunk);
            writeIndex += chunk;
            from += chunk;
            left -= chunk;
        }
    }

    /**
     * Reserves {@code length} contiguous bytes of {@link #buffer()}, flushing first if they do not fit, for
     * the caller to write in place and then {@link #commit(int)}. Nothing is put until the commit; claiming
     * again without committing drops the earlier claim.
     *
     * @return the index in {@link #buffer()} where the region starts.
     * @throws IllegalArgumentException if {@code length} is negative or above {@link #capacity()}.
     */
    public int claim(final int length) throws IOException
    {
        if (length < 0 || length > buffer.capacity())
        {
            throw new IllegalArgumentException(
                "cannot claim " + length + " bytes of a " + buffer.capacity() + "-byte output buffer");
        }
        claimed = -1;
        if (buffer.capacity() - writeIndex < length)
        {
            flush();
        }
        claimed = length;
        return writeIndex;
    }

    /**
     * Puts the first {@code length} bytes of the region given by the last {@link #claim(int)}.
     *
     * @throws IllegalStateException if nothing is claimed (a put since the claim drops it) or {@code length}
     *                               exceeds the claim.
     */
    public void commit(final int length)
    {
        if (length < 0 || length > claimed)
        {
            throw new IllegalStateException("commit of " + length + " bytes, claimed " + claimed);
        }
        writeIndex += length;
        claimed = -1;
    }

    /**
     * The buffer behind this output, for in-place writes between {@link #claim(int)} and {@link
     * #commit(int)} only. Writes elsewhere corrupt the stream.
     */
    public MutableDirectBuffer buffer()
    {
        return buffer;
    }

    /** Writes every buffered byte to the channel. */
    public void flush() throws IOException
    {
        final int length = writeIndex;
        if (length == 0)
        {
            return;
        }
        final ByteBuffer bb = byteBuffer;
        bb.limit(length).position(0);
        while (bb.hasRemaining())
        {
            channel.write(bb);
        }
        bb.clear();
        flushedBytes += length;
        writeIndex = 0;
    }

    @Override
    public String toString()
    {
        return "ChannelOutput[position=" + position() + ", buffered=" + writeIndex + "/" + capacity() + "]";
    }

    private int ensure(final int length) throws IOException
    {
        claimed = -1;
        if (buffer.capacity() - writeIndex < length)
        {
            flush();
        }
        return writeIndex;
    }

    private int room() throws IOException
    {
        if (writeIndex == buffer.capacity())
        {
            flush();
        }
        return buffer.capacity() - writeIndex;
    }

    static void checkRange(final int capacity, final int offset, final int length)
    {
        if (offset < 0 || length < 0 || offset > capacity - length)
        {
            throw new IndexOutOfBoundsException(
                "range [" + offset + ", " + offset + " + " + length + ") is outside a source of " + capacity +
                " bytes");
        }
    }
}
