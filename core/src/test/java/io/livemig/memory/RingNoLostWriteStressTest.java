package io.livemig.memory;

import java.util.List;
import java.util.concurrent.TimeUnit;

import io.livemig.dirty.AtomicDirtyBitmap;
import io.livemig.dirty.DirtyLogKind;
import io.livemig.dirty.DirtyRingLog;
import io.livemig.dirty.DirtyRingReaper;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * No write is lost through the dirty ring: vCPU threads write guest pages (each push to their own 16-entry
 * ring, so rings fill and stall all the time) while a reaper collects every 50 µs and the migration thread
 * syncs ({@code harvestInto}, which kicks and reaps) and sends with clear-then-read. After the writers stop
 * and a final sync, the destination must equal the source. The same race with a ring that resets before it
 * collects (a test double) must lose pages.
 */
class RingNoLostWriteStressTest
{
    private static final int PAGES = 300;

    @ParameterizedTest(name = "shift {0}")
    @ValueSource(ints = {0, 1})
    void writersRacingTheReaperAndSyncsLoseNoWrite(final int shift) throws InterruptedException
    {
        final DirtyRingLog ring = new DirtyRingLog(PAGES, shift, 16, 4);
        try (MigrationRace race = new MigrationRace(ring, new AtomicDirtyBitmap(PAGES, shift));
             DirtyRingReaper reaper = new DirtyRingReaper(ring, 50, TimeUnit.MICROSECONDS).start())
        {
            assertEquals(List.of(), race.run(2, 20, 20, 42, MigrationRace.clearThenRead()), "lost pages");
            assertTrue(race.memory.getLong(0) > 0, "writers wrote");
            assertTrue(reaper.entries() > 0, "the reaper collected entries: " + ring);
            assertTrue(ring.stalls() > 0, "rings filled: " + ring);
        }
    }

    @Test
    void ownersReapingTheirFullRingsLoseNoWrite() throws InterruptedException
    {
        final DirtyRingLog ring = new DirtyRingLog(PAGES, 0, 16, 4);
        try (MigrationRace race = new MigrationRace(ring, new AtomicDirtyBitmap(PAGES, 0)))
        {
            assertEquals(List.of(), race.run(2, 20, 20, 7, MigrationRace.clearThenRead()), "lost pages");
            assertTrue(ring.stalls() > 0, "rings filled: " + ring);
        }
    }

    /**
     * Publishing before re-arming, with the losing interleaving forced: in the window between the two, the
     * migration syncs and sends page 5, then the guest writes it again; the write finds the unit still
     * pending and pushes nothing, so the checker must report page 5 lost. The correct order is the same log
     * without the window, where a write after a pass is always sent.
     */
    @Test
    void checkerCatchesPublishBeforeRearm()
    {
        final MigrationRace[] race = new MigrationRace[1];
        final boolean[] armed = {false};
        final DirtyRingLog ring = DirtyLogKind.ringPublishingBeforeRearm(16, () ->
        {
            if (armed[0])
            {
                armed[0] = false;
                race[0].pass(MigrationRace.clearThenRead()); // sends page 5, already published
                race[0].write(5, 2);                         // the unit is still pending: no push
            }
        });
        try (MigrationRace r = new MigrationRace(ring, new AtomicDirtyBitmap(16, 0)))
        {
            race[0] = r;
            r.pass(MigrationRace.clearThenRead());
            r.write(5, 1);
            armed[0] = true;
            r.pass(MigrationRace.clearThenRead());
            r.pass(MigrationRace.clearThenRead());
            assertEquals(List.of(5L), r.lostPages(), "the write between publish and re-arm is lost");
        }
        final DirtyRingLog correct = new DirtyRingLog(16, 0, 64, 8);
        try (MigrationRace r = new MigrationRace(correct, new AtomicDirtyBitmap(16, 0)))
        {
            r.pass(MigrationRace.clearThenRead());
            r.write(5, 1);
            r.pass(MigrationRace.clearThenRead());
            r.write(5, 2);
            r.pass(MigrationRace.clearThenRead());
            assertEquals(List.of(), r.lostPages());
        }
    }

    /**
     * The same race with the forbidden order and a widened window (a 20 µs spin between freeing the slots and
     * reading them), retried a bounded number of times so that a starved scheduler cannot make it flaky; it
     * fails if the checker never sees a loss.
     */
    @Test
    void checkerCatchesResetBeforeCollect() throws InterruptedException
    {
        boolean detected = false;
        for (int attempt = 0; attempt < 10 && !detected; attempt++)
        {
            final DirtyRingLog ring = DirtyLogKind.ringResettingBeforeCollect(PAGES, 0, 16, 4, () ->
            {
                final long until = System.nanoTime() + 20_000;
                while (System.nanoTime() < until)
                {
                    Thread.onSpinWait();
                }
            });
            try (MigrationRace race = new MigrationRace(ring, new AtomicDirtyBitmap(PAGES, 0));
                 DirtyRingReaper reaper = new DirtyRingReaper(ring, 50, TimeUnit.MICROSECONDS).start())
            {
                detected = !race.run(2, 10, 10, attempt, MigrationRace.clearThenRead()).isEmpty();
            }
        }
        assertTrue(detected, "reset-before-collect lost no write in 10 attempts: is the checker blind?");
    }
}
