package io.livemig.migration;

import io.livemig.migration.link.Reconnect;
import io.livemig.migration.link.SocketLink;
import io.livemig.migration.tls.PeerSocket;
import io.livemig.migration.tls.SessionTicket;
import io.livemig.migration.tls.TlsConfig;
import io.livemig.migration.tls.TlsFailure;
import io.livemig.migration.wire.ChannelHello;
import io.livemig.migration.wire.Handshake;
import io.livemig.migration.wire.HandshakeReply;
import io.livemig.migration.wire.MigrationRefusedException;
import io.livemig.stream.ChannelInput;
import io.livemig.stream.ChannelOutput;
import io.livemig.stream.PageStreamException;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.util.Arrays;
import java.util.List;
import javax.net.ssl.SSLException;

/**
 * The source process's side of the connection to a {@code --listen} destination: the handshake, the page
 * channels' connections, and the reconnects of post-copy recovery. Stateless; each method is bounded by the
 * link timeout it is given.
 */
final class RemoteSource
{
    /** Most connection attempts of one post-copy pause, {@value} ms apart at most. */
    static final int RECONNECT_ATTEMPTS = 100;
    static final long RECONNECT_INTERVAL_MS = 200;

    private RemoteSource()
    {
    }

    /**
     * Sends the proposal and reads the answer.
     *
     * @throws MigrationRefusedException with the reason, also when the destination refused this source's TLS
     *                                   certificate (in TLS 1.3 the client hears of it only at its first read).
     */
    static void propose(final SocketLink link, final Handshake proposal) throws IOException
    {
        final HandshakeReply reply;
        try
        {
            final ChannelOutput out = new ChannelOutput(link.channel(), 256);
            proposal.write(out);
            out.flush();
            reply = HandshakeReply.read(new ChannelInput(link.channel(), 4096));
        }
        catch (final IOException ex)
        {
            Throwable ssl = null;
            for (Throwable t = ex; t != null && ssl == null; t = t.getCause())
            {
                ssl = t instanceof SSLException ? t : null;
            }
            if (link.session() != null || ssl != null)
            {
                // TLS 1.3 gives the client the server's verdict on its certificate only after its last flight: as
                // an alert at this first read, or as a reset that overtakes the alert.
                throw new MigrationRefusedException("refused by the destination " + link.peer() + ": " +
                    TlsFailure.reason(ssl != null ? ssl : ex, link.peer()));
            }
            for (Throwable t = ex; t != null; t = t.getCause())
            {
                if (t instanceof SocketTimeoutException)
                {
                    throw ex; // a silent destination: the link timeout says so
                }
            }
            // In clear, a TLS destination answers with an alert, or closes before it is read: say so, in one line.
            final String why = ex instanceof PageStreamException p ? p.reason() : String.valueOf(ex.getMessage());
            throw new MigrationRefusedException(why.contains("TLS") ? "refused by the destination " + link.peer() +
                ": " + why : "no answer from the destination " + link.peer() + " (" + why + "): a destination " +
                "listening with --tls-creds answers only TLS");
        }
        if (!reply.accepted())
        {
            throw new MigrationRefusedException("refused by the destination " + link.peer() + ": " + reply.reason());
        }
    }

    /**
     * The source's page channels and preempt connection ({@link ChannelHello}): sends a new migration id on {@code
     * main}, connects {@code channels} more times to {@code to} (none for 0), each opening with its hello, then
     * with {@code preempt} once more, with the hello of index {@code channels}. Inside TLS each connection waits for
     * the destination's admission before the next opens, so that the next handshake resumes the session.
     *
     * @return {@code main} with the channels; on failure every socket opened here is closed.
     */
    static SocketLink openChannels(final SocketLink main, final InetSocketAddress to, final int channels,
        final boolean preempt, final long timeoutMs, final TlsConfig tls) throws IOException
    {
        final long id = ChannelHello.newMigrationId();
        ChannelHello.writeId(main.channel(), id);
        final PeerSocket[] sockets = new PeerSocket[channels + (preempt ? 1 : 0)];
        try
        {
            for (int c = 0; c < sockets.length; c++)
            {
                final String what = c < channels ? "page channel " + c + ": " : "preempt connection: ";
                sockets[c] = SocketLink.open(to, timeoutMs, tls, what);
                ChannelHello.write(sockets[c], id, c);
                if (tls != null)
                {
                    awaitAdmitted(sockets[c], timeoutMs, what); // and the ticket the next handshake resumes
                }
            }
            return main.withChannels(Arrays.copyOf(sockets, channels), preempt ? sockets[channels] : null);
        }
        catch (final IOException | RuntimeException ex)
        {
            SocketLink.closeQuietly(sockets);
            throw ex;
        }
    }

    /** Inside TLS: the destination's admission of {@code socket}'s hello, with its session ticket. */
    private static void awaitAdmitted(final PeerSocket socket, final long timeoutMs, final String what)
        throws IOException
    {
        try
        {
            SessionTicket.take(socket, timeoutMs);
        }
        catch (final SocketTimeoutException ex)
        {
            throw new SocketTimeoutException(what + "the destination did not admit its hello within " + timeoutMs +
                " ms");
        }
        catch (final PageStreamException ex)
        {
            throw new IOException(what + ex.reason(), ex);
        }
    }

    /**
     * The source's way back after a post-copy cut: connects to the destination again (at most {@value
     * #RECONNECT_ATTEMPTS} attempts within the pause's deadline, each bounded by the link timeout) and opens the
     * connection with a hello naming this migration's {@code id} for channel 0, which the paused destination
     * waits for; with {@code preempt}, a second connection follows with the hello of index 1, the new link's
     * preempt connection. With {@code tls}, each new connection authenticates again.
     */
    static Reconnect reconnect(final InetSocketAddress to, final long bandwidth, final long linkTimeoutMs,
        final MigrationRun.LinkDecorator links, final long id, final List<SocketLink> opened, final TlsConfig tls,
        final boolean preempt)
    {
        final int[] index = {0};
        return deadline ->
        {
            for (int attempt = 0; attempt < RECONNECT_ATTEMPTS; attempt++)
            {
                final long leftMs = (deadline - System.nanoTime()) / 1_000_000L;
                if (leftMs <= 0)
                {
                    return null;
                }
                final long t0 = System.nanoTime();
                try
                {
                    final long timeoutMs = Math.min(linkTimeoutMs, leftMs);
                    SocketLink l = SocketLink.connect(to, bandwidth, timeoutMs, tls);
                    opened.add(l);
                    ChannelHello.write(l.channel(), id, 0);
                    if (preempt)
                    {
                        // The preempt connection follows its main one, with the same id and index 1.
                        final PeerSocket p = SocketLink.open(to, timeoutMs, tls, "preempt connection: ");
                        try
                        {
                            ChannelHello.write(p, id, 1);
                        }
                        catch (final IOException ex)
                        {
                            p.close();
                            throw ex;
                        }
                        l = l.withChannels(new PeerSocket[0], p);
                        opened.add(l);
                    }
                    return links.decorate(++index[0], l);
                }
                catch (final IOException ex)
                {
                    final long waitMs = RECONNECT_INTERVAL_MS - (System.nanoTime() - t0) / 1_000_000L;
                    if (waitMs > 0)
                    {
                        Thread.sleep(Math.min(waitMs, Math.max(0, (deadline - System.nanoTime()) / 1_000_000L)));
                    }
                }
            }
            return null;
        };
    }
}
