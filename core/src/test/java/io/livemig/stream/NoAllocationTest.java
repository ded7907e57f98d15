package io.livemig.stream;

import io.livemig.dirty.DirtyMarker;
import io.livemig.memory.GuestMemory;
import io.livemig.stream.read.PageStreamReader;
import io.livemig.stream.write.PageStreamWriter;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The hot paths allocate nothing per page: after a warm-up, writing and applying thousands of pages of
 * every kind allocates (almost) no bytes on the calling thread, as HotSpot's per-thread allocation counter
 * reports. A counting check, not a timing.
 */
class NoAllocationTest
{
    /** A fixed channel holding one iteration, reset between iterations; allocates nothing. */
    private static final class FixedChannel implements ReadableByteChannel, WritableByteChannel
    {
        final ByteBuffer bytes = ByteBuffer.allocateDirect(8 << 20);
        final ByteBuffer reading = bytes.duplicate();

        void reset()
        {
            bytes.clear();
            reading.clear().limit(0);
        }

        @Override
        public int write(final ByteBuffer src)
        {
            final int n = src.remaining();
            bytes.put(src);
            reading.limit(bytes.position());
            return n;
        }

        @Override
        public int read(final ByteBuffer dst)
        {
            final int n = Math.min(dst.remaining(), reading.remaining());
            final int limit = reading.limit();
            reading.limit(reading.position() + n);
            dst.put(reading);
            reading.limit(limit);
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

    @Test
    void writingAndApplyingPagesAllocatesNothing() throws IOException
    {
        final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
        final int pages = 256;
        try (GuestMemory source = new GuestMemory(pages * 4096L, 4096, DirtyMarker.NONE);
            GuestMemory destination = new GuestMemory(pages * 4096L, 4096, DirtyMarker.NONE))
        {
            final Random random = new Random(8);
            final byte[] page = new byte[4096];
            for (int p = 0; p < pages; p++)
            {
                random.nextBytes(page);
                if (p % 3 == 0)
                {
                    java.util.Arrays.fill(page, 64, 4096, (byte)'x');
                }
                if (p % 5 != 0)
                {
                    source.writePage(p, page, 0);
                }
            }
            final FixedChannel channel = new FixedChannel();
            final PageStreamWriter writer = new PageStreamWriter(new ChannelOutput(channel, 1 << 16), source,
                PageStreamOptions.defaults().withXbzrle(true).withXbzrleCacheBytes(1 << 20).withLz4(true));
            final PageStreamReader reader = new PageStreamReader(new ChannelInput(channel, 1 << 16), destination);
            reader.destinationStartsZero(); // allocates its page bits here, once; the skip path is hot too
            channel.reset();
            writer.writeMemSize();
            writer.writeEos();
            reader.readMemSize();
            reader.readIteration();
            // Rounds until the last 20 allocate (almost) nothing, or a deadline: until C2 has compiled the hot
            // paths, interpreted and C1 code may allocate (the Vector API's kernels box every vector there), and
            // on a loaded machine that takes more rounds than a fixed warm-up would grant.
            final long[] allocated = new long[20];
            final long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(90);
            int round = 0;
            while (++round <= 40 || (median(allocated) >= 256 && System.nanoTime() < deadline))
            {
                // Small changes to some pages, so later rounds send XBZRLE deltas and unchanged pages.
                for (int p = 1; p < pages; p += 7)
                {
                    source.putLong(p * 4096L + 8 * (round % 512), round);
                }
                final long before = threads.getCurrentThreadAllocatedBytes();
                channel.reset();
                writer.startRound(round);
                for (int p = 0; p < pages; p++)
                {
                    writer.writePage(p, true);
                }
                writer.writeEos();
                reader.readIteration();
                final long after = threads.getCurrentThreadAllocatedBytes();
                allocated[round % allocated.length] = after - before;
            }
            assertEquals(-1, StreamPair.firstDifference(source, destination));
            final PageStreamStats stats = writer.stats();
            for (final PageKind kind : PageKind.values())
            {
                assertTrue(stats.pages(kind) > 0, "no " + kind + " page: " + stats);
            }
            // Anything allocated per page would cost every round kilobytes (256 pages x 16 bytes at least); the
            // median of the last 20 rounds is taken so that a rare JVM-internal allocation on this thread cannot
            // fail the test.
            assertTrue(median(allocated) < 256,
                "median of the last 20 of " + (round - 1) + " rounds allocated " + median(allocated) +
                " bytes over 256 pages; rounds: " +
                java.util.Arrays.toString(allocated));
        }
    }

    private static long median(final long[] values)
    {
        final long[] sorted = values.clone();
        java.util.Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }
}
