package io.livemig.migration.tls;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.ByteChannel;
import java.nio.channels.Channels;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.SocketChannel;
import javax.net.ssl.SSLSocket;

/**
 * One TCP connection to the peer, in clear or inside TLS ({@link TlsConfig}), as a blocking byte channel.
 * Inside TLS, bytes go through the {@link SSLSocket}'s streams, which JSSE cuts into records of at most 16 KiB;
 * {@link #write} hands it up to {@value #CHUNK} bytes per call from a buffer of its own, so a direct buffer
 * costs one copy and no allocation.
 *
 * <p>{@link #shutdownOutput()} ends this side's bytes: inside TLS it sends {@code close_notify} first (TLS 1.3
 * closes each direction on its own, so the peer can still answer). {@link #close()} closes the TCP connection
 * under TLS without a {@code close_notify}, never blocks, and unblocks a read or write blocked on it; it is the
 * deadline's and the failure path's close.
 *
 * <p>Thread-safety: one reader and one writer at a time (they use separate buffers); {@link #close()} from any
 * thread.
 */
public final class PeerSocket implements ByteChannel
{
    /** Most bytes handed to TLS per call. */
    static final int CHUNK = 64 * 1024;

    private final SocketChannel channel;
    private final SSLSocket tls;
    private final TlsSession session;
    private final InputStream in;
    private final OutputStream out;
    private final byte[] readBuffer;
    private final byte[] writeBuffer;

    private PeerSocket(final SocketChannel channel, final SSLSocket tls, final TlsSession session) throws IOException
    {
        this.channel = channel;
        this.tls = tls;
        this.session = session;
        this.in = tls == null ? null : tls.getInputStream();
        this.out = tls == null ? null : tls.getOutputStream();
        this.readBuffer = tls == null ? null : new byte[CHUNK];
        this.writeBuffer = tls == null ? null : new byte[CHUNK];
    }

    /** @return {@code channel} in clear. */
    public static PeerSocket plain(final SocketChannel channel)
    {
        try
        {
            return new PeerSocket(channel, null, null);
        }
        catch (final IOException ex)
        {
            throw new AssertionError("no streams in clear", ex);
        }
    }

    /**
     * The destination's end of an accepted {@code channel}: in clear, or inside TLS after {@code tls}'s handshake
     * (bounded by {@code timeoutMs}; on failure the channel is closed).
     */
    public static PeerSocket accepted(final SocketChannel channel, final TlsConfig tls, final long timeoutMs)
        throws IOException
    {
        return tls == null ? plain(channel) : tls.accept(channel, timeoutMs);
    }

    /** The source's end of a {@code channel} connected to {@code to}, as {@link #accepted}. */
    public static PeerSocket connected(final SocketChannel channel, final TlsConfig tls, final InetSocketAddress to,
        final long timeoutMs) throws IOException
    {
        return tls == null ? plain(channel) : tls.connect(channel, to, timeoutMs);
    }

    /** @return {@code channel} inside the TLS session of {@code tls}, its handshake done. */
    static PeerSocket secure(final SocketChannel channel, final SSLSocket tls, final TlsSession session) throws IOException
    {
        return new PeerSocket(channel, tls, session);
    }

    /** @return the TCP connection underneath. */
    public SocketChannel channel()
    {
        return channel;
    }

    /** @return the TLS session, or null in clear. */
    public TlsSession session()
    {
        return session;
    }

    /** @return whether this connection's TLS handshake resumed a session (false in clear). */
    public boolean resumed()
    {
        return session != null && session.resumed();
    }

    /** @return the peer's address, for messages. */
    public String peer()
    {
        return peer(channel);
    }

    /** @return {@code channel}'s peer address, for messages. */
    static String peer(final SocketChannel channel)
    {
        try
        {
            return String.valueOf(channel.getRemoteAddress()).replaceFirst("^/", "");
        }
        catch (final IOException ex)
        {
            return "a closed connection";
        }
    }

    @Override
    public int read(final ByteBuffer dst) throws IOException
    {
        if (tls == null)
        {
            return channel.read(dst);
        }
        final int n;
        if (dst.hasArray())
        {
            n = in.read(dst.array(), dst.arrayOffset() + dst.position(), dst.remaining());
            if (n > 0)
            {
                dst.position(dst.position() + n);
            }
        }
        else
        {
            n = in.read(readBuffer, 0, Math.min(dst.remaining(), readBuffer.length));
            if (n > 0)
            {
                dst.put(readBuffer, 0, n);
            }
        }
        return n;
    }

    @Override
    public int write(final ByteBuffer src) throws IOException
    {
        if (tls == null)
        {
            return channel.write(src);
        }
        final int n = src.remaining();
        if (src.hasArray())
        {
            out.write(src.array(), src.arrayOffset() + src.position(), n);
            src.position(src.limit());
            return n;
        }
        while (src.hasRemaining())
        {
            final int chunk = Math.min(src.remaining(), writeBuffer.length);
            src.get(writeBuffer, 0, chunk);
            out.write(writeBuffer, 0, chunk);
        }
        return n;
    }

    /**
     * A view whose reads fail with a {@link SocketTimeoutException} after {@code timeoutMs} without a byte (for a
     * channel's hello, read before any deadline watches this connection); {@link #untimed()} ends it.
     */
    public ReadableByteChannel timed(final long timeoutMs) throws IOException
    {
        final int ms = (int)Math.max(1, Math.min(Integer.MAX_VALUE, timeoutMs));
        if (tls == null)
        {
            channel.socket().setSoTimeout(ms);
            return Channels.newChannel(channel.socket().getInputStream());
        }
        tls.setSoTimeout(ms);
        return this;
    }

    /** Reads wait without a bound again (the link's deadline watches them). */
    public void untimed() throws IOException
    {
        if (tls == null)
        {
            channel.socket().setSoTimeout(0);
        }
        else
        {
            tls.setSoTimeout(0);
        }
    }

    /** Ends this side's bytes: inside TLS, {@code close_notify}, then the TCP half-close. */
    public void shutdownOutput() throws IOException
    {
        if (tls == null)
        {
            channel.shutdownOutput();
        }
        else
        {
            tls.shutdownOutput();
        }
    }

    @Override
    public boolean isOpen()
    {
        return channel.isOpen();
    }

    /** Closes the TCP connection at once; idempotent, never throws. */
    @Override
    public void close()
    {
        close(channel);
    }

    /** Closes {@code channel} at once, ignoring a failure to close (it failed already: nothing more to release). */
    public static void close(final SocketChannel channel)
    {
        try
        {
            channel.close();
        }
        catch (final IOException ignored)
        {
            // Closing a connection that failed already: nothing more to release.
        }
    }
}
