package io.livemig.bench.migration;

import io.livemig.migration.link.MigrationLink;

import java.io.EOFException;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.channels.WritableByteChannel;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;

/**
 * The floor under an encrypted migration, for {@link ChannelsBenchmark}'s TLS baseline: N loopback connections,
 * each with a pair of {@link SSLEngine}s (TLS 1.3, the same contexts and cipher suites as the migration's),
 * their handshake done in memory when the link opens, then nothing but {@code wrap} into a direct buffer and a
 * socket write on one side, a socket read and {@code unwrap} on the other: no {@link javax.net.ssl.SSLSocket}
 * streams, no framing, no copy beyond the engines' own. Forward channels only; the return path throws.
 *
 * <p>Thread-safety: each channel's two ends are used by one thread each; {@link #close()} from any thread.
 */
final class EngineLink implements MigrationLink
{
    private final SocketChannel[][] sockets;
    private final WritableByteChannel[] out;
    private final ReadableByteChannel[] in;

    /**
     * @param channels connections (1: the forward stream alone).
     * @param server   the destination's context.
     * @param client   the source's context.
     * @param suites   the cipher suites offered, in order; empty: the JDK's.
     */
    EngineLink(final int channels, final SSLContext server, final SSLContext client, final String[] suites)
        throws IOException
    {
        sockets = new SocketChannel[channels][];
        out = new WritableByteChannel[channels];
        in = new ReadableByteChannel[channels];
        try (ServerSocketChannel listener = ServerSocketChannel.open())
        {
            listener.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            for (int c = 0; c < channels; c++)
            {
                final SocketChannel a = SocketChannel.open(listener.getLocalAddress());
                final SocketChannel b = listener.accept();
                sockets[c] = new SocketChannel[] {a, b};
                a.setOption(StandardSocketOptions.TCP_NODELAY, true);
                b.setOption(StandardSocketOptions.TCP_NODELAY, true);
                final SSLEngine sending = engine(client, true, suites);
                final SSLEngine receiving = engine(server, false, suites);
                handshake(sending, receiving);
                out[c] = new Wrapping(sending, a);
                in[c] = new Unwrapping(receiving, b);
            }
        }
        catch (final IOException | RuntimeException ex)
        {
            close();
            throw ex;
        }
    }

    /**
     * Runs {@code bytes} through a pair of engines in memory (wrap, then unwrap), so that the cipher's code is
     * compiled before a measurement: one 1 GiB shot alone leaves AES-GCM's intrinsics cold (shots of the same copy
     * fell from 3.0 s to 0.9 s over 5 shots on this machine).
     */
    static void warmUp(final SSLContext server, final SSLContext client, final String suite, final long bytes)
        throws SSLException
    {
        final SSLEngine sending = engine(client, true, new String[] {suite});
        final SSLEngine receiving = engine(server, false, new String[] {suite});
        handshake(sending, receiving);
        final ByteBuffer plain = ByteBuffer.allocateDirect(64 << 10);
        final ByteBuffer net = ByteBuffer.allocateDirect(4 * sending.getSession().getPacketBufferSize() + (64 << 10));
        final ByteBuffer app = ByteBuffer.allocateDirect(plain.capacity() + receiving.getSession().getApplicationBufferSize());
        for (long done = 0; done < bytes; done += plain.capacity())
        {
            plain.clear();
            net.clear();
            while (plain.hasRemaining())
            {
                sending.wrap(plain, net);
            }
            net.flip();
            app.clear();
            while (net.hasRemaining())
            {
                if (receiving.unwrap(net, app).bytesConsumed() == 0)
                {
                    break;
                }
            }
        }
    }

    private static SSLEngine engine(final SSLContext context, final boolean client, final String[] suites)
    {
        final SSLEngine e = context.createSSLEngine("localhost", 0);
        final SSLParameters p = e.getSSLParameters();
        p.setProtocols(new String[] {"TLSv1.3"});
        if (suites.length > 0)
        {
            p.setCipherSuites(suites);
        }
        p.setNeedClientAuth(!client);
        e.setSSLParameters(p);
        e.setUseClientMode(client);
        return e;
    }

    /** Drives both engines' handshake through two buffers until neither has more to do. */
    private static void handshake(final SSLEngine client, final SSLEngine server) throws SSLException
    {
        final int size = Math.max(client.getSession().getPacketBufferSize(), server.getSession().getPacketBufferSize());
        final ByteBuffer toServer = ByteBuffer.allocate(4 * size);
        final ByteBuffer toClient = ByteBuffer.allocate(4 * size);
        final ByteBuffer app = ByteBuffer.allocate(4 * size);
        final ByteBuffer empty = ByteBuffer.allocate(0);
        client.beginHandshake();
        server.beginHandshake();
        for (int step = 0; step < 1000; step++)
        {
            final boolean clientDone = step(client, empty, toServer, toClient, app);
            final boolean serverDone = step(server, empty, toClient, toServer, app);
            if (clientDone && serverDone)
            {
                return;
            }
        }
        throw new SSLException("the in-memory TLS handshake did not finish in 1000 steps");
    }

