package io.livemig.migration;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.channels.WritableByteChannel;
import java.util.concurrent.TimeUnit;

/**
 * One process's end of a migration over TCP between two processes: the source's ({@link #connect}) or the
 * destination's ({@link #accept}). The forward stream and the return path share the socket, as in {@link
 * TcpLink}; the other role's channels belong to the other process and throw here.
 *
 * <h2>Deadlines</h2>
 * Connect, accept and every read and write are bounded: a call that moves no byte for the link timeout
 * fails with a {@link SocketTimeoutException} naming the peer and the time. Blocking socket channels have
 * no timeout of their own, so a watchdog thread ({@code link-deadline}) closes the socket under a call
 * that has been blocked for longer (a read returns as soon as any byte arrives, so a long call means a
 * silent peer). The one read allowed to wait without bound is the source's return path while the source is
 * still sending: a pre-copy destination says nothing until SHUT; once the source has finished sending
 * ({@link #finishSource}) its wait for SHUT is bounded too.
 *
 * <p>Thread-safety: as {@link MigrationLink}: one reader and one writer at a time; {@link #close()} from
 * any thread. The call instants are volatile, written by the caller, read by the watchdog.
 */
public final class SocketLink implements MigrationLink
{
    private final SocketChannel socket;
    private final boolean sourceEnd;
    private final long timeoutNs;
    private final String peer;
    private final WritableByteChannel out;
    private final Thread watchdog;
    private volatile long readSince;
    private volatile long writeSince;
    private volatile boolean readBounded;
    private volatile String expired;
    private volatile boolean closed;

    private SocketLink(final SocketChannel socket, final boolean sourceEnd, final long bytesPerSecond,
        final long timeoutMs) throws IOException
    {
        this.socket = socket;
        this.sourceEnd = sourceEnd;
        this.timeoutNs = TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        this.peer = String.valueOf(socket.getRemoteAddress()).replaceFirst("^/", "");
        this.readBounded = !sourceEnd;
        socket.setOption(StandardSocketOptions.TCP_NODELAY, true);
        final WritableByteChannel bounded = new Bounded();
        this.out = sourceEnd && bytesPerSecond > 0 ? new ThrottledChannel(bounded, new TokenBucket(bytesPerSecond)) : bounded;
        this.watchdog = new Thread(this::watch, "link-deadline");
        watchdog.setDaemon(true);
        watchdog.start();
    }

    /**
     * The source's end: connects to {@code address} within {@code timeoutMs}.
     *
     * @param bytesPerSecond forward bandwidth, 0 for unlimited.
     */
    public static SocketLink connect(final InetSocketAddress address, final long bytesPerSecond, final long timeoutMs)
        throws IOException
    {
        final SocketChannel channel = SocketChannel.open();
        try
        {
            channel.socket().connect(address, (int)Math.min(Integer.MAX_VALUE, timeoutMs));
            return new SocketLink(channel, true, bytesPerSecond, timeoutMs);
        }
        catch (final SocketTimeoutException ex)
        {
            channel.close();
            throw new SocketTimeoutException("no connection to " + address + " within " + timeoutMs + " ms");
        }
        catch (final IOException | RuntimeException ex)
        {
            channel.close();
            throw ex;
        }
    }

    /**
     * The destination's end: accepts one connection on {@code server} within {@code acceptTimeoutMs}.
     *
     * @param timeoutMs the link timeout of every later read and write.
     */
    public static SocketLink accept(final ServerSocketChannel server, final long acceptTimeoutMs, final long timeoutMs)
        throws IOException
    {
        server.socket().setSoTimeout((int)Math.min(Integer.MAX_VALUE, acceptTimeoutMs));
        final SocketChannel channel;
        try
        {
            channel = server.socket().accept().getChannel();
        }
        catch (final SocketTimeoutException ex)
        {
            throw new SocketTimeoutException("no source connected to " +
                String.valueOf(server.getLocalAddress()).replaceFirst("^/", "") + " within " + acceptTimeoutMs + " ms");
        }
        try
        {
            return new SocketLink(channel, false, 0, timeoutMs);
        }
        catch (final IOException | RuntimeException ex)
        {
            channel.close();
            throw ex;
        }
    }

