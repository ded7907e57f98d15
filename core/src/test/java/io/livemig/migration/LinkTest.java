package io.livemig.migration;

import io.livemig.migration.link.MemoryPipe;
import io.livemig.migration.link.MigrationLink;
import io.livemig.migration.link.ThrottledChannel;
import io.livemig.migration.link.TokenBucket;
import io.livemig.migration.postcopy.PostcopyGate;
import io.livemig.migration.postcopy.RequestQueue;
import io.livemig.stream.ChannelOutput;
import io.livemig.stream.PageKind;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.util.SplittableRandom;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Links carry bytes intact in both directions, end cleanly, honour the bandwidth; queue and gate hand-offs. */
@Timeout(60)
class LinkTest
{
    private static byte[] random(final int n, final long seed)
    {
        final byte[] b = new byte[n];
        final SplittableRandom r = new SplittableRandom(seed);
        for (int i = 0; i < n; i++)
        {
            b[i] = (byte)r.nextInt();
        }
        return b;
    }

    /** Writes {@code data} in random chunks on another thread, reads it back in random chunks. */
    private static byte[] transfer(final WritableByteChannel out, final ReadableByteChannel in, final byte[] data,
        final Runnable finish) throws Exception
    {
        final AtomicReference<Throwable> failure = new AtomicReference<>();
        final Thread writer = new Thread(() ->
        {
            final SplittableRandom r = new SplittableRandom(1);
            try
            {
                for (int at = 0; at < data.length; )
                {
                    final int n = Math.min(data.length - at, 1 + r.nextInt(70_000));
                    out.write(ByteBuffer.wrap(data, at, n));
                    at += n;
                }
                finish.run();
            }
            catch (final Throwable t)
            {
                failure.set(t);
            }
        });
        writer.start();
        final byte[] got = new byte[data.length];
        final SplittableRandom r = new SplittableRandom(2);
        int at = 0;
        while (true)
        {
            final ByteBuffer bb = ByteBuffer.wrap(got, at, Math.min(got.length - at, 1 + r.nextInt(50_000)));
            if (at == got.length)
            {
                assertEquals(-1, in.read(ByteBuffer.allocate(1)), "clean end after the last byte");
                break;
            }
            final int n = in.read(bb);
            assertTrue(n > 0, "read " + n + " before the end");
            at += n;
        }
        writer.join();
        if (failure.get() != null)
        {
            throw new AssertionError(failure.get());
        }
        return got;
    }

    @ParameterizedTest
    @CsvSource({"memory, 0, 0", "memory, 0, 1000000", "memory, 400000000, 0", "tcp, 0, 0", "tcp, 400000000, 0"})
    void bothDirectionsCarryTheBytesIntact(final String kind, final long bandwidth, final long latencyNs) throws Exception
    {
        try (MigrationLink link = MigrationLink.open(kind, bandwidth, latencyNs))
        {
            final byte[] forward = random(3 << 20, 7);
            assertArrayEquals(forward, transfer(link.sourceOut(), link.destinationIn(), forward, () ->
            {
                try
                {
                    link.finishSource();
                }
                catch (final IOException ex)
                {
                    throw new AssertionError(ex);
                }
            }));
            final byte[] back = random(100_000, 8);
            assertArrayEquals(back, transfer(link.destinationOut(), link.sourceIn(), back, () ->
            {
                try
                {
                    link.finishDestination();
                }
                catch (final IOException ex)
                {
                    throw new AssertionError(ex);
                }
            }));
        }
    }

    @Test
    void aClosedReaderFailsTheWriter() throws Exception
    {
        final MemoryPipe pipe = new MemoryPipe(64 << 10, 0);
        pipe.closeSource();
        assertThrows(ClosedChannelException.class, () -> pipe.sink().write(ByteBuffer.allocate(10)));
    }

    /** A lower bound only: the bucket never hands out tokens early, however slow the machine is. */
    @Test
    void bandwidthIsNeverExceeded() throws Exception
    {
        final long rate = 16L << 20;
        final TokenBucket bucket = new TokenBucket(rate);
        final WritableByteChannel out = new ThrottledChannel(Channels.newChannel(OutputStream.nullOutputStream()), bucket);
        final int total = 4 << 20;
        final long start = System.nanoTime();
        for (int i = 0; i < total / 65536; i++)
        {
            out.write(ByteBuffer.allocate(65536));
        }
        final double seconds = (System.nanoTime() - start) / 1e9;
        assertTrue(seconds >= (total - bucket.burstBytes()) / (double)rate,
            "sent " + total + " bytes in " + seconds + " s at a limit of " + rate + " B/s");
    }

    @Test
    void requestQueueHandsOverEveryPageInOrder() throws Exception
    {
        final RequestQueue q = new RequestQueue(64);
        final int n = 200_000;
        final Thread producer = new Thread(() ->
        {
            for (int i = 0; i < n; i++)
            {
                q.offer(i);
            }
        });
        producer.start();
        long expected = 0;
        while (expected < n)
        {
            final long p = q.poll();
            if (p >= 0)
            {
                assertEquals(expected++, p);
            }
        }
        producer.join();
        assertEquals(-1, q.poll());
    }

    /**
     * A vCPU faulting on a page while the reader places it is always woken: no lost wake-up. Each round
     * lines both threads up on a barrier, then races the fault with the placement of the same page.
     */
    @Test
    void aFaultRacingWithThePageIsAlwaysWoken() throws Exception
    {
        final int pages = 4000;
        final PostcopyGate gate = new PostcopyGate(pages, 4096, "pc.ram", 1,
            new ChannelOutput(Channels.newChannel(OutputStream.nullOutputStream()), 4096));
        gate.discard(0, pages);
        final CyclicBarrier barrier = new CyclicBarrier(2);
        final Thread vcpu = new Thread(() ->
        {
            try
            {
                for (int p = 0; p < pages; p++)
                {
                    barrier.await();
                    if (!gate.isPresent(p))
                    {
                        gate.awaitPresent(p, 0);
                    }
                }
            }
            catch (final Exception ex)
            {
                // The reader gave up on us: the assertion below reports it.
            }
        });
        vcpu.setDaemon(true);
        vcpu.start();
        final SplittableRandom random = new SplittableRandom(3);
        for (int p = 0; p < pages; p++)
        {
            try
            {
                barrier.await(10, TimeUnit.SECONDS);
            }
            catch (final TimeoutException ex)
            {
                throw new AssertionError("the vCPU stayed parked on page " + (p - 1) + ", which had arrived");
            }
            for (int spin = random.nextInt(200); spin > 0; spin--)
            {
                Thread.onSpinWait();
            }
            gate.onPage(p, PageKind.NORMAL, 4104, 0);
        }
        vcpu.join(10_000);
        assertFalse(vcpu.isAlive(), "the vCPU stayed parked on the last page, which had arrived");
        assertEquals(0, gate.missing());
    }
}
