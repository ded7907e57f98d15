package io.livemig.migration;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The stop decision, auto-converge and giving up, each on a small guest with writers running. */
class MigrationPolicyTest
{
    /**
     * A flat-out writer storing 8 bytes into random pages of an 8 MiB guest keeps every page dirty, but each
     * changes by 8 bytes, which XBZRLE sends in about 20. The remainder is always the whole guest: 8 MiB
     * uncompressed, far above 32 MiB/s x 20 ms = 671 KB, yet about 40 KB on the wire.
     */
    private static MigrationResult xbzrleFriendly(final StopPolicy policy) throws Exception
    {
        return new MigrationRun().memoryBytes(8 << 20).writers(1).dirtyRate(0).pattern("uniform").bytesPerTouch(8)
            .fill(1.0).verify(true).phasesMs(0, 0)
            .options(MigrationOptions.defaults().withBandwidth(32L << 20).withDowntimeLimitMs(20).withXbzrle(true)
                .withXbzrleCacheBytes(8 << 20).withStopPolicy(policy).withMaxRounds(6).withMaxTimeMs(5000))
            .run();
    }

    @Test
    void wireConvergesWhereQemuDoesNotWhenXbzrleShrinksThePages() throws Exception
    {
        final MigrationResult qemu = xbzrleFriendly(StopPolicy.QEMU);
        assertNull(qemu.error(), qemu::summary);
        assertFalse(qemu.converged(), qemu::summary);
        assertTrue(qemu.reason().startsWith("did not converge (max rounds 6)"), qemu::summary);
        assertEquals(6, qemu.rounds());
        assertEquals(Boolean.TRUE, qemu.verified(), "a forced stop-and-copy still moves the guest intact");

        final MigrationResult wire = xbzrleFriendly(StopPolicy.WIRE);
        assertNull(wire.error(), wire::summary);
        assertTrue(wire.converged(), wire::summary);
        assertTrue(wire.rounds() < 6, wire::summary);
        assertEquals(Boolean.TRUE, wire.verified(), wire::summary);
        final RoundStats last = wire.roundStats().get(wire.rounds() - 1);
        assertTrue(last.estimateBytes() <= last.thresholdBytes(), wire::summary);
        assertTrue(last.remainingPages() * 4096.0 > last.thresholdBytes(), "qemu's test would have refused: " + wire.summary());
    }

    @Test
    void autoConvergeThrottlesInQemuSteps() throws Exception
    {
        final MigrationResult r = new MigrationRun().memoryBytes(8 << 20).writers(1).dirtyRate(0).pattern("uniform")
            .verify(true).phasesMs(0, 0)
            .options(MigrationOptions.defaults().withBandwidth(32L << 20).withDowntimeLimitMs(5).withAutoConverge(true)
                .withMaxRounds(5).withMaxTimeMs(5000))
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
        assertTrue(previous >= 20, "a flat-out writer against 32 MiB/s must be throttled: " + r.toJson());
        assertEquals(previous, r.throttlePercent());
    }

    @Test
    void withoutAutoConvergeTheGuestIsNeverThrottled() throws Exception
    {
        final MigrationResult r = new MigrationRun().memoryBytes(4 << 20).writers(1).dirtyRate(0).pattern("uniform")
            .phasesMs(0, 0)
            .options(MigrationOptions.defaults().withBandwidth(32L << 20).withDowntimeLimitMs(1).withMaxRounds(3))
            .run();
        assertEquals(0, r.throttlePercent(), r::summary);
        assertFalse(r.converged());
        assertEquals(3, r.rounds());
    }

    @Test
    void maxTimeEndsPrecopyWithTheReason() throws Exception
    {
        final MigrationResult r = new MigrationRun().memoryBytes(4 << 20).writers(1).dirtyRate(0).pattern("uniform")
            .verify(true).phasesMs(0, 0)
            .options(MigrationOptions.defaults().withBandwidth(16L << 20).withDowntimeLimitMs(1).withMaxTimeMs(300))
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
