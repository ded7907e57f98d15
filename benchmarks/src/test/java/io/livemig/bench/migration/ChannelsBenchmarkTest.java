package io.livemig.bench.migration;

import io.livemig.migration.MigrationResult;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link ChannelsBenchmark} on an 8 MiB guest: every shot over N channels moves the guest intact, every
 * channel carries its share, and the figures are the migration's (CPU split included).
 */
class ChannelsBenchmarkTest
{
    @ParameterizedTest(name = "fill {0}, {1} channels")
    @CsvSource({"0, 1", "1.0, 2", "1.0, 4"})
    void everyShotMovesTheGuestIntactOverEveryChannel(final double fill, final int channels) throws Exception
    {
        final ChannelsBenchmark bench = new ChannelsBenchmark();
        bench.fill = fill;
        bench.channels = channels;
        bench.guestBytes = 8L << 20;
        bench.setup();
        try
        {
            for (int shot = 0; shot < 2; shot++)
            {
                bench.emptyDestination();
                final ChannelsBenchmark.Figures figures = new ChannelsBenchmark.Figures();
                final MigrationResult r = bench.migrate(figures);
                assertNull(r.error(), r::summary);
                assertEquals(r.totalMs(), figures.totalMs);
                assertTrue(figures.gbPerSecond > 0 && figures.cpuSecondsPerGb > 0, r::summary);
                assertTrue(figures.migrationCpuSecondsPerGb > 0 && figures.destinationCpuSecondsPerGb > 0, r::summary);
                assertTrue(channels == 1 ? figures.sendersCpuSecondsPerGb == 0 : figures.sendersCpuSecondsPerGb > 0);
                if (channels > 1)
                {
                    for (final long bytes : r.channelBytes())
                    {
                        assertTrue(bytes > 0, r::summary);
                    }
                }
                final UnsafeBuffer a = new UnsafeBuffer(0, 0);
                final UnsafeBuffer b = new UnsafeBuffer(0, 0);
                for (long p = 0; p < bench.guestBytes / 4096; p++)
                {
                    assertEquals(0, bench.guest().source().wrapPage(p, a).compareTo(bench.guest().destination().wrapPage(p, b)),
                        "page " + p + " differs after shot " + shot);
                }
            }
        }
        finally
        {
            bench.tearDown();
        }
    }
}
