package io.livemig.migration.postcopy;

import io.livemig.dirty.AtomicDirtyBitmap;
import io.livemig.migration.wire.PageDigests;
import io.livemig.migration.wire.ReceivedBitmap;
import io.livemig.stream.ChannelOutput;
import io.livemig.stream.PageKind;
import io.livemig.stream.PageStreamListener;
import io.livemig.stream.returnpath.ReturnPathWriter;
import io.livemig.workload.PageGate;
import org.HdrHistogram.Histogram;

import java.io.IOException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.locks.LockSupport;

/**
 * The destination's side of post-copy: which pages are still missing, the software page fault that parks
 * a vCPU touching one, the page request on the return path, and the wake-up when the page is placed. It
 * plays the part of userfaultfd and QEMU's postcopy fault thread.
 *
 * <h2>Park and resume</h2>
 * A missing page has its bit set in {@code absent}. A vCPU that finds the bit set (a fault) publishes the
 * page it waits for in its own slot of {@code waiting} (volatile), re-reads the bit, requests the page if
 * it is still missing and parks until the bit is clear. The stream reader applies the page, then (from
 * {@link #onPage}) clears the bit with an atomic operation and reads every vCPU's slot, unparking those
 * waiting for it. All these accesses are volatile, so they fall in one total order: either the reader's
 * slot read sees the vCPU's page (and unparks it), or the vCPU's re-read comes after the clear (and it does
 * not park). No wake-up is lost; spurious ones are absorbed by the park loop. The clear is also what
 * publishes the page's bytes, stored plainly by the reader before it: a vCPU that sees the bit clear sees
 * the bytes.
 *
 * <h2>Paused post-copy</h2>
 * When the migration may recover ({@link #recoverable}), a page request that fails because the link was cut
 * does not release the vCPUs: they stay parked on their missing pages while the others run on, until the
 * link is replaced ({@link #reattach}), the source resends every page still absent and the pages come.
 * {@link #reattach} swaps the return path under the same lock the requests take, then asks again for every
 * page a vCPU waits for, so those come first. From the first {@link #pause} on, each fault's latency is also
 * recorded apart by whether it ended before the cut or after it, so the cost of the pause is visible.
 *
 * <h2>The end of the return path</h2>
 * After SHUT the source reads only the digest block ({@link #writeDigests}), so nothing else may follow SHUT.
 * A vCPU can be late with its request: it saw its page absent, and before its request takes the lock the page
 * arrives, post-copy completes and SHUT is written. Such a request is dropped, not written (SHUT 0 says
 * every page is here; after SHUT 1 the vCPUs are released without their pages). SHUT, the digest block and
 * the requests are all written under one lock, so a request never lands inside the block either.
 *
 * <p>Thread-safety: {@link #isPresent}/{@link #awaitPresent} from any number of vCPU threads (each with its
 * own index); {@link #onPage}, {@link #discard}, {@link #pause}, {@link #reattach} from the stream reader's
 * thread, and {@link #arrived} from the readers of both connections when post-copy has a preempt connection
 * (each page arrives once: the source claims it for one connection; the atomic clear would absorb a second); requests, {@link #shut} and {@link #writeDigests} share the return path under its lock. Fault
 * statistics are per vCPU and are merged under a per-vCPU lock that only its own vCPU takes otherwise, so
 * recording stays uncontended.
 *
 * <p>{@link KernelPostcopyGate} keeps this bookkeeping (absent pages, requests, SHUT) and lets the kernel do
 * the parking: its {@link #vcpuGate()} is {@code null}.
 */
public class PostcopyGate implements PageGate, PageStreamListener
{
    static final long HIGHEST_US = 600_000_000L;
    /** The connection a page came on: the forward stream (the push, or every page without preempt). */
    public static final int PUSH = 0;
    /** The connection a page came on: post-copy's preempt connection (requested pages only). */
    public static final int PREEMPT = 1;

