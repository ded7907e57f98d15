package io.livemig.stream;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.ReadableByteChannel;

/**
 * Big-endian input from a channel through one reusable off-heap buffer: nothing allocates after construction
 * (except to build an exception). {@link #position()} is the stream offset of the next byte to read.
 *
 * <p>Every failure is a {@link PageStreamException} naming the offset: a stream that ends before the bytes
 * asked for ("ends inside a record", with the start of the record set by {@link #markRecord()}), and any
 * {@link IOException} of the channel, wrapped.
 *
 * <p>{@link #require(int)} buffers a run of bytes and returns where they are in {@link #buffer()}, so a
 * reader can check a whole record, and decode from it, before it consumes it with {@link #skip(int)}.
 *
 * <p>The channel should be blocking: a read that returns no bytes is retried at once. Not thread-safe: one
 * thread owns an instance.
 */
public final class ChannelInput
{
    /** Smallest buffer accepted. */
    public static final int MIN_BUFFER_BYTES = ChannelOutput.MIN_BUFFER_BYTES;

    private final ReadableByteChannel channel;
    private final ByteBuffer byteBuffer;
    private final UnsafeBuffer buffer;
    private int readIndex;
    private int limit;
    private long bufferStart;
    private long recordStart = -1;
    private boolean channelEnded;

    /**
     * @param channel     where bytes come from; blocking.
     * @param bufferBytes size of the off-heap buffer, at least {@value #MIN_BUFFER_BYTES}; a {@link
     *                    PageStreamReader} needs at least {@link io.livemig.stream.read.PageStreamReader#requiredBufferBytes}.
     */
    public ChannelInput(final ReadableByteChannel channel, final int bufferBytes)
    {
        this.buffer = ChannelOutput.channelBuffer(channel, bufferBytes, "input");
        this.byteBuffer = buffer.byteBuffer();
        this.channel = channel;
    }

    /** @return the buffer's size: the longest run {@link #require(int)} can hold. */
    public int capacity()
    {
        return buffer.capacity();
    }

    /** @return bytes consumed since construction: the stream offset of the next byte. */
    public long position()
    {
        return bufferStart + readIndex;
    }

    /**
     * Notes that a record starts at the current {@link #position()}, so that a stream ending inside it is
     * reported with the record's offset too.
     */
    public void markRecord()
    {
        recordStart = position();
    }

    /**
     * Whether the stream is at a clean end: nothing is buffered and the channel has ended. May block until
     * the channel gives a byte or its end.
     */
    public boolean atEnd() throws PageStreamException
    {
        if (readIndex < limit)
        {
            return false;
        }
        fill(1, false);
        return readIndex == limit;
    }

    /** @return the next byte, sign-extended. */
    public byte readByte() throws PageStreamException
    {
        if (readIndex == limit)
        {
            fill(1, true);
        }
        return buffer.getByte(readIndex++);
    }

    /** @return the next byte, from 0 to 255. */
    public int readUnsignedByte() throws PageStreamException
    {
        return readByte() & 0xFF;
    }

    /** @return the next big-endian 16-bit value, sign-extended. */
    public short readShort() throws PageStreamException
    {
        final int at = require(Short.BYTES);
        readIndex = at + Short.BYTES;
        return buffer.getShort(at, ByteOrder.BIG_ENDIAN);
    }

    /** @return the next big-endian 16-bit value, from 0 to 65535. */
    public int readUnsignedShort() throws PageStreamException
    {
        return readShort() & 0xFFFF;
    }

    /** @return the next big-endian 32-bit value. */
    public int readInt() throws PageStreamException
    {
        final int at = require(Integer.BYTES);
        readIndex = at + Integer.BYTES;
        return buffer.getInt(at, ByteOrder.BIG_ENDIAN);
    }

    /** @return the next big-endian 64-bit value. */
    public long readLong() throws PageStreamException
    {
        final int at = require(Long.BYTES);
        readIndex = at + Long.BYTES;
        return buffer.getLong(at, ByteOrder.BIG_ENDIAN);
    }

    /**
     * Copies the next {@code length} bytes into {@code dst} from {@code offset}, in pieces of at most the
     * buffer's size. If the stream ends first, the bytes that came have been copied and a
     * {@link PageStreamException} is thrown.
     */
    public void readFully(final MutableDirectBuffer dst, final int offset, final int length) throws PageStreamException
    {
        ChannelOutput.checkRange(dst.capacity(), offset, length);
        int to = offset;
        int left = length;
        while (left > 0)
        {
            if (readIndex == limit)
            {
                fill(1, true);
            }
            final int chunk = Math.min(left, limit - readIndex);
            dst.putBytes(to, buffer, readIndex, chunk);
            readIndex += chunk;
            to += chunk;
            left -= chunk;
        }
    }

    /**
     * Buffers the next {@code length} bytes without consuming them.
     *
     * @return the index in {@link #buffer()} of the first of them; valid until the next read.
     * @throws PageStreamException      if the stream ends first, or the channel fails.
     * @throws IllegalArgumentException if {@code length} is negative or above {@link #capacity()}.
     */
    public int require(final int length) throws PageStreamException
    {
        if (limit - readIndex < length)
        {
            if (length < 0 || length > buffer.capacity())
            {
                throw new IllegalArgumentException(
                    "cannot buffer " + length + " bytes in a " + buffer.capacity() + "-byte input buffer");
            }
            fill(length, true);
        }
        return readIndex;
    }

    /**
     * Consumes {@code length} bytes that {@link #require(int)} buffered.
     *
     * @throws IllegalArgumentException if fewer are buffered.
     */
    public void skip(final int length)
    {
        if (length < 0 || length > limit - readIndex)
        {
            throw new IllegalArgumentException(
                "cannot skip " + length + " bytes, " + (limit - readIndex) + " buffered");
        }
        readIndex += length;
    }

    /** The buffer behind this input, to read (never write) what {@link #require(int)} returned. */
    public DirectBuffer buffer()
    {
        return buffer;
    }

    @Override
    public String toString()
    {
        return "ChannelInput[position=" + position() + ", buffered=" + (limit - readIndex) + "/" + capacity() + "]";
    }

    private void fill(final int length, final boolean mustHave) throws PageStreamException
    {
        final int buffered = limit - readIndex;
        if (readIndex > 0)
        {
            buffer.putBytes(0, buffer, readIndex, buffered);
            bufferStart += readIndex;
            readIndex = 0;
            limit = buffered;
        }
        final ByteBuffer bb = byteBuffer;
        while (limit < length && !channelEnded)
        {
            bb.limit(bb.capacity()).position(limit);
            final int n;
            try
            {
                n = channel.read(bb);
            }
            catch (final IOException ex)
            {
                throw new PageStreamException(bufferStart + limit, "channel read failed: " + ex, ex);
            }
            if (n < 0)
            {
                channelEnded = true;
            }
            else
            {
                limit += n;
            }
        }
        if (limit < length && mustHave)
        {
            final long end = bufferStart + limit;
            throw new PageStreamException(end, (recordStart >= 0 && recordStart < end ?
                "stream ends inside the record at offset " + recordStart : "stream ends") +
                ": needed " + length + " bytes from offset " + position() + ", only " + limit + " left");
        }
    }
}
