package io.livemig.migration;

import io.livemig.dirty.DirtyLog;
import io.livemig.dirty.DirtyMarker;
import io.livemig.dirty.DirtyTracker;
import io.livemig.memory.GuestMemory;
import io.livemig.migration.destination.MigrationDestination;
import io.livemig.migration.link.MemoryLink;
import io.livemig.migration.link.MigrationLink;
import io.livemig.migration.options.GiveUp;
import io.livemig.migration.options.MigrationOptions;
import io.livemig.migration.result.MigrationResult;
import io.livemig.migration.source.MigrationSource;
import io.livemig.stream.PageKind;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.util.concurrent.ThreadLocalRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Several page channels (QEMU's multifd), in every mode over both links with writers running throughout and
 * XBZRLE and LZ4 on: the destination must equal the source page by page ({@code --verify}), and with more
 * than one channel every channel must have carried bytes. 1 channel is the engine without channel threads.
 */
class ChannelsMigrationTest
{
    @ParameterizedTest(name = "{0} over {1}, {2} channels")
    @CsvSource({
        "precopy, memory, 1", "precopy, memory, 2", "precopy, memory, 4",
        "precopy, tcp, 1", "precopy, tcp, 2", "precopy, tcp, 4",
        "postcopy, memory, 2", "postcopy, tcp, 4",
        "hybrid, memory, 1", "hybrid, memory, 2", "hybrid, memory, 4",
        "hybrid, tcp, 2", "hybrid, tcp, 4"})
    void destinationEqualsSource(final String mode, final String link, final int channels) throws Exception
    {
        final MigrationResult r = MigrationCorrectnessTest.run(mode, link, "uniform").channels(channels).run();
        assertNull(r.error(), r::summary);
        assertEquals(Boolean.TRUE, r.verified(), () -> r.summary() + " mismatches " + r.mismatchPages());
        assertEquals(channels, r.channels);
        if (channels > 1 && !mode.equals("postcopy"))
        {
            assertNotNull(r.channelBytes, r::summary);
            assertEquals(channels, r.channelBytes.length);
            for (final long bytes : r.channelBytes)
            {
                assertTrue(bytes > 4096, () -> r.summary() + " channel bytes " + java.util.Arrays.toString(r.channelBytes));
            }
        }
        final double[] cpu = r.cpuMs();
        assertTrue(cpu[0] > 0 && cpu[2] > 0, () -> "migration and destination threads' CPU: " + java.util.Arrays.toString(cpu));
        assertTrue(channels == 1 ? cpu[1] == 0 && cpu[3] == 0 : mode.equals("postcopy") || cpu[1] > 0 && cpu[3] > 0,
            () -> "senders' and receivers' CPU: " + java.util.Arrays.toString(cpu));
        if (mode.equals("precopy"))
        {
            assertTrue(r.pages(PageKind.XBZRLE) + r.pages(PageKind.UNCHANGED) > 0 || r.rounds() <= 1, r::summary);
        }
    }

    /**
     * A page channel whose destination end reads slowly must hold the destination back: it resumes the guest
     * only after that channel's last page is applied (the round barrier before COMPLETE), although COMPLETE
     * itself arrived long before on the main channel.
     */
    @Test
    void destinationResumesOnlyAfterTheSlowestChannel() throws Exception
    {
        final long memory = 16 << 20;
        final DirtyLog log = DirtyTracker.SUMMARY.create(memory / 4096, 0, 64);
        try (GuestMemory src = new GuestMemory(memory, 4096, log);
             GuestMemory dst = new GuestMemory(memory, 4096, DirtyMarker.NONE);
             SlowChannelLink link = new SlowChannelLink(new MemoryLink(0, 0, 2), 1))
        {
            for (long p = 0; p < src.pageCount(); p++)
            {
                src.putLong(p * 4096, ThreadLocalRandom.current().nextLong() | 1);
            }
            final MigrationDestination destination = new MigrationDestination(link, dst, null, null, false);
            final Thread thread = new Thread(destination, "destination-role");
            thread.start();
            final MigrationResult s = new MigrationSource(MigrationOptions.defaults().withBandwidth(0)
                .withDowntimeLimitMs(1000).withOnGiveUp(GiveUp.STOP).withMaxRounds(2), src, log, null, link).run();
            thread.join(30_000);
            assertNull(s.error(), s::summary);
            assertNull(destination.result().error());
            assertTrue(link.lastDataNs > 0);
            assertTrue(destination.resumeNs() >= link.lastDataNs, "resumed " +
                (link.lastDataNs - destination.resumeNs()) / 1e6 + " ms before the slow channel's last bytes");
            RunGuest.verify(src, dst, null, s);
            assertEquals(Boolean.TRUE, s.verified(), s::summary);
        }
    }

    /**
     * A page channel that breaks in the middle of a round: both roles end with an error that names the
     * channel, and every channel thread of either side has ended.
     */
    @Test
    void aBrokenChannelFailsBothSidesAndEndsEveryChannelThread() throws Exception
    {
        final long memory = 16 << 20;
        final DirtyLog log = DirtyTracker.SUMMARY.create(memory / 4096, 0, 64);
        try (GuestMemory src = new GuestMemory(memory, 4096, log);
             GuestMemory dst = new GuestMemory(memory, 4096, DirtyMarker.NONE);
             SlowChannelLink link = new SlowChannelLink(new MemoryLink(0, 0, 4), 2, 1 << 20))
        {
            for (long p = 0; p < src.pageCount(); p++)
            {
                src.putLong(p * 4096, p + 1);
            }
            final MigrationResult r = new Migration(MigrationOptions.defaults().withBandwidth(0), src, log,
                dst, null, link).run();
            assertNotNull(r.error(), r::summary);
            assertTrue(r.error().contains("page channel 2"), r::error);
            final long deadline = System.nanoTime() + 5_000_000_000L;
            while (channelThreads() > 0 && System.nanoTime() < deadline)
            {
                Thread.sleep(10);
            }
            assertEquals(0, channelThreads(), "channel threads left running");
        }
    }

    private static long channelThreads()
    {
        return Thread.getAllStackTraces().keySet().stream().filter(t -> t.isAlive() &&
            (t.getName().startsWith("migration-channel-") || t.getName().startsWith("migration-receive-"))).count();
    }

    /**
     * A link whose page channel {@code slow} reads at most 64 KiB per 5 ms on the destination, and with a
     * {@code cutAfter} above 0 fails its reads once that many bytes went through.
     */
    private static final class SlowChannelLink extends ForwardingLink
    {
        private final int slow;
        private final long cutAfter;
        private long read;
        volatile long lastDataNs;

        SlowChannelLink(final MigrationLink link, final int slow)
        {
            this(link, slow, 0);
        }

        SlowChannelLink(final MigrationLink link, final int slow, final long cutAfter)
        {
            super(link);
            this.slow = slow;
            this.cutAfter = cutAfter;
        }

        @Override
        public ReadableByteChannel destinationIn(final int channel)
        {
            final ReadableByteChannel channelIn = inner.destinationIn(channel);
            if (channel != slow)
            {
                return channelIn;
            }
            return reading(channelIn, (in, dst) ->
            {
                try
                {
                    Thread.sleep(cutAfter > 0 ? 0 : 5);
                }
                catch (final InterruptedException ex)
                {
                    Thread.currentThread().interrupt();
                    throw new IOException(ex);
                }
                final int limit = dst.limit();
                dst.limit(Math.min(limit, dst.position() + (64 << 10)));
                final int n;
                try
                {
                    n = in.read(dst);
                }
                finally
                {
                    dst.limit(limit);
                }
                if (n > 0)
                {
                    lastDataNs = System.nanoTime();
                    read += n;
                    if (cutAfter > 0 && read > cutAfter)
                    {
                        throw new IOException("cut after " + read + " bytes");
                    }
                }
                return n;
            });
        }
    }
}
