package io.livemig.migration.channel;

import io.livemig.dirty.AtomicDirtyBitmap;
import io.livemig.migration.link.RoleThreads;
import io.livemig.stream.ChannelOutput;
import io.livemig.stream.ChannelPartition;
import io.livemig.stream.write.PageStreamWriter;

import java.io.IOException;
import java.io.InterruptedIOException;

/**
 * One page channel's sending thread on the source (QEMU 9's multifd send thread): for each round the
 * migration thread {@link #startRound starts}, it drains the dirty bits of its own stripes of the migration
 * bitmap ({@link ChannelPartition}), sends each page through its own {@link PageStreamWriter} (zero
 * detection, XBZRLE and LZ4 run here, on this thread), ends the round with EOS and reports it done.
 *
 * <h2>Ownership, and why no write is lost</h2>
 * This thread is the only one that clears bits of its stripes during a round (the migration thread only
 * harvests the dirty log into the bitmap between rounds, which sets bits, atomically), and the only one that
 * reads and caches its pages: its XBZRLE cache holds exactly its pages, keyed by {@link
 * ChannelPartition#localPage}, so the cache rule (send and cache the same snapshot) holds as for one sender,
 * with no lock. Each bit is cleared by an atomic drain before the page is read ({@link
 * io.livemig.dirty.DirtyScanner}'s argument, per unit), so a vCPU write that races the read re-dirties the
 * page for a later round. Every stripe is whole bitmap words, so no two senders even share a word.
 *
 * <p>Thread-safety: {@link #startRound}, {@link #awaitRound} and {@link #stop} are the migration thread's;
 * they hand a round over through this object's monitor, which orders the harvest before the drain and the
 * round's writes before the migration thread reads the counters. {@link #writer()}'s stats may be read at
 * any time (see {@code PageStreamStats}).
 */
public final class ChannelSender implements Runnable
{
    private final int channel;
    private final ChannelPartition partition;
    private final AtomicDirtyBitmap bitmap;
    private final ChannelOutput out;
    private final PageStreamWriter writer;
    private final long[] batch = new long[ChannelPartition.STRIPE_PAGES];
    private long requested;
    private long done;
    private long round;
    private boolean allowXbzrle;
    private boolean stopped;
    private boolean memSizeSent;
    private Throwable failure;
    private volatile long cpuNanos;
    /** Pages processed so far, for progress; written by this thread, read by the migration thread. */
    private volatile long pages;

    public ChannelSender(final int channel, final ChannelPartition partition, final AtomicDirtyBitmap bitmap,
        final ChannelOutput out, final PageStreamWriter writer)
    {
        this.channel = channel;
        this.partition = partition;
        this.bitmap = bitmap;
        this.out = out;
        this.writer = writer;
    }

    public PageStreamWriter writer()
    {
        return writer;
    }

    public long pages()
    {
        return pages;
    }

    /** Hands round {@code value} to the thread. */
    public synchronized void startRound(final long value, final boolean xbzrle)
    {
        round = value;
        allowXbzrle = xbzrle;
        requested++;
        notifyAll();
    }

    /**
     * Waits up to {@code timeoutMs} (0: not at all) for the round started last to be sent and flushed.
     *
     * @return whether it was.
     * @throws IOException if the sender failed.
     */
    public synchronized boolean awaitRound(final long timeoutMs) throws IOException
    {
        if (timeoutMs > 0 && done < requested && failure == null)
        {
            try
            {
                wait(timeoutMs);
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted waiting for page channel " + channel);
            }
        }
        if (failure != null)
        {
            throw new IOException("page channel " + channel + ": " + RoleThreads.describe(failure), failure);
        }
        return done == requested;
    }

    /** Ends the thread after the round in progress (or at once if it waits). */
    public synchronized void stop()
    {
        stopped = true;
        notifyAll();
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
            while (true)
            {
                final long r;
                final boolean xbzrle;
                synchronized (this)
                {
                    while (done == requested && !stopped)
                    {
                        wait();
                    }
                    if (stopped)
                    {
                        return;
                    }
                    r = round;
                    xbzrle = allowXbzrle;
                }
                sendRound(r, xbzrle);
                synchronized (this)
                {
                    done++;
                    notifyAll();
                }
            }
        }
        catch (final Throwable t)
        {
            synchronized (this)
            {
                failure = t;
                notifyAll();
            }
        }
    }

    private void sendRound(final long r, final boolean xbzrle) throws IOException
    {
        final PageStreamWriter writer = this.writer;
        if (!memSizeSent)
        {
            writer.writeMemSize();
            memSizeSent = true;
        }
        writer.startRound(r);
        final long[] batch = this.batch;
        long sent = pages;
        long start;
        for (long i = 0; (start = partition.stripeStart(channel, i)) >= 0; i++)
        {
            final long end = Math.min(start + ChannelPartition.STRIPE_PAGES, partition.pageCount());
            // One drain takes the whole stripe: each bit is cleared before its page is read.
            final int n = bitmap.drain(start, end, batch, 0);
            for (int k = 0; k < n; k++)
            {
                writer.writePage(batch[k], xbzrle);
            }
            sent += n;
            pages = sent;
        }
        writer.writeEos();
        out.flush();
    }
}
