package io.livemig.migration;

import io.livemig.dirty.DirtyLog;
import io.livemig.dirty.DirtyMarker;
import io.livemig.dirty.SummaryDirtyBitmap;
import io.livemig.memory.GuestMemory;
import io.livemig.migration.fault.FaultPlan;
import io.livemig.migration.fault.FaultyLink;
import io.livemig.migration.link.DeadlineLink;
import io.livemig.migration.link.MigrationLink;
import io.livemig.migration.options.GiveUp;
import io.livemig.migration.options.MigrationOptions;
import io.livemig.migration.result.MigrationResult;
import io.livemig.workload.AccessPattern;
import io.livemig.workload.GuestWorkload;
import io.livemig.workload.VcpuTarget;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Cuts on the link (issue 12, sections 2 and 3): a pre-copy cut leaves the guest running on the source and the
 * destination empty, a cut anywhere in the switch-over leaves the guest on exactly one side, and a retry from
 * the same source guest, its writers still running, then completes and verifies page by page.
 */
@Timeout(60)
class FaultMigrationTest
{
    static final long PAGES = 1024; // 4 MiB: each migration takes milliseconds

    @ParameterizedTest
    @ValueSource(strings = {"memory", "tcp"})
    void aPrecopyCutLeavesTheGuestOnTheSourceAndARetrySucceeds(final String kind) throws Exception
    {
        try (Guest g = new Guest(true))
        {
            final MigrationResult cut = g.migrateUnconverged(kind, slowToConverge(),
                rule(FaultPlan.Trigger.atPhase("precopy", 1)));
            assertEquals(MigrationResult.FAILED, cut.status(), cut::summary);
            assertEquals("precopy round 1", cut.failurePhase(), cut::summary);
            assertTrue(cut.failureReason().contains("link cut by fault injection"), cut::summary);
            assertEquals("source", cut.guestRunsOn(), cut::summary);
            g.assertRunsOnSource();
            g.assertDestinationEmpty();
            g.retryAndVerify(kind);
        }
    }

    @Test
    void aCutAtAByteOffsetInPrecopyFailsCleanly() throws Exception
    {
        try (Guest g = new Guest(true))
        {
            final MigrationResult cut = g.migrate("memory", slowToConverge(), rule(FaultPlan.Trigger.afterBytes(1 << 20)));
            assertEquals(MigrationResult.FAILED, cut.status(), cut::summary);
            assertEquals("source", cut.guestRunsOn(), cut::summary);
            g.assertRunsOnSource();
            g.assertDestinationEmpty();
            g.retryAndVerify("memory");
        }
    }

    @Test
    void aCutAtSwitchoverResumesTheGuestOnTheSource() throws Exception
    {
        try (Guest g = new Guest(true))
        {
            final MigrationResult cut = g.migrate("memory", MigrationOptions.defaults().withBandwidth(0),
                rule(FaultPlan.Trigger.atPhase("stop-and-copy", -1)));
            assertEquals(MigrationResult.FAILED, cut.status(), cut::summary);
            assertEquals("stop-and-copy", cut.failurePhase(), cut::summary);
            assertEquals("source", cut.guestRunsOn(), cut::summary);
            g.assertRunsOnSource();
            g.assertDestinationEmpty();
            g.retryAndVerify("memory");
        }
    }

    /**
     * An idle guest moves the same bytes every time: cut at each of the last bytes (after the last page,
     * inside COMPLETE, just after it and before the destination's acknowledgement), then past the end (no cut).
     */
    @Test
    void aCutAfterTheLastPageButBeforeTheAckLeavesTheGuestOnTheSource() throws Exception
    {
        final long total;
        try (Guest g = new Guest(false))
        {
            final FaultyLink probe = new FaultyLink(MigrationLink.open("memory", 0, 0), FaultPlan.NONE);
            final MigrationResult r = g.migrate(probe, MigrationOptions.defaults().withBandwidth(0));
            assertNull(r.error(), r::summary);
            total = probe.forwardBytes();
        }
        for (long at = total - 3; at <= total + 1; at++)
        {
            try (Guest g = new Guest(false))
            {
                final MigrationResult r = g.migrate("memory", MigrationOptions.defaults().withBandwidth(0),
                    rule(FaultPlan.Trigger.afterBytes(at)));
                if (at <= total)
                {
                    assertEquals(MigrationResult.FAILED, r.status(), () -> "cut at " + total + ": " + r.summary());
                    assertEquals("source", r.guestRunsOn(), r::summary);
                    g.assertDestinationEmpty();
                }
                else
                {
                    assertEquals(MigrationResult.COMPLETED, r.status(), r::summary);
                    assertEquals("destination", r.guestRunsOn(), r::summary);
                }
            }
        }
    }

