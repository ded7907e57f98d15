package io.livemig.migration.link;

import io.livemig.migration.tls.PeerSocket;
import io.livemig.migration.tls.SessionTicket;
import io.livemig.migration.tls.TlsConfig;
import io.livemig.migration.tls.TlsSession;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.channels.WritableByteChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

/**
 * A {@link MigrationLink} over a real TCP connection on the loopback interface (127.0.0.1, an ephemeral
 * port), as QEMU's {@code tcp:} transport: the forward stream one way, the return path back on the same
 * socket; with several page channels, one more connection per channel (QEMU's multifd); with a preempt
 * connection, one more for post-copy's requested pages. The source's writes pass through a {@link TokenBucket},
 * the same limit as {@link MemoryLink}'s.
 * {@code TCP_NODELAY} is set on both ends so that a post-copy page request is not held back. With TLS
 * ({@link #TcpLink(long, int, TlsConfig, TlsConfig)}) every connection runs its own TLS 1.3 session, the
 * source's end the client and the destination's end the server, as between two processes.
 *
 * <p>Thread-safety: as {@link MigrationLink}; socket channels are safe for one reader and one writer.
 */
public final class TcpLink implements MigrationLink
{
    /** Bound of each TLS handshake between the two ends in this process. */
    static final long HANDSHAKE_TIMEOUT_MS = 10_000;

    private final PeerSocket source;
    private final PeerSocket destination;
    private final WritableByteChannel sourceOut;
    /** Page channels' ends, source [0] and destination [1]; empty with one channel. */
    private final PeerSocket[][] pages;
    private final WritableByteChannel[] pagesOut;
    /** The preempt connection's ends, source [0] and destination [1], or null. */
    private final PeerSocket[] preempt;
    private final WritableByteChannel preemptOut;

    /** @param bytesPerSecond forward bandwidth, 0 for unlimited. */
    public TcpLink(final long bytesPerSecond) throws IOException
    {
        this(bytesPerSecond, 1);
    }

    /**
     * @param bytesPerSecond forward bandwidth of all connections together, 0 for unlimited.
     * @param channels       page channels: above 1, that many more connections, one per channel.
     */
    public TcpLink(final long bytesPerSecond, final int channels) throws IOException
    {
        this(bytesPerSecond, channels, null, null);
    }

    /**
     * @param bytesPerSecond forward bandwidth of all connections together, 0 for unlimited.
     * @param channels       page channels: above 1, that many more connections, one per channel.
     * @param destinationTls the destination's TLS (server), or null for connections in clear.
     * @param sourceTls      the source's TLS (client); given with {@code destinationTls}.
     */
    public TcpLink(final long bytesPerSecond, final int channels, final TlsConfig destinationTls,
        final TlsConfig sourceTls) throws IOException
    {
        this(bytesPerSecond, channels, false, destinationTls, sourceTls);
    }

    /**
     * @param bytesPerSecond forward bandwidth of all connections together, 0 for unlimited.
     * @param channels       page channels: above 1, that many more connections, one per channel.
     * @param preempt        one more connection for post-copy's requested pages, ahead in the bandwidth.
     * @param destinationTls the destination's TLS (server), or null for connections in clear.
     * @param sourceTls      the source's TLS (client); given with {@code destinationTls}.
     */
    public TcpLink(final long bytesPerSecond, final int channels, final boolean preempt,
        final TlsConfig destinationTls, final TlsConfig sourceTls) throws IOException
    {
        if ((destinationTls == null) != (sourceTls == null))
        {
            throw new IllegalArgumentException("TLS needs both ends' configurations, or neither");
        }
        if (channels < 1)
        {
            throw new IllegalArgumentException("channels must be at least 1: " + channels);
        }
        final TokenBucket bucket = new TokenBucket(bytesPerSecond);
        this.pages = new PeerSocket[channels == 1 ? 0 : channels][];
        this.pagesOut = new WritableByteChannel[pages.length];
        PeerSocket[] main = null;
        PeerSocket[] urgent = null;
        try (ServerSocketChannel server = ServerSocketChannel.open())
        {
            server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            final int connections = 1 + pages.length + (preempt ? 1 : 0);
            main = connect(server, destinationTls, sourceTls, connections > 1);
            for (int c = 0; c < pages.length; c++)
            {
                pages[c] = connect(server, destinationTls, sourceTls, 2 + c < connections);
                pagesOut[c] = new ThrottledChannel(pages[c][0], bucket);
            }
            urgent = preempt ? connect(server, destinationTls, sourceTls, false) : null;
        }
        catch (final IOException | RuntimeException ex)
        {
            if (main != null)
            {
                main[0].close();
                main[1].close();
            }
            closePages();
            throw ex;
        }
        this.preempt = urgent;
        this.preemptOut = urgent == null ? null : new ThrottledChannel(urgent[0], bucket, true);
        this.source = main[0];
        this.destination = main[1];
        this.sourceOut = new ThrottledChannel(source, bucket);
    }

