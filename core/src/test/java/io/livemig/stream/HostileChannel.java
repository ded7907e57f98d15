package io.livemig.stream;

import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;

/**
 * A fuzz input as a blocking channel: gives its bytes in reads of at most {@code maxRead} bytes (so readers
 * meet partial reads at every boundary), then ends (-1). A reader that keeps reading after the end was
 * reported is spinning: past {@value #READS_AFTER_END} such reads this channel throws an {@link AssertionError},
 * so "readers over in-memory bytes terminate at EOF" is checked, not only timed out.
 *
 * <p>Not thread-safe: one reader.
 */
public final class HostileChannel implements ReadableByteChannel
{
    /** Reads after the end a reader may make (a peek for a clean end, then the read that needed more). */
    public static final int READS_AFTER_END = 16;

    private final byte[] bytes;
    private final int maxRead;
    private int position;
    private int readsAfterEnd;
    private boolean open = true;

    /**
     * @param bytes   the input; not copied.
     * @param maxRead most bytes one read returns, at least 1.
     */
    public HostileChannel(final byte[] bytes, final int maxRead)
    {
        if (maxRead < 1)
        {
            throw new IllegalArgumentException("maxRead must be at least 1: " + maxRead);
        }
        this.bytes = bytes;
        this.maxRead = maxRead;
    }

    /** A channel that returns as much as each read asks for. */
    public static HostileChannel whole(final byte[] bytes)
    {
        return new HostileChannel(bytes, Integer.MAX_VALUE);
    }

    /** A channel whose reads return at most 1 to 61 bytes, chosen from the input's length. */
    public static HostileChannel chunked(final byte[] bytes)
    {
        return new HostileChannel(bytes, 1 + bytes.length % 61);
    }

    @Override
    public int read(final ByteBuffer dst)
    {
        if (position == bytes.length)
        {
            if (++readsAfterEnd > READS_AFTER_END)
            {
                throw new AssertionError("reader read " + readsAfterEnd + " times after the end of its " +
                    bytes.length + "-byte input: it would spin forever");
            }
            return -1;
        }
        final int n = Math.min(Math.min(maxRead, dst.remaining()), bytes.length - position);
        dst.put(bytes, position, n);
        position += n;
        return n;
    }

    /** @return bytes consumed so far. */
    public int position()
    {
        return position;
    }

    @Override
    public boolean isOpen()
    {
        return open;
    }

    @Override
    public void close()
    {
        open = false;
    }
}
