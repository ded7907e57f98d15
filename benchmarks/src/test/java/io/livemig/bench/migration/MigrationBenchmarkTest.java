package io.livemig.bench.migration;

import io.livemig.migration.MigrationResult;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
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
}
