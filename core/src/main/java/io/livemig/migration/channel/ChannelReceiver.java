package io.livemig.migration.channel;

import io.livemig.migration.link.RoleThreads;
import io.livemig.stream.ChannelInput;
import io.livemig.stream.read.PageStreamReader;

import java.io.IOException;

/**
 * One page channel's receiving thread on the destination (QEMU's multifd receive thread): reads its
 * channel's page stream (MEM_SIZE, then one iteration per round, each ended by EOS), and applies round
 * {@code k}'s pages only after every channel has applied round {@code k - 1} ({@link RoundBarrier}). It ends
 * when its channel ends cleanly between two rounds; any other end or refusal fails the barrier, which wakes
 * the main channel's thread.
 *
 * <p>Thread-safety: {@link #run()} once, on its own thread. Its reader writes only the pages of its
 * channel's stripes and their words of the shared written bits; {@link #reader()}'s stats may be read from
 * any thread.
 */
public final class ChannelReceiver implements Runnable
{
    private final int channel;
    private final ChannelInput in;
    private final PageStreamReader reader;
    private final RoundBarrier barrier;
    private volatile long cpuNanos;

    public ChannelReceiver(final int channel, final ChannelInput in, final PageStreamReader reader, final RoundBarrier barrier)
    {
        this.channel = channel;
        this.in = in;
        this.reader = reader;
        this.barrier = barrier;
    }

    public PageStreamReader reader()
    {
        return reader;
    }

    /** @return bytes read so far (after the thread ended: all of them). */
    public long position()
    {
        return in.position();
    }

    /** @return this thread's CPU time, ns, once it ended (0 before, -1 if the JVM cannot tell). */
    public long cpuNanos()
    {
        return cpuNanos;
    }

    @Override
    public void run()
    {
        try
        {
            runChannel();
        }
        finally
        {
            cpuNanos = RoleThreads.cpuNanos();
        }
    }

    private void runChannel()
    {
        try
        {
            if (!in.atEnd())
            {
                reader.readMemSize();
                for (long round = 0; !in.atEnd(); round++)
                {
                    barrier.awaitRound(round);
                    reader.readIteration();
                    barrier.arrive(channel);
                }
            }
            barrier.end(channel);
        }
        catch (final Throwable t)
        {
            barrier.fail(new IOException("page channel " + channel + ": " + RoleThreads.describe(t), t));
        }
    }
}
