package io.livemig.migration;

import io.livemig.dirty.DirtyMarker;
import io.livemig.memory.GuestMemory;
import io.livemig.migration.result.MigrationResult;
import io.livemig.migration.tls.TestCredentials;
import io.livemig.migration.tls.TlsAuthz;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What a capture of the TCP bytes shows: a relay between source and destination records every byte of every
 * connection, both ways. In clear the capture holds the block name and the guest's pages (the control, which
 * shows the search finds them); inside TLS it holds neither.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class TlsCaptureTest
{
    private static final InetSocketAddress ANY_PORT = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
    private static final long MEMORY = 8 << 20;
    private static final long SEED = 77;

    @TempDir
    Path dir;

    @Test
    void aCaptureInClearShowsTheGuestAndOneInsideTlsShowsNothingOfIt() throws Exception
    {
        final Path creds = TestCredentials.good(dir.resolve("creds"));
        final Set<Long> samples = pageSamples();
        final byte[] clear = capture(false, creds);
        assertTrue(contains(clear, GuestMemory.DEFAULT_BLOCK_NAME), "the control capture names the block");
        assertTrue(samplesFound(clear, samples) > samples.size() / 2, "the control capture holds the pages");
        final byte[] tls = capture(true, creds);
        assertTrue(tls.length > MEMORY / 2, "the TLS capture holds the migration: " + tls.length + " bytes");
        assertTrue(!contains(tls, GuestMemory.DEFAULT_BLOCK_NAME), "the block name crossed in clear");
        assertEquals(0, samplesFound(tls, samples), "guest pages crossed in clear");
    }

    /** @return the first 8 random bytes of each page the source's guest holds (they start at byte 64). */
    private static Set<Long> pageSamples()
    {
        final Set<Long> samples = new HashSet<>();
        try (GuestMemory guest = new GuestMemory(MEMORY, 4096, DirtyMarker.NONE))
        {
            io.livemig.workload.GuestContents.fill(guest, SEED, 1.0);
            for (long p = 0; p < guest.pageCount(); p++)
            {
                samples.add(guest.getLong(p * 4096 + 64));
            }
        }
        return samples;
    }

    private static long samplesFound(final byte[] capture, final Set<Long> samples)
    {
        final ByteBuffer b = ByteBuffer.wrap(capture).order(ByteOrder.nativeOrder());
        final Set<Long> found = new HashSet<>();
        for (int i = 0; i + 8 <= capture.length; i++)
        {
            final long v = b.getLong(i);
            if (samples.contains(v))
            {
                found.add(v);
            }
        }
        return found.size();
    }

    private static boolean contains(final byte[] capture, final String text)
    {
        return new String(capture, StandardCharsets.ISO_8859_1).contains(text);
    }

    private byte[] capture(final boolean tls, final Path creds) throws Exception
    {
        try (MigrationListen listen = new MigrationListen(ANY_PORT, 10_000, 10_000);
             Relay relay = new Relay())
        {
            if (tls)
            {
                listen.tls(TlsMigrationTest.destinationTls(creds, TlsAuthz.ANY_SIGNED));
            }
            final InetSocketAddress at = relay.start(listen.open());
            final CompletableFuture<MigrationResult> destination = TlsMigrationTest.listen(listen);
            final MigrationResult src = new MigrationRun().memoryBytes(MEMORY).writers(0).fill(1.0).seed(SEED)
                .verify(true).phasesMs(0, 0).to(at, 10_000).channels(2)
                .tls(tls ? TlsMigrationTest.sourceTls(creds, null) : null, null).run();
            final MigrationResult dst = destination.get(30, TimeUnit.SECONDS);
            assertNull(src.error(), src::summary);
            assertNull(dst.error(), dst::summary);
            assertEquals(tls, src.tls, src::toJson);
            return relay.captured();
        }
    }

    /** Forwards every connection to the destination and records every byte both ways; two threads per connection. */
    private static final class Relay implements AutoCloseable
    {
        private final ServerSocketChannel server;
        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        private final List<SocketChannel> sockets = new ArrayList<>();
        private final List<Thread> threads = new ArrayList<>();

        Relay() throws IOException
        {
            server = ServerSocketChannel.open().bind(ANY_PORT);
        }

        InetSocketAddress start(final InetSocketAddress to) throws IOException
        {
            final Thread accept = new Thread(() ->
            {
                try
                {
                    while (true)
                    {
                        final SocketChannel in = server.accept();
                        final SocketChannel out = SocketChannel.open(to);
                        synchronized (this)
                        {
                            sockets.add(in);
                            sockets.add(out);
                        }
                        pump(in, out);
                        pump(out, in);
                    }
                }
                catch (final IOException ex)
                {
                    // The relay was closed.
                }
            }, "relay-accept");
            accept.start();
            threads.add(accept);
            return (InetSocketAddress)server.getLocalAddress();
        }

        private void pump(final SocketChannel from, final SocketChannel to)
        {
            final Thread t = new Thread(() ->
            {
                final ByteBuffer b = ByteBuffer.allocate(64 << 10);
                try
                {
                    while (from.read(b) >= 0)
                    {
                        b.flip();
                        synchronized (bytes)
                        {
                            bytes.write(b.array(), 0, b.limit());
                        }
                        while (b.hasRemaining())
                        {
                            to.write(b);
                        }
                        b.clear();
                    }
                    to.shutdownOutput();
                }
                catch (final IOException ex)
                {
                    // One end closed: the other learns it when the relay closes.
                }
            }, "relay-pump");
            synchronized (this)
            {
                threads.add(t);
            }
            t.start();
        }

        byte[] captured()
        {
            synchronized (bytes)
            {
                return bytes.toByteArray();
            }
        }

        @Override
        public void close() throws IOException
        {
            server.close();
            final List<Thread> all;
            synchronized (this)
            {
                for (final SocketChannel s : sockets)
                {
                    s.close();
                }
                all = new ArrayList<>(threads);
            }
            try
            {
                for (final Thread t : all)
                {
                    t.join(5_000);
                }
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
            }
        }
    }
}
