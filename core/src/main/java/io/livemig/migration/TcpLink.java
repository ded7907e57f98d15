package io.livemig.migration;

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
 * socket. The source's writes pass through a {@link TokenBucket}, the same limit as {@link MemoryLink}'s.
 * {@code TCP_NODELAY} is set on both ends so that a post-copy page request is not held back.
 *
 * <p>Thread-safety: as {@link MigrationLink}; socket channels are safe for one reader and one writer.
 */
public final class TcpLink implements MigrationLink
{
    private final SocketChannel source;
    private final SocketChannel destination;
    private final WritableByteChannel sourceOut;

    /** @param bytesPerSecond forward bandwidth, 0 for unlimited. */
    public TcpLink(final long bytesPerSecond) throws IOException
    {
        final TokenBucket bucket = new TokenBucket(bytesPerSecond);
        try (ServerSocketChannel server = ServerSocketChannel.open())
        {
            server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
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
            this.source = client;
            this.destination = accepted;
        }
        this.sourceOut = new ThrottledChannel(source, bucket);
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
    public WritableByteChannel sourceOut()
    {
        return sourceOut;
    }

    @Override
    public ReadableByteChannel destinationIn()
    {
        return destination;
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
