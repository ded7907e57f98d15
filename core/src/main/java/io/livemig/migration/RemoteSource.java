package io.livemig.migration;

import io.livemig.migration.link.Reconnect;
import io.livemig.migration.link.SocketLink;
import io.livemig.migration.wire.ChannelHello;
import io.livemig.migration.wire.Handshake;
import io.livemig.migration.wire.HandshakeReply;
import io.livemig.migration.wire.MigrationRefusedException;
import io.livemig.stream.ChannelInput;
import io.livemig.stream.ChannelOutput;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.channels.SocketChannel;
import java.util.List;

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

    /** Sends the proposal and reads the answer; @throws MigrationRefusedException with the reason. */
    static void propose(final SocketLink link, final Handshake proposal) throws IOException
    {
        final ChannelOutput out = new ChannelOutput(link.channel(), 256);
        proposal.write(out);
        out.flush();
        final HandshakeReply reply = HandshakeReply.read(new ChannelInput(link.channel(), 4096));
        if (!reply.accepted())
        {
            throw new MigrationRefusedException("refused by the destination " + link.peer() + ": " + reply.reason());
        }
    }

    /**
     * The source's page channels ({@link ChannelHello}): sends a new migration id on {@code main}, connects
     * {@code channels} more times to {@code to}, each opening with its hello.
     *
     * @return {@code main} with the channels; on failure every socket opened here is closed.
     */
    static SocketLink openChannels(final SocketLink main, final InetSocketAddress to, final int channels,
        final long timeoutMs) throws IOException
    {
        final long id = ChannelHello.newMigrationId();
        ChannelHello.writeId(main.channel(), id);
        final SocketChannel[] sockets = new SocketChannel[channels];
        try
        {
            for (int c = 0; c < channels; c++)
            {
                sockets[c] = SocketChannel.open();
                try
                {
                    sockets[c].socket().connect(to, (int)Math.min(Integer.MAX_VALUE, timeoutMs));
                }
                catch (final SocketTimeoutException ex)
                {
                    throw new SocketTimeoutException("page channel " + c + ": no connection to " + to +
                        " within " + timeoutMs + " ms");
                }
                ChannelHello.write(sockets[c], id, c);
            }
            return main.withChannels(sockets);
        }
        catch (final IOException | RuntimeException ex)
        {
            SocketLink.closeQuietly(sockets);
            throw ex;
        }
    }

    /**
     * The source's way back after a post-copy cut: connects to the destination again (at most {@value
     * #RECONNECT_ATTEMPTS} attempts within the pause's deadline, each bounded by the link timeout) and opens the
     * connection with a hello naming this migration's {@code id} for channel 0, which the paused destination
     * waits for.
     */
    static Reconnect reconnect(final InetSocketAddress to, final long bandwidth, final long linkTimeoutMs,
        final MigrationRun.LinkDecorator links, final long id, final List<SocketLink> opened)
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
                    final SocketLink l = SocketLink.connect(to, bandwidth, Math.min(linkTimeoutMs, leftMs));
                    opened.add(l);
                    ChannelHello.write(l.channel(), id, 0);
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