    /** One step of {@code e}: wraps into {@code out}, unwraps from {@code in}. @return whether it has finished. */
    private static boolean step(final SSLEngine e, final ByteBuffer empty, final ByteBuffer out, final ByteBuffer in,
        final ByteBuffer app) throws SSLException
    {
        switch (e.getHandshakeStatus())
        {
            case NEED_WRAP:
                e.wrap(empty, out);
                return false;
            case NEED_UNWRAP:
            case NEED_UNWRAP_AGAIN:
                in.flip();
                app.clear();
                e.unwrap(in, app);
                in.compact();
                return false;
            case NEED_TASK:
                Runnable task;
                while ((task = e.getDelegatedTask()) != null)
                {
                    task.run();
                }
                return false;
            default:
                return true;
        }
    }

    @Override
    public String name()
    {
        return "tls-engine";
    }

    @Override
    public int channels()
    {
        return out.length;
    }

    @Override
    public WritableByteChannel sourceOut()
    {
        return out[0];
    }

    @Override
    public ReadableByteChannel destinationIn()
    {
        return in[0];
    }

    @Override
    public WritableByteChannel sourceOut(final int channel)
    {
        return out[channel];
    }

    @Override
    public ReadableByteChannel destinationIn(final int channel)
    {
        return in[channel];
    }

    @Override
    public WritableByteChannel destinationOut()
    {
        throw new UnsupportedOperationException("the engine baseline has forward channels only");
    }

    @Override
    public ReadableByteChannel sourceIn()
    {
        throw new UnsupportedOperationException("the engine baseline has forward channels only");
    }

    @Override
    public void finishSource() throws IOException
    {
        for (final SocketChannel[] pair : sockets)
        {
            pair[0].shutdownOutput();
        }
    }

    @Override
    public void finishDestination()
    {
    }

    @Override
    public void close()
    {
        for (final SocketChannel[] pair : sockets)
        {
            if (pair != null)
            {
                for (final SocketChannel s : pair)
                {
                    try
                    {
                        s.close();
                    }
                    catch (final IOException ignored)
                    {
                        // Closing a socket that failed already: nothing more to release.
                    }
                }
            }
        }
    }

    /** wrap, then write every record. */
    private static final class Wrapping implements WritableByteChannel
    {
        private final SSLEngine engine;
        private final SocketChannel socket;
        private final ByteBuffer net;

        Wrapping(final SSLEngine engine, final SocketChannel socket)
        {
            this.engine = engine;
            this.socket = socket;
            this.net = ByteBuffer.allocateDirect(4 * engine.getSession().getPacketBufferSize());
        }

        @Override
        public int write(final ByteBuffer src) throws IOException
        {
            final int n = src.remaining();
            while (src.hasRemaining())
            {
                net.clear();
                while (src.hasRemaining())
                {
                    final SSLEngineResult r = engine.wrap(src, net);
                    if (r.getStatus() == SSLEngineResult.Status.BUFFER_OVERFLOW || r.bytesConsumed() == 0)
                    {
                        break; // net is full: send what it holds
                    }
                }
                net.flip();
                while (net.hasRemaining())
                {
                    socket.write(net);
                }
            }
            return n;
        }

        @Override
        public boolean isOpen()
        {
            return socket.isOpen();
        }

        @Override
        public void close() throws IOException
        {
            socket.close();
        }
    }

    /** read, then unwrap into the caller's buffer (or a buffer of one record when the caller's is smaller). */
    private static final class Unwrapping implements ReadableByteChannel
    {
        private final SSLEngine engine;
        private final SocketChannel socket;
        private final ByteBuffer net;
        private final ByteBuffer app;

        Unwrapping(final SSLEngine engine, final SocketChannel socket)
        {
            this.engine = engine;
            this.socket = socket;
            this.net = ByteBuffer.allocateDirect(4 * engine.getSession().getPacketBufferSize());
            this.app = ByteBuffer.allocateDirect(engine.getSession().getApplicationBufferSize()).flip();
        }

        @Override
        public int read(final ByteBuffer dst) throws IOException
        {
            if (app.hasRemaining())
            {
                return drain(dst);
            }
            while (true)
            {
                net.flip();
                final boolean big = dst.remaining() >= engine.getSession().getApplicationBufferSize();
                final int before = dst.position();
                final SSLEngineResult r = big ? engine.unwrap(net, dst) : engine.unwrap(net, app.clear());
                net.compact();
                if (!big)
                {
                    app.flip();
                }
                if (r.getStatus() == SSLEngineResult.Status.CLOSED)
                {
                    return -1;
                }
                if (r.bytesProduced() > 0)
                {
                    return big ? dst.position() - before : drain(dst);
                }
                if (r.getStatus() == SSLEngineResult.Status.BUFFER_UNDERFLOW || r.bytesConsumed() == 0)
                {
                    if (socket.read(net) < 0)
                    {
                        if (net.position() == 0)
                        {
                            return -1;
                        }
                        throw new EOFException("the connection ended inside a TLS record");
                    }
                }
            }
        }

        private int drain(final ByteBuffer dst)
        {
            final int n = Math.min(dst.remaining(), app.remaining());
            final int limit = app.limit();
            app.limit(app.position() + n);
            dst.put(app);
            app.limit(limit);
            return n;
        }

        @Override
        public boolean isOpen()
        {
            return socket.isOpen();
        }

        @Override
        public void close() throws IOException
        {
            socket.close();
        }
    }
}
