package io.livemig.migration;

import io.livemig.dirty.AtomicDirtyBitmap;
import io.livemig.stream.ChannelOutput;
import io.livemig.stream.PageKind;
import io.livemig.stream.PageStreamListener;
import io.livemig.stream.ReturnPathWriter;
import io.livemig.workload.PageGate;
import org.HdrHistogram.Histogram;

import java.io.IOException;
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
 * <p>Thread-safety: {@link #isPresent}/{@link #awaitPresent} from any number of vCPU threads (each with its
 * own index); {@link #onPage}, {@link #discard} from the stream reader's thread; requests and {@link #shut}
 * share the return path under its lock. Fault statistics are per vCPU and are merged under a per-vCPU lock
 * that only its own vCPU takes otherwise, so recording stays uncontended.
 *
 * <p>{@link KernelPostcopyGate} keeps this bookkeeping (absent pages, requests, SHUT) and lets the kernel do
 * the parking: its {@link #vcpuGate()} is {@code null}.
 */
class PostcopyGate implements PageGate, PageStreamListener
{
    static final long HIGHEST_US = 600_000_000L;

    private final AtomicDirtyBitmap absent;
    private final AtomicLongArray waiting;
    private final AtomicReferenceArray<Thread> threads;
    private final Histogram[] latency;
    private final ChannelOutput rpOut;
    private final ReturnPathWriter rp;
    private final String block;
    private final int pageSize;
    private boolean named;
    private volatile boolean cancelled;
    private volatile IOException requestFailure;

    /**
     * @param pageCount pages of the guest.
     * @param pageSize  bytes per page.
     * @param block     the RAM block's name, for the first request.
     * @param writers   vCPUs that may fault.
     * @param rpOut     the destination's end of the return path.
     */
    PostcopyGate(final long pageCount, final int pageSize, final String block, final int writers, final ChannelOutput rpOut)
    {
        this.absent = new AtomicDirtyBitmap(pageCount, 0);
        this.waiting = new AtomicLongArray(Math.max(1, writers));
        this.threads = new AtomicReferenceArray<>(Math.max(1, writers));
        this.latency = new Histogram[Math.max(1, writers)];
        for (int i = 0; i < latency.length; i++)
        {
            waiting.set(i, -1);
            latency[i] = new Histogram(HIGHEST_US, 3);
        }
        this.rpOut = rpOut;
        this.rp = new ReturnPathWriter(rpOut);
        this.block = block;
        this.pageSize = pageSize;
    }

    /** @return the gate the destination's vCPUs consult before each access: this, or {@code null} if the kernel gates. */
    PageGate vcpuGate()
    {
        return this;
    }

    /** Stream reader: pages {@code [first, first + count)} are stale here until they come again. */
    void discard(final long first, final long count)
    {
        for (long p = first, end = first + count; p < end; p++)
        {
            absent.mark(p);
        }
    }

    /** @return pages still missing (plain count; exact once the reader has stopped). */
    long missing()
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
        final long start = System.nanoTime();
        threads.set(writerIndex, Thread.currentThread());
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
        final long us = (System.nanoTime() - start) / 1000;
        final Histogram h = latency[writerIndex];
        synchronized (h) // uncontended: only this vCPU records here; the lock orders the merge's reads
        {
            h.recordValue(Math.min(us, HIGHEST_US));
        }
    }

    /** Asks the source for {@code page} on the return path; a failure cancels the gate. */
    final void request(final long page)
    {
        try
        {
            synchronized (rp)
            {
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
            requestFailure = ex;
            cancel();
        }
    }

    @Override
    public void onPage(final long page, final PageKind kind, final int wireBytes, final long streamOffset)
    {
        if (absent.testAndClear(page))
        {
            for (int i = 0, n = waiting.length(); i < n; i++)
            {
                if (waiting.get(i) == page)
                {
                    LockSupport.unpark(threads.get(i));
                }
            }
        }
    }

    /** Sends SHUT with {@code code} on the return path. */
    void shut(final int code) throws IOException
    {
        synchronized (rp)
        {
            rp.shut(code);
            rpOut.flush();
        }
    }

    /** Releases every parked vCPU without its page: only when the migration has failed. */
    void cancel()
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
    Histogram mergedLatency()
    {
        final Histogram all = new Histogram(HIGHEST_US, 3);
        for (final Histogram h : latency)
        {
            synchronized (h)
            {
                all.add(h);
            }
        }
        return all;
    }
}
