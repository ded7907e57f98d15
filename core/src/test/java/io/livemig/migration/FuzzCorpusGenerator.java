package io.livemig.migration;

import io.livemig.migration.link.MigrationLink;
import io.livemig.migration.options.GiveUp;
import io.livemig.migration.options.MigrationMode;
import io.livemig.migration.options.MigrationOptions;
import io.livemig.migration.result.MigrationResult;
import io.livemig.migration.wire.ChannelHello;
import io.livemig.migration.wire.Handshake;
import io.livemig.migration.wire.HandshakeReply;
import io.livemig.migration.wire.PageDigests;
import io.livemig.migration.wire.ReceivedBitmap;
import io.livemig.stream.PageKind;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Regenerates the fuzz targets' seed corpora from real migrations of an 8-page, 4 KiB-page guest: for each
 * case, the page stream as {@code --capture} records it (seeds of {@code PageStreamReaderFuzzTest} and
 * {@code AnalyzeStreamFuzzTest}), the whole forward stream the destination read ({@code
 * MigrationDestinationFuzzTest}) and the return path the source read ({@code ReturnPathReaderFuzzTest}).
 * Cases cover every codec (zero pages of an idle guest, raw, XBZRLE, LZ4, XBZRLE with LZ4) in pre-copy, and
 * post-copy and hybrid with page requests. Writers make the migrations differ from run to run; the seeds need
 * only be real, not fixed.
 *
 * <p>Skipped unless asked for: {@code mvn -B -o -q -pl core test -Dtest=FuzzCorpusGenerator
 * -Dsurefire.failIfNoSpecifiedTests=false -Dlivemig.fuzz.regenerate=true}. It replaces the {@code seed-*}
 * files of each corpus and leaves other inputs (regressions from findings) alone.
 */
@EnabledIfSystemProperty(named = "livemig.fuzz.regenerate", matches = "true")
class FuzzCorpusGenerator
{
    static final Path RESOURCES = Path.of("src/test/resources/io/livemig");
    static final Path CAPTURES = RESOURCES.resolve("stream/PageStreamReaderFuzzTestInputs/readCapture");
    static final Path ANALYZE = RESOURCES.resolve("cli/analyze/AnalyzeStreamFuzzTestInputs/analyzeCapture");
    static final Path FORWARD = RESOURCES.resolve("migration/MigrationDestinationFuzzTestInputs/receive");
    static final Path RETURN_PATH = RESOURCES.resolve("stream/ReturnPathReaderFuzzTestInputs/readMessages");
    static final Path HANDSHAKE = RESOURCES.resolve("migration/HandshakeFuzzTestInputs/readProposal");
    static final Path REPLY = RESOURCES.resolve("migration/HandshakeReplyFuzzTestInputs/readReply");
    static final Path DIGESTS = RESOURCES.resolve("migration/PageDigestsFuzzTestInputs/readDigests");
    static final Path HELLO = RESOURCES.resolve("migration/ChannelHelloFuzzTestInputs/readHello");
    static final Path RECEIVED = RESOURCES.resolve("migration/ReceivedBitmapFuzzTestInputs/readReceivedBitmap");

    @Test
    void regenerate() throws Exception
    {
        for (final Path dir : new Path[] {CAPTURES, ANALYZE, FORWARD, RETURN_PATH, HANDSHAKE, REPLY, DIGESTS, HELLO, RECEIVED})
        {
            Files.createDirectories(dir);
            try (var files = Files.list(dir))
            {
                for (final Path f : (Iterable<Path>)files::iterator)
                {
                    if (f.getFileName().toString().startsWith("seed-"))
                    {
                        Files.delete(f);
                    }
                }
            }
        }
        final MigrationOptions base = MigrationOptions.defaults().withBandwidth(16 << 10).withDowntimeLimitMs(1)
            .withOnGiveUp(GiveUp.STOP).withMaxRounds(3).withMaxTimeMs(3000).withDeviceStateBytes(64).withXbzrleCacheBytes(8 << 12)
            .withPrepageWindow(0).withPostcopyAfterRounds(1);
        save("precopy-idle-zero", base, 0, 0.0, PageKind.ZERO);
        save("precopy-raw", base.withMaxRounds(2), 2, 0.25, PageKind.NORMAL);
        save("precopy-xbzrle", base.withXbzrle(true), 2, 0.25, PageKind.XBZRLE);
        save("precopy-lz4", base.withLz4(true), 2, 0.25, PageKind.LZ4);
        save("precopy-xbzrle-lz4", base.withXbzrle(true).withLz4(true), 2, 0.5, PageKind.XBZRLE);
        save("postcopy-raw", base.withMode(MigrationMode.POSTCOPY), 2, 0.25, null);
        save("postcopy-lz4", base.withMode(MigrationMode.POSTCOPY).withLz4(true), 2, 0.5, PageKind.LZ4);
        save("hybrid-xbzrle-lz4", base.withMode(MigrationMode.HYBRID).withXbzrle(true).withLz4(true), 2, 0.25, null);
        saveConnectionSeeds();
    }

