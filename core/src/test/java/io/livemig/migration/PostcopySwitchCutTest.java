package io.livemig.migration;

import io.livemig.migration.fault.FaultPlan;
import io.livemig.migration.fault.FaultyLink;
import io.livemig.migration.link.MigrationLink;
import io.livemig.migration.options.MigrationMode;
import io.livemig.migration.options.MigrationOptions;
import io.livemig.migration.result.MigrationResult;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A cut that loses POSTCOPY_RUN in flight: the source has flushed it (and more) into the link, but the
 * destination, held back, never read it; the cut then discards what was in flight. The destination fails
 * without ever running the guest, so the source must run it again: exactly one side, never neither (issue 12,
 * the switch-over cut, for post-copy). In one process the source can see that the destination never resumed.
 */
@Timeout(60)
class PostcopySwitchCutTest
{
    @ParameterizedTest(name = "recover {0}")
    @ValueSource(booleans = {false, true})
    void aCutThatLosesPostcopyRunLeavesTheGuestOnTheSource(final boolean recover) throws Exception
    {
        try (FaultMigrationTest.Guest g = new FaultMigrationTest.Guest(true))
        {
            // 1 MiB in: past DISCARD, the 256 KiB device state and POSTCOPY_RUN, inside the first pushed pages,
            // and within the memory pipe's 4 MiB, so the source's writes return while the destination waits.
            final FaultyLink faulty = new FaultyLink(MigrationLink.open("memory", 0, 0),
                FaultMigrationTest.rule(FaultPlan.Trigger.afterBytes(1 << 20)));
            final HeldDestination link = new HeldDestination(faulty, 64);
            final MigrationOptions options = MigrationOptions.defaults().withMode(MigrationMode.POSTCOPY).withBandwidth(0)
                .withRecover(recover).withRecoverTimeoutMs(5_000).withMirrorForVerify(true);
            final MigrationResult r;
            try (link)
            {
                // With recovery on, the source pauses, then sees that the destination failed instead of pausing.
                r = new Migration(options, g.src, g.log, g.dst, g.workload, link)
                    .recoverWith(deadline -> MigrationLink.open("memory", 0, 0)).run();
            }
            assertTrue(faulty.isCut(), "the cut fired");
            assertTrue(link.held, "the destination was held before POSTCOPY_RUN");
            assertEquals(MigrationResult.FAILED, r.status(), r::summary);
            assertEquals("source", r.guestRunsOn(), r::summary);
            g.assertRunsOnSource();
            g.assertDestinationEmpty();
            g.retryAndVerify("memory");
        }
    }

    /**
     * Hands the destination only its first {@code free} forward bytes; its next read waits until the link is cut
     * (then fails, as the cut link's reads do), so nothing past the envelope's start reaches it.
     */
    static final class HeldDestination extends ForwardingLink
    {
        private final FaultyLink faulty;
        private final int free;
        private final CountDownLatch cut = new CountDownLatch(1);
        private final CountDownLatch holding = new CountDownLatch(1);
        private long written;
        private long read;
        volatile boolean held;

        HeldDestination(final FaultyLink inner, final int free)
        {
            super(inner);
            this.faulty = inner;
            this.free = free;
        }

        @Override
        public WritableByteChannel sourceOut()
        {
            return writing(inner.sourceOut(), (out, src) ->
            {
                if (written >= 64 << 10)
                {
                    await(holding, "the destination never came to its held read"); // it waits before the switch
                }
                try
                {
                    final int n = out.write(src);
                    written += n;
                    return n;
                }
                finally
                {
                    if (faulty.isCut())
                    {
                        cut.countDown();
                    }
                }
            });
        }

        @Override
        public ReadableByteChannel destinationIn()
        {
            return reading(inner.destinationIn(), (in, dst) ->
            {
                if (read >= free)
                {
                    held = true;
                    holding.countDown();
                    await(cut, "the cut never came");
                    return in.read(dst); // the cut link: fails, and nothing in flight is left to read
                }
                final int limit = dst.limit();
                dst.limit((int)Math.min(limit, dst.position() + (free - read)));
                try
                {
                    final int n = in.read(dst);
                    read += Math.max(0, n);
                    return n;
                }
                finally
                {
                    dst.limit(limit);
                }
            });
        }

        private static void await(final CountDownLatch latch, final String what) throws IOException
        {
            try
            {
                if (!latch.await(30, TimeUnit.SECONDS))
                {
                    throw new IOException("test: " + what);
                }
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted", ex);
            }
        }

        @Override
        public void close()
        {
            cut.countDown();
            super.close();
        }
    }
}
