package io.livemig.stream;

import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.util.Arrays;

/**
 * Test channel: bytes written are appended, reads consume them in order. Reading past what was written is a
 * harness bug (the test would block forever) unless {@link #endInput()} said no more will come.
 */
final class MemoryChannel implements ReadableByteChannel, WritableByteChannel
{
    private byte[] bytes = new byte[1 << 16];
    private int length;
    private int readIndex;
    private boolean inputEnded;

    MemoryChannel()
    {
    }

    /** A channel that reads {@code content} and then ends. */
    static MemoryChannel of(final byte[] content)
    {
        final MemoryChannel channel = new MemoryChannel();
        channel.bytes = content.clone();
        channel.length = content.length;
        channel.inputEnded = true;
        return channel;
    }

    void endInput()
    {
        inputEnded = true;
    }

    byte[] written()
    {
        return Arrays.copyOf(bytes, length);
    }

    int length()
    {
        return length;
    }

    @Override
    public int write(final ByteBuffer src)
    {
        final int n = src.remaining();
        if (length + n > bytes.length)
        {
            bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, length + n));
        }
        src.get(bytes, length, n);
        length += n;
        return n;
    }

    @Override
    public int read(final ByteBuffer dst)
    {
        if (readIndex == length)
        {
            if (inputEnded)
            {
                return -1;
            }
            throw new IllegalStateException("test harness: the reader ran ahead of the writer at byte " + readIndex);
        }
        final int n = Math.min(dst.remaining(), length - readIndex);
        dst.put(bytes, readIndex, n);
        readIndex += n;
        return n;
    }

    @Override
    public boolean isOpen()
    {
        return true;
    }

    @Override
    public void close()
    {
    }
}