    /**
     * The readers of the connection's own messages: proposals as {@code MigrationRun.to} writes them for the
     * runs above (and with digests, several vCPUs, a compute vCPU, every pattern), replies as a destination
     * answers, a digest block of an 8-page guest as {@code PageDigests} writes it, and page-channel hellos.
     */
    private static void saveConnectionSeeds() throws Exception
    {
        final MigrationMode[] modes = MigrationMode.values();
        for (int i = 0; i < modes.length; i++)
        {
            final Handshake h = new Handshake(modes[i], i % 2 == 0, i > 0, i != 1, 1, 4096, 8 << 12, 64, i + 1, i % 2,
                i % Handshake.PATTERNS.size(), 8, 20_000, 42 + i, 50);
            Files.write(HANDSHAKE.resolve("seed-" + modes[i].label()), HandshakeMutationProperties.bytes(h::write));
        }
        Files.write(HANDSHAKE.resolve("seed-postcopy-recover"), HandshakeMutationProperties.bytes(new Handshake(
            MigrationMode.POSTCOPY, false, true, true, 1, 4096, 8 << 12, 64, 2, 0, 0, 8, 20_000, 42, 50, true)::write));
        Files.write(REPLY.resolve("seed-accept"), HandshakeMutationProperties.bytes(HandshakeReply.accept()::write));
        Files.write(REPLY.resolve("seed-refuse-channels"), HandshakeMutationProperties.bytes(
            HandshakeReply.refuse("the source asks for 2 channels, this destination takes 1")::write));
        Files.write(REPLY.resolve("seed-refuse-memory"), HandshakeMutationProperties.bytes(HandshakeReply.refuse(
            "a guest of 16777216 bytes needs 17303552 bytes here, 1048576 are available")::write));
        final long[] digests = new long[PageDigestsFuzzTest.PAGES];
        for (int p = 0; p < digests.length; p++)
        {
            digests[p] = 0x9E3779B97F4A7C15L * (p + 1);
        }
        Files.write(DIGESTS.resolve("seed-8-pages"), HandshakeMutationProperties.bytes(
            out -> PageDigests.write(out, PageDigestsFuzzTest.PAGE_SIZE, digests)));
        for (final int channel : new int[] {0, 3})
        {
            final ByteArrayOutputStream hello = new ByteArrayOutputStream();
            ChannelHello.write(Channels.newChannel(hello), ChannelHelloFuzzTest.ID, channel);
            Files.write(HELLO.resolve("seed-channel-" + channel), hello.toByteArray());
        }
        // A post-copy destination paused half-way: pages 0-39 and every third page after them held.
        final long[] held = new long[ReceivedBitmap.words(ReceivedBitmapFuzzTest.PAGES)];
        for (int p = 0; p < ReceivedBitmapFuzzTest.PAGES; p++)
        {
            if (p < 40 || p % 3 == 0)
            {
                held[p >>> 6] |= 1L << p;
            }
        }
        Files.write(RECEIVED.resolve("seed-100-pages"), HandshakeMutationProperties.bytes(
            out -> ReceivedBitmap.write(out, ReceivedBitmapFuzzTest.PAGES, held)));
    }