    @Test
    void givingUpCancelsByDefaultAndTheGuestStaysOnTheSource() throws Exception
    {
        try (Guest g = new Guest(true))
        {
            final MigrationResult r = g.migrateUnconverged("memory", slowToConverge().withMaxRounds(2), FaultPlan.NONE);
            assertEquals(MigrationResult.FAILED, r.status(), r::summary);
            assertEquals("precopy round 2", r.failurePhase(), r::summary);
            assertTrue(r.reason().startsWith("did not converge (max rounds 2), cancelled"), r::summary);
            assertEquals("source", r.guestRunsOn(), r::summary);
            g.assertRunsOnSource();
            g.assertDestinationEmpty();
            g.retryAndVerify("memory");
        }
    }

    @Test
    void givingUpWithStopForcesTheSwitchOverOverTheDowntimeLimit() throws Exception
    {
        try (Guest g = new Guest(true))
        {
            final MigrationResult r = g.migrateUnconverged("memory", slowToConverge().withMaxRounds(2)
                .withOnGiveUp(GiveUp.STOP), FaultPlan.NONE);
            assertEquals(MigrationResult.COMPLETED, r.status(), r::summary);
            assertTrue(!r.converged() && r.reason().contains("forced stop-and-copy"), r::summary);
            assertTrue(r.downtimeOverLimit(), r::summary);
            assertTrue(r.summary().contains("over the 1 ms limit"), r::summary);
            g.assertOnDestinationAndVerified(r);
        }
    }

    @Test
    void givingUpWithPostcopySwitchesOver() throws Exception
    {
        try (Guest g = new Guest(true))
        {
            final MigrationResult r = g.migrateUnconverged("memory", slowToConverge().withMaxRounds(2)
                .withOnGiveUp(GiveUp.POSTCOPY), FaultPlan.NONE);
            assertEquals(MigrationResult.COMPLETED, r.status(), r::summary);
            assertTrue(r.reason().contains("switched to post-copy"), r::summary);
            assertTrue(r.postcopyMs() > 0 || r.summary().contains("postcopy"), r::summary);
            g.assertOnDestinationAndVerified(r);
        }
    }

    /** A stall longer than the link timeout is a cut: in pre-copy, and at the switch-over (the source resumes). */
    @ParameterizedTest
    @ValueSource(strings = {"precopy", "stop-and-copy"})
    void aStallLongerThanTheLinkTimeoutBecomesACut(final String phase) throws Exception
    {
        try (Guest g = new Guest(true))
        {
            final FaultPlan stall = new FaultPlan(List.of(new FaultPlan.Rule(FaultPlan.Action.STALL,
                FaultPlan.Trigger.atPhase(phase, -1), 60_000_000_000L, 0)));
            final MigrationOptions options = phase.equals("precopy") ? slowToConverge() :
                MigrationOptions.defaults().withBandwidth(0);
            final long t0 = System.nanoTime();
            final MigrationResult r;
            try (MigrationLink link = new DeadlineLink(new FaultyLink(MigrationLink.open("memory", options.bandwidth(), 0),
                stall), 300))
            {
                r = g.migrate(link, options);
            }
            final long ms = (System.nanoTime() - t0) / 1_000_000;
            assertEquals(MigrationResult.FAILED, r.status(), r::summary);
            assertTrue(r.failureReason().contains("link timeout: no bytes on"), r::summary);
            assertEquals("source", r.guestRunsOn(), r::summary);
            assertTrue(ms < 20_000, "the 60 s stall ended at the 300 ms timeout, not after " + ms + " ms");
            g.assertRunsOnSource();
            g.assertDestinationEmpty();
            g.retryAndVerify("memory");
        }
    }

    @Test
    void aStallShorterThanTheLinkTimeoutIsSurvived() throws Exception
    {
        try (Guest g = new Guest(true))
        {
            final FaultPlan stall = new FaultPlan(List.of(new FaultPlan.Rule(FaultPlan.Action.STALL,
                FaultPlan.Trigger.atPhase("stop-and-copy", -1), 200_000_000L, 0)));
            final MigrationResult r;
            try (MigrationLink link = new DeadlineLink(new FaultyLink(MigrationLink.open("memory", 0, 0), stall), 5_000))
            {
                r = g.migrate(link, MigrationOptions.defaults().withBandwidth(0));
            }
            assertEquals(MigrationResult.COMPLETED, r.status(), r::summary);
            assertTrue(r.downtimeMs() >= 150, r::summary);
            g.assertOnDestinationAndVerified(r);
        }
    }

