package io.livemig.qemu.guest;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * A connection to a unix socket that QEMU serves (its QMP monitor, a serial port's chardev), read and written
 * in lines with a deadline on every operation: a connect is retried until the socket exists or the deadline
 * passes, and a read that gets no byte before its deadline throws. Non-blocking channel under a selector, so
 * that no read waits for ever.
 *
 * <p>Not thread-safe: one thread reads; {@link #write} may be called by another thread than the reader only if
 * the caller orders the two (the serial console writes from its owner while a reader thread reads, which the
 * channel allows).
 */
final class UnixLines implements AutoCloseable
{
    private final SocketChannel channel;
    private final Selector readSelector;
    private final ByteBuffer in = ByteBuffer.allocate(64 << 10);
    private final ByteArrayOutputStream line = new ByteArrayOutputStream();

    private UnixLines(final SocketChannel channel) throws IOException
    {
        this.channel = channel;
        channel.configureBlocking(false);
        this.readSelector = Selector.open();
        channel.register(readSelector, SelectionKey.OP_READ);
        in.flip();
    }

    /**
     * Connects to {@code path}, retrying every 20 ms while it does not exist or refuses, until {@code
     * deadlineNanos} ({@link System#nanoTime()}).
     *
     * @throws IOException if the deadline passes first (with the last error).
     */
    static UnixLines connect(final Path path, final long deadlineNanos) throws IOException
    {
        IOException last = null;
        while (System.nanoTime() - deadlineNanos < 0)
        {
            final SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX);
            try
            {
                channel.connect(UnixDomainSocketAddress.of(path));
                return new UnixLines(channel);
            }
            catch (final IOException ex)
            {
                channel.close();
                last = ex;
            }
            Commands.sleep(20);
        }
        throw new IOException("cannot connect to " + path + " in time" + (last == null ? "" : ": " + last), last);
    }

    /**
     * @return the next line, without its terminator (LF, CR LF or CR), or null if the peer closed the
     *         connection (a partial last line is returned first).
     * @throws IOException if no whole line arrives before {@code deadlineNanos}.
     */
    String readLine(final long deadlineNanos) throws IOException
    {
        while (true)
        {
            while (in.hasRemaining())
            {
                final byte b = in.get();
                if (b == '\n' || b == '\r')
                {
                    if (b == '\r' && in.hasRemaining() && in.get(in.position()) == '\n')
                    {
                        in.get();
                    }
                    return takeLine();
                }
                line.write(b);
            }
            in.clear();
            final int n = read(deadlineNanos);
            in.flip();
            if (n < 0)
            {
                return line.size() > 0 ? takeLine() : null;
            }
        }
    }

    private String takeLine()
    {
        final String text = line.toString(StandardCharsets.UTF_8);
        line.reset();
        return text;
    }

    private int read(final long deadlineNanos) throws IOException
    {
        while (true)
        {
            final int n = channel.read(in);
            if (n != 0)
            {
                return n;
            }
            final long left = deadlineNanos - System.nanoTime();
            if (left <= 0)
            {
                throw new IOException("no answer before the deadline");
            }
            readSelector.select(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
            readSelector.selectedKeys().clear();
        }
    }

    /**
     * Writes {@code text} whole.
     *
     * @throws IOException if the peer does not take it before {@code deadlineNanos}.
     */
    void write(final String text, final long deadlineNanos) throws IOException
    {
        final ByteBuffer out = ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8));
        while (out.hasRemaining())
        {
            if (channel.write(out) == 0)
            {
                if (System.nanoTime() - deadlineNanos > 0)
                {
                    throw new IOException("the peer took no bytes before the deadline");
                }
                Commands.sleep(1);
            }
        }
    }

    @Override
    public void close() throws IOException
    {
        try
        {
            readSelector.close();
        }
        finally
        {
            channel.close();
        }
    }
}
