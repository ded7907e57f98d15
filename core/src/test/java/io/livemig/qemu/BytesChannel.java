package io.livemig.qemu;

import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;

/**
 * Test channel: a seekable, read-only view of a byte array that gives at most {@code maxRead} bytes per read,
 * so that readers meet partial reads. Not thread-safe.
 */
final class BytesChannel implements SeekableByteChannel
{
    private final byte[] bytes;
    private final int maxRead;
    private long position;

    BytesChannel(final byte[] bytes, final int maxRead)
    {
        this.bytes = bytes;
        this.maxRead = maxRead;
    }

    static BytesChannel of(final byte[] bytes)
    {
        return new BytesChannel(bytes, Integer.MAX_VALUE);
    }

    @Override
    public int read(final ByteBuffer dst)
    {
        if (position >= bytes.length)
        {
            return -1;
        }
        final int n = (int)Math.min(Math.min(dst.remaining(), maxRead), bytes.length - position);
        dst.put(bytes, (int)position, n);
        position += n;
        return n;
    }

    @Override
    public int write(final ByteBuffer src)
    {
        throw new UnsupportedOperationException("read-only");
    }

    @Override
    public long position()
    {
        return position;
    }

    @Override
    public SeekableByteChannel position(final long newPosition)
    {
        position = newPosition;
        return this;
    }

    @Override
    public long size()
    {
        return bytes.length;
    }

    @Override
    public SeekableByteChannel truncate(final long size)
    {
        throw new UnsupportedOperationException("read-only");
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
