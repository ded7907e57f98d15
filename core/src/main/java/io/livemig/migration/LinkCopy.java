package io.livemig.migration;

import io.livemig.memory.GuestMemory;
import io.livemig.migration.link.MigrationLink;
import io.livemig.stream.ChannelPartition;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A plain copy of a guest, the floor under a migration of the same bytes: every page of one guest copied raw into another over a link's N
 * connections, partitioned as the page channels partition them ({@link ChannelPartition}'s stripes), with no
 * header, codec or zero check: a sender thread per connection copies a batch of pages into a direct buffer and
 * writes it, a receiver thread per connection reads a batch and copies it into the destination. Two memory
 * copies and the kernel's TCP path per page: what a plain copy loop pays to move the bytes that a migration of
 * a written guest sends raw. The benchmarks' {@code ChannelsBenchmark} measures it beside the migration, and
 * {@code scripts/migrate --baseline-copy} times it in the same process after the migration.
 *
 * <p>Thread-safety: one {@link #copy} at a time; it starts and joins its own threads.
 */
public final class LinkCopy
{
    /**
     * Pages per write and per read: 64 KiB, the fastest on the 2-core Zen 5 machine (JMH, JDK 25, one channel:
     * about 3.1 GB/s at 64 KiB against 2.1 at 256 KiB, 1.9 at 1 MiB and 2.2 at 32 KiB; a batch that stays in
     * the L2 cache between its two copies).
     */
    public static final int BATCH_PAGES = 16;
    private static final long DEADLINE_MS = TimeUnit.MINUTES.toMillis(2);

    private final GuestMemory source;
    private final GuestMemory destination;
    private final int pageSize;

    /** CPU nanoseconds of the last copy's sender and receiver threads, summed per side. */
    private long sendersCpuNanos;
    private long receiversCpuNanos;

    /** @throws IllegalArgumentException if the two guests differ in size or page size. */
    public LinkCopy(final GuestMemory source, final GuestMemory destination)
    {
        if (source.size() != destination.size() || source.pageSize() != destination.pageSize())
        {
            throw new IllegalArgumentException("guests differ: " + source + " and " + destination);
        }
        this.source = source;
        this.destination = destination;
        this.pageSize = source.pageSize();
    }

    /** Copies every page over {@code link}'s page channels (its forward stream when it has one channel). */
    public void copy(final MigrationLink link) throws IOException, InterruptedException
    {
        final int channels = link.channels();
        final ChannelPartition partition = new ChannelPartition(source.pageCount(), channels);
        final AtomicReference<Throwable> failure = new AtomicReference<>();
        final long[] senderCpu = new long[channels];
        final long[] receiverCpu = new long[channels];
        final Thread[] threads = new Thread[2 * channels];
        for (int c = 0; c < channels; c++)
        {
            final int channel = c;
            final WritableByteChannel out = channels == 1 ? link.sourceOut() : link.sourceOut(c);
            final ReadableByteChannel in = channels == 1 ? link.destinationIn() : link.destinationIn(c);
            threads[2 * c] = thread("loopback-send-" + c, failure, senderCpu, c,
                () -> send(partition, channel, out));
            threads[2 * c + 1] = thread("loopback-receive-" + c, failure, receiverCpu, c,
                () -> receive(partition, channel, in));
        }
        for (final Thread t : threads)
        {
            t.start();
        }
        final long deadline = System.currentTimeMillis() + DEADLINE_MS;
        for (final Thread t : threads)
        {
            t.join(Math.max(1, deadline - System.currentTimeMillis()));
            if (t.isAlive())
            {
                link.close(); // unblocks the others
                failure.compareAndSet(null, new IOException(t.getName() + " did not finish within 2 minutes"));
            }
        }
        if (failure.get() != null)
        {
            throw new IOException("loopback copy failed", failure.get());
        }
        sendersCpuNanos = 0;
        receiversCpuNanos = 0;
        for (int c = 0; c < channels; c++)
        {
            sendersCpuNanos += senderCpu[c];
            receiversCpuNanos += receiverCpu[c];
        }
    }

    /** @return the CPU nanoseconds of the last copy's sender threads, summed. */
    public long sendersCpuNanos()
    {
        return sendersCpuNanos;
    }

    /** @return the CPU nanoseconds of the last copy's receiver threads, summed. */
    public long receiversCpuNanos()
    {
        return receiversCpuNanos;
    }

    private interface Body
    {
        void run() throws IOException;
    }

    private static Thread thread(
        final String name, final AtomicReference<Throwable> failure, final long[] cpu, final int index, final Body body)
    {
        final Thread t = new Thread(() ->
        {
            final ThreadMXBean mx = ManagementFactory.getThreadMXBean();
            try
            {
                body.run();
            }
            catch (final Throwable ex)
            {
                failure.compareAndSet(null, ex);
            }
            finally
            {
                cpu[index] = Math.max(0, mx.getCurrentThreadCpuTime());
            }
        }, name);
        t.setDaemon(true);
        return t;
    }

    private void send(final ChannelPartition partition, final int channel, final WritableByteChannel out)
        throws IOException
    {
        final ByteBuffer batch = ByteBuffer.allocateDirect(BATCH_PAGES * pageSize);
        final UnsafeBuffer view = new UnsafeBuffer(batch);
        int filled = 0;
        for (long i = 0, first; (first = partition.stripeStart(channel, i)) >= 0; i++)
        {
            final long end = Math.min(first + ChannelPartition.STRIPE_PAGES, source.pageCount());
            for (long p = first; p < end; p++)
            {
                source.readPage(p, view, filled * pageSize);
                if (++filled == BATCH_PAGES)
                {
                    write(out, batch, filled);
                    filled = 0;
                }
            }
        }
        write(out, batch, filled);
    }

    private void write(final WritableByteChannel out, final ByteBuffer batch, final int pages) throws IOException
    {
        batch.clear().limit(pages * pageSize);
        while (batch.hasRemaining())
        {
            out.write(batch);
        }
    }

    private void receive(final ChannelPartition partition, final int channel, final ReadableByteChannel in)
        throws IOException
    {
        final ByteBuffer batch = ByteBuffer.allocateDirect(BATCH_PAGES * pageSize);
        final UnsafeBuffer view = new UnsafeBuffer(batch);
        final long[] pages = new long[BATCH_PAGES];
        int filled = 0;
        for (long i = 0, first; (first = partition.stripeStart(channel, i)) >= 0; i++)
        {
            final long end = Math.min(first + ChannelPartition.STRIPE_PAGES, source.pageCount());
            for (long p = first; p < end; p++)
            {
                pages[filled] = p;
                if (++filled == BATCH_PAGES)
                {
                    read(in, batch, view, pages, filled);
                    filled = 0;
                }
            }
        }
        read(in, batch, view, pages, filled);
    }

    private void read(
        final ReadableByteChannel in, final ByteBuffer batch, final UnsafeBuffer view, final long[] pages, final int count)
        throws IOException
    {
        batch.clear().limit(count * pageSize);
        while (batch.hasRemaining())
        {
            if (in.read(batch) < 0)
            {
                throw new IOException("link ended " + batch.remaining() + " bytes short of a batch");
            }
        }
        for (int k = 0; k < count; k++)
        {
            destination.writePage(pages[k], view, k * pageSize);
        }
    }
}
