package io.livemig.bench.migration;

import io.livemig.migration.result.MigrationResult;
import io.livemig.stream.PageKind;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link LargeGuestBenchmark} on an 8 MiB guest: every shot of a fork (the guests are reused) moves the guest
 * intact, as ZERO records when idle and raw pages when written once, and its counters are the migration's.
 */
class LargeGuestBenchmarkTest
{
    @ParameterizedTest
    @ValueSource(doubles = {0, 1.0})
    void everyShotMovesTheGuestIntact(final double fill) throws Exception
    {
        final LargeGuestBenchmark bench = new LargeGuestBenchmark();
        bench.fill = fill;
        bench.guestBytes = 8L << 20;
        bench.setup();
        try
        {
            for (int shot = 0; shot < 3; shot++)
            {
                if (shot > 0)
                {
                    // What the previous shot left must not leak into this one: the destination is emptied.
                    bench.destination().putLong(4096L * 3, 0x1234);
                }
                bench.emptyDestination();
                final LargeGuestBenchmark.Figures figures = new LargeGuestBenchmark.Figures();
                final MigrationResult r = bench.migrate(figures);
                assertNull(r.error(), r::summary);
                assertTrue(r.converged(), r::summary);
                final long pages = bench.guestBytes / 4096;
                assertEquals(fill == 0 ? pages : 0, r.pages(PageKind.ZERO), r::summary);
                assertEquals(fill == 0 ? 0 : pages, r.pages(PageKind.NORMAL), r::summary);
                assertEquals(r.totalMs(), figures.totalMs);
                assertTrue(figures.gbPerSecond > 0, r::summary);
                final UnsafeBuffer a = new UnsafeBuffer(0, 0);
                final UnsafeBuffer b = new UnsafeBuffer(0, 0);
                for (long p = 0; p < pages; p++)
                {
                    assertEquals(0, bench.source().wrapPage(p, a).compareTo(bench.destination().wrapPage(p, b)),
                        "page " + p + " differs after shot " + shot);
                }
            }
        }
        finally
        {
            bench.tearDown();
        }
    }

    /** The baseline reads every word: 0 for the idle guest until one byte anywhere (here the last) is set. */
    @Test
    void baselineReadsEveryWordOfTheGuest()
    {
        final LargeGuestBenchmark bench = new LargeGuestBenchmark();
        bench.fill = 0;
        bench.guestBytes = 8L << 20;
        bench.setup();
        try
        {
            assertEquals(0, bench.baselineMemoryRead());
            bench.source().putByte(bench.guestBytes - 1, (byte)1);
            assertNotEquals(0, bench.baselineMemoryRead());
        }
        finally
        {
            bench.tearDown();
        }
    }
}
