package io.livemig.memory;

import java.util.List;

import io.livemig.dirty.DirtyLogKind;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * No write is ever lost: writers race a clear-then-read migration loop, and after a final pass with the writers
 * stopped the destination equals the source, for both bitmaps, with writers marking the scanned bitmap
 * directly or a log harvested into it. The same checker catches the loss when the read comes before the
 * clear (a test double), deterministically and under the same race.
 */
class NoLostWriteStressTest
{
    static List<Arguments> setups()
    {
        return List.of(
            Arguments.of(DirtyLogKind.ATOMIC, 0, false), Arguments.of(DirtyLogKind.ATOMIC, 1, true),
            Arguments.of(DirtyLogKind.SUMMARY, 0, false), Arguments.of(DirtyLogKind.SUMMARY, 1, true));
    }

    @ParameterizedTest(name = "{0}, shift {1}, via harvest {2}")
    @MethodSource("setups")
    void clearThenReadLosesNoWrite(final DirtyLogKind kind, final int shift, final boolean viaHarvest)
        throws InterruptedException
    {
        try (MigrationRace race = new MigrationRace(kind, 300, shift, viaHarvest))
        {
            assertEquals(List.of(), race.run(2, 30, 20, 42, MigrationRace.clearThenRead()), "lost pages");
            assertTrue(race.memory.getLong(0) > 0, "writers wrote");
        }
    }

    /** The interleaving that read-then-clear allows, forced: the checker must report the page as lost. */
    @Test
    void checkerCatchesAWriteBetweenReadAndClear()
    {
        try (MigrationRace race = new MigrationRace(DirtyLogKind.ATOMIC, 16, 0, false))
        {
            race.pass(MigrationRace.clearThenRead());
            race.write(5, 1);
            final boolean[] once = {true};
            race.pass(MigrationRace.readThenClear(() ->
            {
                if (once[0])
                {
                    once[0] = false;
                    race.write(5, 2);
                }
            }));
            assertEquals(List.of(5L), race.lostPages(), "the write between read and clear is lost");

            // The same write placed the same way against the correct order is not lost.
            race.write(5, 3);
            race.pass(MigrationRace.clearThenRead());
            race.write(5, 4);
            race.pass(MigrationRace.clearThenRead());
            assertEquals(List.of(), race.lostPages());
        }
    }

    /**
     * The same race as {@link #clearThenReadLosesNoWrite}, with the forbidden order and a widened window
     * (spin between read and clear): the checker reports lost pages. Retried a bounded number of times so a
     * starved scheduler cannot make it flaky; it fails if the checker never sees a loss.
     */
    @Test
    void checkerCatchesReadThenClearUnderTheRace() throws InterruptedException
    {
        boolean detected = false;
        for (int attempt = 0; attempt < 10 && !detected; attempt++)
        {
            try (MigrationRace race = new MigrationRace(DirtyLogKind.SUMMARY, 16, 0, false))
            {
                final List<Long> lost = race.run(2, 20, 5, attempt, MigrationRace.readThenClear(() ->
                {
                    final long until = System.nanoTime() + 20_000;
                    while (System.nanoTime() < until)
                    {
                        Thread.onSpinWait();
                    }
                }));
                detected = !lost.isEmpty();
            }
        }
        assertTrue(detected, "read-then-clear lost no write in 10 attempts: is the checker blind?");
    }

    @Test
    void destinationStartsDifferentSoTheCheckerIsNotVacuous()
    {
        try (MigrationRace race = new MigrationRace(DirtyLogKind.ATOMIC, 8, 0, false))
        {
            race.write(3, 7);
            assertFalse(race.lostPages().isEmpty(), "an unsent write is reported");
        }
    }
}
