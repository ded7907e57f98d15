package io.livemig.migration;

import io.livemig.migration.options.MigrationMode;
import io.livemig.migration.options.MigrationOptions;
import io.livemig.migration.result.MigrationResult;
import io.livemig.migration.tls.TestCredentials;
import io.livemig.migration.tls.TlsAuthz;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Post-copy recovery between the two roles of {@code --to} and {@code --listen} (here in one JVM, over loopback
 * TCP): the source's connection is cut in post-copy at the first page request, before any page was pushed
 * ({@link CutInPostcopy}), so the vCPU that asked waits across the cut; both sides pause, the source connects
 * again with a hello naming its migration, the destination sends its received bitmap, and both verify the guest
 * by digests; the destination counts faults after the cut. A second cut during the recovery is recovered from too; a destination whose source never comes back
 * fails after its recover timeout, with the reason.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class RemoteRecoveryTest
{
    private static final InetSocketAddress ANY_PORT = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);

    private static CompletableFuture<MigrationResult> listen(final MigrationListen listen)
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

    private static MigrationRun source(final InetSocketAddress at, final long recoverMs)
    {
        return new MigrationRun().memoryBytes(16 << 20).writers(2).pattern("uniform").verify(true).phasesMs(20, 20)
            .seed(9).to(at, 10_000)
            .options(MigrationOptions.defaults().withMode(MigrationMode.POSTCOPY).withBandwidth(64L << 20)
                .withRecover(true).withRecoverTimeoutMs(recoverMs));
    }

    @ParameterizedTest(name = "cuts: {0}")
    @ValueSource(ints = {1, 2})
    void aCutPostcopyBetweenTwoProcessesReconnectsAndBothSidesVerify(final int cuts) throws Exception
    {
        try (MigrationListen listen = new MigrationListen(ANY_PORT, 10_000, 10_000).recoverTimeout(10_000))
        {
            final InetSocketAddress at = listen.open();
            final CompletableFuture<MigrationResult> destination = listen(listen);
            // The first cut comes at the first page request, with nothing pushed: the vCPU that asked waits across it.
            final MigrationResult src = source(at, 10_000).links((index, l) -> index == 0 ?
                PostcopyRecoveryTest.cutInPostcopy(l, 0) : index == 1 && cuts == 2 ?
                PostcopyRecoveryTest.cutAfter(l, 300_000) : l).run();
            final MigrationResult dst = destination.get(30, TimeUnit.SECONDS);
            assertNull(src.error(), src::summary);
            assertNull(dst.error(), dst::summary);
            assertEquals(Boolean.TRUE, src.verified(), src::summary);
            assertEquals(Boolean.TRUE, dst.verified(), dst::summary);
            assertEquals(cuts, src.recoveries(), src::summary);
            assertTrue(src.resentPages() > 0, src::summary);
            assertTrue(dst.recoveries() >= 1 && dst.pausedMs() > 0, dst::summary);
            assertTrue(dst.toJsonTree().get("recovery").get("faultsAfterCut").get("count").asLong() > 0, dst::toJson);
        }
    }

    /**
     * With the preempt connection (issue 23): the cut closes both connections, the source reconnects with a main
     * connection and its preempt connection (hello indexes 0 and 1), and both sides verify.
     */
    @Test
    void aCutPostcopyWithThePreemptConnectionReconnectsBoth() throws Exception
    {
        try (MigrationListen listen = new MigrationListen(ANY_PORT, 10_000, 10_000).recoverTimeout(10_000))
        {
            final InetSocketAddress at = listen.open();
            final CompletableFuture<MigrationResult> destination = listen(listen);
            final MigrationResult src = source(at, 10_000)
                .options(MigrationOptions.defaults().withMode(MigrationMode.POSTCOPY).withBandwidth(64L << 20)
                    .withRecover(true).withRecoverTimeoutMs(10_000).withPostcopyPreempt(true))
                .links((index, l) -> index == 0 ? PostcopyRecoveryTest.cutInPostcopy(l, 0) : l).run();
            final MigrationResult dst = destination.get(30, TimeUnit.SECONDS);
            assertNull(src.error(), src::summary);
            assertNull(dst.error(), dst::summary);
            assertEquals(Boolean.TRUE, src.verified(), src::summary);
            assertEquals(Boolean.TRUE, dst.verified(), dst::summary);
            assertEquals(1, src.recoveries(), src::summary);
            assertTrue(src.postcopyPreempt && dst.postcopyPreempt, src::summary);
            // What was in flight on the cut preempt connection was sent but never read (the push resent it).
            assertTrue(src.preemptPages >= dst.preemptPages && src.preemptBytes >= dst.preemptBytes,
                () -> src.summary() + "\n" + dst.summary());
            assertTrue(dst.preemptBytes > 0, dst::summary);
        }
    }

    @Test
    void aCutInsideTlsReconnectsWithANewAuthenticatedSession(@TempDir final Path dir) throws Exception
    {
        final Path creds = TestCredentials.good(dir);
        try (MigrationListen listen = new MigrationListen(ANY_PORT, 10_000, 10_000).recoverTimeout(10_000)
            .tls(TlsMigrationTest.destinationTls(creds, TlsAuthz.ANY_SIGNED)))
        {
            final InetSocketAddress at = listen.open();
            final CompletableFuture<MigrationResult> destination = listen(listen);
            final MigrationResult src = source(at, 10_000).tls(TlsMigrationTest.sourceTls(creds, null), null)
                .links((index, l) -> index == 0 ? PostcopyRecoveryTest.cutInPostcopy(l, 0) : l).run();
            final MigrationResult dst = destination.get(30, TimeUnit.SECONDS);
            assertNull(src.error(), src::summary);
            assertNull(dst.error(), dst::summary);
            assertEquals(Boolean.TRUE, dst.verified(), dst::summary);
            assertEquals(1, src.recoveries(), src::summary);
            // The main connection's session, then the reconnect's: each side completed both handshakes.
            assertEquals(2, src.toJsonTree().get("tls").get("sessions").asInt(), src::toJson);
            assertEquals(2, dst.toJsonTree().get("tls").get("sessions").asInt(), dst::toJson);
        }
    }

    @Test
    void aDestinationWhoseSourceNeverComesBackFailsAfterItsRecoverTimeout() throws Exception
    {
        try (MigrationListen listen = new MigrationListen(ANY_PORT, 10_000, 10_000).recoverTimeout(800))
        {
            final InetSocketAddress at = listen.open();
            final CompletableFuture<MigrationResult> destination = listen(listen);
            // The source gives up at once: its recover timeout is shorter than any reconnect could take.
            final MigrationResult src = source(at, 1).links((index, l) ->
                index == 0 ? PostcopyRecoveryTest.cutInPostcopy(l, 0) : PostcopyRecoveryTest.cutAfter(l, 0)).run();
            assertNotNull(src.error(), src::summary);
            final MigrationResult dst = destination.get(30, TimeUnit.SECONDS);
            assertNotNull(dst.error(), dst::summary);
            assertTrue(dst.error().contains("not recovered within the recover timeout of 800 ms"), dst::summary);
        }
    }
}