    private final AtomicDirtyBitmap absent;
    private final AtomicLongArray waiting;
    private final AtomicReferenceArray<Thread> threads;
    private final Histogram[] latency;
    private final Histogram[] latencyBeforeCut;
    private final Histogram[] latencyAfterCut;
    /** Per connection ({@link #PUSH}, {@link #PREEMPT}), per vCPU: faults whose page came on that connection. */
    private final Histogram[][] latencyBy;
    /**
     * Per vCPU: the connection whose page ended its current wait, -1 while unknown. The reader sets it before it
     * unparks the vCPU and the vCPU reads it after its wait (volatile accesses of one atomic array): a vCPU woken
     * by an arrival sees the connection; one that never waited sees -1 and is counted in neither.
     */
    private final AtomicIntegerArray servedBy;
    private final Object rpLock = new Object();
    private ChannelOutput rpOut; // guarded by rpLock
    private ReturnPathWriter rp; // guarded by rpLock
    private final String block;
    private final int pageSize;
    private boolean named; // guarded by rpLock
    private boolean shutWritten; // guarded by rpLock
    private volatile boolean cancelled;
    private volatile boolean recoverable;
    /** vCPUs inside {@link #awaitPresent}: a woken one counts until its fault is recorded. */
    private final AtomicInteger faulting = new AtomicInteger();
    private volatile long cutNs;
    private volatile long lostRequests;
    private volatile IOException requestFailure;

    /**
     * @param pageCount pages of the guest.
     * @param pageSize  bytes per page.
     * @param block     the RAM block's name, for the first request.
     * @param writers   vCPUs that may fault.
     * @param rpOut     the destination's end of the return path.
     */
    public PostcopyGate(final long pageCount, final int pageSize, final String block, final int writers, final ChannelOutput rpOut)
    {
        this.absent = new AtomicDirtyBitmap(pageCount, 0);
        this.waiting = new AtomicLongArray(Math.max(1, writers));
        this.threads = new AtomicReferenceArray<>(Math.max(1, writers));
        this.latency = new Histogram[Math.max(1, writers)];
        this.latencyBeforeCut = new Histogram[latency.length];
        this.latencyAfterCut = new Histogram[latency.length];
        this.latencyBy = new Histogram[2][latency.length];
        this.servedBy = new AtomicIntegerArray(latency.length);
        for (int i = 0; i < latency.length; i++)
        {
            waiting.set(i, -1);
            latencyBy[PUSH][i] = new Histogram(HIGHEST_US, 3);
            latencyBy[PREEMPT][i] = new Histogram(HIGHEST_US, 3);
            latency[i] = new Histogram(HIGHEST_US, 3);
            latencyBeforeCut[i] = new Histogram(HIGHEST_US, 3);
            latencyAfterCut[i] = new Histogram(HIGHEST_US, 3);
        }
        this.rpOut = rpOut;
        this.rp = new ReturnPathWriter(rpOut);
        this.block = block;
        this.pageSize = pageSize;
    }

    /** @return the gate the destination's vCPUs consult before each access: this, or {@code null} if the kernel gates. */
    public PageGate vcpuGate()
    {
        return this;
    }

    /** Stream reader: pages {@code [first, first + count)} are stale here until they come again. */
    public void discard(final long first, final long count)
    {
        for (long p = first, end = first + count; p < end; p++)
        {
            absent.mark(p);
        }
    }

    /**
     * Waits, at most {@code timeoutMs}, until every vCPU that entered a fault has left it and recorded its latency:
     * once every page is present, a vCPU woken by the last arrivals may not have run yet, and figures read before
     * it does would miss its fault. Returns at once while pages are missing (a parked vCPU would not leave).
     *
     * @return whether none is left inside a fault.
     */
    public boolean awaitRecorded(final long timeoutMs) throws InterruptedException
    {
        final long deadline = System.nanoTime() + timeoutMs * 1_000_000L;
        while (faulting.get() > 0 && absent.cardinality() == 0 && System.nanoTime() - deadline < 0)
        {
            Thread.sleep(1);
        }
        return faulting.get() == 0;
    }

