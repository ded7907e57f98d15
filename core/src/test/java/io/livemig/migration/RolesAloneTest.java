package io.livemig.migration;

import io.livemig.dirty.DirtyLog;
import io.livemig.dirty.DirtyMarker;
import io.livemig.dirty.DirtyTracker;
import io.livemig.memory.GuestMemory;
import io.livemig.migration.destination.MigrationDestination;
import io.livemig.migration.link.MigrationLink;
import io.livemig.migration.options.GiveUp;
import io.livemig.migration.options.MigrationMode;
import io.livemig.migration.options.MigrationOptions;
import io.livemig.migration.result.MigrationResult;
import io.livemig.migration.source.MigrationSource;
import io.livemig.workload.AccessPattern;
import io.livemig.workload.GuestWorkload;
import io.livemig.workload.VcpuTarget;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The two roles, each with its own guest objects as in two processes (no shared memory, no shared vCPUs,
 * no mirror), joined only by a link: every mode migrates with writers running, and the digest exchange
 * verifies it on both sides; a link that corrupts one page's bytes is caught by the digests, which name
 * that page on both sides.
 */
class RolesAloneTest
{
    private static final long MEMORY = 8 << 20;
    private static final int PAGE = 4096;

    /** Both sides' results. */
    private record Outcome(MigrationResult source, MigrationResult destination)
    {
    }

    private static Outcome migrate(final String mode, final boolean xbzrle, final boolean lz4, final int writers,
        final MigrationLink link, final GuestMemory src, final DirtyLog log) throws Exception
    {
        final MigrationOptions options = MigrationOptions.defaults().withMode(MigrationMode.parse(mode))
            .withBandwidth(64L << 20).withDowntimeLimitMs(mode.equals("hybrid") ? 1 : 50).withXbzrle(xbzrle)
            .withXbzrleCacheBytes(2 << 20).withLz4(lz4).withOnGiveUp(GiveUp.STOP).withMaxRounds(6).withMaxTimeMs(2000)
            .withPostcopyAfterRounds(1).withDigests(true);
        try (GuestMemory dst = new GuestMemory(MEMORY, PAGE, DirtyMarker.NONE))
        {
            final GuestWorkload sourceVcpus = writers == 0 ? null :
                new GuestWorkload(AccessPattern.uniform(MEMORY / PAGE), writers, 20_000, 8, 5);
            final GuestWorkload destinationVcpus = writers == 0 ? null :
                new GuestWorkload(AccessPattern.uniform(MEMORY / PAGE), writers, 20_000, 8, 5);
            try
            {
                if (sourceVcpus != null)
                {
                    sourceVcpus.start(VcpuTarget.of(src));
                }
                final MigrationDestination destination = new MigrationDestination(link, dst, destinationVcpus, null, true);
                final Thread thread = new Thread(destination, "destination-role");
                thread.start();
                final MigrationResult s = new MigrationSource(options, src, log, sourceVcpus, link).run();
                thread.join(30_000);
                assertTrue(!thread.isAlive(), "the destination role ends");
                return new Outcome(s, destination.result());
            }
            finally
            {
                if (sourceVcpus != null)
                {
                    sourceVcpus.close();
                }
                if (destinationVcpus != null)
                {
                    destinationVcpus.close();
                }
            }
        }
    }

