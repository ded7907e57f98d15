package io.livemig.bench.migration;

import io.livemig.migration.result.MigrationResult;
import io.livemig.migration.tls.TlsConfig;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link ChannelsBenchmark} on an 8 MiB guest: every shot over N channels, in clear or inside TLS, moves the
 * guest intact, every channel carries its share, and the figures are the migration's (CPU split and link setup
 * included); the baseline copies every page intact over N connections, raw or through bare SSLEngines.
 */
class ChannelsBenchmarkTest
{
    @ParameterizedTest(name = "fill {0}, {1} channels, TLS {2}")
    @CsvSource({"0, 1, false", "1.0, 2, false", "1.0, 4, false", "0, 1, true", "1.0, 2, true"})
    void everyShotMovesTheGuestIntactOverEveryChannel(final double fill, final int channels, final boolean tls)
        throws Exception
    {
        final ChannelsBenchmark bench = new ChannelsBenchmark();
        bench.channels = channels;
        bench.tls = tls;
        bench.suite = TlsConfig.DEFAULT_SUITE;
        final ChannelsBenchmark.Guest guest = new ChannelsBenchmark.Guest();
        guest.fill = fill;
        guest.guestBytes = 8L << 20;
        guest.setup();
        try
        {
            for (int shot = 0; shot < 2; shot++)
            {
                guest.emptyDestination();
                final ChannelsBenchmark.Figures figures = new ChannelsBenchmark.Figures();
                final MigrationResult r = bench.migrate(guest, figures);
                assertNull(r.error(), r::summary);
                assertEquals(r.totalMs(), figures.totalMs);
                assertTrue(figures.linkSetupMs > 0, "the link's setup is timed");
                assertEquals(tls, r.toJsonTree().get("tls").get("enabled").asBoolean(), r::toJson);
                assertTrue(figures.gbPerSecond > 0 && figures.cpuSecondsPerGb >= 0, r::summary);
                assertTrue(figures.migrationCpuSecondsPerGb > 0 && figures.destinationCpuSecondsPerGb > 0, r::summary);
                assertTrue(channels == 1 ? figures.sendersCpuSecondsPerGb == 0 : figures.sendersCpuSecondsPerGb > 0);
                if (channels > 1)
                {
                    for (final long bytes : r.channelBytes())
                    {
                        assertTrue(bytes > 0, r::summary);
                    }
                }
                assertSameGuests(guest.guest, "shot " + shot);
            }
        }
        finally
        {
            guest.tearDown();
        }
    }

    @ParameterizedTest(name = "{0} channels, TLS {1}")
    @CsvSource({"1, false", "2, false", "3, false", "1, true", "3, true"})
    @Timeout(60)
    void theBaselineCopiesEveryPageOverEveryConnection(final int channels, final boolean tls) throws Exception
    {
        final ChannelsBenchmark bench = new ChannelsBenchmark();
        bench.channels = channels;
        bench.tls = tls;
        bench.suite = TlsConfig.DEFAULT_SUITE;
        final ChannelsBenchmark.Pair pair = new ChannelsBenchmark.Pair();
        pair.guestBytes = (8L << 20) + 5 * 4096; // a last stripe that is short
        pair.setup();
        try
        {
            final SplittableRandom random = new SplittableRandom(channels);
            final byte[] page = new byte[4096];
            for (long p = 0; p < pair.guestBytes / 4096; p++)
            {
                random.nextBytes(page);
                pair.guest.source().writePage(p, page, 0);
            }
            final ChannelsBenchmark.Figures figures = new ChannelsBenchmark.Figures();
            assertEquals(pair.guestBytes, bench.baselineLoopbackCopy(pair, figures));
            assertSameGuests(pair.guest, "the copy");
            // The process's CPU clock may tick coarser than an 8 MiB copy takes: it may read 0, never less.
            assertTrue(figures.gbPerSecond > 0 && figures.cpuSecondsPerGb >= 0, "figures");
            assertTrue(figures.sendersCpuSecondsPerGb > 0 && figures.receiversCpuSecondsPerGb > 0, "thread CPU");
        }
        finally
        {
            pair.tearDown();
        }
    }

    private static void assertSameGuests(final LargeGuestBenchmark guest, final String after)
    {
        final UnsafeBuffer a = new UnsafeBuffer(0, 0);
        final UnsafeBuffer b = new UnsafeBuffer(0, 0);
        for (long p = 0; p < guest.guestBytes / 4096; p++)
        {
            assertEquals(0, guest.source().wrapPage(p, a).compareTo(guest.destination().wrapPage(p, b)),
                "page " + p + " differs after " + after);
        }
    }
}