    static MigrationOptions slowToConverge()
    {
        // 1 ms of downtime: pre-copy goes round after round until the cut, for certain with Guest.migrateUnconverged.
        return MigrationOptions.defaults().withBandwidth(64L << 20).withDowntimeLimitMs(1);
    }

    static FaultPlan rule(final FaultPlan.Trigger trigger)
    {
        return new FaultPlan(List.of(new FaultPlan.Rule(FaultPlan.Action.CUT, trigger, 0, 0)));
    }

    /** A 4 MiB source guest with seeded data (and, if asked, one running writer), and an empty destination. */
    static final class Guest implements AutoCloseable
    {
        final DirtyLog log = new SummaryDirtyBitmap(PAGES, 0);
        final GuestMemory src = new GuestMemory(PAGES * 4096, 4096, log);
        final GuestMemory dst = new GuestMemory(PAGES * 4096, 4096, DirtyMarker.NONE);
        final GuestWorkload workload;

        Guest(final boolean running)
        {
            for (long p = 0; p < PAGES; p += 3)
            {
                src.fill(p * 4096 + 64, 2000, (byte)(p * 7 + 1));
            }
            workload = running ? new GuestWorkload(AccessPattern.uniform(PAGES), 1, 50_000, 8, 7) : null;
            if (workload != null)
            {
                workload.start(VcpuTarget.of(src));
            }
        }

        MigrationResult migrate(final String kind, final MigrationOptions options, final FaultPlan plan)
            throws Exception
        {
            try (MigrationLink link = new FaultyLink(MigrationLink.open(kind, options.bandwidth(), 0), plan))
            {
                return migrate(link, options);
            }
        }

        /**
         * As {@link #migrate(String, MigrationOptions, FaultPlan)}, with the whole guest dirty at the start of every
         * pre-copy round ({@link DirtyWholeGuest}): with {@link #slowToConverge()} pre-copy never converges, so the
         * rounds a test needs come for certain.
         */
        MigrationResult migrateUnconverged(final String kind, final MigrationOptions options, final FaultPlan plan)
            throws Exception
        {
            try (MigrationLink link = DirtyWholeGuest.wrap(new FaultyLink(MigrationLink.open(kind, options.bandwidth(), 0),
                plan), src, DirtyWholeGuest.EVERY_ROUND))
            {
                return migrate(link, options);
            }
        }

        MigrationResult migrate(final MigrationLink link, final MigrationOptions options)
        {
            return new Migration(options.withMirrorForVerify(true), src, log, dst, workload, link).run();
        }

        /** The same source guest again, with no fault: completes, and the guests are byte-identical. */
        void retryAndVerify(final String kind) throws Exception
        {
            final MigrationResult r = migrate(kind, MigrationOptions.defaults().withBandwidth(0), FaultPlan.NONE);
            assertEquals(MigrationResult.COMPLETED, r.status(), r::summary);
            assertOnDestinationAndVerified(r); // the destination's writes are mirrored into the source
        }

        void assertOnDestinationAndVerified(final MigrationResult r)
        {
            assertEquals("destination", r.guestRunsOn(), r::summary);
            if (workload != null)
            {
                workload.pause();
            }
            RunGuest.verify(src, dst, workload, r);
            assertEquals(List.of(), r.mismatchPages, "pages lost or wrong");
        }

        void assertRunsOnSource() throws InterruptedException
        {
            final long before = workload.writes();
            final long deadline = System.nanoTime() + 10_000_000_000L;
            while (workload.writes() == before && System.nanoTime() < deadline)
            {
                Thread.sleep(1);
            }
            assertTrue(workload.writes() > before, "the guest's writers run again");
        }

        void assertDestinationEmpty()
        {
            final byte[] page = new byte[4096];
            final byte[] zero = new byte[4096];
            for (long p = 0; p < PAGES; p++)
            {
                dst.readPage(p, page, 0);
                assertTrue(java.util.Arrays.equals(page, zero), "destination page " + p + " kept after the failure");
            }
        }

        @Override
        public void close()
        {
            if (workload != null)
            {
                workload.close();
            }
            src.close();
            dst.close();
        }
    }
}
