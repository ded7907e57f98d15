package io.livemig.migration;

import io.livemig.migration.link.MigrationLink;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;

/**
 * Test plumbing: a {@link MigrationLink} that forwards every call to another, for tests that tap or hold one
 * end ({@link #reading}, {@link #writing} wrap a channel around a test's own read or write).
 *
 * <p>Thread-safety: as the link it wraps.
 */
class ForwardingLink implements MigrationLink
{
    final MigrationLink inner;

    ForwardingLink(final MigrationLink inner)
    {
        this.inner = inner;
    }

    /** A test's read: {@code in} is the wrapped channel. */
    @FunctionalInterface
    interface Read
    {
        int read(ReadableByteChannel in, ByteBuffer dst) throws IOException;
    }

    /** A test's write: {@code out} is the wrapped channel. */
    @FunctionalInterface
    interface Write
    {
        int write(WritableByteChannel out, ByteBuffer src) throws IOException;
    }

    /** @return {@code in} with each read made by {@code body}; open and close forwarded. */
    static ReadableByteChannel reading(final ReadableByteChannel in, final Read body)
    {
        return new ReadableByteChannel()
        {
            @Override
            public int read(final ByteBuffer dst) throws IOException
            {
                return body.read(in, dst);
            }

            @Override
            public boolean isOpen()
            {
                return in.isOpen();
            }

            @Override
            public void close() throws IOException
            {
                in.close();
            }
        };
    }

    /** @return {@code out} with each write made by {@code body}; open and close forwarded. */
    static WritableByteChannel writing(final WritableByteChannel out, final Write body)
    {
        return new WritableByteChannel()
        {
            @Override
            public int write(final ByteBuffer src) throws IOException
            {
                return body.write(out, src);
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
        };
    }

    @Override
    public String name()
    {
        return inner.name();
    }

    @Override
    public WritableByteChannel sourceOut()
    {
        return inner.sourceOut();
    }

    @Override
    public ReadableByteChannel destinationIn()
    {
        return inner.destinationIn();
    }

    @Override
    public WritableByteChannel destinationOut()
    {
        return inner.destinationOut();
    }

    @Override
    public ReadableByteChannel sourceIn()
    {
        return inner.sourceIn();
    }

    @Override
    public int channels()
    {
        return inner.channels();
    }

    @Override
    public WritableByteChannel sourceOut(final int channel)
    {
        return inner.sourceOut(channel);
    }

    @Override
    public ReadableByteChannel destinationIn(final int channel)
    {
        return inner.destinationIn(channel);
    }

    @Override
    public boolean preempt()
    {
        return inner.preempt();
    }

    @Override
    public void closePreempt()
    {
        inner.closePreempt();
    }

    @Override
    public WritableByteChannel sourcePreempt()
    {
        return inner.sourcePreempt();
    }

    @Override
    public ReadableByteChannel destinationPreempt()
    {
        return inner.destinationPreempt();
    }

    @Override
    public void phase(final String phase, final long round)
    {
        inner.phase(phase, round);
    }

    @Override
    public void finishSource() throws IOException
    {
        inner.finishSource();
    }

    @Override
    public void finishDestination() throws IOException
    {
        inner.finishDestination();
    }

    @Override
    public void close()
    {
        inner.close();
    }
}