    /** @return the peer's address, for messages. */
    public String peer()
    {
        return peer;
    }

    @Override
    public String name()
    {
        return "tcp";
    }

    @Override
    public WritableByteChannel sourceOut()
    {
        return mine(sourceEnd, out);
    }

    @Override
    public ReadableByteChannel destinationIn()
    {
        return mine(!sourceEnd, new Bounded());
    }

    @Override
    public WritableByteChannel destinationOut()
    {
        return mine(!sourceEnd, out);
    }

    @Override
    public ReadableByteChannel sourceIn()
    {
        return mine(sourceEnd, new Bounded());
    }

    /** @return the raw bounded channel of this end, both ways, for the handshake. */
    public Bounded channel()
    {
        return new Bounded();
    }

    private <T> T mine(final boolean ok, final T channel)
    {
        if (!ok)
        {
            throw new UnsupportedOperationException("this process is the " + (sourceEnd ? "source" : "destination") +
                "; the other end is the peer's, " + peer);
        }
        return channel;
    }

    @Override
    public void finishSource() throws IOException
    {
        readBounded = true;
        socket.shutdownOutput();
    }

    @Override
    public void finishDestination() throws IOException
    {
        socket.shutdownOutput();
    }

    @Override
    public void close()
    {
        closed = true;
        watchdog.interrupt();
        try
        {
            socket.close();
        }
        catch (final IOException ignored)
        {
            // Closing a socket that failed already: nothing more to release.
        }
    }

    private void watch()
    {
        final long tick = Math.max(1_000_000L, Math.min(timeoutNs / 4, 100_000_000L));
        while (!closed)
        {
            try
            {
                TimeUnit.NANOSECONDS.sleep(tick);
            }
            catch (final InterruptedException ex)
            {
                return;
            }
            final long now = System.nanoTime();
            final long r = readSince;
            final long w = writeSince;
            if (r != 0 && readBounded && now - r > timeoutNs)
            {
                expire("no bytes from " + peer + " for " + TimeUnit.NANOSECONDS.toMillis(timeoutNs) + " ms");
            }
            else if (w != 0 && now - w > timeoutNs)
            {
                expire(peer + " took no bytes for " + TimeUnit.NANOSECONDS.toMillis(timeoutNs) + " ms");
            }
        }
    }

    private void expire(final String why)
    {
        expired = why;
        close();
    }

    private IOException failure(final IOException ex)
    {
        final String why = expired;
        if (why == null)
        {
            return closed ? ex : new IOException("connection with " + peer + ": " + describe(ex), ex);
        }
        final SocketTimeoutException timeout = new SocketTimeoutException(why);
        timeout.initCause(ex);
        return timeout;
    }

    private static String describe(final IOException ex)
    {
        return ex.getMessage() == null ? ex.toString() : ex.getMessage();
    }

    /** The socket, with every call timed for the watchdog. */
    public final class Bounded implements ReadableByteChannel, WritableByteChannel
    {
        @Override
        public int read(final ByteBuffer dst) throws IOException
        {
            readSince = System.nanoTime();
            try
            {
                return socket.read(dst);
            }
            catch (final IOException ex)
            {
                throw failure(ex);
            }
            finally
            {
                readSince = 0;
            }
        }

        @Override
        public int write(final ByteBuffer src) throws IOException
        {
            writeSince = System.nanoTime();
            try
            {
                int n = 0;
                while (src.hasRemaining())
                {
                    n += socket.write(src);
                    writeSince = System.nanoTime(); // progress: the deadline is per stalled call, not per buffer
                }
                return n;
            }
            catch (final IOException ex)
            {
                throw failure(ex);
            }
            finally
            {
                writeSince = 0;
            }
        }

        @Override
        public boolean isOpen()
        {
            return socket.isOpen();
        }

        @Override
        public void close()
        {
            SocketLink.this.close();
        }
    }
}
