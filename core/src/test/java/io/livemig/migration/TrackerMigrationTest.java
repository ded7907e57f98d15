package io.livemig.migration;

import io.livemig.dirty.DirtyTracker;
import io.livemig.migration.result.MigrationResult;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every migration mode on each tracker ends byte-identical to the source, with writers running throughout
 * (the setup of {@link MigrationCorrectnessTest}). The ring runs with 64-entry rings, so that its vCPUs stall
 * and the reaper serves them during the migration, not only at syncs.
 */
class TrackerMigrationTest
{
    @ParameterizedTest(name = "{0} on {1} over {2}, {3}")
    @CsvSource({
        "precopy, ring, memory, sequential", "precopy, ring, tcp, zipf", "postcopy, ring, memory, sequential",
        "hybrid, ring, memory, uniform", "hybrid, ring, tcp, sequential",
        "precopy, bitmap, memory, sequential", "hybrid, bitmap, memory, uniform"})
    void destinationEqualsSourceOnEveryTracker(
        final String mode, final String tracker, final String link, final String pattern) throws Exception
    {
        final MigrationResult r = MigrationCorrectnessTest.run(mode, link, pattern)
            .tracker(DirtyTracker.parse(tracker)).ringSize(64).run();
        assertNull(r.error(), r::summary);
        assertEquals(Boolean.TRUE, r.verified(), () -> r.summary() + " mismatches " + r.mismatchPages() +
            " sweep violation at " + r.sweepViolation());
        assertEquals(tracker, r.tracker());
        assertTrue(r.toJson().contains("\"tracker\":{\"kind\":\"" + tracker + "\""), r::toJson);
        assertTrue(r.summary().contains("tracker: " + tracker), r::summary);
        if (tracker.equals("ring"))
        {
            assertTrue(r.ringPushes() > 0, r::summary);
            assertTrue(r.toJson().contains("\"ringSize\":64,"), r::toJson);
        }
    }
}