    /** @return pages still missing (plain count; exact once the reader has stopped). */
    public long missing()
    {
        return absent.cardinality();
    }

    @Override
    public boolean isPresent(final long page)
    {
        return !absent.isDirty(page);
    }

    @Override
    public void awaitPresent(final long page, final int writerIndex)
    {
        faulting.incrementAndGet();
        try
        {
            faultAndRecord(page, writerIndex);
        }
        finally
        {
            faulting.decrementAndGet();
        }
    }

    private void faultAndRecord(final long page, final int writerIndex)
    {
        final long start = System.nanoTime();
        threads.set(writerIndex, Thread.currentThread());
        servedBy.set(writerIndex, -1);
        waiting.set(writerIndex, page);
        if (absent.isDirty(page))
        {
            request(page);
            while (absent.isDirty(page) && !cancelled)
            {
                LockSupport.park(this);
            }
        }
        waiting.set(writerIndex, -1);
        final long end = System.nanoTime();
        final long us = Math.min((end - start) / 1000, HIGHEST_US);
        final long cut = cutNs;
        final Histogram h = latency[writerIndex];
        final int by = servedBy.get(writerIndex);
        synchronized (h) // uncontended: only this vCPU records here; the lock orders the merge's reads
        {
            h.recordValue(us);
            if (by >= 0)
            {
                latencyBy[by][writerIndex].recordValue(us);
            }
            if (cut != 0)
            {
                // Racy against the pause by design: a fault ending at the instant of the cut goes to either side.
                (end - cut >= 0 ? latencyAfterCut : latencyBeforeCut)[writerIndex].recordValue(us);
            }
            else
            {
                latencyBeforeCut[writerIndex].recordValue(us);
            }
        }
    }

    /** Asks the source for {@code page} on the return path; a failure cancels the gate. */
    final void request(final long page)
    {
        try
        {
            synchronized (rpLock)
            {
                if (shutWritten)
                {
                    return; // late: after SHUT 0 the page is here, after SHUT 1 the vCPUs are released
                }
                if (named)
                {
                    rp.requestPages(page * pageSize, pageSize);
                }
                else
                {
                    rp.requestPages(block, page * pageSize, pageSize);
                    named = true;
                }
                rpOut.flush();
            }
        }
        catch (final IOException ex)
        {
            if (recoverable)
            {
                // The link is cut: the page comes after recovery, which resends every absent page.
                lostRequests++; // benign race between vCPUs: a count for the result only
                return;
            }
            requestFailure = ex;
            cancel();
        }
    }

    /** A cut may be recovered from: a failed request leaves the vCPU parked instead of releasing it. */
    public void recoverable(final boolean on)
    {
        recoverable = on;
    }

    /** The link was cut at {@code nowNs}: the first cut splits the fault latencies into before and after. */
    public void pause(final long nowNs)
    {
        if (cutNs == 0)
        {
            cutNs = nowNs == 0 ? 1 : nowNs;
        }
    }

    /**
     * Takes the new link's return path: sends the received bitmap on it, then asks again for each page a
     * vCPU waits for.
     *
     * @param out the return path of the new link.
     */
    public void reattach(final ChannelOutput out) throws IOException
    {
        synchronized (rpLock)
        {
            rpOut = out;
            rp = new ReturnPathWriter(out);
            named = false;
            ReceivedBitmap.write(out, absent.pageCount(), held());
        }
        for (int i = 0, n = waiting.length(); i < n; i++)
        {
            final long page = waiting.get(i);
            if (page >= 0 && absent.isDirty(page))
            {
                request(page);
            }
        }
    }

