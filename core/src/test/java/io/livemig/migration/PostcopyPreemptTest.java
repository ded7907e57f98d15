package io.livemig.migration;

import io.livemig.dirty.DirtyMarker;
import io.livemig.memory.GuestMemory;
import io.livemig.migration.fault.FaultPlan;
import io.livemig.migration.fault.FaultyLink;
import io.livemig.migration.link.MigrationLink;
import io.livemig.migration.options.MigrationMode;
import io.livemig.migration.options.MigrationOptions;
import io.livemig.migration.result.MigrationResult;
import io.livemig.stream.ChannelOutput;
import io.livemig.stream.PageKind;
import io.livemig.stream.PageStreamOptions;
import io.livemig.stream.write.PageStreamWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Post-copy with a preempt connection (issue 23): requested pages go on a connection of their own, the push keeps
 * the forward stream, and each page still goes exactly once, on one of the two (the source claims it with the
 * bitmap's atomic test-and-clear from the return-path thread and from the push). The destination places both
 * connections' pages through one gate and ends byte-identical to the source, with writers running throughout.
 */
class PostcopyPreemptTest
{
    private static final int PAGES = 1024;

    /** A post-copy run of {@code pages} 4 KiB pages over {@code link} with the preempt connection. */
    private static MigrationRun run(final String mode, final String link, final String pattern, final int pages)
    {
        return new MigrationRun().memoryBytes(pages * 4096L).writers(2).pattern(pattern).link(link).verify(true)
            .phasesMs(20, 20).seed(link.hashCode() + pattern.hashCode())
            .options(MigrationOptions.defaults().withMode(MigrationMode.parse(mode)).withBandwidth(64L << 20)
                .withLz4(true).withPostcopyPreempt(true).withPostcopyAfterRounds(1).withDowntimeLimitMs(1));
    }

    private static void assertEveryPageOnce(final MigrationResult r, final long pages)
    {
        assertNull(r.error(), r::summary);
        assertEquals(Boolean.TRUE, r.verified(), () -> r.summary() + " mismatches " + r.mismatchPages());
        assertTrue(r.postcopyPreempt, r::summary);
        long sent = 0;
        for (final PageKind k : PageKind.values())
        {
            sent += r.pages(k);
        }
        assertEquals(pages, sent, r::summary);
        assertEquals(pages, r.requestedPages() + r.pushedPages() + r.prepagedPages(), r::summary);
        assertEquals(r.requestedPages(), r.preemptPages, "every requested page went on the preempt connection");
        assertEquals(0, r.prepagedPages(), "with preempt the push does the pre-paging: " + r.summary());
        assertTrue(r.preemptBytes > 0, "the connection's MEM_SIZE and EOS at least");
    }

    @ParameterizedTest(name = "{0} over {1}")
    @CsvSource({"memory, uniform", "memory, sequential", "tcp, uniform", "tcp, zipf"})
    void destinationEqualsSourceWithThePreemptConnection(final String link, final String pattern) throws Exception
    {
        final MigrationResult r = run("postcopy", link, pattern, 4096).run();
        assertEveryPageOnce(r, 4096);
        final double[] byPreempt = r.faultsBy(true);
        final double[] byPush = r.faultsBy(false);
        assertTrue(byPreempt[0] + byPush[0] <= r.faults(), "a fault counts at most once: " + r.summary());
        assertTrue(r.toJson().contains("\"postcopyPreempt\":{\"enabled\":true,\"pages\":" + r.preemptPages), r::toJson);
    }

    /**
     * The push is held until the source has read a page request ({@link HoldPostcopyPush}), and the one vCPU's
     * first write is to the guest's last page, which the push, from page 0, could not have claimed in its first
     * buffer: that fault is certain to be served on the preempt connection, and recorded as such.
     */
    @ParameterizedTest(name = "over {0}")
    @ValueSource(strings = {"memory", "tcp"})
    void aFaultAheadOfThePushIsServedOnThePreemptConnection(final String link, @TempDir final Path dir) throws Exception
    {
        faultAheadOfThePush(link, false, dir);
    }

    /** The run and checks of {@link #aFaultAheadOfThePushIsServedOnThePreemptConnection}, with kernel faults or not. */
    static MigrationResult faultAheadOfThePush(final String link, final boolean kernelFaults, final Path dir)
        throws Exception
    {
        final AtomicReference<HoldPostcopyPush> hold = new AtomicReference<>();
        final MigrationResult r = run("postcopy", link, "trace:" + lastPagesFirst(dir), PAGES).writers(1)
            .kernelFaults(kernelFaults)
            .links((index, l) -> index > 0 ? l : hold.updateAndGet(h -> new HoldPostcopyPush(l))).run();
        assertEveryPageOnce(r, PAGES);
        assertTrue(hold.get().requestBeforePush(), () -> "a page request came before the push: " + r.summary());
        assertTrue(r.requestedPages() >= 1, () -> "the last page went on the preempt connection: " + r.summary());
        assertTrue(r.faultsBy(true)[0] >= 1, () -> "its fault was served by the preempt connection: " + r.summary());
        assertTrue(r.summary().contains(", preempt: " + r.preemptPages + " pages (faults by preempt "), r::summary);
        return r;
    }

    /**
     * The preempt connection alone is cut (a {@code cut-preempt} fault) just after it carried its first page, which
     * the trace makes certain, as in {@link #aFaultAheadOfThePushIsServedOnThePreemptConnection}, with recovery on:
     * whichever side notices first fails its end of the link, both pause, both connections are rebuilt, and the
     * guest verifies, the page that was in flight on the cut connection sent again. ({@code cut-preempt@postcopy}
     * would cut at the first request the source reads, before any page crossed: the fault campaign draws that.)
     */
    @ParameterizedTest(name = "over {0}")
    @ValueSource(strings = {"memory", "tcp"})
    void aCutOfThePreemptConnectionAloneIsRecoveredFrom(final String link, @TempDir final Path dir) throws Exception
    {
        final AtomicReference<CutPreemptAfterItsFirstPage> cut = new AtomicReference<>();
        final MigrationResult r = run("postcopy", link, "trace:" + lastPagesFirst(dir), PAGES).writers(1)
            .options(MigrationOptions.defaults().withMode(MigrationMode.POSTCOPY).withBandwidth(64L << 20)
                .withPostcopyPreempt(true).withRecover(true).withRecoverTimeoutMs(10_000))
            .links((index, l) -> index > 0 ? l : cut.updateAndGet(c -> new CutPreemptAfterItsFirstPage(l))).run();
        assertNull(r.error(), r::summary);
        assertEquals(Boolean.TRUE, r.verified(), () -> r.summary() + " mismatches " + r.mismatchPages());
        assertEquals(1, cut.get().faulty.events().size(), () -> "the preempt cut fired: " + cut.get().faulty.events());
        assertTrue(r.recoveries() >= 1, r::summary);
        assertTrue(r.preemptPages >= 1, r::summary);
    }

    /**
     * {@link HoldPostcopyPush} whose preempt connection alone is cut (a {@link FaultPlan.Action#CUT_PREEMPT} rule,
     * which this link fires itself, passing none of the source's phase announcements on) by the first write to
     * that connection after the source has read a page request: the write of the first requested page, once it
     * has gone out. Thread-safety: as its base.
     */
    static final class CutPreemptAfterItsFirstPage extends HoldPostcopyPush
    {
        final FaultyLink faulty;

        CutPreemptAfterItsFirstPage(final MigrationLink inner)
        {
            this(new FaultyLink(inner, new FaultPlan(List.of(new FaultPlan.Rule(FaultPlan.Action.CUT_PREEMPT,
                FaultPlan.Trigger.atPhase("postcopy", -1), 0, 0)))));
        }

        private CutPreemptAfterItsFirstPage(final FaultyLink faulty)
        {
            super(faulty);
            this.faulty = faulty;
        }

        @Override
        public WritableByteChannel sourcePreempt()
        {
            return writing(super.sourcePreempt(), (out, src) ->
            {
                final int n = out.write(src);
                if (requestRead() && n > 0)
                {
                    faulty.phase("postcopy", 0);
                }
                return n;
            });
        }

        @Override
        public void phase(final String phase, final long round)
        {
            // Only this link's own trigger cuts.
        }
    }

    /**
     * The {@code postcopy} phase of a fault plan comes at the first page request the source reads, even when the
     * push has sent every page, that one too, before the request is served. The case is made certain: the push
     * is held until the source reads a request ({@link HoldPostcopyPush}), then the return-path thread is held
     * with that request until the source has ended its stream ({@link ServedAfterTheStream}). A rule announced
     * where the request was served (before: the push saw it in its queue, or saw the preempt connection take a
     * page) never fired here; this run's rule is a throttle, which the end of the stream leaves without effect.
     */
    @ParameterizedTest(name = "preempt {0}")
    @ValueSource(booleans = {false, true})
    void thePostcopyPhaseComesWithARequestServedAfterThePush(final boolean preempt) throws Exception
    {
        final AtomicReference<FaultyLink> faulty = new AtomicReference<>();
        final AtomicReference<ServedAfterTheStream> held = new AtomicReference<>();
        final MigrationResult r = new MigrationRun().memoryBytes(PAGES * 4096L).writers(1).pattern("uniform")
            .link("memory").verify(true).phasesMs(20, 20).seed(23)
            .options(MigrationOptions.defaults().withMode(MigrationMode.POSTCOPY).withBandwidth(64L << 20)
                .withPostcopyPreempt(preempt))
            .links((index, l) -> index > 0 ? l : held.updateAndGet(h -> new ServedAfterTheStream(faulty.updateAndGet(
                f -> new FaultyLink(l, new FaultPlan(List.of(new FaultPlan.Rule(FaultPlan.Action.THROTTLE,
                    FaultPlan.Trigger.atPhase("postcopy", -1), 0, 1L << 30)))))))).run();
        assertNull(r.error(), r::summary);
        assertEquals(Boolean.TRUE, r.verified(), () -> r.summary() + " mismatches " + r.mismatchPages());
        assertTrue(held.get().requestHeldToTheEnd(), "the first request was read before the push and served after the stream ended");
        assertEquals(1, faulty.get().events().size(), () -> "the postcopy phase came: " + faulty.get().events());
    }

    /**
     * {@link HoldPostcopyPush}, whose return-path thread, once it has read the first request, waits until the
     * source has finished its forward stream before the source may use what it read. Thread-safety: as its base.
     */
    static final class ServedAfterTheStream extends HoldPostcopyPush
    {
        private final CountDownLatch finished = new CountDownLatch(1);
        private final AtomicBoolean first = new AtomicBoolean();
        private volatile boolean heldToTheEnd;

        ServedAfterTheStream(final FaultyLink inner)
        {
            super(inner);
        }

        /** @return whether the first request waited until the source had finished its stream. */
        boolean requestHeldToTheEnd()
        {
            return heldToTheEnd;
        }

        @Override
        void onReturnPathBytes()
        {
            super.onReturnPathBytes(); // releases the push
            if (first.compareAndSet(false, true))
            {
                try
                {
                    heldToTheEnd = finished.await(HOLD_MS, TimeUnit.MILLISECONDS);
                }
                catch (final InterruptedException ex)
                {
                    Thread.currentThread().interrupt();
                }
            }
        }

        @Override
        public void finishSource() throws IOException
        {
            finished.countDown();
            super.finishSource();
        }
    }

    /** A trace that writes the guest's last page, then two more far from page 0, for ever. */
    static Path lastPagesFirst(final Path dir) throws IOException
    {
        return Files.writeString(dir.resolve("last-pages-first.txt"), String.join("\n",
            "livemig-dirty-trace 1", "page-size 4096", "pages " + PAGES,
            "section 1 - " + (PAGES - 1), "section 2 - " + (PAGES - 100), "section 3 - " + (PAGES - 200), ""));
    }

    /** Hybrid switches to post-copy after its pre-copy round: the connection carries nothing until then. */
    @Test
    void aHybridRunUsesTheConnectionOnlyAfterItsSwitch() throws Exception
    {
        final MigrationResult r = DirtyWholeGuest.install(run("hybrid", "tcp", "uniform", 4096), 1).run();
        assertNull(r.error(), r::summary);
        assertEquals(Boolean.TRUE, r.verified(), r::summary);
        assertTrue(r.postcopyMs() > 0, r::summary);
        assertEquals(r.requestedPages(), r.preemptPages, r::summary);
    }

    /**
     * Page channels carried into post-copy (issue 23 §3), as QEMU 10.1 runs multifd with post-copy: pre-copy's
     * rounds go over the channels (each its own stripes, the round barrier between rounds), then post-copy's push
     * on the main connection with the preempt connection beside it, after the DISCARD that every channel's rounds
     * have been applied before. Every channel carries pages, and the guest verifies.
     */
    @ParameterizedTest(name = "hybrid over {0}, {1} channels")
    @CsvSource({"memory, 2", "tcp, 3"})
    void pageChannelsCarryPrecopyIntoPostcopyBesideThePreemptConnection(final String link, final int channels)
        throws Exception
    {
        final MigrationResult r = DirtyWholeGuest.install(run("hybrid", link, "uniform", 4096).channels(channels), 1)
            .run();
        assertNull(r.error(), r::summary);
        assertEquals(Boolean.TRUE, r.verified(), () -> r.summary() + " mismatches " + r.mismatchPages());
        assertTrue(r.postcopyMs() > 0, r::summary);
        assertEquals(r.requestedPages(), r.preemptPages, r::summary);
        assertEquals(channels, r.channelBytes.length, r::summary);
        for (final long bytes : r.channelBytes)
        {
            assertTrue(bytes > 4096, () -> "a channel that carried no page: " + r.summary());
        }
    }

    /** Pre-copy with the connection open: its page stream ends empty (MEM_SIZE, EOS), and the destination checks it. */
    @Test
    void aPrecopyRunEndsTheConnectionEmpty() throws Exception
    {
        final MigrationResult r = run("precopy", "memory", "uniform", 4096)
            .options(MigrationOptions.defaults().withBandwidth(0).withPostcopyPreempt(true)).run();
        assertNull(r.error(), r::summary);
        assertEquals(Boolean.TRUE, r.verified(), r::summary);
        assertEquals(0, r.preemptPages, r::summary);
        assertTrue(r.postcopyPreempt, r::summary);
    }

    /**
     * A source that sends a page on the preempt connection of a migration that never ran post-copy (nothing asked
     * for it) is refused at COMPLETE, before the destination resumes anything: the partial guest is discarded and
     * the guest stays on the source.
     */
    @Test
    void aPageOnThePreemptConnectionOfAPrecopyRunIsRefused() throws Exception
    {
        final byte[] forged = forgedPageRecord(4096L * 4096, 5);
        final MigrationResult r = run("precopy", "memory", "uniform", 4096)
            .options(MigrationOptions.defaults().withBandwidth(0).withPostcopyPreempt(true))
            .links((index, l) -> new ForwardingLink(l)
            {
                private boolean first = true;

                @Override
                public WritableByteChannel sourcePreempt()
                {
                    final WritableByteChannel out = super.sourcePreempt();
                    return new WritableByteChannel()
                    {
                        @Override
                        public int write(final ByteBuffer src) throws IOException
                        {
                            final int n = src.remaining();
                            while (src.hasRemaining())
                            {
                                out.write(src);
                            }
                            if (first) // after the connection's MEM_SIZE: a page nobody asked for
                            {
                                first = false;
                                final ByteBuffer page = ByteBuffer.wrap(forged);
                                while (page.hasRemaining())
                                {
                                    out.write(page);
                                }
                            }
                            return n;
                        }

                        @Override
                        public boolean isOpen()
                        {
                            return out.isOpen();
                        }

                        @Override
                        public void close() throws IOException
                        {
                            out.close();
                        }
                    };
                }
            }).run();
        assertTrue(r.error() != null && r.error().contains("1 pages on the preempt connection of a migration that " +
            "never ran post-copy"), r::summary);
        assertEquals("source", r.guestRunsOn(), r::summary);
    }

    /** @return the bytes of one page record for page {@code page} of a guest of {@code bytes}, as a writer makes it. */
    private static byte[] forgedPageRecord(final long bytes, final long page) throws IOException
    {
        final ByteArrayOutputStream memSizeOnly = new ByteArrayOutputStream();
        final ByteArrayOutputStream withPage = new ByteArrayOutputStream();
        try (GuestMemory memory = new GuestMemory(bytes, 4096, DirtyMarker.NONE))
        {
            memory.putByte(page * 4096, (byte)1);
            for (final ByteArrayOutputStream to : List.of(memSizeOnly, withPage))
            {
                final ChannelOutput out = new ChannelOutput(Channels.newChannel(to), 64 << 10);
                final PageStreamWriter writer = new PageStreamWriter(out, memory, PageStreamOptions.defaults());
                writer.writeMemSize();
                if (to == withPage)
                {
                    writer.writePage(page, false);
                }
                out.flush();
            }
        }
        return Arrays.copyOfRange(withPage.toByteArray(), memSizeOnly.size(), withPage.size());
    }

    /**
     * A post-copy cut with recovery ({@link CutInPostcopy}: at the first page request, as the forward stream
     * carries less than the device state before the push; certain, where a later byte might never come when the
     * preempt connection carries most pages) takes both connections down; both roles pause, the new link brings a new preempt connection, and the guest
     * verifies, every page still placed once (a page in flight on the old preempt connection is resent by the push,
     * as the received bitmap lacks it).
     */
    @ParameterizedTest(name = "cut at {1} over {0}")
    @CsvSource({"memory, 0", "tcp, 0", "memory, 200000"})
    void aCutIsRecoveredFromOverBothConnections(final String link, final long cutAt) throws Exception
    {
        final MigrationResult r = PostcopyRecoveryTest.run(link, cutAt)
            .options(MigrationOptions.defaults().withMode(MigrationMode.POSTCOPY).withBandwidth(64L << 20)
                .withRecover(true).withRecoverTimeoutMs(10_000).withPostcopyPreempt(true))
            .links((index, l) -> index == 0 ? PostcopyRecoveryTest.cutInPostcopy(l, cutAt) : l).run();
        assertNull(r.error(), r::summary);
        assertEquals(Boolean.TRUE, r.verified(), () -> r.summary() + " mismatches " + r.mismatchPages());
        assertEquals(1, r.recoveries(), r::summary);
        assertTrue(r.postcopyPreempt, r::summary);
        // Requests read during the pause wait in the push's queue and go on the forward stream after the rebuild.
        assertTrue(r.preemptPages <= r.requestedPages(), r::summary);
        long sent = 0;
        for (final PageKind k : PageKind.values())
        {
            sent += r.pages(k);
        }
        assertTrue(sent >= 4096, "every page, and again those the cut lost: " + r.summary());
    }
}
