package io.livemig.migration.tls;

import io.livemig.stream.PageStreamException;

import java.io.IOException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;

/**
 * How a TLS connection hands its session to the next one. TLS 1.3 sends the session ticket after the handshake,
 * and JSSE takes it in only when the client reads; so the server's end of a connection writes one byte,
 * {@value #READY}, and the client's end reads it ({@link #take}) before it opens the next connection, whose
 * handshake then resumes the session (a pre-shared key between the same CA-checked peers: no certificate signed
 * or checked again) instead of a full one. A ticket serves one resumption, and each resumed handshake brings the
 * next. Between two processes the byte also says that the destination admitted the connection's hello.
 *
 * <p>Stateless; thread-safe.
 */
public final class SessionTicket
{
    /** The server's byte. */
    public static final byte READY = 1;

    private SessionTicket()
    {
    }

    /** The server's end: the byte the client reads with the ticket. */
    public static void send(final PeerSocket server) throws IOException
    {
        final ByteBuffer b = ByteBuffer.wrap(new byte[] {READY});
        while (b.hasRemaining())
        {
            server.write(b);
        }
    }

    /**
     * The client's end: reads the server's byte within {@code timeoutMs} (and with it the ticket), then reads wait
     * without a bound again.
     *
     * @throws SocketTimeoutException if no byte came in time.
     * @throws PageStreamException    if the server closed the connection instead, or sent another byte.
     */
    public static void take(final PeerSocket client, final long timeoutMs) throws IOException
    {
        try
        {
            read(client.timed(timeoutMs));
        }
        finally
        {
            client.untimed();
        }
    }

    /**
     * Reads exactly the server's byte from {@code in} (a fuzz target's entry: {@code SessionTicketFuzzTest}).
     *
     * @throws PageStreamException at offset 0 if {@code in} ends first or holds another byte.
     */
    public static void read(final ReadableByteChannel in) throws IOException
    {
        final ByteBuffer b = ByteBuffer.allocate(1);
        while (b.hasRemaining())
        {
            if (in.read(b) < 0)
            {
                throw new PageStreamException(0, "the peer closed the connection instead of sending " + READY +
                    " after the TLS handshake (it refused the connection)");
            }
        }
        if (b.get(0) != READY)
        {
            throw new PageStreamException(0, "the peer sent " + b.get(0) + " after the TLS handshake, not " + READY);
        }
    }
}
