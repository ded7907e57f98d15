package io.livemig.migration;

import io.livemig.migration.link.MigrationLink;
import io.livemig.migration.options.MigrationMode;
import io.livemig.migration.options.MigrationOptions;
import io.livemig.migration.result.MigrationResult;
import io.livemig.migration.tls.TestCredentials;
import io.livemig.migration.tls.TlsAuthz;
import io.livemig.migration.tls.TlsConfig;
import io.livemig.migration.wire.ChannelHello;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Hostile peers while a real TLS migration runs: the source's stream is held after its first bytes until 100
 * connections have arrived at the destination's listener (so they certainly arrive during the migration):
 * plaintext hellos, certificates from another CA, handshakes that stall, and garbage after a good handshake.
 * The migration completes and verifies; every bad connection is closed within the link timeout (and a margin
 * for the machine); the destination counts them; threads and file descriptors return to their number before.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class TlsHostilePeersTest
{
    private static final InetSocketAddress ANY_PORT = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
    private static final long LINK_TIMEOUT_MS = 5_000;
    private static final long MARGIN_MS = 3_000;
    private static final int PEERS = 100;

    @TempDir
    Path dir;

    /** The running migration's listener: its address, and a latch opened once it listens. */
    private volatile CountDownLatch listening = new CountDownLatch(1);
    private volatile InetSocketAddress address;

    @Test
    void aHundredHostileConnectionsAreClosedAndTheMigrationVerifies() throws Exception
    {
        final TestCredentials ca = TestCredentials.ca("CN=livemig test CA");
        final Path good = ca.write(dir.resolve("good"), ca.server("localhost", 0), ca.client(TestCredentials.CLIENT_DN, 0));
        final TestCredentials other = TestCredentials.ca("CN=another CA");
        final Path stranger = other.write(dir.resolve("stranger"), other.server("localhost", 0),
            other.client(TestCredentials.CLIENT_DN, 0));
        final TlsConfig sourceTls = TlsMigrationTest.sourceTls(good, null);
        final TlsConfig strangerTls = TlsMigrationTest.sourceTls(stranger, null);
        migrate(good, sourceTls, null); // warms every class and JDK thread a migration uses, before counting
        final int threadsBefore = Thread.activeCount();
        final long fdsBefore = fds();

        final CountDownLatch held = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);
        final AtomicLong closedLate = new AtomicLong();
        final List<Long> closeMs = new ArrayList<>();
        final AtomicReference<MigrationResult[]> results = new AtomicReference<>();
        final Thread migration = new Thread(() ->
        {
            try
            {
                results.set(migrate(good, sourceTls, (index, link) -> index == 0 ? hold(link, held, release) : link));
            }
            catch (final Exception ex)
            {
                throw new RuntimeException(ex);
            }
        }, "test-migration");
        listening = new CountDownLatch(1);
        migration.start();
        assertTrue(listening.await(20, TimeUnit.SECONDS));
        final InetSocketAddress at = address;
        assertTrue(held.await(20, TimeUnit.SECONDS), "the source's stream is held");

        final ExecutorService peers = Executors.newFixedThreadPool(PEERS); // all at once: a stalled one holds its thread
        final List<Future<Long>> closed = new ArrayList<>();
        final CountDownLatch connected = new CountDownLatch(PEERS);
        for (int i = 0; i < PEERS; i++)
        {
            final int kind = i % 4;
            closed.add(peers.submit(() -> hostile(kind, at, strangerTls, sourceTls, connected)));
        }
        assertTrue(connected.await(30, TimeUnit.SECONDS), "every hostile peer connected");
        release.countDown();
        for (final Future<Long> f : closed)
        {
            final long ms = f.get(LINK_TIMEOUT_MS + MARGIN_MS + 10_000, TimeUnit.MILLISECONDS);
            closeMs.add(ms);
            if (ms > LINK_TIMEOUT_MS + MARGIN_MS)
            {
                closedLate.incrementAndGet();
            }
        }
        peers.shutdown();
        assertTrue(peers.awaitTermination(10, TimeUnit.SECONDS));
        migration.join(60_000);
        final MigrationResult[] r = results.get();
        assertTrue(r != null, "the migration returned");
        assertNull(r[0].error(), r[0]::summary);
        assertNull(r[1].error(), r[1]::summary);
        assertEquals(Boolean.TRUE, r[0].verified(), r[0]::summary);
        assertEquals(Boolean.TRUE, r[1].verified(), r[1]::summary);
        assertEquals(0, closedLate.get(), "closed after the link timeout: " + closeMs);
        final long[] worst = new long[4];
        for (int i = 0; i < closeMs.size(); i++)
        {
            worst[i % 4] = Math.max(worst[i % 4], closeMs.get(i));
        }
        System.out.printf("hostile peers during a TLS migration: %d connections, %d refused by the destination; " +
            "closed within (worst, ms): plaintext %d, wrong CA %d, stalled %d (link timeout %d), garbage after TLS %d; " +
            "migration %s, verified %s%n", PEERS, r[1].refusedConnections, worst[0], worst[1], worst[2], LINK_TIMEOUT_MS,
            worst[3], r[1].status, r[1].verified());
        assertTrue(r[1].refusedConnections >= PEERS / 2 && r[1].refusedConnections <= PEERS, r[1]::toJson);
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while ((Thread.activeCount() > threadsBefore || fds() > fdsBefore) && System.nanoTime() < deadline)
        {
            Thread.sleep(100);
        }
        assertTrue(Thread.activeCount() <= threadsBefore, "threads: " + Thread.activeCount() + ", before " + threadsBefore);
        assertTrue(fds() <= fdsBefore, "file descriptors: " + fds() + ", before " + fdsBefore);
    }


    /** Post-copy with recovery, so that the listener stays open through the whole migration. */
    private MigrationResult[] migrate(final Path creds, final TlsConfig tls, final MigrationRun.LinkDecorator links)
        throws Exception
    {
        try (MigrationListen listen = new MigrationListen(ANY_PORT, 10_000, LINK_TIMEOUT_MS).recoverTimeout(10_000)
            .tls(TlsMigrationTest.destinationTls(creds, TlsAuthz.ANY_SIGNED)))
        {
            address = listen.open();
            listening.countDown();
            final AtomicReference<Object> dst = new AtomicReference<>();
            final Thread destination = new Thread(() ->
            {
                try
                {
                    dst.set(listen.run(-1));
                }
                catch (final Exception ex)
                {
                    dst.set(ex);
                }
            }, "test-destination");
            destination.start();
            MigrationRun run = new MigrationRun().memoryBytes(16 << 20).writers(2).pattern("uniform").verify(true)
                .phasesMs(20, 20).seed(3).to(address, LINK_TIMEOUT_MS).tls(tls, null)
                .options(MigrationOptions.defaults().withMode(MigrationMode.POSTCOPY).withBandwidth(256L << 20)
                    .withRecover(true).withRecoverTimeoutMs(10_000));
            if (links != null)
            {
                run = run.links(links);
            }
            final MigrationResult src = run.run();
            destination.join(30_000);
            if (dst.get() instanceof Exception ex)
            {
                throw ex;
            }
            return new MigrationResult[] {src, (MigrationResult)dst.get()};
        }
    }

    /** The source's main link with its forward stream held, after its first 64 KiB, until {@code release}. */
    private static MigrationLink hold(final MigrationLink link, final CountDownLatch held, final CountDownLatch release)
    {
        return new ForwardingLink(link)
        {
            private long written;

            @Override
            public WritableByteChannel sourceOut()
            {
                return writing(inner.sourceOut(), (out, src) ->
                {
                    if (written >= 64 << 10 && release.getCount() > 0)
                    {
                        held.countDown();
                        try
                        {
                            release.await(30, TimeUnit.SECONDS);
                        }
                        catch (final InterruptedException ex)
                        {
                            Thread.currentThread().interrupt();
                            throw new IOException(ex);
                        }
                    }
                    final int n = out.write(src);
                    written += n;
                    return n;
                });
            }
        };
    }

    /** One hostile peer of {@code kind}; @return ms from its connection to the destination closing it. */
    private static long hostile(final int kind, final InetSocketAddress at, final TlsConfig stranger,
        final TlsConfig good, final CountDownLatch connected) throws IOException
    {
        final SocketChannel channel = SocketChannel.open(at);
        final long t0 = System.nanoTime();
        connected.countDown();
        try
        {
            switch (kind)
            {
                case 0: // plaintext: a hello of some migration, in clear
                    ChannelHello.write(channel, 42, 0);
                    drain(channel);
                    break;
                case 1: // a certificate from another CA: refused inside the handshake
                    drain(stranger.connect(channel, at, LINK_TIMEOUT_MS));
                    break;
                case 2: // a handshake that stalls: nothing at all
                    drain(channel);
                    break;
                default: // garbage after a good handshake
                    final var socket = good.connect(channel, at, LINK_TIMEOUT_MS);
                    socket.write(ByteBuffer.wrap("GET / HTTP/1.0\r\n\r\nand more bytes".getBytes()));
                    drain(socket);
                    break;
            }
        }
        catch (final IOException closed)
        {
            // Refused in its handshake, or written to after the destination closed it (whether the migration had
            // ended and its listener closed first is a race this test does not depend on): closed, as it must be.
        }
        finally
        {
            channel.close();
        }
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
    }

    /** Reads until the peer closes (EOF or an error); bounded by the test's own timeout. */
    private static void drain(final java.nio.channels.ReadableByteChannel in)
    {
        final ByteBuffer b = ByteBuffer.allocate(4096);
        try
        {
            while (in.read(b) >= 0)
            {
                b.clear();
            }
        }
        catch (final IOException ex)
        {
            // Closed by the destination.
        }
    }

    private static long fds()
    {
        final String[] list = new File("/proc/self/fd").list();
        return list == null ? 0 : list.length;
    }
}
