package io.livemig.migration;

import io.livemig.migration.destination.MigrationDestination;
import io.livemig.migration.fault.FaultPlan;
import io.livemig.migration.fault.FaultyLink;
import io.livemig.migration.link.MigrationLink;
import io.livemig.migration.options.MigrationMode;
import io.livemig.migration.options.MigrationOptions;
import io.livemig.migration.result.MigrationResult;
import io.livemig.stream.PageKind;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Post-copy survives a cut with recovery (#12 §2): the link is cut at a forward byte after POSTCOPY_RUN, both
 * roles pause (each first cut comes after a page request, so the destination has started post-copy, and is
 * certain to fire, see {@link CutInPostcopy}: a cut that loses POSTCOPY_RUN is a switch-over cut, which #12
 * treats apart), a new link is opened, the destination sends its received bitmap, the source resends what is
 * missing, and the guest on the destination equals the source page by page (writes after the switch-over are
 * mirrored). Over the in-memory and the TCP link, at several cut points, with a second cut during the recovery
 * itself, and with a pause that outlives the recover timeout (the migration then fails, with the reason, and no
 * migration thread is left).
 */
@Timeout(60)
class PostcopyRecoveryTest
{
    static MigrationRun run(final String link, final long seed)
    {
        return new MigrationRun().memoryBytes(16 << 20).writers(2).pattern("uniform").link(link).verify(true)
            .phasesMs(20, 20).seed(seed)
            .options(MigrationOptions.defaults().withMode(MigrationMode.POSTCOPY).withBandwidth(64L << 20)
                .withRecover(true).withRecoverTimeoutMs(10_000));
    }

    /** Cut in post-copy at forward byte {@code bytes}, or at the first page request with nothing pushed if that comes later (see {@link CutInPostcopy}). */
    static MigrationLink cutInPostcopy(final MigrationLink link, final long bytes)
    {
        return new CutInPostcopy(link, bytes);
    }

    static MigrationLink cutAfter(final MigrationLink link, final long bytes)
    {
        return new FaultyLink(link, new FaultPlan(List.of(
            new FaultPlan.Rule(FaultPlan.Action.CUT, FaultPlan.Trigger.afterBytes(bytes), 0, 0))));
    }

    private static void assertVerified(final MigrationResult r)
    {
        assertNull(r.error(), r::summary);
        assertEquals(Boolean.TRUE, r.verified(), () -> r.summary() + " mismatches " + r.mismatchPages());
        assertTrue(r.converged(), r::summary);
    }

    private static Set<String> migrationThreads()
    {
        return Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive).map(Thread::getName)
            .filter(n -> n.startsWith("migration-")).collect(Collectors.toSet());
    }

    @ParameterizedTest(name = "cut in post-copy after {1} forward bytes over {0}")
    @CsvSource({"memory, 300000", "memory, 3000000", "memory, 6000000", "tcp, 300000", "tcp, 5000000"})
    void aCutInPostcopyPausesBothSidesAndRecoveryCompletesByteIdentical(final String link, final long cutAt)
        throws Exception
    {
        final MigrationResult r = run(link, cutAt)
            .links((index, l) -> index == 0 ? cutInPostcopy(l, cutAt) : l).run();
        assertVerified(r);
        assertEquals(1, r.recoveries(), r::summary);
        assertTrue(r.resentPages() > 0, r::summary);
        assertTrue(r.cutAtMs() > 0 && r.pausedMs() >= 0, r::summary);
        // Every page once before the cut or once after it, never lost: the sent pages at least cover the guest.
        long pages = 0;
        for (final PageKind k : PageKind.values())
        {
            pages += r.pages(k);
        }
        final long sent = pages;
        assertTrue(sent >= 4096, () -> sent + " pages sent: " + r.summary());
        assertNotNull(r.toJsonTree().get("recovery"), "the result reports the recovery");
        assertTrue(r.toJsonTree().get("recovery").get("resentPages").asLong() > 0, r::toJson);
    }

    @ParameterizedTest(name = "over {0}")
    @ValueSource(strings = {"memory", "tcp"})
    void aCutAsSoonAsTheDestinationRunsInPostcopyIsRecoveredFrom(final String link) throws Exception
    {
        // Deterministic: the link is cut (as a phase trigger) the moment the destination has resumed the vCPUs, and
        // the push is held until then, so the cut comes before the migration could end.
        final AtomicReference<Migration> migration = new AtomicReference<>();
        final AtomicReference<FaultyLink> first = new AtomicReference<>();
        final Thread cutter = new Thread(() ->
        {
            while (migration.get() == null || !migration.get().destination().postcopyStarted())
            {
                Thread.onSpinWait();
            }
            first.get().phase("postcopy", 0);
        }, "test-cutter");
        cutter.setDaemon(true);
        cutter.start();
        final MigrationResult r = run(link, 13).factory((o, s, log, d, w, l) ->
        {
            final Migration m = new Migration(o, s, log, d, w, l);
            migration.set(m);
            return m;
        }).links((index, l) ->
        {
            if (index > 0)
            {
                return l;
            }
            final FaultyLink f = new FaultyLink(l, new FaultPlan(List.of(new FaultPlan.Rule(FaultPlan.Action.CUT,
                FaultPlan.Trigger.atPhase("postcopy", -1), 0, 0))));
            first.set(f);
            return new HoldPostcopyPush(f, f::isCut);
        }).run();
        cutter.join(5000);
        assertVerified(r);
        assertTrue(first.get().isCut(), "the link was cut");
        assertEquals(1, r.recoveries(), r::summary);
        assertTrue(r.resentPages() > 0, r::summary);
    }

    @ParameterizedTest(name = "over {0}")
    @ValueSource(strings = {"memory", "tcp"})
    void aCutDuringTheRecoveryIsRecoveredFromAgain(final String link) throws Exception
    {
        final MigrationResult r = run(link, 7)
            .links((index, l) -> index == 0 ? cutInPostcopy(l, 1_000_000) : index == 1 ? cutAfter(l, 200_000) : l).run();
        assertVerified(r);
        assertEquals(2, r.recoveries(), r::summary);
        assertTrue(r.resentPages() > 0, r::summary);
    }

    @Test
    void aCutBeforeTheFirstByteOfTheNewLinkIsRetried() throws Exception
    {
        // The first new link dies at once (before the received bitmap): the source backs off and takes another.
        final MigrationResult r = run("memory", 11)
            .links((index, l) -> index == 0 ? cutInPostcopy(l, 1_000_000) : index == 1 ? cutAfter(l, 0) : l).run();
        assertVerified(r);
        assertTrue(r.recoveries() >= 1, r::summary);
    }

    @Test
    void thePauseShowsInTheFaultLatencyOfTheVcpusThatWaitedAcrossIt() throws Exception
    {
        // Cut at the first page request with nothing pushed: the vCPU that asked waits across the whole pause.
        final long pauseMs = 300;
        final AtomicReference<Migration> migration = new AtomicReference<>();
        final boolean[] pausedThen = new boolean[1];
        final MigrationResult r = run("memory", 3).factory((o, s, log, d, w, l) ->
        {
            final Migration m = new Migration(o, s, log, d, w, l);
            migration.set(m);
            return m;
        }).links((index, l) ->
        {
            if (index == 1)
            {
                final MigrationDestination dest = migration.get().destination();
                final long deadline = System.nanoTime() + 10_000_000_000L;
                while (!dest.paused() && System.nanoTime() < deadline)
                {
                    Thread.onSpinWait();
                }
                pausedThen[0] = dest.paused(); // no thread died: the destination waits for the new link
                try
                {
                    Thread.sleep(pauseMs); // the new link takes a while to come
                }
                catch (final InterruptedException ex)
                {
                    Thread.currentThread().interrupt();
                }
            }
            return index == 0 ? cutInPostcopy(l, 0) : l;
        }).run();
        assertTrue(pausedThen[0], () -> "the destination paused: " + r.summary());
        assertVerified(r);
        assertEquals(1, r.recoveries(), r::summary);
        assertTrue(r.pausedMs() >= pauseMs * 0.9, r::summary);
        final double[] after = r.recoveryFaults(true);
        assertTrue(after[0] > 0, () -> "faults after the cut: " + r.summary());
        assertTrue(after[3] >= pauseMs * 1000 * 0.8, () -> "a vCPU parked across the pause: " + r.summary());
        final double[] before = r.recoveryFaults(false);
        assertTrue(r.faultP99Us() > 0, r::summary);
        assertTrue(Double.isNaN(before[3]) || before[3] < after[3], r::summary);
    }

    @ParameterizedTest(name = "over {0}")
    @ValueSource(strings = {"memory", "tcp"})
    void aPauseNotRecoveredWithinTheTimeoutFailsWithTheReasonAndLeavesNoThread(final String link) throws Exception
    {
        final long t0 = System.nanoTime();
        final MigrationResult r = run(link, 5).options(MigrationOptions.defaults().withMode(MigrationMode.POSTCOPY)
                .withBandwidth(64L << 20).withRecover(true).withRecoverTimeoutMs(700))
            .links((index, l) -> index == 0 ? cutInPostcopy(l, 1_000_000) : cutAfter(l, 0)).run();
        final double ms = (System.nanoTime() - t0) / 1e6;
        assertNotNull(r.error(), r::summary);
        assertTrue(r.error().contains("not recovered within the recover timeout of 700 ms"), r::summary);
        assertFalse(r.converged(), r::summary);
        assertTrue(ms < 10_000, "failed in " + ms + " ms");
        final long deadline = System.nanoTime() + 5_000_000_000L;
        while (!migrationThreads().isEmpty() && System.nanoTime() < deadline)
        {
            Thread.sleep(20);
        }
        assertEquals(Set.of(), migrationThreads(), "no migration thread waits on");
    }
}
