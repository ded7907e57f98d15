package io.livemig.migration;

import io.livemig.migration.link.TcpLink;
import io.livemig.migration.options.MigrationMode;
import io.livemig.migration.options.MigrationOptions;
import io.livemig.migration.result.MigrationResult;
import io.livemig.migration.tls.TestCredentials;
import io.livemig.migration.tls.TlsAuthz;
import io.livemig.migration.tls.TlsConfig;
import io.livemig.migration.tls.TlsCredentials;
import io.livemig.migration.tls.TlsSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * TLS between the two roles over real sockets: a migration with page channels runs every connection inside
 * TLS 1.3 and both results say so; each way a peer can be wrong (no TLS on one side, an unknown CA, a certificate
 * out of its validity, a host name the certificate does not carry, a client name not in the authz list, a
 * handshake that stalls) is refused before the destination allocates a guest, with one line on each side naming
 * the reason.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class TlsMigrationTest
{
    private static final InetSocketAddress ANY_PORT = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
    private static final String SERVER_DN = "CN=localhost,O=livemig tests";

    @TempDir
    Path dir;

    static CompletableFuture<MigrationResult> listen(final MigrationListen listen)
    {
        return CompletableFuture.supplyAsync(() ->
        {
            try
            {
                return listen.run(-1);
            }
            catch (final IOException | InterruptedException ex)
            {
                throw new RuntimeException(ex);
            }
        });
    }

    static TlsConfig sourceTls(final Path creds, final String hostname) throws IOException
    {
        return TlsConfig.source(TlsCredentials.load(creds, false), hostname);
    }

    static TlsConfig destinationTls(final Path creds, final TlsAuthz authz) throws IOException
    {
        return TlsConfig.destination(TlsCredentials.load(creds, true), authz);
    }

    static MigrationRun source(final InetSocketAddress at, final TlsConfig tls, final int channels)
    {
        return new MigrationRun().memoryBytes(16 << 20).writers(2).pattern("uniform").verify(true).phasesMs(20, 20)
            .seed(5).to(at, 10_000).channels(channels).tls(tls, null)
            .options(MigrationOptions.defaults().withMode(MigrationMode.PRECOPY).withBandwidth(256L << 20));
    }

    @Test
    void aMigrationWithPageChannelsRunsEveryConnectionInsideTls13() throws Exception
    {
        final Path creds = TestCredentials.good(dir.resolve("creds"));
        try (MigrationListen listen = new MigrationListen(ANY_PORT, 10_000, 10_000)
            .tls(destinationTls(creds, TlsAuthz.of(List.of("cn=Source, o=livemig tests")))))
        {
            final InetSocketAddress at = listen.open();
            final CompletableFuture<MigrationResult> destination = listen(listen);
            final MigrationResult src = source(at, sourceTls(creds, null), 2).run();
            final MigrationResult dst = destination.get(30, TimeUnit.SECONDS);
            assertNull(src.error(), src::summary);
            assertNull(dst.error(), dst::summary);
            assertEquals(Boolean.TRUE, src.verified(), src::summary);
            assertEquals(Boolean.TRUE, dst.verified(), dst::summary);
            for (final MigrationResult r : List.of(src, dst))
            {
                assertTrue(r.tls, r::toJson);
                assertEquals("TLSv1.3", r.toJsonTree().get("tls").get("protocol").asText(), r::toJson);
                assertEquals(3, r.toJsonTree().get("tls").get("sessions").asInt(), r::toJson);
                // Each page channel waits for its admission, which brings the ticket the next handshake resumes.
                assertEquals(2, r.toJsonTree().get("tls").get("resumed").asInt(), r::toJson);
                assertTrue(r.summary().contains(", tls: TLSv1.3 TLS_"), r::summary);
            }
            assertEquals(SERVER_DN, src.tlsPeer);
            assertEquals(TestCredentials.CLIENT_DN, dst.tlsPeer);
        }
    }

    /**
     * In one process, each page channel's handshake resumes the session of the connection before it (the source
     * takes each ticket before the next connection opens), and the main connection's is a full handshake.
     */
    @Test
    void theLinksPageChannelsResumeTheMainSession() throws Exception
    {
        final Path creds = TestCredentials.good(dir.resolve("creds"));
        try (TcpLink link = new TcpLink(0, 3, destinationTls(creds, TlsAuthz.ANY_SIGNED), sourceTls(creds, null)))
        {
            assertTrue(!link.session().resumed(), "the main connection's handshake is a full one");
            assertEquals(3, link.channelSessions().size());
            for (final TlsSession channel : link.channelSessions())
            {
                assertTrue(channel.resumed(), "a page channel resumed: " + link.channelSessions());
                assertEquals(SERVER_DN, channel.peer(), "a resumed session keeps the peer it authenticated");
            }
        }
    }

    /** What is wrong, made certain by the credentials each side holds. */
    private record Case(Path sourceCreds, Path destinationCreds, String hostname, TlsAuthz authz)
    {
    }

    private Case wrong(final String what) throws IOException
    {
        final TestCredentials ca = TestCredentials.ca("CN=livemig test CA");
        final TestCredentials other = TestCredentials.ca("CN=another CA");
        final Path good = ca.write(dir.resolve("good"), ca.server("localhost", 0), ca.client(TestCredentials.CLIENT_DN, 0));
        switch (what)
        {
            case "destination's CA":
                return new Case(good, ca.write(dir.resolve(what), other.server("localhost", 0),
                    ca.client(TestCredentials.CLIENT_DN, 0)), null, TlsAuthz.ANY_SIGNED);
            case "source's CA":
                return new Case(ca.write(dir.resolve(what), ca.server("localhost", 0),
                    other.client(TestCredentials.CLIENT_DN, 0)), good, null, TlsAuthz.ANY_SIGNED);
            case "expired":
                return new Case(good, ca.write(dir.resolve(what), ca.server("localhost", -2),
                    ca.client(TestCredentials.CLIENT_DN, 0)), null, TlsAuthz.ANY_SIGNED);
            case "not yet valid":
                return new Case(ca.write(dir.resolve(what), ca.server("localhost", 0),
                    ca.client(TestCredentials.CLIENT_DN, 3)), good, null, TlsAuthz.ANY_SIGNED);
            case "host name":
                return new Case(good, good, "other.example", TlsAuthz.ANY_SIGNED);
            case "authz":
                return new Case(good, good, null, TlsAuthz.of(List.of("CN=another source,O=livemig tests")));
            default:
                throw new IllegalArgumentException(what);
        }
    }

    @org.junit.jupiter.params.ParameterizedTest(name = "wrong: {0}")
    @org.junit.jupiter.params.provider.CsvSource(delimiter = '|', value = {
        "destination's CA|is not signed by the CA in --tls-creds|REFUSED",
        "source's CA|REFUSED|is not signed by the CA in --tls-creds",
        "expired|certificate has expired|REFUSED",
        "not yet valid|REFUSED|certificate is not yet valid",
        "host name|certificate does not name other.example|REFUSED",
        "authz|client CN=source,O=livemig tests is not in the destination's authz list|" +
            "client CN=source,O=livemig tests is not in the destination's authz list"})
    void aWrongPeerIsRefusedWithOneLineOnEachSide(final String what, final String sourceSays,
        final String destinationSays) throws Exception
    {
        final Case c = wrong(what);
        try (MigrationListen listen = new MigrationListen(ANY_PORT, 10_000, 10_000)
            .tls(destinationTls(c.destinationCreds(), c.authz())))
        {
            final InetSocketAddress at = listen.open();
            final CompletableFuture<MigrationResult> destination = listen(listen);
            final IOException src = assertThrows(IOException.class,
                () -> source(at, sourceTls(c.sourceCreds(), c.hostname()), 1).run());
            final Throwable dst = failure(destination);
            assertRefusal(src, sourceSays);
            assertRefusal(dst, destinationSays);
        }
    }

    @Test
    void aPlaintextSourceIsRefusedByATlsDestination() throws Exception
    {
        final Path creds = TestCredentials.good(dir.resolve("creds"));
        try (MigrationListen listen = new MigrationListen(ANY_PORT, 10_000, 10_000)
            .tls(destinationTls(creds, TlsAuthz.ANY_SIGNED)))
        {
            final InetSocketAddress at = listen.open();
            final CompletableFuture<MigrationResult> destination = listen(listen);
            final IOException src = assertThrows(IOException.class, () -> source(at, null, 1).run());
            assertOneLine(failure(destination), "the peer does not speak TLS");
            // The TLS side closes after its alert, or before the alert is read (a reset): either way the line says TLS.
            assertOneLine(src, "TLS");
            assertTrue(src.getMessage().startsWith("refused by the destination ") ||
                src.getMessage().startsWith("no answer from the destination "), src.getMessage());
        }
    }

    @Test
    void aTlsSourceIsRefusedByAPlaintextDestination() throws Exception
    {
        final Path creds = TestCredentials.good(dir.resolve("creds"));
        try (MigrationListen listen = new MigrationListen(ANY_PORT, 10_000, 10_000))
        {
            final InetSocketAddress at = listen.open();
            final CompletableFuture<MigrationResult> destination = listen(listen);
            final IOException src = assertThrows(IOException.class, () -> source(at, sourceTls(creds, null), 1).run());
            assertOneLine(failure(destination), "a TLS ClientHello");
            // The plaintext side's refusal arrives in clear (the peer does not speak TLS), or its close resets the
            // connection first: either way a TLS failure with the destination, in one line.
            assertOneLine(src, "TLS with ");
        }
    }

    @Test
    void aHandshakeThatStallsIsRefusedAtTheLinkTimeout() throws Exception
    {
        final Path creds = TestCredentials.good(dir.resolve("creds"));
        try (MigrationListen listen = new MigrationListen(ANY_PORT, 10_000, 500)
            .tls(destinationTls(creds, TlsAuthz.ANY_SIGNED)))
        {
            final InetSocketAddress at = listen.open();
            final CompletableFuture<MigrationResult> destination = listen(listen);
            try (SocketChannel silent = SocketChannel.open(at))
            {
                final long t0 = System.nanoTime();
                final Throwable dst = failure(destination);
                assertOneLine(dst, "no TLS handshake with ");
                assertTrue(dst.getMessage().endsWith(" within 500 ms"), dst.getMessage());
                // The silent peer's connection is closed: its read ends (EOF, or a reset).
                int n;
                try
                {
                    n = silent.read(ByteBuffer.allocate(16));
                }
                catch (final IOException ex)
                {
                    n = -1;
                }
                assertEquals(-1, n);
                assertTrue(System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(5));
            }
        }
    }

    /**
     * {@code REFUSED}: this side's certificate or name was refused by the other, which TLS tells only by an alert, or
     * by a close whose reset can overtake the alert; the line says which of the two this side saw. Otherwise the
     * line names the reason this side found.
     */
    private static void assertRefusal(final Throwable t, final String says)
    {
        if (!says.equals("REFUSED"))
        {
            assertOneLine(t, says);
            return;
        }
        assertOneLine(t, "TLS");
        assertTrue(t.getMessage().contains("the peer refused the TLS handshake: alert ") ||
            t.getMessage().contains("the peer closed the connection in the TLS handshake"), t.getMessage());
    }

    private static Throwable failure(final CompletableFuture<MigrationResult> destination) throws Exception
    {
        try
        {
            final MigrationResult r = destination.get(30, TimeUnit.SECONDS);
            throw new AssertionError("the destination accepted: " + r.summary());
        }
        catch (final ExecutionException ex)
        {
            return ex.getCause().getCause();
        }
    }

    private static void assertOneLine(final Throwable t, final String says)
    {
        final String m = t.getMessage();
        assertTrue(m != null && m.contains(says), t.toString());
        assertFalse(m.contains("\n"), m);
    }
}
