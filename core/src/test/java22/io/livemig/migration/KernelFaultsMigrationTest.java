package io.livemig.migration;

import io.livemig.kernel.KernelAssume;
import io.livemig.migration.fault.FaultPlan;
import io.livemig.migration.options.MigrationMode;
import io.livemig.migration.options.MigrationOptions;
import io.livemig.migration.result.MigrationResult;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Post-copy (and hybrid) with kernel page faults ends byte-identical, with writers running throughout (the
 * setup of {@link MigrationCorrectnessTest}): the destination's vCPUs block in userfaultfd MISSING faults,
 * the fault thread requests the pages and the reader places them with {@code UFFDIO_COPY}/{@code
 * UFFDIO_ZEROPAGE}. In post-copy the push waits for the first page request ({@link HoldPostcopyPush}), so a
 * kernel fault is certain, not the outcome of a race between the push and the vCPUs. Skipped with the probe's
 * reason where the kernel or the permissions do not allow it.
 */
class KernelFaultsMigrationTest
{
    /**
     * The last two rows run hybrid's pre-copy round over 2 page channels: their receiver threads place pages
     * with {@code UFFDIO_COPY} at once, each from its own thread, before post-copy's pages come on the main one.
     */
    @ParameterizedTest(name = "{0} over {1}, {2}, {3} vCPUs, {4} channels")
    @CsvSource({
        "postcopy, memory, sequential, 1, 1", "postcopy, memory, uniform, 2, 1", "postcopy, tcp, zipf, 2, 1",
        "postcopy, tcp, sequential, 1, 1", "hybrid, memory, sequential, 2, 1", "hybrid, tcp, uniform, 1, 1",
        "hybrid, memory, uniform, 2, 2", "hybrid, tcp, sequential, 2, 2"})
    void destinationEqualsSourceWithKernelFaults(final String mode, final String link, final String pattern,
        final int writers, final int channels) throws Exception
    {
        KernelAssume.faults();
        final MigrationRun run = MigrationCorrectnessTest.run(mode, link, pattern).writers(writers).channels(channels)
            .kernelFaults(true);
        final AtomicReference<HoldPostcopyPush> hold = new AtomicReference<>();
        if (mode.equals("postcopy"))
        {
            // Every page is missing at the resume, but the push alone can stay ahead of one sequential vCPU: it is
            // held until a vCPU has asked for a page, so a kernel fault is certain.
            run.links((index, l) -> index > 0 ? l : hold.updateAndGet(h -> new HoldPostcopyPush(l)));
        }
        final MigrationResult r = run.run();
        assertNull(r.error(), r::summary);
        assertEquals(Boolean.TRUE, r.verified(), () -> r.summary() + " mismatches " + r.mismatchPages() +
            " sweep violation at " + r.sweepViolation());
        assertEquals(-1, r.sweepViolation(), r::summary);
        assertEquals("kernel", r.faultGate(), r::summary);
        assertTrue(r.postcopyMs() > 0, r::summary);
        if (hold.get() != null)
        {
            assertTrue(hold.get().requestBeforePush(), () -> "a page request came before the push: " + r.summary());
            assertTrue(r.faults() > 0, () -> "no vCPU blocked in a kernel fault: " + r.summary());
        }
        assertTrue(r.toJson().contains("\"faults\":{\"gate\":\"kernel\",\"count\":"), r::toJson);
        assertEquals(channels, r.channels, r::summary);
    }

    /**
     * A post-copy cut with recovery on (issue 12) while the destination's vCPUs block in kernel faults: both
     * roles pause, the faults waiting on missing pages stay blocked in the kernel, and over a new link the
     * source resends what is missing and the guest verifies.
     */
    @ParameterizedTest(name = "cut and recovered over {0}")
    @CsvSource({"memory", "tcp"})
    @Timeout(120)
    void aPostcopyCutIsRecoveredFromWithKernelFaults(final String link) throws Exception
    {
        KernelAssume.faults();
        // The push waits for the first page request, so the source serves one and announces "postcopy": the cut fires.
        final MigrationResult r = MigrationCorrectnessTest.run("postcopy", link, "uniform").kernelFaults(true)
            .links((index, l) -> index == 0 ? new HoldPostcopyPush(l) : l)
            .options(MigrationOptions.defaults().withMode(MigrationMode.POSTCOPY).withBandwidth(96L << 20)
                .withRecover(true).withRecoverTimeoutMs(20_000))
            .faults(new FaultPlan(java.util.List.of(new FaultPlan.Rule(FaultPlan.Action.CUT,
                FaultPlan.Trigger.atPhase("postcopy", -1), 0, 0)))).run();
        assertNull(r.error(), r::summary);
        assertEquals(Boolean.TRUE, r.verified(), r::summary);
        assertEquals("kernel", r.faultGate(), r::summary);
        assertEquals(1, r.recoveries(), r::summary);
    }

    /**
     * Two roles over TCP with digests, the destination ({@code --listen --faults kernel}) choosing kernel faults:
     * the pages hashed as they are placed must equal the source's, although vCPUs write them at once.
     */
    @ParameterizedTest(name = "{0} to a --listen destination with kernel faults, {1} channels")
    @CsvSource({"postcopy, 1", "hybrid, 1", "hybrid, 2"})
    @Timeout(120)
    void listeningDestinationVerifiesByDigests(final String mode, final int channels) throws Exception
    {
        KernelAssume.faults();
        try (MigrationListen listen = new MigrationListen(new java.net.InetSocketAddress("127.0.0.1", 0), 30_000, 30_000)
            .kernelFaults(true))
        {
            final java.net.InetSocketAddress at = listen.open();
            final java.util.concurrent.atomic.AtomicReference<Object> dest = new java.util.concurrent.atomic.AtomicReference<>();
            final Thread t = new Thread(() ->
            {
                try
                {
                    dest.set(listen.run(-1));
                }
                catch (final Exception ex)
                {
                    dest.set(ex);
                }
            });
            t.start();
            final MigrationResult src = MigrationCorrectnessTest.run(mode, "tcp", "uniform").channels(channels)
                .to(at, 30_000).run();
            t.join(60_000);
            assertNull(src.error(), src::summary);
            assertEquals(Boolean.TRUE, src.verified(), src::summary);
            final MigrationResult d = (MigrationResult)dest.get();
            assertEquals("kernel", d.faultGate(), d::summary);
            assertEquals(Boolean.TRUE, d.verified(), d::summary);
        }
    }

    /**
     * Post-copy's preempt connection with kernel faults (issue 23): the page a vCPU blocks on in the kernel comes on
     * the preempt connection and is placed with {@code UFFDIO_COPY} by that connection's reader, while the push
     * is held ({@link PostcopyPreemptTest#faultAheadOfThePush}).
     */
    @ParameterizedTest(name = "preempt over {0}")
    @CsvSource({"memory", "tcp"})
    void aKernelFaultIsServedOnThePreemptConnection(final String link, @TempDir final Path dir) throws Exception
    {
        KernelAssume.faults();
        final MigrationResult r = PostcopyPreemptTest.faultAheadOfThePush(link, true, dir);
        assertEquals("kernel", r.faultGate(), r::summary);
    }
}
