package io.livemig.migration.link;

import io.livemig.migration.tls.PeerSocket;
import io.livemig.migration.tls.TlsConfig;
import io.livemig.migration.tls.TlsHandshakeTimeoutException;
import io.livemig.migration.tls.TlsSession;

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
 * TcpLink}; the other role's channels belong to the other process and throw here. Each connection is a {@link
 * PeerSocket}, in clear or inside TLS 1.3 ({@link TlsConfig}: the handshake bounded by the link timeout too);
 * the deadlines below hold for both.
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
    private final PeerSocket socket;
    /** The main socket's call instants, then each page channel's. */
    private final End main;
    private final End[] pages;
    private final WritableByteChannel[] pagesOut;
    /** The preempt connection's call instants, or null; and the source's throttled, urgent end of it. */
    private final End preempt;
    private final WritableByteChannel preemptOut;
    private final boolean sourceEnd;
    private final long bytesPerSecond;
    private final long timeoutNs;
    private final String peer;
    private final WritableByteChannel out;
    private final Thread watchdog;
    private volatile boolean readBounded;
    private volatile String expired;
    private volatile boolean closed;

    private SocketLink(final PeerSocket socket, final boolean sourceEnd, final long bytesPerSecond,
        final long timeoutMs) throws IOException
    {
        this(socket, new PeerSocket[0], null, sourceEnd, bytesPerSecond, timeoutMs);
    }

    private SocketLink(final PeerSocket socket, final PeerSocket[] channels, final PeerSocket preemptSocket,
        final boolean sourceEnd, final long bytesPerSecond, final long timeoutMs) throws IOException
    {
        this.socket = socket;
        this.bytesPerSecond = bytesPerSecond;
        this.main = new End(socket);
        this.pages = new End[channels.length];
        this.pagesOut = new WritableByteChannel[channels.length];
        this.sourceEnd = sourceEnd;
        this.timeoutNs = TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        this.peer = socket.peer();
        this.readBounded = !sourceEnd;
        socket.channel().setOption(StandardSocketOptions.TCP_NODELAY, true);
        final TokenBucket bucket = sourceEnd && bytesPerSecond > 0 ? new TokenBucket(bytesPerSecond) : null;
        final WritableByteChannel bounded = new Bounded(main);
        this.out = bucket != null ? new ThrottledChannel(bounded, bucket) : bounded;
        for (int c = 0; c < channels.length; c++)
        {
            channels[c].channel().setOption(StandardSocketOptions.TCP_NODELAY, true);
            pages[c] = new End(channels[c]);
            pagesOut[c] = bucket != null ? new ThrottledChannel(new Bounded(pages[c]), bucket) : new Bounded(pages[c]);
        }
        if (preemptSocket != null)
        {
            preemptSocket.channel().setOption(StandardSocketOptions.TCP_NODELAY, true);
            preempt = new End(preemptSocket);
            preemptOut = bucket != null ? new ThrottledChannel(new Bounded(preempt), bucket, true) : new Bounded(preempt);
        }
        else
        {
            preempt = null;
            preemptOut = null;
        }
        this.watchdog = new Thread(this::watch, "link-deadline");
        watchdog.setDaemon(true);
        watchdog.start();
    }

    /**
     * The source's end: connects to {@code address} within {@code timeoutMs}, then, with {@code tls}, completes
     * its handshake within {@code timeoutMs} more.
     *
     * @param bytesPerSecond forward bandwidth, 0 for unlimited.
     * @param tls            the source's TLS, or null for a connection in clear.
     */
    public static SocketLink connect(final InetSocketAddress address, final long bytesPerSecond, final long timeoutMs,
        final TlsConfig tls) throws IOException
    {
        return link(open(address, timeoutMs, tls, ""), true, bytesPerSecond, timeoutMs);
    }

    /** @return a link over {@code socket}, which is closed if the link cannot be made. */
    private static SocketLink link(final PeerSocket socket, final boolean sourceEnd, final long bytesPerSecond,
        final long timeoutMs) throws IOException
    {
        try
        {
            return new SocketLink(socket, sourceEnd, bytesPerSecond, timeoutMs);
        }
        catch (final IOException | RuntimeException ex)
        {
            socket.close();
            throw ex;
        }
    }

    /** {@link #connect(InetSocketAddress, long, long, TlsConfig)} in clear. */
    public static SocketLink connect(final InetSocketAddress address, final long bytesPerSecond, final long timeoutMs)
        throws IOException
    {
        return connect(address, bytesPerSecond, timeoutMs, null);
    }

    /**
     * Connects one more connection to {@code address} (a page channel's, or a reconnect's) within {@code
     * timeoutMs}, inside TLS when {@code tls} is given; on failure nothing stays open.
     *
     * @param what for messages, e.g. {@code "page channel 2: "}.
     */
    public static PeerSocket open(final InetSocketAddress address, final long timeoutMs, final TlsConfig tls,
        final String what) throws IOException
    {
        final SocketChannel channel = SocketChannel.open();
        try
        {
            channel.socket().connect(address, (int)Math.min(Integer.MAX_VALUE, timeoutMs));
            return PeerSocket.connected(channel, tls, address, timeoutMs);
        }
        catch (final TlsHandshakeTimeoutException ex)
        {
            throw new TlsHandshakeTimeoutException(what + ex.getMessage()); // the channel is closed already
        }
        catch (final SocketTimeoutException ex)
        {
            channel.close();
            throw new SocketTimeoutException(what + "no connection to " + address + " within " + timeoutMs + " ms");
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
     * @param timeoutMs the link timeout of every later read and write, and of the TLS handshake.
     * @param tls       the destination's TLS, or null for a connection in clear; the client's name is not checked
     *                  here ({@link TlsConfig#refusal}).
     */
    public static SocketLink accept(final ServerSocketChannel server, final long acceptTimeoutMs, final long timeoutMs,
        final TlsConfig tls) throws IOException
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
        return link(PeerSocket.accepted(channel, tls, timeoutMs), false, 0, timeoutMs);
    }

    /** @return the destination's end over {@code socket}, already accepted and vetted (a reconnect's). */
    public static SocketLink destinationEnd(final PeerSocket socket, final long timeoutMs) throws IOException
    {
        return link(socket, false, 0, timeoutMs);
    }

    /** {@link #accept(ServerSocketChannel, long, long, TlsConfig)} in clear. */
    public static SocketLink accept(final ServerSocketChannel server, final long acceptTimeoutMs, final long timeoutMs)
        throws IOException
    {
        return accept(server, acceptTimeoutMs, timeoutMs, null);
    }

    /**
     * This link with {@code channels} page channels added, one connected socket each, in channel order; the
     * sockets then belong to the returned link (closed with it), and this link's main socket too.
     */
    public SocketLink withChannels(final PeerSocket[] channels) throws IOException
    {
        return withChannels(channels, null);
    }

    /**
     * This link with {@code channels} page channels (none: an empty array) and a post-copy preempt connection
     * ({@code preempt}, or null for none) added; the sockets then belong to the returned link, as with {@link
     * #withChannels(PeerSocket[])}. The destination's reads of the preempt connection are not bounded by the
     * link timeout (it is silent while no vCPU faults); its writes are.
     */
    public SocketLink withChannels(final PeerSocket[] channels, final PeerSocket preempt) throws IOException
    {
        closed = true; // this object's watchdog ends; the new link watches every socket
        watchdog.interrupt();
        return new SocketLink(socket, channels, preempt, sourceEnd, bytesPerSecond,
            TimeUnit.NANOSECONDS.toMillis(timeoutNs));
    }

    @Override
    public boolean preempt()
    {
        return preempt != null;
    }

    @Override
    public void closePreempt()
    {
        if (preempt != null)
        {
            preempt.socket.close();
        }
    }

    @Override
    public WritableByteChannel sourcePreempt()
    {
        return preempt == null ? MigrationLink.super.sourcePreempt() : mine(sourceEnd, preemptOut);
    }

    @Override
    public ReadableByteChannel destinationPreempt()
    {
        return preempt == null ? MigrationLink.super.destinationPreempt() : mine(!sourceEnd, new Bounded(preempt));
    }

    /** @return the TLS session of the main connection, or null in clear. */
    public TlsSession session()
    {
        return socket.session();
    }

    /** @return how many of the page channels' and the preempt connection's TLS handshakes resumed a session. */
    public int resumedSessions()
    {
        int resumed = preempt != null && preempt.socket.resumed() ? 1 : 0;
        for (final End page : pages)
        {
            resumed += page.socket.resumed() ? 1 : 0;
        }
        return resumed;
    }

    /** @return the link timeout, ms. */
    public long timeoutMs()
    {
        return TimeUnit.NANOSECONDS.toMillis(timeoutNs);
    }

    @Override
    public int channels()
    {
        return Math.max(1, pages.length);
    }

    @Override
    public WritableByteChannel sourceOut(final int channel)
    {
        return mine(sourceEnd, pagesOut[channel]);
    }

    @Override
    public ReadableByteChannel destinationIn(final int channel)
    {
        return mine(!sourceEnd, new Bounded(pages[channel]));
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
        return mine(!sourceEnd, new Bounded(main));
    }

    @Override
    public WritableByteChannel destinationOut()
    {
        return mine(!sourceEnd, out);
    }

    @Override
    public ReadableByteChannel sourceIn()
    {
        return mine(sourceEnd, new Bounded(main));
    }

    /** @return the raw bounded channel of this end, both ways, for the handshake. */
    public Bounded channel()
    {
        return new Bounded(main);
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
        for (final End end : pages)
        {
            end.socket.shutdownOutput();
        }
        if (preempt != null)
        {
            preempt.socket.shutdownOutput();
        }
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
        socket.close();
        for (final End end : pages)
        {
            end.socket.close();
        }
        if (preempt != null)
        {
            preempt.socket.close();
        }
    }

    /** Closes every connection of {@code channels} that was opened (null entries were not). */
    public static void closeQuietly(final PeerSocket[] channels)
    {
        for (final PeerSocket channel : channels)
        {
            if (channel != null)
            {
                channel.close();
            }
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
            check(main, readBounded, now, "");
            for (int c = 0; c < pages.length && !closed; c++)
            {
                check(pages[c], true, now, " on page channel " + c);
            }
            if (preempt != null && !closed)
            {
                check(preempt, false, now, " on the preempt connection");
            }
        }
    }

    private void check(final End end, final boolean bounded, final long now, final String where)
    {
        final long r = end.readSince;
        final long w = end.writeSince;
        if (r != 0 && bounded && now - r > timeoutNs)
        {
            expire("link timeout: no bytes from " + peer + where + " for " + TimeUnit.NANOSECONDS.toMillis(timeoutNs) + " ms");
        }
        else if (w != 0 && now - w > timeoutNs)
        {
            expire("link timeout: " + peer + " took no bytes" + where + " for " + TimeUnit.NANOSECONDS.toMillis(timeoutNs) + " ms");
        }
    }

    /** One socket and the instants of the calls blocked on it, for the watchdog. */
    private static final class End
    {
        final PeerSocket socket;
        volatile long readSince;
        volatile long writeSince;

        End(final PeerSocket socket)
        {
            this.socket = socket;
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

    /** A socket of this link, with every call timed for the watchdog. */
    public final class Bounded implements ReadableByteChannel, WritableByteChannel
    {
        private final End end;

        private Bounded(final End end)
        {
            this.end = end;
        }

        @Override
        public int read(final ByteBuffer dst) throws IOException
        {
            end.readSince = System.nanoTime();
            try
            {
                return end.socket.read(dst);
            }
            catch (final IOException ex)
            {
                throw failure(ex);
            }
            finally
            {
                end.readSince = 0;
            }
        }

        @Override
        public int write(final ByteBuffer src) throws IOException
        {
            end.writeSince = System.nanoTime();
            try
            {
                int n = 0;
                while (src.hasRemaining())
                {
                    n += end.socket.write(src);
                    end.writeSince = System.nanoTime(); // progress: the deadline is per stalled call, not per buffer
                }
                return n;
            }
            catch (final IOException ex)
            {
                throw failure(ex);
            }
            finally
            {
                end.writeSince = 0;
            }
        }

        @Override
        public boolean isOpen()
        {
            return end.socket.isOpen();
        }

        @Override
        public void close()
        {
            SocketLink.this.close();
        }
    }
}
