package io.livemig.migration.source;

import io.livemig.memory.GuestMemory;
import io.livemig.migration.link.MigrationLink;
import io.livemig.migration.link.RoleThreads;
import io.livemig.migration.postcopy.RequestQueue;
import io.livemig.migration.wire.PageDigests;
import io.livemig.migration.wire.ReceivedBitmap;
import io.livemig.stream.ChannelInput;
import io.livemig.stream.returnpath.ReturnPathMessage;
import io.livemig.stream.returnpath.ReturnPathReader;

import java.io.IOException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * The source's end of the return path: the {@code migration-return-path} thread of the current link reads
 * (after a post-copy cut, first the destination's {@link ReceivedBitmap}) page requests into the {@link
 * RequestQueue}, or with a preempt connection straight to {@link PreemptSender}, then SHUT, then with digests on the destination's {@link PageDigests}.
 *
 * <p>Thread-safety: the reading thread writes the SHUT code, its instant, the digests, the received bitmap and
 * a failure, each volatile; the migration thread reads them. {@link #start} and {@link #join} are the
 * migration thread's. A new link's {@link #start} forgets the previous link's SHUT and failure.
 */
final class SourceReturnPath
{
    private final GuestMemory memory;
    private final RequestQueue requests;
    private final PreemptSender preempt;
    private final boolean digests;
    private final Runnable onRequest;
    private Thread thread;
    private volatile long shutNs;
    private volatile int shutCode = -1;
    /** The destination's SHUT 0 has been read: it holds every page and the device state, and owns the guest. */
    private volatile boolean acked;
    private volatile Throwable failure;
    private volatile long[] peerDigests;
    private volatile long[] receivedBitmap;
    private CountDownLatch receivedBitmapRead = new CountDownLatch(0);

    /**
     * @param preempt   where requests are served at once, on the preempt connection; null: into {@code requests}.
     * @param onRequest run on this thread for each well-formed page request, before it is served.
     */
    SourceReturnPath(final GuestMemory memory, final RequestQueue requests, final PreemptSender preempt,
        final boolean digests, final Runnable onRequest)
    {
        this.memory = memory;
        this.requests = requests;
        this.preempt = preempt;
        this.digests = digests;
        this.onRequest = onRequest;
    }

    /** Starts reading {@code on}'s return path; after a cut ({@code bitmapFirst}) it first reads the received bitmap. */
    void start(final MigrationLink on, final boolean bitmapFirst)
    {
        shutCode = -1;
        shutNs = 0;
        failure = null;
        peerDigests = null;
        receivedBitmap = null;
        receivedBitmapRead = new CountDownLatch(bitmapFirst ? 1 : 0);
        final CountDownLatch read = receivedBitmapRead;
        thread = new Thread(() -> read(on, bitmapFirst, read), "migration-return-path");
        thread.setDaemon(true);
        thread.start();
    }

    /** Waits for the reading thread to end: at SHUT, or when its link failed or was closed. */
    void join()
    {
        if (thread != null)
        {
            RoleThreads.join(thread);
        }
    }

    /** @throws IllegalStateException if the destination failed (SHUT other than 0) or the return path broke. */
    void check()
    {
        final int code = shutCode;
        final Throwable f = failure;
        if (code > 0 || f != null)
        {
            throw new IllegalStateException("destination failed during migration (SHUT " + code + ")" +
                (f == null ? "" : ": " + f.getMessage()));
        }
    }

    /** @return the SHUT code read, -1 before SHUT. */
    int shutCode()
    {
        return shutCode;
    }

    /** @return when SHUT was read (System.nanoTime), 0 before. */
    long shutNs()
    {
        return shutNs;
    }

    /** @return whether the destination acknowledged every page and the device state (SHUT 0). */
    boolean acked()
    {
        return acked;
    }

    /** Records an acknowledgement this side did not read: in one process, the destination ended successfully. */
    void assumeAcked()
    {
        acked = true;
        shutCode = 0;
    }

    /** @return why the return path failed, or null. */
    Throwable failure()
    {
        return failure;
    }

    /** @return the destination's digests, read after SHUT 0 with digests on; null before. */
    long[] peerDigests()
    {
        return peerDigests;
    }

    /**
     * After a cut: waits until the new return path brought the destination's received bitmap.
     *
     * @param peerFailed whether the destination has ended (in one process), so that no bitmap will come.
     * @return the bitmap.
     * @throws IOException past the deadline, when the destination failed, or when the return path ended first.
     */
    long[] awaitReceivedBitmap(final long deadlineNs, final long pollNs, final BooleanSupplier peerFailed)
        throws IOException
    {
        try
        {
            while (!receivedBitmapRead.await(Math.max(0, Math.min(deadlineNs - System.nanoTime(), pollNs)),
                TimeUnit.NANOSECONDS))
            {
                if (peerFailed.getAsBoolean())
                {
                    throw new IOException("the destination failed instead of taking the new link");
                }
                if (deadlineNs - System.nanoTime() <= 0)
                {
                    throw new IOException("no received bitmap from the destination within the recover timeout");
                }
            }
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while waiting for the received bitmap", ex);
        }
        final long[] held = receivedBitmap;
        if (held == null)
        {
            final Throwable f = failure;
            throw new IOException("return path of the new link: " + (f == null ? "ended" : RoleThreads.describe(f)), f);
        }
        return held;
    }

    private void read(final MigrationLink on, final boolean bitmapFirst, final CountDownLatch bitmapRead)
    {
        final ChannelInput in = new ChannelInput(on.sourceIn(), 4096);
        final ReturnPathReader reader = new ReturnPathReader(in);
        final long size = memory.size();
        final int pageSize = memory.pageSize();
        try
        {
            if (bitmapFirst)
            {
                receivedBitmap = ReceivedBitmap.read(in, memory.pageCount());
                bitmapRead.countDown();
            }
            ReturnPathMessage m;
            while ((m = reader.read()) != null)
            {
                if (m.isPageRequest())
                {
                    final long offset = m.offset();
                    final long length = m.byteLength() & 0xFFFF_FFFFL;
                    if (!memory.blockName().equals(m.block()) || (offset & (pageSize - 1)) != 0 || length == 0 ||
                        offset < 0 || offset >= size || length > size - offset)
                    {
                        throw new IOException("bad page request at return-path offset " + m.streamOffset() + ": " + m);
                    }
                    onRequest.run();
                    for (long p = offset / pageSize, end = (offset + length + pageSize - 1) / pageSize; p < end; p++)
                    {
                        if (preempt != null)
                        {
                            preempt.request(p);
                        }
                        else
                        {
                            requests.offer(p);
                        }
                    }
                }
                else
                {
                    shutNs = System.nanoTime();
                    shutCode = m.errorCode();
                    acked = shutCode == 0;
                    if (shutCode == 0 && digests)
                    {
                        peerDigests = PageDigests.read(in, pageSize, memory.pageCount());
                    }
                    return;
                }
            }
            throw new IOException("return path ended without SHUT");
        }
        catch (final Throwable t)
        {
            failure = t;
        }
        finally
        {
            bitmapRead.countDown();
        }
    }
}
