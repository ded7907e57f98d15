package io.livemig.migration.link;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.WritableByteChannel;

/**
 * A writable channel that passes bytes to another one no faster than a {@link TokenBucket} allows, in
 * pieces of at most one burst. Blocking: {@link #write} returns only when every byte was written.
 *
 * <p>Thread-safety: as the channel it wraps; one writer at a time.
 */
public final class ThrottledChannel implements WritableByteChannel
{
    private final WritableByteChannel out;
    private final TokenBucket bucket;
    private final boolean urgent;

    /**
     * @param out    the channel written to, in blocking mode.
     * @param bucket the limit.
     */
    public ThrottledChannel(final WritableByteChannel out, final TokenBucket bucket)
    {
        this(out, bucket, false);
    }

    /**
     * @param urgent whether this channel's bytes go ahead of the bucket's other writers ({@link
     *               TokenBucket#acquireUrgent}): post-copy's preempt connection.
     */
    public ThrottledChannel(final WritableByteChannel out, final TokenBucket bucket, final boolean urgent)
    {
        this.out = out;
        this.bucket = bucket;
        this.urgent = urgent;
    }

    @Override
    public int write(final ByteBuffer src) throws IOException
    {
        final int total = src.remaining();
        final int limit = src.limit();
        final int step = (int)Math.min(Integer.MAX_VALUE, bucket.burstBytes());
        try
        {
            while (src.hasRemaining())
            {
                final int chunk = Math.min(src.remaining(), step);
                if (urgent)
                {
                    bucket.acquireUrgent(chunk);
                }
                else
                {
                    bucket.acquire(chunk);
                }
                src.limit(src.position() + chunk);
                while (src.hasRemaining())
                {
                    out.write(src);
                }
                src.limit(limit);
            }
        }
        finally
        {
            src.limit(limit);
        }
        return total;
    }

    @Override
    public boolean isOpen()
    {
        return out.isOpen();
    }

    @Override
    public void close() throws IOException
    {
        out.close();
    }
}
