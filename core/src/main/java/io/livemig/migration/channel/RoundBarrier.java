package io.livemig.migration.channel;

import io.livemig.migration.link.RoleThreads;

import java.io.IOException;
import java.io.InterruptedIOException;

/**
 * The destination's round barrier over its page channels, as QEMU's multifd sync: each channel ends a round
 * with EOS and {@link #arrive arrives}; a channel applies its pages of round {@code k} only once every
 * channel has arrived {@code k} times ({@link #awaitRound}), so no page of round {@code k + 1} is applied
 * before every page of round {@code k}. The main channel's thread waits with {@link #awaitAll} before it
 * acts on a control section (DISCARD, DEVICE, POSTCOPY_RUN, COMPLETE, or inline pages), so every round
 * announced so far is applied first.
 *
 * <p>With a {@link io.livemig.stream.ChannelPartition} a page always travels on one channel, so its own rounds
 * arrive in order anyway; the barrier keeps the guest at one round everywhere (a page of round 5 is never
 * beside one of round 3), which is what QEMU's sync guarantees and what a channel-free ownership would need.
 *
 * <p>Thread-safe: every method holds this object's monitor, which also orders each channel's page writes
 * before the reads of anyone who waited for its arrival. A failure ({@link #fail}) or a channel that ended
 * with fewer rounds than awaited wakes every waiter with an exception instead of leaving it blocked.
 */
public final class RoundBarrier
{
    private final long[] arrived;
    private final boolean[] ended;
    private Throwable failure;

    /** @param channels page channels. */
    public RoundBarrier(final int channels)
    {
        this.arrived = new long[channels];
        this.ended = new boolean[channels];
    }

    /** @return whether every channel has arrived {@code round} times: pages of round {@code round} may be applied. */
    synchronized boolean ready(final long round)
    {
        for (final long a : arrived)
        {
            if (a < round)
            {
                return false;
            }
        }
        return true;
    }

    /** Channel {@code channel} has applied every page of its next round (read its EOS). */
    synchronized void arrive(final int channel)
    {
        arrived[channel]++;
        notifyAll();
    }

    /** Channel {@code channel}'s stream ended cleanly: it brings no more rounds. */
    synchronized void end(final int channel)
    {
        ended[channel] = true;
        notifyAll();
    }

    /** @return the rounds channel {@code channel} has applied. */
    public synchronized long arrived(final int channel)
    {
        return arrived[channel];
    }

    /** Wakes every waiter with {@code cause}; the first failure is kept. */
    public synchronized void fail(final Throwable cause)
    {
        if (failure == null)
        {
            failure = cause;
        }
        notifyAll();
    }

    /** Waits until pages of round {@code round} may be applied. */
    synchronized void awaitRound(final long round) throws IOException
    {
        await(round);
    }

    /** Waits until every channel has applied {@code rounds} rounds. */
    public synchronized void awaitAll(final long rounds) throws IOException
    {
        await(rounds);
    }

    private void await(final long rounds) throws IOException
    {
        while (true)
        {
            if (failure != null)
            {
                throw new IOException("page channel failed: " + RoleThreads.describe(failure), failure);
            }
            boolean ready = true;
            for (int c = 0; c < arrived.length; c++)
            {
                if (arrived[c] < rounds)
                {
                    if (ended[c])
                    {
                        throw new IOException("page channel " + c + " ended after " + arrived[c] + " rounds, " +
                            rounds + " were announced");
                    }
                    ready = false;
                }
            }
            if (ready)
            {
                return;
            }
            try
            {
                wait();
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted waiting for page channels at round " + rounds);
            }
        }
    }
}
