package io.livemig.bench.migration;

import io.livemig.migration.result.MigrationResult;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link PostcopyFaultsBenchmark} and {@link PostcopyLocalityBenchmark} on small guests: every shot moves the
 * guest intact, with preempt off and on and the push's window 0 and 8, and the figures are the migration's (the
 * preempt connection's share only with preempt, the wake-up floor after the shot).
 */
class PostcopyBenchmarksTest
{
    @ParameterizedTest(name = "{0}, preempt {1}")
    @CsvSource({"memory, false", "memory, true", "tcp, false", "tcp, true"})
    @Timeout(60)
    void faultShotsMoveTheGuestIntactAndRecordTheirFigures(final String link, final boolean preempt) throws Exception
    {
        final MigrationResult verified = PostcopyFaultsBenchmark.shot(link, false, preempt, "8m", "256m").scenario()
            .verify(true).run();
        assertNull(verified.error(), verified::summary);
        assertEquals(Boolean.TRUE, verified.verified(), verified::summary);

        final PostcopyFaultsBenchmark bench = new PostcopyFaultsBenchmark();
        bench.link = link;
        bench.preempt = preempt;
        bench.guest = "8m";
        bench.bandwidth = "256m";
        final PostcopyFaultsBenchmark.Figures figures = new PostcopyFaultsBenchmark.Figures();
        figures.reset();
        final MigrationResult r = bench.softwareFaults(figures);
        assertEquals(8L << 20, r.memoryBytes, r::summary);
        assertEquals(256L << 20, r.bandwidth, r::summary);
        assertEquals(r.faults(), figures.faults);
        assertEquals(r.postcopyMs(), figures.postcopyMs);
        assertTrue(figures.faults > 0, r::summary);
        assertEquals(preempt, figures.preemptPages > 0, r::summary);
        assertTrue(figures.faultsByPreempt + figures.faultsByPush <= figures.faults, "a fault counts once at most");
        assertEquals(preempt, !Double.isNaN(figures.faultsByPreemptP99Us), r::summary);
        assertEquals(0, figures.floorP50Us, "the floor comes after the shot");
        figures.floor();
        assertTrue(figures.floorP50Us > 0 && figures.floorP99Us >= figures.floorP50Us,
            () -> figures.floorP50Us + " / " + figures.floorP99Us);
    }

    @ParameterizedTest(name = "{0}, prepage {1}")
    @CsvSource({"uniform, 0", "hotset, 8", "sequential, 0", "sequential, 8"})
    @Timeout(60)
    void localityShotsMoveTheGuestIntact(final String pattern, final int prepage) throws Exception
    {
        final PostcopyShot small = new PostcopyShot(8L << 20, 256L << 20, "memory", pattern, false, true, prepage);
        final MigrationResult r = small.scenario().verify(true).run();
        assertNull(r.error(), r::summary);
        assertEquals(Boolean.TRUE, r.verified(), r::summary);
        assertTrue(r.postcopyPreempt, r::summary);
    }

    @Test
    @Timeout(60)
    void theLocalityShotIsTheClassesScenarioAndRecordsItsFigures() throws Exception
    {
        final PostcopyShot shot = PostcopyLocalityBenchmark.shot("uniform", 0);
        assertEquals(new PostcopyShot(64L << 20, 256L << 20, "memory", "uniform", false, true, 0), shot);
        final PostcopyLocalityBenchmark bench = new PostcopyLocalityBenchmark();
        bench.pattern = "sequential";
        bench.prepage = 8;
        final PostcopyLocalityBenchmark.Figures figures = new PostcopyLocalityBenchmark.Figures();
        final MigrationResult r = bench.migrate(figures);
        assertEquals(r.postcopyMs(), figures.postcopyMs);
        assertEquals(r.faults(), figures.faults);
        assertEquals(r.preemptPages, figures.preemptPages);
        assertEquals(r.pushedPages(), figures.pushedPages);
        assertTrue(figures.pushedPages > 0 && figures.faults > 0, r::summary);
    }

    @Test
    void aFailedShotIsNotRecorded()
    {
        final MigrationResult failed = new MigrationResult();
        failed.error = "link cut";
        final PostcopyFaultsBenchmark.Figures figures = new PostcopyFaultsBenchmark.Figures();
        assertThrows(IllegalStateException.class, () -> figures.record(failed, "memory"));
        assertNull(figures.floorLink, "no floor after a failed shot");
    }
}
