package io.livemig.migration.channel;

import io.livemig.memory.GuestMemory;
import io.livemig.migration.link.MigrationLink;
import io.livemig.migration.link.RoleThreads;
import io.livemig.stream.ChannelInput;
import io.livemig.stream.ChannelPartition;
import io.livemig.stream.PageKind;
import io.livemig.stream.read.PageStreamReader;

import java.io.IOException;
import java.util.function.Consumer;

/**
 * The destination's page channels as one: a {@link ChannelReceiver} and its {@code migration-receive-N} thread
 * per channel of the link, each applying its own stripes ({@link ChannelPartition}) through its own reader,
 * all readers sharing one set of written bits, and the {@link RoundBarrier} that lets no channel apply round
 * {@code k + 1} before every channel applied round {@code k}. The mirror of {@link SenderChannels}.
 *
 * <p>Thread-safety: the destination's thread starts, awaits, finishes and joins; {@link #fail} may come from
 * any thread. Counters are read after {@link #join()}, which orders them.
 */
public final class ReceiverChannels
{
    private final RoundBarrier barrier;
    private final ChannelReceiver[] receivers;
    private final Thread[] threads;

    /**
     * Starts one receiver thread per channel of {@code link}.
     *
     * @param written the written bits of the main channel's reader, shared by every channel's reader.
     * @param attach  gives each channel's reader its listener (told of every page applied, on the receiving thread)
     *                and, where pages are placed through a decorator, its placer; called once per channel.
     */
    public ReceiverChannels(final MigrationLink link, final GuestMemory memory, final long[] written,
        final Consumer<PageStreamReader> attach, final int bufferBytes)
    {
        final int channels = link.channels();
        barrier = new RoundBarrier(channels);
        receivers = new ChannelReceiver[channels];
        threads = new Thread[channels];
        final ChannelPartition partition = new ChannelPartition(memory.pageCount(), channels);
        for (int c = 0; c < channels; c++)
        {
            final ChannelInput channelIn = new ChannelInput(link.destinationIn(c), bufferBytes);
            final PageStreamReader r = new PageStreamReader(channelIn, memory);
            r.destinationStartsZero(written);
            r.acceptOnly(partition, c);
            attach.accept(r);
            receivers[c] = new ChannelReceiver(c, channelIn, r, barrier);
        }
        for (int c = 0; c < channels; c++)
        {
            threads[c] = new Thread(receivers[c], "migration-receive-" + c);
            threads[c].setDaemon(true);
            threads[c].start();
        }
    }

    /** Waits until every channel has applied {@code rounds} rounds (every round announced so far). */
    public void awaitAll(final long rounds) throws IOException
    {
        barrier.awaitAll(rounds);
    }

    /** Wakes every waiter with {@code cause}; the first failure is kept. */
    public void fail(final Throwable cause)
    {
        barrier.fail(cause);
    }

    /**
     * After COMPLETE: every channel ends cleanly after exactly the {@code announced} rounds.
     *
     * @throws IOException naming the channel that brought another count, or the first channel's failure.
     */
    public void finish(final long announced) throws IOException
    {
        join();
        barrier.awaitAll(announced);
        for (int c = 0; c < receivers.length; c++)
        {
            final long rounds = barrier.arrived(c);
            if (rounds != announced)
            {
                throw new IOException("page channel " + c + " brought " + rounds + " rounds, " + announced +
                    " were announced");
            }
        }
    }

    /** Joins every receiving thread (each ends with its channel's stream, or when its input is closed). */
    public void join()
    {
        for (final Thread thread : threads)
        {
            RoleThreads.join(thread);
        }
    }

    /** @return the channels. */
    public int count()
    {
        return receivers.length;
    }

    /** @return channel {@code c}'s bytes read so far. */
    public long position(final int c)
    {
        return receivers[c].position();
    }

    /** @return every channel's bytes read so far, in all. */
    public long bytes()
    {
        long bytes = 0;
        for (final ChannelReceiver receiver : receivers)
        {
            bytes += receiver.position();
        }
        return bytes;
    }

    /** @return the pages of {@code kind} every channel's reader applied. */
    public long pages(final PageKind kind)
    {
        long pages = 0;
        for (final ChannelReceiver receiver : receivers)
        {
            pages += receiver.reader().stats().pages(kind);
        }
        return pages;
    }

    /** @return the receivers' CPU time in all, ms, once they have ended. */
    public double cpuMs()
    {
        double ms = 0;
        for (final ChannelReceiver receiver : receivers)
        {
            ms += Math.max(0, receiver.cpuNanos()) / 1e6;
        }
        return ms;
    }
}
