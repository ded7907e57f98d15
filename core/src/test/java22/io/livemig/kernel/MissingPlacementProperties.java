package io.livemig.kernel;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.List;

import io.livemig.memory.GuestMemory;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The MISSING-mode guest's placements against a model (per page: missing, or its bytes; and whether post-copy
 * has begun): random sequences of page placements, zero placements and discards. Before the first discard a
 * placement of a page that is there overwrites it (a pre-copy round sending it again); from the first discard
 * on, a page is placed at most once and a second placement is skipped ({@code false}), so a racing push and
 * request can never overwrite what a vCPU wrote in between; a discard makes its pages missing again. After
 * every step {@link FaultingGuest#isPlaced} equals the model, and every placed page reads back the model's
 * bytes (missing pages are never read: that would block in a fault).
 */
class MissingPlacementProperties
{
    static final int PAGES = 24;
    private static final int PAGE = 4096;

    /** One step: 0 place, 1 place zeros, 2 discard {@code count} pages from {@code page}. */
    record Step(int op, int page, int count, byte fill)
    {
    }

    @Provide
    Arbitrary<List<Step>> steps()
    {
        final Arbitrary<Step> step = Combinators.combine(
            Arbitraries.integers().between(0, 9).map(i -> i < 6 ? 0 : i < 8 ? 1 : 2),
            Arbitraries.integers().between(0, PAGES - 1),
            Arbitraries.integers().between(1, 6),
            Arbitraries.bytes().between((byte)1, (byte)120))
            .as((op, page, count, fill) -> new Step(op, page, Math.min(count, PAGES - page), fill));
        return step.list().ofMinSize(1).ofMaxSize(60);
    }

    @Property(tries = 60, seed = "20261128")
    void placementsFollowTheModel(@ForAll("steps") final List<Step> steps)
    {
        try (FaultingGuest guest = MissingFaultGuestTest.open(PAGES); Arena arena = Arena.ofConfined())
        {
            final MemorySegment src = arena.allocate(PAGE, PAGE);
            final byte[][] model = new byte[PAGES][]; // null: missing
            boolean postcopy = false;
            final GuestMemory memory = guest.memory();
            for (final Step s : steps)
            {
                switch (s.op())
                {
                    case 0, 1 ->
                    {
                        final byte fill = s.op() == 0 ? s.fill() : 0;
                        src.fill(fill);
                        final boolean expected = model[s.page()] == null || !postcopy;
                        final boolean placed = s.op() == 0 ? guest.place(s.page(), src.address()) : guest.placeZero(s.page());
                        assertEquals(expected, placed, s + " after " + steps);
                        if (expected)
                        {
                            model[s.page()] = filled(fill);
                        }
                    }
                    default ->
                    {
                        guest.discard(s.page(), s.count());
                        postcopy = true;
                        for (int p = s.page(); p < s.page() + s.count(); p++)
                        {
                            model[p] = null;
                        }
                    }
                }
                for (int p = 0; p < PAGES; p++)
                {
                    assertEquals(model[p] != null, guest.isPlaced(p), "page " + p + " after " + s);
                    if (model[p] != null)
                    {
                        final long at = (long)p * PAGE;
                        assertEquals(model[p][0], memory.getByte(at), "page " + p + " first byte after " + s);
                        assertEquals(model[p][PAGE - 1], memory.getByte(at + PAGE - 1), "page " + p + " last byte");
                    }
                }
            }
        }
    }

    private static byte[] filled(final byte value)
    {
        final byte[] page = new byte[PAGE];
        java.util.Arrays.fill(page, value);
        return page;
    }
}