    /** What one migration sent and read. */
    private static final class Taps
    {
        final ByteArrayOutputStream capture = new ByteArrayOutputStream();
        final ByteArrayOutputStream forward = new ByteArrayOutputStream();
        final ByteArrayOutputStream returnPath = new ByteArrayOutputStream();
        MigrationResult result;
    }

    private static Taps migrate(final MigrationOptions options, final int writers, final double fill) throws Exception
    {
        final Taps taps = new Taps();
        taps.result = new MigrationRun().memoryBytes(8 << 12).pageSize(4096).writers(writers).dirtyRate(writers == 0 ? 0 : 20_000)
            .bytesPerTouch(8).fill(fill).phasesMs(writers == 0 ? 0 : 50, 0).seed(options.hashCode()).options(options)
            .capture(new Sink(taps.capture))
            .factory((o, src, log, dst, workload, link) -> new Migration(o, src, log, dst, workload, new TapLink(link, taps)))
            .run();
        assertNull(taps.result.error(), taps.result::summary);
        return taps;
    }

    /**
     * Migrates until a run sends a page of the {@code expected} kind (whether writes fall between two dirty
     * syncs of so small a guest is a matter of timing), then saves what it sent and read.
     */
    private static void save(final String name, final MigrationOptions options, final int writers, final double fill,
        final PageKind expected) throws Exception
    {
        Taps taps = migrate(options, writers, fill);
        for (int attempt = 1; attempt < 20 && expected != null && taps.result.pages(expected) == 0; attempt++)
        {
            taps = migrate(options, writers, fill);
        }
        final Taps saved = taps;
        if (expected != null)
        {
            assertTrue(saved.result.pages(expected) > 0, () -> name + " sent no " + expected + " page: " + saved.result.summary());
        }
        final String file = "seed-" + name;
        Files.write(CAPTURES.resolve(file), saved.capture.toByteArray());
        Files.write(ANALYZE.resolve(file), saved.capture.toByteArray());
        Files.write(FORWARD.resolve(file), saved.forward.toByteArray());
        Files.write(RETURN_PATH.resolve(file), saved.returnPath.toByteArray());
        System.out.println(name + ": capture " + saved.capture.size() + " B, forward " + saved.forward.size() +
            " B, return path " + saved.returnPath.size() + " B; " + saved.result.summary());
    }

    /** A link that records what the destination and the source read from it. */
    private static final class TapLink extends ForwardingLink
    {
        private final ReadableByteChannel destinationIn;
        private final ReadableByteChannel sourceIn;

        TapLink(final MigrationLink link, final Taps taps)
        {
            super(link);
            this.destinationIn = reading(link.destinationIn(), (in, dst) -> copying(in, dst, taps.forward));
            this.sourceIn = reading(link.sourceIn(), (in, dst) -> copying(in, dst, taps.returnPath));
        }

        @Override
        public ReadableByteChannel destinationIn()
        {
            return destinationIn;
        }

        @Override
        public ReadableByteChannel sourceIn()
        {
            return sourceIn;
        }

        /** Reads, and copies every byte read into {@code copy}. */
        private static int copying(final ReadableByteChannel in, final ByteBuffer dst, final ByteArrayOutputStream copy)
            throws IOException
        {
            final int start = dst.position();
            final int n = in.read(dst);
            if (n > 0)
            {
                final ByteBuffer got = dst.duplicate();
                got.position(start).limit(start + n);
                final byte[] bytes = new byte[n];
                got.get(bytes);
                synchronized (copy)
                {
                    copy.write(bytes, 0, n);
                }
            }
            return n;
        }
    }

    /** A channel into a byte array. */
    private static final class Sink implements WritableByteChannel
    {
        private final ByteArrayOutputStream out;

        Sink(final ByteArrayOutputStream out)
        {
            this.out = out;
        }

        @Override
        public int write(final ByteBuffer src)
        {
            final int n = src.remaining();
            final byte[] bytes = new byte[n];
            src.get(bytes);
            out.write(bytes, 0, n);
            return n;
        }

        @Override
        public boolean isOpen()
        {
            return true;
        }

        @Override
        public void close()
        {
        }
    }
}
