package io.livemig.kernel;

import java.util.List;

import io.livemig.dirty.AtomicDirtyBitmap;
import io.livemig.dirty.DirtyMarker;
import io.livemig.memory.GuestMemory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Unit tests of both userfaultfd trackers on this machine's kernel (skipped with the probe's reason elsewhere; {@link
 * KernelGuardTest} fails where the machine has what they need and the probe says otherwise).
 */
class UffdTrackerTest
{
    @ParameterizedTest
    @EnumSource(KernelTracker.class)
    void harvestReturnsExactlyThePagesWrittenAndProtectsThemAgain(final KernelTracker kind)
    {
        try (UffdGuest guest = KernelGuests.open(kind, 64))
        {
            final GuestMemory memory = guest.memory();
            assertSame(DirtyMarker.NONE, memory.marker(), "a kernel-tracked guest marks no software log");
            assertEquals(List.of(), KernelGuests.harvest(guest), "nothing written yet");
            memory.putLong(3 * 4096 + 8, 42);
            memory.putByte(10 * 4096, (byte)1);
            memory.putBytes(20 * 4096 + 4000, new byte[200], 0, 200); // straddles pages 20 and 21
            memory.fill(40 * 4096, 3 * 4096, (byte)7);
            assertEquals(List.of(3L, 10L, 20L, 21L, 40L, 41L, 42L), KernelGuests.harvest(guest));
            assertEquals(42, memory.getLong(3 * 4096 + 8));
            assertEquals(7, memory.getByte(42 * 4096 + 4095));
            assertEquals(List.of(), KernelGuests.harvest(guest), "the harvest protected them again");
            memory.putInt(3 * 4096, 5);
            assertEquals(List.of(3L), KernelGuests.harvest(guest), "a write after the harvest is recorded");
            memory.getLong(50 * 4096);
            assertEquals(List.of(), KernelGuests.harvest(guest), "reads are not writes");
        }
    }

    @ParameterizedTest
    @EnumSource(KernelTracker.class)
    void harvestCountsNewlyDirtyUnitsAndChecksTheTargetShape(final KernelTracker kind)
    {
        try (UffdGuest guest = KernelGuests.open(kind, 128))
        {
            guest.memory().putLong(0, 1);
            guest.memory().putLong(127 * 4096, 1);
            final AtomicDirtyBitmap target = new AtomicDirtyBitmap(128, 0);
            target.mark(0);
            assertEquals(1, guest.log().harvestInto(target), "page 0 was already set in the target");
            assertTrue(target.isDirty(127));
            assertThrows(IllegalArgumentException.class, () -> guest.log().harvestInto(new AtomicDirtyBitmap(64, 0)));
        }
    }

    @Test
    void synchronousTrackerServesOneFaultPerFirstWrite()
    {
        try (UffdGuest guest = KernelGuests.open(KernelTracker.UFFD_WP, 16))
        {
            final long before = guest.faultsServed();
            guest.memory().putLong(5 * 4096, 1);
            guest.memory().putLong(5 * 4096 + 8, 2);
            assertEquals(before + 1, guest.faultsServed(), "the re-write of an unprotected page does not fault");
            KernelGuests.harvest(guest);
            guest.memory().putLong(5 * 4096, 3);
            assertEquals(before + 2, guest.faultsServed(), "the harvest protected the page again");
        }
    }

    @Test
    void closeIsIdempotentAndLaterAccessThrows()
    {
        final UffdGuest guest = KernelGuests.open(KernelTracker.UFFD_WP_ASYNC, 8);
        guest.close();
        guest.close();
        assertThrows(IllegalStateException.class, () -> guest.memory().getLong(0));
    }
}
