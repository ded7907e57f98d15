package io.livemig.migration.channel;

import io.livemig.dirty.AtomicDirtyBitmap;
import io.livemig.memory.GuestMemory;
import io.livemig.migration.link.MigrationLink;
import io.livemig.migration.link.RoleThreads;
import io.livemig.migration.link.TeeChannel;
import io.livemig.stream.ChannelOutput;
import io.livemig.stream.ChannelPartition;
import io.livemig.stream.PageStreamOptions;
import io.livemig.stream.write.PageStreamWriter;

import java.io.IOException;
import java.nio.channels.WritableByteChannel;

/**
 * The source's page channels as one: a {@link ChannelSender} and its {@code migration-channel-N} thread per
 * channel of the link, each with its own writer over its own stripes ({@link ChannelPartition}), its own zero
 * check, XBZRLE cache (the budget divided among the channels) and LZ4, as QEMU 9's multifd does. The mirror
 * of {@link ReceiverChannels} on the destination.
 *
 * <p>Thread-safety: every method but {@link #pages()} and the figures is the migration thread's; a round is
 * handed to the senders and taken back through each sender's monitor (see {@link ChannelSender}).
 */
public final class SenderChannels
{
    /** How long the migration thread waits for a channel before it looks at progress and the return path. */
    private static final long POLL_MS = 100;

    private final ChannelSender[] senders;
    private final Thread[] threads;

    /**
     * Starts one sender thread per channel of {@code link}.
     *
     * @param capture     where channel 0's stream is copied, exactly as sent, or null.
     * @param bufferBytes each channel's output buffer.
     */
    public SenderChannels(final MigrationLink link, final GuestMemory memory, final AtomicDirtyBitmap bitmap,
        final PageStreamOptions options, final long xbzrleCacheBytes, final WritableByteChannel capture,
        final int bufferBytes)
    {
        final int channels = link.channels();
        final ChannelPartition partition = new ChannelPartition(memory.pageCount(), channels);
        final PageStreamOptions channelOptions = options.withXbzrleCacheBytes(
            partition.cacheBytesPerChannel(xbzrleCacheBytes, memory.pageSize()));
        senders = new ChannelSender[channels];
        threads = new Thread[channels];
        for (int c = 0; c < channels; c++)
        {
            final WritableByteChannel out = c == 0 && capture != null ?
                new TeeChannel(link.sourceOut(c), capture) : link.sourceOut(c);
            final ChannelOutput channelOut = new ChannelOutput(out, bufferBytes);
            senders[c] = new ChannelSender(c, partition, bitmap, channelOut,
                new PageStreamWriter(channelOut, memory, channelOptions, partition));
        }
        for (int c = 0; c < channels; c++)
        {
            threads[c] = new Thread(senders[c], "migration-channel-" + c);
            threads[c].setDaemon(true);
            threads[c].start();
        }
    }

    /**
     * Sends one round on every channel and waits until each has ended it with EOS. While it waits, every
     * {@value #POLL_MS} ms, {@code whileWaiting} runs on this thread (progress, a look at the return path).
     *
     * @return pages processed in the round, over all channels.
     * @throws IOException if a channel failed.
     */
    public long sendRound(final long round, final boolean allowXbzrle, final Runnable whileWaiting) throws IOException
    {
        final long before = pages();
        for (final ChannelSender sender : senders)
        {
            sender.startRound(round, allowXbzrle);
        }
        for (int c = 0; c < senders.length; )
        {
            if (senders[c].awaitRound(POLL_MS))
            {
                c++;
                continue;
            }
            for (final ChannelSender other : senders)
            {
                other.awaitRound(0); // throws if any channel failed
            }
            whileWaiting.run();
        }
        return pages() - before;
    }

    /** @return pages processed so far over all channels; any thread, for progress. */
    public long pages()
    {
        long n = 0;
        for (final ChannelSender sender : senders)
        {
            n += sender.pages();
        }
        return n;
    }

    /** @return the channels' writers, channel 0 first. */
    public PageStreamWriter[] writers()
    {
        final PageStreamWriter[] writers = new PageStreamWriter[senders.length];
        for (int c = 0; c < senders.length; c++)
        {
            writers[c] = senders[c].writer();
        }
        return writers;
    }

    /** @return the wire bytes of every channel so far, in all. */
    public long wireBytes()
    {
        long bytes = 0;
        for (final ChannelSender sender : senders)
        {
            bytes += sender.writer().stats().wireBytes();
        }
        return bytes;
    }

    /** @return each channel's wire bytes so far. */
    public long[] channelBytes()
    {
        final long[] bytes = new long[senders.length];
        for (int c = 0; c < senders.length; c++)
        {
            bytes[c] = senders[c].writer().stats().wireBytes();
        }
        return bytes;
    }

    /** @return the senders' CPU time in all, ms, once they have stopped. */
    public double cpuMs()
    {
        double ms = 0;
        for (final ChannelSender sender : senders)
        {
            ms += Math.max(0, sender.cpuNanos()) / 1e6;
        }
        return ms;
    }

    /** Stops every sender and joins its thread (each ends its round or fails on its link's deadline). */
    public void stop()
    {
        for (final ChannelSender sender : senders)
        {
            sender.stop();
        }
        for (final Thread thread : threads)
        {
            RoleThreads.join(thread);
        }
    }
}
