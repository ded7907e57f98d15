package io.livemig.qemu.stream;

import io.livemig.stream.PageStreamException;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;

import static io.livemig.qemu.stream.QemuStreamDescriptor.EOF;
import static io.livemig.qemu.stream.QemuStreamDescriptor.MAX_DESCRIPTION_BYTES;
import static io.livemig.qemu.stream.QemuStreamDescriptor.VM_DESCRIPTION;

/**
 * The end of a QEMU stream, found from the end of the file: device state has no length prefix, so a reader
 * that stops at the first device section finds the end-of-stream byte (0x00) and the VM description after it
 * by reading backwards, bounded by the description's limit. Reads only through {@link SeekableByteChannel}
 * positions; every failure is one {@link PageStreamException} with the offset.
 *
 * <p>Not thread-safe: the {@link QemuStreamReader} that owns it reads on one thread.
 */
final class StreamTail
{
    /** Where the stream's end of stream is, and the VM description that follows it. */
    record End(long eof, VmDescription description)
    {
    }

    private final SeekableByteChannel channel;

    StreamTail(final SeekableByteChannel channel)
    {
        this.channel = channel;
    }

    /**
     * @param deviceOffset where the first device section starts: the end of stream lies after it.
     * @return the end of stream and the description after it.
     * @throws PageStreamException if the file does not end with an end of stream and a description of the
     *                             length it declares: a stream cut short.
     */
    End find(final long deviceOffset) throws PageStreamException
    {
        final long size = size(deviceOffset);
        // The JSON has no byte 0x00, but the description's be32 length may: the end of stream is the last 0x00
        // or one of the five bytes before it.
        final long lastZero = lastEndOfStream(deviceOffset, size);
        long eof = -1;
        long length = -1;
        for (long p = lastZero; p >= Math.max(deviceOffset + 1, lastZero - 5) && eof < 0; p--)
        {
            final byte[] head = readAt(p, (int)Math.min(6, size - p));
            final long declared = head.length < 6 ? -1 : ByteBuffer.wrap(head, 2, 4).getInt() & 0xFFFF_FFFFL;
            if (head[0] == EOF && head.length == 6 && head[1] == VM_DESCRIPTION && declared == size - p - 6 &&
                declared > 0 && declared <= MAX_DESCRIPTION_BYTES)
            {
                eof = p;
                length = declared;
            }
        }
        if (eof < 0)
        {
            throw new PageStreamException(size, "stream does not end with its end of stream (0x00) and a VM " +
                "description after the device state that starts at offset " + deviceOffset + ": cut short?");
        }
        return new End(eof, VmDescription.parse(readAt(eof + 6, (int)length), eof + 6));
    }

    long size(final long offset) throws PageStreamException
    {
        try
        {
            return channel.size();
        }
        catch (final IOException ex)
        {
            throw new PageStreamException(offset, "cannot tell the stream's size: " + ex, ex);
        }
    }

    /** @return the offset of the last end-of-stream byte in {@code (from, size)}, or -1. */
    private long lastEndOfStream(final long from, final long size) throws PageStreamException
    {
        final ByteBuffer chunk = ByteBuffer.allocate(64 << 10);
        long end = size;
        while (end > from + 1)
        {
            final long begin = Math.max(from + 1, end - chunk.capacity());
            chunk.clear().limit((int)(end - begin));
            readFully(chunk, begin);
            for (int i = chunk.limit() - 1; i >= 0; i--)
            {
                if (chunk.get(i) == EOF)
                {
                    return begin + i;
                }
            }
            end = begin;
        }
        return -1;
    }

    private byte[] readAt(final long offset, final int length) throws PageStreamException
    {
        final byte[] bytes = new byte[length];
        readFully(ByteBuffer.wrap(bytes), offset);
        return bytes;
    }

    private void readFully(final ByteBuffer dst, final long offset) throws PageStreamException
    {
        try
        {
            channel.position(offset);
            while (dst.hasRemaining())
            {
                if (channel.read(dst) < 0)
                {
                    throw new PageStreamException(offset, "stream ends at " + (offset + dst.position()) +
                        " while its end is read: the file shrank");
                }
            }
        }
        catch (final PageStreamException ex)
        {
            throw ex;
        }
        catch (final IOException ex)
        {
            throw new PageStreamException(offset, "read failed: " + ex, ex);
        }
    }
}