    /** @return one bit per page, set where the page is here (the complement of the absent bits). */
    private long[] held()
    {
        final long pages = absent.pageCount();
        final long[] held = new long[ReceivedBitmap.words(pages)];
        for (int i = 0; i < held.length; i++)
        {
            held[i] = ~absent.orWord(i, 0); // OR of nothing: an atomic read of the word
        }
        final int tail = (int)(pages & 63);
        if (tail != 0)
        {
            held[held.length - 1] &= (1L << tail) - 1;
        }
        return held;
    }

    /** @return page requests lost to a cut (sent again after recovery). */
    public long lostRequests()
    {
        return lostRequests;
    }

    /** A page came on the forward stream ({@link #PUSH}); see {@link #arrived}. */
    @Override
    public void onPage(final long page, final PageKind kind, final int wireBytes, final long streamOffset)
    {
        arrived(page, PUSH);
    }

    /** @return the listener of the reader of {@code connection} ({@link #PUSH} or {@link #PREEMPT}). */
    public PageStreamListener listener(final int connection)
    {
        return connection == PUSH ? this : (page, kind, wireBytes, streamOffset) -> arrived(page, connection);
    }

    /**
     * A reader placed {@code page}, which came on {@code connection}: the page is present from now on, and the
     * vCPUs waiting for it wake. Readers of different connections may call this at the same time.
     */
    public void arrived(final long page, final int connection)
    {
        if (absent.testAndClear(page))
        {
            for (int i = 0, n = waiting.length(); i < n; i++)
            {
                if (waiting.get(i) == page)
                {
                    servedBy.set(i, connection);
                    LockSupport.unpark(threads.get(i));
                }
            }
        }
    }

    /**
     * Sends SHUT with {@code code} on the return path. From then on page requests are dropped (see "The end of
     * the return path").
     */
    public void shut(final int code) throws IOException
    {
        synchronized (rpLock)
        {
            shutWritten = true;
            rp.shut(code);
            rpOut.flush();
        }
    }

    /**
     * After {@link #shut SHUT 0}: sends the destination's page digests, the return path's last bytes, under
     * the lock the requests take, so that no late request can write into the block.
     */
    public void writeDigests(final int pageSize, final long[] digests) throws IOException
    {
        synchronized (rpLock)
        {
            PageDigests.write(rpOut, pageSize, digests);
            rpOut.flush();
        }
    }

    /** Releases every parked vCPU without its page: only when the migration has failed. */
    public void cancel()
    {
        cancelled = true;
        for (int i = 0; i < threads.length(); i++)
        {
            final Thread t = threads.get(i);
            if (t != null)
            {
                LockSupport.unpark(t);
            }
        }
    }

    /** @return the failure of a page request, or {@code null}. */
    IOException requestFailure()
    {
        return requestFailure;
    }

    /** @return every vCPU's fault latencies (microseconds) so far, in one new histogram. */
    public Histogram mergedLatency()
    {
        return merge(latency);
    }

    /**
     * @param afterCut the faults that ended after the first cut, else those that ended before it.
     * @return every vCPU's fault latencies (microseconds) on that side of the first cut, in one new histogram.
     */
    public Histogram mergedLatency(final boolean afterCut)
    {
        return merge(afterCut ? latencyAfterCut : latencyBeforeCut);
    }

    /**
     * @param connection {@link #PUSH} or {@link #PREEMPT}.
     * @return the latencies (microseconds) of the faults whose page came on that connection, in one new histogram
     *         (a fault whose page was already placed when it looked is in neither).
     */
    public Histogram mergedLatencyBy(final int connection)
    {
        return merge(latencyBy[connection]);
    }

    private Histogram merge(final Histogram[] perVcpu)
    {
        final Histogram all = new Histogram(HIGHEST_US, 3);
        for (int i = 0; i < perVcpu.length; i++)
        {
            synchronized (latency[i]) // the lock its vCPU records under
            {
                all.add(perVcpu[i]);
            }
        }
        return all;
    }
}
