package io.livemig.migration.link;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.channels.WritableByteChannel;

/**
 * A {@link MigrationLink} over a real TCP connection on the loopback interface (127.0.0.1, an ephemeral
 * port), as QEMU's {@code tcp:} transport: the forward stream one way, the return path back on the same
 * socket; with several page channels, one more connection per channel (QEMU's multifd). The source's writes pass through a {@link TokenBucket}, the same limit as {@link MemoryLink}'s.
 * {@code TCP_NODELAY} is set on both ends so that a post-copy page request is not held back.
 *
 * <p>Thread-safety: as {@link MigrationLink}; socket channels are safe for one reader and one writer.
 */
public final class TcpLink implements MigrationLink
{
    private final SocketChannel source;
    private final SocketChannel destination;
    private final WritableByteChannel sourceOut;
    /** Page channels' ends, source [0] and destination [1]; empty with one channel. */
    private final SocketChannel[][] pages;
    private final WritableByteChannel[] pagesOut;

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
        if (channels < 1)
        {
            throw new IllegalArgumentException("channels must be at least 1: " + channels);
        }
        final TokenBucket bucket = new TokenBucket(bytesPerSecond);
        this.pages = new SocketChannel[channels == 1 ? 0 : channels][];
        this.pagesOut = new WritableByteChannel[pages.length];
        SocketChannel[] main = null;
        try (ServerSocketChannel server = ServerSocketChannel.open())
        {
            server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            main = connect(server);
            for (int c = 0; c < pages.length; c++)
            {
                pages[c] = connect(server);
                pagesOut[c] = new ThrottledChannel(pages[c][0], bucket);
            }
        }
        catch (final IOException | RuntimeException ex)
        {
            if (main != null)
            {
                closeQuietly(main[0]);
                closeQuietly(main[1]);
            }
            closePages();
            throw ex;
        }
        this.source = main[0];
        this.destination = main[1];
        this.sourceOut = new ThrottledChannel(source, bucket);
    }

    private static SocketChannel[] connect(final ServerSocketChannel server) throws IOException
    {
        final SocketChannel client = SocketChannel.open(server.getLocalAddress());
        final SocketChannel accepted;
        try
        {
            accepted = server.accept();
        }
        catch (final IOException ex)
        {
            client.close();
            throw ex;
        }
        client.setOption(StandardSocketOptions.TCP_NODELAY, true);
        accepted.setOption(StandardSocketOptions.TCP_NODELAY, true);
        return new SocketChannel[] {client, accepted};
    }

    /** @return the port the destination accepted on (for messages). */
    public int port() throws IOException
    {
        return ((InetSocketAddress)destination.getLocalAddress()).getPort();
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
    public void finishSource() throws IOException
    {
        for (final SocketChannel[] pair : pages)
        {
            pair[0].shutdownOutput();
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
        closeQuietly(source);
        closeQuietly(destination);
        closePages();
    }

    private void closePages()
    {
        for (final SocketChannel[] pair : pages)
        {
            if (pair != null)
            {
                closeQuietly(pair[0]);
                closeQuietly(pair[1]);
            }
        }
    }

    private static void closeQuietly(final SocketChannel channel)
    {
        try
        {
            channel.close();
        }
        catch (final IOException ignored)
        {
            // Closing a socket that failed already: nothing more to release.
        }
    }
}
