package io.livemig.bench.migration;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link WakeFloor}: plausible wake-up latencies on both kinds of pipe, and no reader thread left behind. */
class WakeFloorTest
{
    @ParameterizedTest
    @ValueSource(strings = {"memory", "tcp"})
    @Timeout(30)
    void measuresPositiveWakeUpsAndEndsItsReader(final String link) throws Exception
    {
        for (int run = 0; run < 2; run++)
        {
            final WakeFloor.Result floor = WakeFloor.measure(link, 300);
            assertEquals(300, floor.samples());
            assertTrue(floor.p50Us() >= 0, floor::toString);
            assertTrue(floor.p99Us() >= floor.p50Us(), floor::toString);
        }
        assertTrue(Thread.getAllStackTraces().keySet().stream()
            .noneMatch(t -> t.getName().equals("wake-floor-reader") && t.isAlive()), "every reader joined");
    }

    @Test
    @Timeout(60)
    void underLoadItStopsAndJoinsItsSpinningThreads() throws Exception
    {
        final WakeFloor.Result floor = WakeFloor.measure("memory", 100, 3);
        assertEquals(100, floor.samples());
        assertTrue(floor.p99Us() >= floor.p50Us() && floor.p50Us() >= 0, floor::toString);
        assertTrue(Thread.getAllStackTraces().keySet().stream()
            .noneMatch(t -> t.getName().startsWith("wake-floor-") && t.isAlive()), "every spinner and reader joined");
    }

    @Test
    void refusesAnUnknownLinkAndNoSamples()
    {
        assertThrows(IllegalArgumentException.class, () -> WakeFloor.measure("rdma", 10));
        assertThrows(IllegalArgumentException.class, () -> WakeFloor.measure("memory", 0));
        assertThrows(IllegalArgumentException.class, () -> WakeFloor.measure("memory", 10, -1));
    }
}
