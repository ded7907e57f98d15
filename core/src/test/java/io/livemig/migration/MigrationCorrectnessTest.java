package io.livemig.migration;

import io.livemig.migration.options.GiveUp;
import io.livemig.migration.options.MigrationMode;
import io.livemig.migration.options.MigrationOptions;
import io.livemig.migration.result.MigrationResult;
import io.livemig.stream.PageKind;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every mode over both links, with writers running throughout: the destination must equal the source page
 * by page at the end (destination writes after switch-over mirrored into the source), and for QEMU's
 * sequential test guest its invariant must hold on the destination. {@link BrokenEngineTest} shows these
 * checks catch an engine that reads pages before it clears their dirty bits.
 */
class MigrationCorrectnessTest
{
    /**
     * The run of these tests: a 16 MiB guest, its writers throughout, XBZRLE and LZ4 on. Hybrid's downtime limit
     * of 1 ms is too tight to converge, and {@link DirtyWholeGuest} makes that certain in one process: it
     * switches to post-copy after round 0.
     */
    static MigrationRun run(final String mode, final String link, final String pattern)
    {
        final MigrationRun run = new MigrationRun().memoryBytes(16 << 20).writers(2).dirtyRate(pattern.equals("sequential") ? 30_000 : 0)
            .pattern(pattern).link(link).verify(true).phasesMs(20, 20).seed(mode.hashCode() + link.hashCode())
            .options(MigrationOptions.defaults().withMode(MigrationMode.parse(mode)).withBandwidth(96L << 20)
                .withDowntimeLimitMs(mode.equals("hybrid") ? 1 : 50)
                .withXbzrle(true).withXbzrleCacheBytes(4 << 20).withLz4(true)
                .withOnGiveUp(GiveUp.STOP).withMaxRounds(8).withMaxTimeMs(2000).withPostcopyAfterRounds(1));
        return mode.equals("hybrid") ? DirtyWholeGuest.install(run, 1) : run;
    }

    @ParameterizedTest(name = "{0} over {1}, {2}")
    @CsvSource({
        "precopy, memory, sequential", "precopy, tcp, sequential", "precopy, memory, zipf",
        "postcopy, memory, sequential", "postcopy, tcp, sequential", "postcopy, tcp, uniform",
        "hybrid, memory, sequential", "hybrid, tcp, sequential", "hybrid, memory, uniform"})
    void destinationEqualsSourceWithWritersRunning(final String mode, final String link, final String pattern)
        throws Exception
    {
        final MigrationResult r = run(mode, link, pattern).run();
        assertNull(r.error(), r::summary);
        assertEquals(Boolean.TRUE, r.verified(), () -> r.summary() + " mismatches " + r.mismatchPages() +
            " sweep violation at " + r.sweepViolation());
        assertEquals(-1, r.sweepViolation());
        assertTrue(r.downtimeMs() > 0 && r.totalMs() >= r.downtimeMs(), r::summary);
        if (mode.equals("hybrid"))
        {
            assertEquals(1, r.rounds(), r::summary);
            assertTrue(r.reason().startsWith("switched to post-copy"), r::summary);
            assertTrue(r.postcopyMs() > 0, r::summary);
        }
        if (mode.equals("postcopy"))
        {
            // Nothing before the switch, then every page exactly once: requested, pre-paged or pushed.
            long sent = 0;
            for (final PageKind k : PageKind.values())
            {
                sent += r.pages(k);
            }
            assertEquals(4096, sent, r::summary);
            assertEquals(0, r.pages(PageKind.XBZRLE), "post-copy never sends XBZRLE");
            assertEquals(4096, r.requestedPages() + r.pushedPages() + r.prepagedPages(), r::summary);
        }
    }
}