    /**
     * @param more another connection follows: inside TLS, the source takes this one's session ticket for it
     *             ({@link SessionTicket}), so that its handshake resumes this one's session.
     * @return one connection's two ends, source [0] and destination [1], inside TLS when configured.
     */
    private static PeerSocket[] connect(final ServerSocketChannel server, final TlsConfig destinationTls,
        final TlsConfig sourceTls, final boolean more) throws IOException
    {
        final SocketChannel client = SocketChannel.open(server.getLocalAddress());
        final SocketChannel accepted;
        try
        {
            accepted = server.accept();
            client.setOption(StandardSocketOptions.TCP_NODELAY, true);
            accepted.setOption(StandardSocketOptions.TCP_NODELAY, true);
        }
        catch (final IOException ex)
        {
            client.close();
            throw ex;
        }
        if (sourceTls == null)
        {
            return new PeerSocket[] {PeerSocket.plain(client), PeerSocket.plain(accepted)};
        }
        // Both ends' handshakes in this process: the destination's on a helper thread, bounded like the source's.
        final InetSocketAddress at = (InetSocketAddress)server.getLocalAddress();
        final CompletableFuture<PeerSocket> serverEnd = CompletableFuture.supplyAsync(() ->
        {
            try
            {
                return destinationTls.accept(accepted, HANDSHAKE_TIMEOUT_MS);
            }
            catch (final IOException ex)
            {
                throw new UncheckedIOException(ex);
            }
        }, r -> new Thread(r, "tcp-link-tls-accept").start());
        try
        {
            final PeerSocket clientEnd = sourceTls.connect(client, at, HANDSHAKE_TIMEOUT_MS);
            final PeerSocket[] ends = {clientEnd, serverEnd.get()};
            if (more)
            {
                try
                {
                    SessionTicket.send(ends[1]);
                    SessionTicket.take(ends[0], HANDSHAKE_TIMEOUT_MS);
                }
                catch (final IOException ex)
                {
                    ends[0].close();
                    ends[1].close();
                    throw ex;
                }
            }
            return ends;
        }
        catch (final ExecutionException ex)
        {
            client.close();
            throw ex.getCause() instanceof UncheckedIOException u ? u.getCause() : new IOException(ex.getCause());
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            client.close();
            accepted.close();
            throw new IOException("interrupted in a TLS handshake", ex);
        }
        catch (final IOException ex)
        {
            accepted.close();
            serverEnd.exceptionally(failed -> null);
            throw ex;
        }
    }

    /** @return the TLS session of the source's end of the main connection, or null in clear. */
    public TlsSession session()
    {
        return source.session();
    }

    /** @return the TLS sessions of the source's ends of the page channels, in order (none with one channel or in clear). */
    public List<TlsSession> channelSessions()
    {
        final List<TlsSession> sessions = new ArrayList<>();
        for (final PeerSocket[] channel : pages)
        {
            if (channel[0].session() != null)
            {
                sessions.add(channel[0].session());
            }
        }
        return sessions;
    }

    /** @return how many of the page channels' and the preempt connection's TLS handshakes resumed a session. */
    public int resumedSessions()
    {
        int resumed = preempt != null && preempt[0].resumed() ? 1 : 0;
        for (final PeerSocket[] channel : pages)
        {
            resumed += channel[0].resumed() ? 1 : 0;
        }
        return resumed;
    }

    /** @return the port the destination accepted on (for messages). */
    public int port() throws IOException
    {
        return ((InetSocketAddress)destination.channel().getLocalAddress()).getPort();
    }

    @Override
    public String name()
    {
        return "tcp";
    }

    @Override
    public int channels()
    {
        return Math.max(1, pages.length);
    }

    @Override
    public WritableByteChannel sourceOut()
    {
        return sourceOut;
    }

    @Override
    public WritableByteChannel sourceOut(final int channel)
    {
        return pagesOut[channel];
    }

    @Override
    public ReadableByteChannel destinationIn()
    {
        return destination;
    }

    @Override
    public ReadableByteChannel destinationIn(final int channel)
    {
        return pages[channel][1];
    }

    @Override
    public WritableByteChannel destinationOut()
    {
        return destination;
    }

    @Override
    public ReadableByteChannel sourceIn()
    {
        return source;
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
            preempt[0].close();
            preempt[1].close();
        }
    }

    @Override
    public WritableByteChannel sourcePreempt()
    {
        return preempt == null ? MigrationLink.super.sourcePreempt() : preemptOut;
    }

    @Override
    public ReadableByteChannel destinationPreempt()
    {
        return preempt == null ? MigrationLink.super.destinationPreempt() : preempt[1];
    }

    @Override
    public void finishSource() throws IOException
    {
        for (final PeerSocket[] pair : pages)
        {
            pair[0].shutdownOutput();
        }
        if (preempt != null)
        {
            preempt[0].shutdownOutput();
        }
        source.shutdownOutput();
    }

    @Override
    public void finishDestination() throws IOException
    {
        destination.shutdownOutput();
    }

    @Override
    public void close()
    {
        source.close();
        destination.close();
        closePages();
        if (preempt != null)
        {
            preempt[0].close();
            preempt[1].close();
        }
    }

    private void closePages()
    {
        for (final PeerSocket[] pair : pages)
        {
            if (pair != null)
            {
                pair[0].close();
                pair[1].close();
            }
        }
    }
}
