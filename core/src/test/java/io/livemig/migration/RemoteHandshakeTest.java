package io.livemig.migration;

import io.livemig.dirty.DirtyLog;
import io.livemig.dirty.DirtyTracker;
import io.livemig.memory.GuestMemory;
import io.livemig.migration.link.SocketLink;
import io.livemig.migration.options.MigrationMode;
import io.livemig.migration.options.MigrationOptions;
import io.livemig.migration.result.MigrationResult;
import io.livemig.migration.source.MigrationSource;
import io.livemig.migration.tls.PeerSocket;
import io.livemig.migration.wire.ChannelHello;
import io.livemig.migration.wire.Handshake;
import io.livemig.migration.wire.HandshakeReply;
import io.livemig.migration.wire.MigrationRefusedException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.channels.SocketChannel;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The two-process connection's edges over real sockets: a proposal the destination cannot apply is refused
 * with one reason that both sides report, before any page moves; a silent peer and a source that never
 * comes are bounded by their timeouts; stray connections never join a migration's page channels.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class RemoteHandshakeTest
{
    private static final InetSocketAddress ANY_PORT = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);

    @Test
    void aDestinationRefusesMoreThan64ChannelsAndBothSidesSayWhy() throws Exception
    {
        try (MigrationListen listen = new MigrationListen(ANY_PORT, 10_000, 10_000))
        {
            final InetSocketAddress at = listen.open();
            final CompletableFuture<MigrationResult> destination = CompletableFuture.supplyAsync(() -> {
                try
                {
                    return listen.run(-1);
                }
                catch (final IOException | InterruptedException ex)
                {
                    throw new RuntimeException(ex);
                }
            });
            final Handshake two = new Handshake(MigrationMode.PRECOPY, false, true, true, 65, 4096, 1 << 20, 0, 0, 0,
                0, 8, 0, 1, 0);
            try (SocketLink link = SocketLink.connect(at, 0, 10_000))
            {
                final MigrationRefusedException source = assertThrows(MigrationRefusedException.class,
                    () -> RemoteSource.propose(link, two));
                assertTrue(source.getMessage().endsWith(": the source asks for 65 channels, this destination takes at most 64"),
                    source.getMessage());
            }
            final Throwable dest = assertThrows(Exception.class, destination::join).getCause().getCause();
            assertTrue(dest instanceof MigrationRefusedException && dest.getMessage().startsWith("refused the migration from ") &&
                dest.getMessage().endsWith(": the source asks for 65 channels, this destination takes at most 64"), dest.toString());
        }
    }

    /**
     * A destination given {@code --postcopy-preempt} refuses a source that does not ask for the preempt connection
     * (QEMU sets the capability on both sides), and both sides say why; one asking for it is accepted.
     */
    @Test
    void aDestinationThatRequiresPreemptRefusesASourceWithoutIt() throws Exception
    {
        try (MigrationListen listen = new MigrationListen(ANY_PORT, 10_000, 10_000).requirePreempt(true))
        {
            final InetSocketAddress at = listen.open();
            final CompletableFuture<MigrationResult> destination = CompletableFuture.supplyAsync(() -> {
                try
                {
                    return listen.run(-1);
                }
                catch (final IOException | InterruptedException ex)
                {
                    throw new RuntimeException(ex);
                }
            });
            final Handshake without = new Handshake(MigrationMode.POSTCOPY, false, true, true, 1, 4096, 1 << 20, 0, 0,
                0, 0, 8, 0, 1, 0);
            final String why = ": this destination was started with --postcopy-preempt, the source does not ask for " +
                "it (give --postcopy-preempt to both sides, or to neither)";
            try (SocketLink link = SocketLink.connect(at, 0, 10_000))
            {
                final MigrationRefusedException source = assertThrows(MigrationRefusedException.class,
                    () -> RemoteSource.propose(link, without));
                assertTrue(source.getMessage().endsWith(why), source.getMessage());
            }
            final Throwable dest = assertThrows(Exception.class, destination::join).getCause().getCause();
            assertTrue(dest instanceof MigrationRefusedException && dest.getMessage().endsWith(why), dest.toString());
        }
    }

    @Test
    void aMalformedProposalIsRefusedWithTheField() throws Exception
    {
        try (MigrationListen listen = new MigrationListen(ANY_PORT, 10_000, 10_000))
        {
            final InetSocketAddress at = listen.open();
            final CompletableFuture<Throwable> destination = CompletableFuture.supplyAsync(() -> {
                try
                {
                    listen.run(-1);
                    return null;
                }
                catch (final IOException | InterruptedException ex)
                {
                    return ex;
                }
            });
            final byte[] bytes = HandshakeMutationProperties.bytes(new Handshake(MigrationMode.PRECOPY, false, false,
                false, 1, 4096, 1 << 20, 0, 0, 0, 0, 8, 0, 1, 0)::write);
            bytes[6] = 7; // mode 7
            try (SocketLink link = SocketLink.connect(at, 0, 10_000))
            {
                link.channel().write(java.nio.ByteBuffer.wrap(bytes));
                final HandshakeReply reply = HandshakeReply.read(new io.livemig.stream.ChannelInput(link.channel(), 4096));
                assertTrue(!reply.accepted() && reply.reason().equals(
                    "byte 6 of the handshake: handshake: mode 7 is none of 0 precopy, 1 postcopy, 2 hybrid"), reply.reason());
            }
            assertTrue(destination.join() instanceof MigrationRefusedException, String.valueOf(destination.join()));
        }
    }

    @Test
    void aSilentSourceTimesOut() throws Exception
    {
        try (MigrationListen listen = new MigrationListen(ANY_PORT, 10_000, 300))
        {
            final InetSocketAddress at = listen.open();
            try (SocketChannel silent = SocketChannel.open(at))
            {
                final long start = System.nanoTime();
                final IOException ex = assertThrows(IOException.class, () -> listen.run(-1));
                final long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
                assertTrue(ex.getMessage().contains("no bytes from") && ex.getMessage().contains("for 300 ms"), ex.getMessage());
                assertTrue(ms < 5000, "bounded: " + ms + " ms");
                assertTrue(silent.isOpen());
            }
        }
    }

    @Test
    void noSourceWithinTheAcceptTimeout() throws Exception
    {
        try (MigrationListen listen = new MigrationListen(ANY_PORT, 200, 10_000))
        {
            listen.open();
            final SocketTimeoutException ex = assertThrows(SocketTimeoutException.class, () -> listen.run(-1));
            assertTrue(ex.getMessage().startsWith("no source connected to ") && ex.getMessage().endsWith("within 200 ms"),
                ex.getMessage());
        }
    }

    /**
     * Between the handshake and the page channels, connections that are not this migration's channels (garbage,
     * another migration's id, a channel index out of range) are refused one by one, and the migration goes on
     * with the right ones and verifies.
     */
    @Test
    void strayConnectionsNeverJoinThePageChannels() throws Exception
    {
        try (MigrationListen listen = new MigrationListen(ANY_PORT, 10_000, 10_000))
        {
            final InetSocketAddress at = listen.open();
            final CompletableFuture<MigrationResult> destination = CompletableFuture.supplyAsync(() -> {
                try
                {
                    return listen.run(-1);
                }
                catch (final IOException | InterruptedException ex)
                {
                    throw new RuntimeException(ex);
                }
            });
            final Handshake two = new Handshake(MigrationMode.PRECOPY, false, true, true, 2, 4096, 4 << 20, 0, 0, 0,
                0, 8, 0, 1, 0);
            final DirtyLog log = DirtyTracker.SUMMARY.create(1024, 0, 64);
            try (SocketLink main = SocketLink.connect(at, 0, 10_000);
                 GuestMemory src = new GuestMemory(4 << 20, 4096, log))
            {
                for (long p = 0; p < 1024; p += 3)
                {
                    src.putLong(p * 4096 + 8, p * 31 + 7);
                }
                RemoteSource.propose(main, two);
                final long id = 0x1234_5678_9ABC_DEF0L;
                ChannelHello.writeId(main.channel(), id);
                try (SocketChannel garbage = SocketChannel.open(at);
                     SocketChannel otherMigration = SocketChannel.open(at);
                     SocketChannel outOfRange = SocketChannel.open(at))
                {
                    garbage.write(java.nio.ByteBuffer.wrap("GET / HTTP/1.0\r\n\r\n".getBytes()));
                    ChannelHello.write(otherMigration, id + 1, 0);
                    ChannelHello.write(outOfRange, id, 2);
                    final SocketChannel[] channels = {SocketChannel.open(at), SocketChannel.open(at)};
                    ChannelHello.write(channels[1], id, 1);
                    ChannelHello.write(channels[0], id, 0);
                    try (SocketLink link = main.withChannels(
                        new PeerSocket[] {PeerSocket.plain(channels[0]), PeerSocket.plain(channels[1])}))
                    {
                        final MigrationResult s = new MigrationSource(MigrationOptions.defaults().withLz4(true)
                            .withDigests(true).withDeviceStateBytes(0), src, log, null, link).run();
                        final MigrationResult d = destination.get(20, TimeUnit.SECONDS);
                        assertNull(s.error(), s::summary);
                        assertNull(d.error(), d::summary);
                        assertEquals(Boolean.TRUE, s.verified(), s::summary);
                        assertEquals(2, d.toJsonTree().get("channels").asInt());
                        assertEquals(s.toJsonTree().get("channelBytes"), d.toJsonTree().get("channelBytes"));
                    }
                }
            }
        }
    }
}
