package io.livemig.bench.migration;

import io.livemig.migration.result.MigrationResult;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Each benchmark scenario, on a smaller guest and verified: the migrating variant moves the guest intact
 * while it is written, and the idle baseline moves the same guest in one pass with nothing left over.
 */
class MigrationBenchmarkTest
{
    @ParameterizedTest
    @ValueSource(strings = {"precopy", "precopy-ac", "precopy-xbzrle", "postcopy", "hybrid"})
    void everyModeMovesTheGuestIntactAndTheBaselineInOnePass(final String mode) throws Exception
    {
        final MigrationResult busy = MigrationBenchmark.scenario(mode, 1.0, false, 8L << 20).verify(true).run();
        assertNull(busy.error(), busy::summary);
        assertEquals(Boolean.TRUE, busy.verified(), busy::summary);

        final MigrationResult idle = MigrationBenchmark.scenario(mode, 1.0, true, 8L << 20).verify(true).run();
        assertNull(idle.error(), idle::summary);
        assertEquals(Boolean.TRUE, idle.verified(), idle::summary);
        assertTrue(idle.converged(), idle::summary);
        assertEquals(0, idle.faults(), "an idle guest never faults: " + idle.summary());
        assertEquals(mode.equals("postcopy") ? 0 : 1, idle.rounds(), idle::summary);
    }

    @Test
    void aHybridHandOverToPostcopyIsToldApartFromAForcedStop() throws Exception
    {
        // Dirtying at twice the bandwidth, two pre-copy rounds do not fit 5 ms: the hybrid hands over.
        final MigrationResult hybrid = MigrationBenchmark.scenario("hybrid", 2.0, false, 8L << 20).run();
        assertNull(hybrid.error(), hybrid::summary);
        assertTrue(hybrid.converged() || MigrationBenchmark.switchedToPostcopy(hybrid), hybrid::summary);
        final MigrationBenchmark.Figures figures = new MigrationBenchmark.Figures();
        figures.record(hybrid);
        assertEquals(hybrid.converged() ? 0 : 1, figures.switchedToPostcopy, hybrid::summary);
        assertEquals(hybrid.converged() ? 1 : 0, figures.converged, hybrid::summary);

        // Pre-copy never hands over, whether it converged or was forced through.
        final MigrationResult precopy = MigrationBenchmark.scenario("precopy", 2.0, false, 8L << 20).run();
        assertFalse(MigrationBenchmark.switchedToPostcopy(precopy), precopy::summary);
    }
}
