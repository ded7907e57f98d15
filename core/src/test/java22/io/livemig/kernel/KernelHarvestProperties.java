package io.livemig.kernel;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Against a model (the set of pages written since the last harvest): for random rounds of writes of random
 * widths at random addresses, each harvest of either kernel tracker returns exactly the pages the model says
 * were written, and the data reads back. 4 KiB pages with {@code MADV_NOHUGEPAGE}, so the kernel's unit is
 * the guest's page.
 */
class KernelHarvestProperties
{
    static final long PAGES = 96;

    /** One write: an address and a length in bytes (1 to 3 pages' worth, possibly straddling pages). */
    record Write(long address, int length)
    {
    }

    @Provide
    Arbitrary<List<List<Write>>> rounds()
    {
        final Arbitrary<Write> write = Arbitraries.longs().between(0, PAGES * 4096 - 1).flatMap(address ->
            Arbitraries.integers().between(1, (int)Math.min(3 * 4096, PAGES * 4096 - address))
                .map(length -> new Write(address, length)));
        return write.list().ofMaxSize(12).list().ofMinSize(1).ofMaxSize(5);
    }

    @Property(tries = 40, seed = "20261128")
    void harvestEqualsTheWrittenSet(@ForAll @IntRange(min = 0, max = 1) final int kindIndex,
        @ForAll("rounds") final List<List<Write>> rounds)
    {
        final KernelTracker kind = KernelTracker.values()[kindIndex];
        try (UffdGuest guest = KernelGuests.open(kind, PAGES))
        {
            byte value = 1;
            for (final List<Write> round : rounds)
            {
                final TreeSet<Long> model = new TreeSet<>();
                for (final Write w : round)
                {
                    final byte[] bytes = new byte[w.length()];
                    java.util.Arrays.fill(bytes, value);
                    guest.memory().putBytes(w.address(), bytes, 0, bytes.length);
                    for (long p = w.address() >>> 12; p <= (w.address() + w.length() - 1) >>> 12; p++)
                    {
                        model.add(p);
                    }
                    assertEquals(value, guest.memory().getByte(w.address() + w.length() - 1));
                    value = (byte)(value == 127 ? 1 : value + 1);
                }
                assertEquals(new ArrayList<>(model), KernelGuests.harvest(guest), kind.cliName() + " round " + round);
            }
        }
    }
}
