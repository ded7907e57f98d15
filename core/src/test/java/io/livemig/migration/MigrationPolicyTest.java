package io.livemig.migration;

import io.livemig.dirty.DirtyMarker;
import io.livemig.dirty.SummaryDirtyBitmap;
import io.livemig.memory.GuestMemory;
import io.livemig.migration.link.MemoryLink;
import io.livemig.migration.link.MigrationLink;
import io.livemig.migration.options.GiveUp;
import io.livemig.migration.options.MigrationOptions;
import io.livemig.migration.options.StopPolicy;
import io.livemig.migration.result.MigrationResult;
import io.livemig.migration.result.RoundStats;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The stop decision, auto-converge and giving up, each on a small guest with writers running. */
class MigrationPolicyTest
{
    /**
     * Every page of an 8 MiB guest changes by 8 bytes during every round, which XBZRLE sends in about 20.
     * The guest is written deterministically, by the engine's own thread after each live round's pages, so
     * the remainder is the whole guest every time: 8 MiB uncompressed, more than the link's limit can ever
     * carry in the downtime (32 MiB/s x 100 ms = 3.4 MB), so qemu's test can never pass; yet about 43 KB on
     * the wire, which fits as soon as a round takes under 100 ms.
     */
    private static MigrationResult xbzrleFriendly(final StopPolicy policy) throws Exception
    {
        final int pages = 2048;
        final SummaryDirtyBitmap log = new SummaryDirtyBitmap(pages, 0);
        try (GuestMemory src = new GuestMemory(pages * 4096L, 4096, log);
             GuestMemory dst = new GuestMemory(pages * 4096L, 4096, DirtyMarker.NONE);
             MigrationLink link = new MemoryLink(32L << 20, 0))
        {
            final byte[] page = new byte[4096];
            new SplittableRandom(5).nextBytes(page);
            for (int p = 0; p < pages; p++)
            {
                src.writePage(p, page, 0);
            }
            final MigrationOptions options = MigrationOptions.defaults().withBandwidth(32L << 20)
                .withDowntimeLimitMs(100).withXbzrle(true).withXbzrleCacheBytes(8 << 20).withStopPolicy(policy)
                .withOnGiveUp(GiveUp.STOP).withMaxRounds(6);
            final MigrationResult r = new Migration(options, src, log, dst, null, link)
            {
                private byte value;

                @Override
                protected long sendDirtyPages(final boolean allowXbzrle) throws IOException
                {
                    final long sent = super.sendDirtyPages(allowXbzrle);
                    if (!vcpusStopped())
                    {
                        value++;
                        for (int p = 0; p < pages; p++)
                        {
                            src.fill(p * 4096L + 100, 8, value);
                        }
                    }
                    return sent;
                }
            }.run();
            RunGuest.verify(src, dst, null, r);
            return r;
        }
    }

    @Test
    void wireConvergesWhereQemuDoesNotWhenXbzrleShrinksThePages() throws Exception
    {
        final MigrationResult q = xbzrleFriendly(StopPolicy.QEMU);
        assertNull(q.error(), q::summary);
        assertFalse(q.converged(), q::summary);
        assertTrue(q.reason().startsWith("did not converge (max rounds 6)"), q::summary);
        assertEquals(6, q.rounds());
        for (final RoundStats s : q.roundStats())
        {
            assertEquals(2048, s.remainingPages(), q::toJson);
        }
        assertEquals(Boolean.TRUE, q.verified(), "a forced stop-and-copy still moves the guest intact");

        final MigrationResult wire = xbzrleFriendly(StopPolicy.WIRE);
        assertNull(wire.error(), wire::summary);
        assertTrue(wire.converged(), wire::summary);
        assertTrue(wire.rounds() < 6, wire::summary);
        assertEquals(Boolean.TRUE, wire.verified(), wire::summary);
        final RoundStats last = wire.roundStats().get(wire.rounds() - 1);
        assertEquals(2048, last.remainingPages(), wire::toJson);
        assertTrue(last.estimateBytes() <= last.thresholdBytes(), wire::summary);
        assertTrue(last.remainingPages() * 4096.0 > last.thresholdBytes(), "qemu's test would have refused: " + wire.summary());
        assertTrue(wire.pages(io.livemig.stream.PageKind.XBZRLE) > 0, wire::summary);
    }

