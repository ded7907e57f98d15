package io.livemig.migration.destination;

import io.livemig.migration.link.RoleThreads;
import io.livemig.migration.postcopy.PostcopyGate;
import io.livemig.stream.ChannelInput;
import io.livemig.stream.PageStreamException;
import io.livemig.stream.read.PageStreamReader;

import java.io.IOException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The destination's end of post-copy's preempt connection ({@code io.livemig.migration.source.PreemptSender}
 * is the source's): a {@code migration-preempt} thread reads the connection's page stream (MEM_SIZE, the
 * requested pages, EOS, then the end) through a reader of its own and places each page through the same path
 * as the forward stream's reader (a plain store behind the software gate, or {@code UFFDIO_COPY} for kernel
 * faults), then tells the gate, which wakes the vCPUs waiting for it. Each page comes once, on one of the two
 * connections (the source claims it for one), so the two readers never write one page; this reader keeps no
 * written bits and applies every ZERO record. It reads nothing before POSTCOPY_RUN ({@link #begin}): nothing
 * may be requested earlier, so no page lands while pre-copy's reader still writes; a pre-copy migration's
 * connection must end with no page at all. A failure here fails the destination at once ({@code onFailure}).
 *
 * <p>Thread-safety: the destination's thread starts, awaits and finishes; the reading thread writes the
 * failure (volatile) and counts the latch down last, which orders its writes (pages, digests) before the
 * destination's checks at COMPLETE.
 */
final class PreemptReceiver implements Runnable
{
    /** How long the destination waits, after COMPLETE, for the EOS the source wrote before it, and for the end. */
    static final long END_TIMEOUT_MS = 30_000;

    private final DestinationSession s;
    private final ChannelInput in;
    private final PageStreamReader reader;
    private final Runnable onFailure;
    private final CountDownLatch begun = new CountDownLatch(1);
    private final CountDownLatch eosRead = new CountDownLatch(1);
    private volatile boolean postcopy;
    private final Thread thread;
    private volatile Throwable failure;

    PreemptReceiver(final DestinationSession session, final DestinationDigests digests, final Runnable onFailure)
    {
        this.s = session;
        this.in = new ChannelInput(session.link.destinationPreempt(), session.inputBufferBytes());
        this.reader = new PageStreamReader(in, session.memory);
        this.onFailure = onFailure;
        digests.attach(reader, PostcopyGate.PREEMPT);
        this.thread = new Thread(this, "migration-preempt");
        thread.setDaemon(true);
    }

    void start()
    {
        thread.start();
    }

    /**
     * The connection's pages may be applied from now on: at POSTCOPY_RUN, before the vCPUs resume, or at a
     * pre-copy COMPLETE, where the connection must bring none. Also on failure, so the thread ends.
     */
    void begin(final boolean postcopy)
    {
        if (begun.getCount() > 0) // the first call decides: the destination's thread makes every call
        {
            this.postcopy = postcopy;
            begun.countDown();
        }
    }

    @Override
    public void run()
    {
        try
        {
            begun.await(); // counted down by the destination's thread, on every path
            reader.readMemSize();
            if (reader.readIteration() < 0)
            {
                throw new PageStreamException(in.position(), "preempt connection ends before its EOS");
            }
            final long pages = reader.stats().totalPages();
            if (!postcopy && pages > 0)
            {
                throw new PageStreamException(0, pages + " pages on the preempt connection of a migration that " +
                    "never ran post-copy");
            }
            eosRead.countDown();
            if (!in.atEnd())
            {
                throw new PageStreamException(in.position(), "bytes after the preempt connection's EOS");
            }
        }
        catch (final Throwable t)
        {
            failure = t;
            eosRead.countDown();
            onFailure.run();
        }
    }

    /**
     * At COMPLETE: waits until this connection's EOS has been read, so every page requested is placed.
     *
     * @throws IOException if the connection failed, or brought no EOS within {@link #END_TIMEOUT_MS}.
     */
    void awaitEos() throws IOException
    {
        try
        {
            if (!eosRead.await(END_TIMEOUT_MS, TimeUnit.MILLISECONDS))
            {
                throw new IOException("preempt connection: no EOS within " + END_TIMEOUT_MS + " ms of COMPLETE");
            }
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while waiting for the preempt connection's EOS", ex);
        }
        check();
    }

    /**
     * At the end: waits for the reading thread (it ends with the connection, or when its input is closed).
     *
     * @throws IOException if the connection failed or did not end within {@link #END_TIMEOUT_MS}.
     */
    void finish() throws IOException
    {
        if (!RoleThreads.join(thread, END_TIMEOUT_MS))
        {
            throw new IOException("preempt connection did not end within " + END_TIMEOUT_MS + " ms of COMPLETE");
        }
        check();
    }

    /** Waits at most {@code ms} for the reading thread; an interrupt is restored after the wait. */
    void join(final long ms)
    {
        RoleThreads.join(thread, ms);
    }

    private void check() throws IOException
    {
        final Throwable f = failure;
        if (f != null)
        {
            throw f instanceof IOException io ? io :
                new IOException("preempt connection: " + RoleThreads.describe(f), f);
        }
    }

    /** @return why the connection failed, or null. */
    Throwable failure()
    {
        return failure;
    }

    /** @return this connection's reader, whose counters are the pages placed from it. */
    PageStreamReader reader()
    {
        return reader;
    }

    /** @return bytes read from this connection. */
    long position()
    {
        return in.position();
    }
}