    @ParameterizedTest(name = "{0}, xbzrle {1}, lz4 {2}, over {3}, {4} channels")
    @CsvSource({
        "precopy, true, false, memory, 1", "precopy, false, true, tcp, 1", "postcopy, false, true, memory, 1",
        "postcopy, true, false, tcp, 1", "hybrid, true, true, memory, 1",
        "precopy, true, true, tcp, 4", "hybrid, true, true, memory, 2", "postcopy, false, true, tcp, 2"})
    void eachRoleAloneMigratesAndDigestsAgree(final String mode, final boolean xbzrle, final boolean lz4,
        final String linkKind, final int channels) throws Exception
    {
        final DirtyLog log = DirtyTracker.SUMMARY.create(MEMORY / PAGE, 0, 64);
        try (GuestMemory src = new GuestMemory(MEMORY, PAGE, log);
             MigrationLink link = MigrationLink.open(linkKind, 64L << 20, 0, channels))
        {
            fill(src);
            final Outcome o = migrate(mode, xbzrle, lz4, 2, link, src, log);
            assertNull(o.source.error(), o.source::summary);
            assertNull(o.destination.error(), o.destination::summary);
            assertEquals(Boolean.TRUE, o.source.verified(), o.source::summary);
            assertEquals(Boolean.TRUE, o.destination.verified(), o.destination::summary);
            assertEquals(MEMORY / PAGE, o.source.toJsonTree().get("digest").get("pages").asLong());
            for (final String field : List.of("algorithm", "pages", "source", "destination"))
            {
                assertEquals(o.source.toJsonTree().get("digest").get(field), o.destination.toJsonTree().get("digest").get(field));
            }
            assertEquals(o.source.toJsonTree().get("digest").get("source"), o.source.toJsonTree().get("digest").get("destination"));
            assertEquals("source", o.source.toJsonTree().get("role").asText());
            assertEquals("destination", o.destination.toJsonTree().get("role").asText());
            assertTrue(o.source.downtimeMs() > 0, o.source::summary);
            assertEquals(channels, o.source.toJsonTree().get("channels").asInt());
            assertEquals(channels, o.destination.toJsonTree().get("channels").asInt());
            assertEquals(o.source.toJsonTree().get("channelBytes"), o.destination.toJsonTree().get("channelBytes"),
                "each channel's bytes, sent and received");
        }
    }

    @Test
    void digestsNameThePageALinkCorrupted() throws Exception
    {
        final DirtyLog log = DirtyTracker.SUMMARY.create(MEMORY / PAGE, 0, 64);
        try (GuestMemory src = new GuestMemory(MEMORY, PAGE, log);
             MigrationLink link = new CorruptingLink(MigrationLink.open("memory", 0, 0)))
        {
            // One page of 0xAB bytes, sent raw (no LZ4): the link flips a bit in its 100th byte.
            final byte[] page = new byte[PAGE];
            java.util.Arrays.fill(page, (byte)0xAB);
            src.writePage(77, page, 0);
            final Outcome o = migrate("precopy", false, false, 0, link, src, log);
            assertNull(o.source.error(), o.source::summary);
            assertEquals(Boolean.FALSE, o.source.verified(), o.source::summary);
            assertEquals(List.of(77L), o.source.mismatchPages(), o.source::summary);
            assertEquals(List.of(77L), o.destination.mismatchPages(), o.destination::summary);
            assertTrue(!o.source.toJsonTree().get("digest").get("source").equals(
                o.source.toJsonTree().get("digest").get("destination")), o.source::toJson);
        }
    }

    private static void fill(final GuestMemory src)
    {
        final java.util.Random random = new java.util.Random(3);
        final byte[] page = new byte[PAGE];
        for (long p = 0; p < src.pageCount(); p += 2)
        {
            random.nextBytes(page);
            java.util.Arrays.fill(page, PAGE / 2, PAGE, (byte)0);
            src.writePage(p, page, 0);
        }
    }

    /** A link whose forward stream flips one bit in the 100th byte of the first run of 0xAB bytes. */
    private static final class CorruptingLink extends ForwardingLink
    {
        private int run;
        private boolean done;

        CorruptingLink(final MigrationLink inner)
        {
            super(inner);
        }

        @Override
        public String name()
        {
            return "corrupting";
        }

        @Override
        public WritableByteChannel sourceOut()
        {
            return writing(inner.sourceOut(), (out, src) ->
            {
                final ByteBuffer copy = ByteBuffer.allocate(src.remaining());
                copy.put(src.duplicate()).flip();
                for (int i = 0; i < copy.limit() && !done; i++)
                {
                    run = copy.get(i) == (byte)0xAB ? run + 1 : 0;
                    if (run == 100)
                    {
                        copy.put(i, (byte)0xAA);
                        done = true;
                    }
                }
                final int n = copy.remaining();
                while (copy.hasRemaining())
                {
                    out.write(copy);
                }
                src.position(src.limit());
                return n;
            });
        }
    }
}