    @Test
    void autoConvergeThrottlesInQemuSteps() throws Exception
    {
        // The whole guest is dirty at every round's start (DirtyWholeGuest): each period dirties more than half of
        // what the round sent, so the throttle steps up every round, however the writer fares on a busy machine.
        final MigrationResult r = DirtyWholeGuest.install(new MigrationRun().memoryBytes(8 << 20).writers(1).dirtyRate(0)
            .pattern("uniform").verify(true).phasesMs(0, 0)
            .options(MigrationOptions.defaults().withBandwidth(32L << 20).withDowntimeLimitMs(5).withAutoConverge(true)
                .withOnGiveUp(GiveUp.STOP).withMaxRounds(5).withMaxTimeMs(5000)), DirtyWholeGuest.EVERY_ROUND)
            .run();
        assertNull(r.error(), r::summary);
        assertEquals(Boolean.TRUE, r.verified(), r::summary);
        int previous = 0;
        for (final RoundStats s : r.roundStats())
        {
            final int t = s.throttlePercent();
            assertTrue(t == previous || (previous == 0 && t == 20) || (previous > 0 && t == Math.min(99, previous + 10)),
                "throttle went " + previous + " -> " + t + ": " + r.toJson());
            previous = t;
        }
        assertTrue(previous >= 20, "a guest dirty in full every round must be throttled: " + r.toJson());
        assertEquals(previous, r.throttlePercent());
    }

    @Test
    void withoutAutoConvergeTheGuestIsNeverThrottled() throws Exception
    {
        // Dirty in full at every round's start (DirtyWholeGuest): it would be throttled if auto-converge were on.
        final MigrationResult r = DirtyWholeGuest.install(new MigrationRun().memoryBytes(4 << 20).writers(1).dirtyRate(0)
            .pattern("uniform").phasesMs(0, 0)
            .options(MigrationOptions.defaults().withBandwidth(32L << 20).withDowntimeLimitMs(1).withOnGiveUp(GiveUp.STOP)
                .withMaxRounds(3)), DirtyWholeGuest.EVERY_ROUND)
            .run();
        assertEquals(0, r.throttlePercent(), r::summary);
        assertFalse(r.converged());
        assertEquals(3, r.rounds());
    }

    @Test
    void maxTimeEndsPrecopyWithTheReason() throws Exception
    {
        final MigrationResult r = DirtyWholeGuest.install(new MigrationRun().memoryBytes(4 << 20).writers(1).dirtyRate(0)
            .pattern("uniform").verify(true).phasesMs(0, 0)
            .options(MigrationOptions.defaults().withBandwidth(16L << 20).withDowntimeLimitMs(1).withOnGiveUp(GiveUp.STOP)
                .withMaxTimeMs(300)), DirtyWholeGuest.EVERY_ROUND)
            .run();
        assertNull(r.error(), r::summary);
        assertFalse(r.converged());
        assertTrue(r.reason().startsWith("did not converge (max time 300 ms)"), r::summary);
        assertEquals(Boolean.TRUE, r.verified(), r::summary);
    }

    @Test
    void idleGuestConvergesAfterTheFirstPass() throws Exception
    {
        final MigrationResult r = new MigrationRun().memoryBytes(4 << 20).writers(0).verify(true)
            .options(MigrationOptions.defaults().withBandwidth(0)).run();
        assertNull(r.error(), r::summary);
        assertTrue(r.converged());
        assertEquals(1, r.rounds());
        assertEquals(0, r.roundStats().get(0).remainingPages());
        assertEquals(Boolean.TRUE, r.verified());
    }
}
