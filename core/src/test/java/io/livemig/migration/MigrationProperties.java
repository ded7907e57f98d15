package io.livemig.migration;

import io.livemig.dirty.DirtyMarker;
import io.livemig.dirty.SummaryDirtyBitmap;
import io.livemig.memory.GuestMemory;
import io.livemig.migration.link.MemoryLink;
import io.livemig.migration.link.MigrationLink;
import io.livemig.migration.options.GiveUp;
import io.livemig.migration.options.MigrationMode;
import io.livemig.migration.options.MigrationOptions;
import io.livemig.migration.result.MigrationResult;
import io.livemig.stream.PageKind;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

import java.io.IOException;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Against the simplest model of a guest, its final memory: for any guest contents, any writes made between
 * pre-copy rounds (by the engine's thread, so the run is deterministic), any mode and any codec settings,
 * the destination ends equal to the source page by page, and post-copy sends each page dirty at the switch
 * exactly once.
 */
class MigrationProperties
{
    /** One write: page, offset, length, value. */
    record Write(int page, int offset, int length, byte value)
    {
    }

    /** A scenario. */
    record Scenario(int pages, MigrationMode mode, boolean xbzrle, boolean lz4, int prepage, List<List<Write>> rounds)
    {
    }

    @Provide
    Arbitrary<Scenario> scenarios()
    {
        final Arbitrary<Integer> pages = Arbitraries.integers().between(1, 96);
        return pages.flatMap(n ->
        {
            final Arbitrary<Write> write = Combinators.combine(
                Arbitraries.integers().between(0, n - 1), Arbitraries.integers().between(0, 4095),
                Arbitraries.integers().between(1, 4096), Arbitraries.bytes())
                .as((p, off, len, v) -> new Write(p, off, Math.min(len, 4096 - off), v));
            return Combinators.combine(Arbitraries.of(MigrationMode.class), Arbitraries.of(true, false),
                Arbitraries.of(true, false), Arbitraries.integers().between(0, 16),
                write.list().ofMaxSize(40).list().ofMinSize(1).ofMaxSize(5))
                .as((mode, x, l, pre, rounds) -> new Scenario(n, mode, x, l, pre, rounds));
        });
    }

    @Property(tries = 40, seed = "20261126")
    void destinationEqualsSourceAndPostcopySendsEachPageOnce(@ForAll("scenarios") final Scenario s) throws Exception
    {
        final SummaryDirtyBitmap log = new SummaryDirtyBitmap(s.pages(), 0);
        try (GuestMemory src = new GuestMemory(s.pages() * 4096L, 4096, log);
             GuestMemory dst = new GuestMemory(s.pages() * 4096L, 4096, DirtyMarker.NONE);
             MigrationLink link = new MemoryLink(0, 0))
        {
            apply(src, s.rounds().get(0));
            final MigrationOptions options = MigrationOptions.defaults().withMode(s.mode()).withBandwidth(0)
                .withDowntimeLimitMs(1).withXbzrle(s.xbzrle()).withXbzrleCacheBytes(64 << 10).withLz4(s.lz4())
                .withPrepageWindow(s.prepage()).withOnGiveUp(GiveUp.STOP).withMaxRounds(s.rounds().size()).withPostcopyAfterRounds(s.rounds().size())
                .withDeviceStateBytes(100);
            // Each round's writes: the first half while its pages are sent, the second half after the sync
            // that ends it (from the progress report), i.e. between that sync and the next one or the stop.
            final int[] round = {1};
            final Migration migration = new Migration(options, src, log, dst, null, link)
            {
                @Override
                protected long sendDirtyPages(final boolean allowXbzrle) throws IOException
                {
                    final long sent = super.sendDirtyPages(allowXbzrle);
                    if (!vcpusStopped() && round[0] < s.rounds().size())
                    {
                        final List<Write> ws = s.rounds().get(round[0]);
                        apply(src, ws.subList(0, ws.size() / 2));
                    }
                    return sent;
                }
            };
            migration.progress((phase, r, remaining, dirty, wire, throttle) ->
            {
                if (phase.equals("precopy") && round[0] < s.rounds().size())
                {
                    final List<Write> ws = s.rounds().get(round[0]++);
                    apply(src, ws.subList(ws.size() / 2, ws.size()));
                }
            });
            final MigrationResult r = migration.run();
            assertNull(r.error(), r::summary);
            RunGuest.verify(src, dst, null, r);
            assertEquals(Boolean.TRUE, r.verified(), () -> r.summary() + " mismatches " + r.mismatchPages());
            if (s.mode() == MigrationMode.POSTCOPY)
            {
                long sent = 0;
                for (final PageKind k : PageKind.values())
                {
                    sent += r.pages(k);
                }
                assertEquals(s.pages(), sent, r::summary);
                assertEquals(0, r.pages(PageKind.XBZRLE), "post-copy never sends XBZRLE");
            }
            assertTrue(r.totalMs() > 0, r::summary);
        }
    }

    private static void apply(final GuestMemory memory, final List<Write> writes)
    {
        for (final Write w : writes)
        {
            memory.fill(w.page() * 4096L + w.offset(), w.length(), w.value());
        }
    }
}
