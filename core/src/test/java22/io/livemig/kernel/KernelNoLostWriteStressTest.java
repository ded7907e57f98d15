package io.livemig.kernel;

import java.util.List;

import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * No write is lost under either kernel tracker: writers race harvests (a {@code PAGEMAP_SCAN} that protects
 * again, or the fault thread's bitmap taken and protected again), and after a last sync with the writers
 * stopped the destination equals the source. The same checker catches a harvest that protects again before it
 * reads (a test double), deterministically and under the race.
 */
class KernelNoLostWriteStressTest
{
    @ParameterizedTest
    @EnumSource(KernelTracker.class)
    @Timeout(60)
    void writersRacingHarvestsLoseNoWrite(final KernelTracker kind) throws InterruptedException
    {
        try (UffdGuest guest = KernelGuests.open(kind, 512))
        {
            final KernelRace race = new KernelRace(guest);
            final List<Long> lost = race.run(2, 300, 1000, 42);
            assertEquals(List.of(), lost, "lost pages");
            System.out.println(kind.cliName() + ": " + race.writes() + " writes, " + guest.faultsServed() + " faults served");
            assertTrue(race.writes() > 1_000, "writers wrote: " + race.writes());
            if (kind == KernelTracker.UFFD_WP)
            {
                assertTrue(guest.faultsServed() > 300, "faults served: " + guest.faultsServed());
            }
        }
    }

    /** The interleaving that protect-then-read allows, forced: a write served in the window is lost. */
    @ParameterizedTest
    @EnumSource(KernelTracker.class)
    @Timeout(30)
    void checkerCatchesAWriteBetweenProtectAndRead(final KernelTracker kind) throws InterruptedException
    {
        try (UffdGuest guest = KernelGuests.open(kind, 16))
        {
            final KernelRace race = new KernelRace(guest);
            race.sendRound(true);
            guest.memory().putLong(5 << 12, 1);
            guest.harvest = UffdGuest.Harvest.PROTECT_THEN_READ;
            final boolean[] once = {true};
            guest.protectWindow = () ->
            {
                if (once[0])
                {
                    once[0] = false;
                    guest.memory().putLong(5 << 12, 2); // a vCPU's write, served by the kernel or our fault thread
                }
            };
            race.sendRound(false);
            guest.memory().putLong(5 << 12, 3);
            race.sendRound(false);
            assertEquals(List.of(5L), race.lostPages(), "the write after protect-then-read is lost");
        }
        // The same writes in the same places, harvested in the correct order, are not lost.
        try (UffdGuest guest = KernelGuests.open(kind, 16))
        {
            final KernelRace race = new KernelRace(guest);
            race.sendRound(true);
            guest.memory().putLong(5 << 12, 1);
            race.sendRound(false);
            guest.memory().putLong(5 << 12, 2);
            race.sendRound(false);
            guest.memory().putLong(5 << 12, 3);
            race.sendRound(false);
            assertEquals(List.of(), race.lostPages());
        }
    }

    /**
     * The race of {@link #writersRacingHarvestsLoseNoWrite} with the protect-then-read double and a window of
     * 200 µs: the checker reports lost pages. Retried a bounded number of times; fails if it never does.
     */
    @ParameterizedTest
    @EnumSource(KernelTracker.class)
    @Timeout(120)
    void checkerCatchesProtectThenReadUnderTheRace(final KernelTracker kind) throws InterruptedException
    {
        boolean detected = false;
        for (int attempt = 0; attempt < 10 && !detected; attempt++)
        {
            try (UffdGuest guest = KernelGuests.open(kind, 64))
            {
                guest.harvest = UffdGuest.Harvest.PROTECT_THEN_READ;
                guest.protectWindow = () ->
                {
                    final long until = System.nanoTime() + 200_000;
                    while (System.nanoTime() < until)
                    {
                        Thread.onSpinWait();
                    }
                };
                detected = !new KernelRace(guest).run(2, 50, 100, attempt).isEmpty();
            }
        }
        assertTrue(detected, "protect-then-read lost no write in 10 attempts: is the checker blind?");
    }
}
