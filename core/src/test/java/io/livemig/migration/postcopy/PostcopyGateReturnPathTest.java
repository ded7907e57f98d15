package io.livemig.migration.postcopy;

import io.livemig.migration.wire.PageDigests;
import io.livemig.stream.ChannelInput;
import io.livemig.stream.ChannelOutput;
import io.livemig.stream.PageStreamDescriptor;
import io.livemig.stream.returnpath.ReturnPathMessage;
import io.livemig.stream.returnpath.ReturnPathReader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.channels.Channels;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What the destination writes on the return path at the end of a migration: page requests, then SHUT, then
 * (with digests) the digest block, and nothing else. A vCPU that found its page absent may be late with its
 * request: the page arrives, post-copy completes and SHUT is written while the request waits for the return
 * path's lock. That request must not follow SHUT, where the source reads the digest block, nor land inside the
 * block. Two processes once failed on exactly this: "not a digest block: magic 0x2000c" (a page request where
 * the digests belong) and a digest mismatch on pages that had arrived intact.
 */
final class PostcopyGateReturnPathTest
{
    private static final int PAGE_SIZE = 4096;
    private static final int PAGES = 4096;

    @Test
    void aRequestAfterShutWritesNothing() throws Exception
    {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        final PostcopyGate gate = gate(bytes);
        gate.request(7);
        gate.shut(0);
        gate.request(9); // late: the page is here already
        final long[] digests = digests(1);
        gate.writeDigests(PAGE_SIZE, digests);

        final ChannelInput in = input(bytes);
        final ReturnPathReader reader = new ReturnPathReader(in);
        final ReturnPathMessage request = reader.read();
        assertTrue(request.isPageRequest(), request::toString);
        assertEquals(7L * PAGE_SIZE, request.offset());
        final ReturnPathMessage shut = reader.read();
        assertEquals(PageStreamDescriptor.RP_SHUT, shut.type(), shut::toString);
        assertEquals(0, shut.errorCode());
        assertArrayEquals(digests, PageDigests.read(in, PAGE_SIZE, PAGES));
        assertTrue(in.atEnd(), "bytes after the digest block");
    }

    /**
     * Two vCPU threads ask for pages as fast as they can while the destination's thread writes SHUT and the
     * digests: whatever the interleaving, the bytes parse as requests, SHUT 0, the very digests written, end.
     */
    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void requestsRacingTheEndNeverCorruptIt() throws Exception
    {
        final SplittableRandom random = new SplittableRandom(11);
        for (int trial = 0; trial < 200; trial++)
        {
            final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            final PostcopyGate gate = gate(bytes);
            final AtomicBoolean stop = new AtomicBoolean();
            final CountDownLatch running = new CountDownLatch(2);
            final Thread[] vcpus = new Thread[2];
            for (int v = 0; v < vcpus.length; v++)
            {
                final int first = v;
                vcpus[v] = new Thread(() ->
                {
                    running.countDown();
                    for (long p = first; !stop.get(); p = (p + 2) % PAGES)
                    {
                        gate.request(p);
                    }
                }, "vcpu-" + v);
                vcpus[v].setDaemon(true);
                vcpus[v].start();
            }
            final long[] digests = digests(random.nextLong());
            try
            {
                assertTrue(running.await(10, TimeUnit.SECONDS), "the vCPU threads did not start");
                for (int spin = random.nextInt(20_000); spin > 0; spin--)
                {
                    Thread.onSpinWait();
                }
                gate.shut(0);
                gate.writeDigests(PAGE_SIZE, digests);
            }
            finally
            {
                stop.set(true);
                for (final Thread vcpu : vcpus)
                {
                    vcpu.join(10_000);
                }
            }
            final ChannelInput in = input(bytes);
            final ReturnPathReader reader = new ReturnPathReader(in);
            ReturnPathMessage m;
            while ((m = reader.read()) != null && m.isPageRequest())
            {
                assertEquals(0, m.offset() % PAGE_SIZE, "trial " + trial + ": " + m);
            }
            assertNotNull(m, "trial " + trial + ": no SHUT");
            assertEquals(PageStreamDescriptor.RP_SHUT, m.type(), "trial " + trial + ": " + m);
            assertEquals(0, m.errorCode());
            assertArrayEquals(digests, PageDigests.read(in, PAGE_SIZE, PAGES), "trial " + trial);
            assertTrue(in.atEnd(), "trial " + trial + ": bytes after the digest block");
            assertNull(reader.read());
        }
    }

    private static PostcopyGate gate(final ByteArrayOutputStream bytes)
    {
        return new PostcopyGate(PAGES, PAGE_SIZE, "pc.ram", 2, new ChannelOutput(Channels.newChannel(bytes), 4096));
    }

    private static ChannelInput input(final ByteArrayOutputStream bytes)
    {
        return new ChannelInput(Channels.newChannel(new ByteArrayInputStream(bytes.toByteArray())), 64 << 10);
    }

    private static long[] digests(final long seed)
    {
        final SplittableRandom random = new SplittableRandom(seed);
        final long[] digests = new long[PAGES];
        for (int p = 0; p < PAGES; p++)
        {
            digests[p] = random.nextLong();
        }
        return digests;
    }
}
