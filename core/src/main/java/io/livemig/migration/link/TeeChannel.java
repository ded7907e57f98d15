package io.livemig.migration.link;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.WritableByteChannel;

/**
 * A writable channel that writes every byte to a copy first and then to the link: how {@code --capture}
 * records the page stream exactly as sent. Blocking; returns when both have every byte.
 *
 * <p>Thread-safety: one writer at a time, as the channels it wraps.
 */
public final class TeeChannel implements WritableByteChannel
{
    private final WritableByteChannel out;
    private final WritableByteChannel copy;

    public TeeChannel(final WritableByteChannel out, final WritableByteChannel copy)
    {
        this.out = out;
        this.copy = copy;
    }

    @Override
    public int write(final ByteBuffer src) throws IOException
    {
        final int start = src.position();
        final int total = src.remaining();
        while (src.hasRemaining())
        {
            copy.write(src);
        }
        src.position(start);
        while (src.hasRemaining())
        {
            out.write(src);
        }
        return total;
    }

    @Override
    public boolean isOpen()
    {
        return out.isOpen() && copy.isOpen();
    }

    @Override
    public void close() throws IOException
    {
        out.close();
    }
}
