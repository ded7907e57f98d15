package io.livemig.qemu.guest;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The destination of a QEMU migration to a file: listens on a unix socket that QEMU is told to migrate to
 * ({@code migrate uri=unix:PATH}), writes every byte to a file, and notes when each read arrived ({@link
 * #arrivals()}: stream offset and milliseconds since {@link #start}), which dates the stream's RAM sections.
 * QEMU's own rate limiter paces the stream, so arrival is sending time within a read.
 *
 * <p>Bounded: a thread accepts one connection and reads it to its end; the accept and every read have a
 * deadline (no byte for {@link #IDLE_TIMEOUT_MS} ends the transfer with an error), and {@link #close()} stops
 * the thread. {@link #await} is for another thread: it waits for the end, with a deadline.
 */
final class StreamReceiver implements AutoCloseable
{
    /** The longest time without a byte before the transfer is given up. */
    static final long IDLE_TIMEOUT_MS = 60_000;

    private final ServerSocketChannel server;
    private final Path socket;
    private final Path file;
    private final Thread thread;
    private final List<long[]> arrivals = new ArrayList<>();
    private long startNanos;
    private volatile boolean closed;
    private IOException failure;
    private boolean done;
    private long bytes;

    private StreamReceiver(final Path socket, final Path file) throws IOException
    {
        this.socket = socket;
        this.file = file;
        this.server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(socket));
        server.configureBlocking(false);
        this.thread = new Thread(this::receive, "livemig-qemu-stream");
        thread.setDaemon(true);
    }

    /** Listens on {@code socket} and starts the thread that writes what comes to {@code file}. */
    static StreamReceiver start(final Path socket, final Path file) throws IOException
    {
        final StreamReceiver receiver = new StreamReceiver(socket, file);
        receiver.startNanos = System.nanoTime();
        receiver.thread.start();
        return receiver;
    }

    /** @return the URI QEMU migrates to. */
    String uri()
    {
        return "unix:" + socket;
    }

    private void receive()
    {
        try (Selector selector = Selector.open();
            FileChannel out = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING))
        {
            server.register(selector, SelectionKey.OP_ACCEPT);
            final SocketChannel peer = select(selector, () -> server.accept());
            try (peer)
            {
                peer.configureBlocking(false);
                server.keyFor(selector).cancel();
                peer.register(selector, SelectionKey.OP_READ);
                final ByteBuffer buffer = ByteBuffer.allocateDirect(1 << 20);
                while (true)
                {
                    buffer.clear();
                    final int n = select(selector, () -> {
                        final int r = peer.read(buffer);
                        return r == 0 ? null : r;
                    });
                    if (n < 0)
                    {
                        break;
                    }
                    buffer.flip();
                    while (buffer.hasRemaining())
                    {
                        out.write(buffer);
                    }
                    synchronized (this)
                    {
                        arrivals.add(new long[] {bytes, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos)});
                        bytes += n;
                    }
                }
            }
            finish(null);
        }
        catch (final IOException ex)
        {
            finish(closed ? new IOException("the receiver was closed") : ex);
        }
        catch (final RuntimeException ex)
        {
            finish(new IOException("the receiver failed: " + ex, ex));
        }
    }

    @FunctionalInterface
    private interface Attempt<T>
    {
        /** @return the result, or null to wait for the selector. */
        T attempt() throws IOException;
    }

    private <T> T select(final Selector selector, final Attempt<T> attempt) throws IOException
    {
        final long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(IDLE_TIMEOUT_MS);
        while (true)
        {
            if (closed)
            {
                throw new IOException("closed");
            }
            final T result = attempt.attempt();
            if (result != null)
            {
                return result;
            }
            final long left = deadline - System.nanoTime();
            if (left <= 0)
            {
                throw new IOException("QEMU sent nothing for " + IDLE_TIMEOUT_MS + " ms");
            }
            selector.select(Math.min(200, Math.max(1, TimeUnit.NANOSECONDS.toMillis(left))));
            selector.selectedKeys().clear();
        }
    }

    private synchronized void finish(final IOException ex)
    {
        failure = ex;
        done = true;
        notifyAll();
    }

    /**
     * Waits until QEMU has closed the stream.
     *
     * @return the bytes received.
     * @throws IOException if the transfer failed or did not end before {@code deadlineNanos}.
     */
    synchronized long await(final long deadlineNanos) throws IOException
    {
        while (!done)
        {
            final long left = deadlineNanos - System.nanoTime();
            if (left <= 0)
            {
                throw new IOException("the migration stream did not end in time (" + bytes + " bytes received)");
            }
            try
            {
                TimeUnit.NANOSECONDS.timedWait(this, left);
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted", ex);
            }
        }
        if (failure != null)
        {
            throw new IOException("receiving the migration stream failed: " + failure.getMessage(), failure);
        }
        return bytes;
    }

    /** @return each read's stream offset and arrival (ms since the receiver started), in order. */
    synchronized List<long[]> arrivals()
    {
        return List.copyOf(arrivals);
    }

    /** @return {@link System#nanoTime()} when the receiver started: arrivals count from here. */
    long startNanos()
    {
        return startNanos;
    }

    @Override
    public void close() throws IOException
    {
        closed = true;
        try
        {
            thread.join(TimeUnit.SECONDS.toMillis(5));
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
        finally
        {
            server.close();
            Files.deleteIfExists(socket);
        }
    }
}
