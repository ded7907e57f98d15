package io.livemig.migration.postcopy;

import io.livemig.kernel.FaultingGuest;
import io.livemig.stream.ChannelOutput;
import io.livemig.workload.PageGate;
import org.HdrHistogram.Histogram;

import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Post-copy with real page faults: the destination's memory is a {@link FaultingGuest} (userfaultfd MISSING
 * mode), so a vCPU touching a missing page blocks in the kernel rather than at a software gate ({@link
 * #vcpuGate()} is {@code null}). The guest's fault thread hands each fault to {@link #onFault}: a page still
 * absent (announced by DISCARD, not yet arrived) is requested on the return path through the same request
 * path as the software gate; a page not absent is one this destination holds as zero and was never sent, so
 * it is placed as zeros at once ({@code UFFDIO_ZEROPAGE}, no request). The stream reader places each arriving
 * page through the guest ({@code UFFDIO_COPY}, which wakes the waiters), then this gate's {@link #onPage}
 * clears the absent bit as the software gate does.
 *
 * <p>Fault latency, in the software gate's histogram form (microseconds): from the instant the fault
 * thread read the fault's message to the instant the page was placed (the reader's {@code onPage}, right
 * after {@code UFFDIO_COPY} returned). Several faults on one page count once, from the first message.
 *
 * <p>Thread-safety: {@link #onFault} on the guest's fault thread, {@link #onPage}/{@link #discard} on the
 * stream reader's thread, as the software gate's, and {@link #arrived} on both connections' readers. The first-fault instants are an atomic array: the fault
 * thread's compare-and-set and the reader's get-and-set order each page's record; a fault whose message is
 * read after its page was placed (the kernel had already woken it) leaves an instant no page event takes,
 * which is harmless: the page is not sent again.
 */
public final class KernelPostcopyGate extends PostcopyGate implements FaultingGuest.Handler
{
    private final FaultingGuest guest;
    private final AtomicLongArray faultNs;
    private final Histogram latency = new Histogram(HIGHEST_US, 3);
    /** Guarded by {@link #latency}: per connection ({@link #PUSH}, {@link #PREEMPT}). */
    private final Histogram[] latencyBy = {new Histogram(HIGHEST_US, 3), new Histogram(HIGHEST_US, 3)};

    public KernelPostcopyGate(final FaultingGuest guest, final int pageSize, final String block, final ChannelOutput rpOut)
    {
        super(guest.memory().pageCount(), pageSize, block, 1, rpOut);
        this.guest = guest;
        this.faultNs = new AtomicLongArray(Math.toIntExact(guest.memory().pageCount()));
        guest.start(this);
    }

    @Override
    public PageGate vcpuGate()
    {
        return null;
    }

    @Override
    public void discard(final long first, final long count)
    {
        super.discard(first, count);
        guest.discard(first, count);
    }

    @Override
    public void onFault(final long page, final long readNs)
    {
        if (isPresent(page))
        {
            guest.zeroIfMissing(page);
            return;
        }
        faultNs.compareAndSet((int)page, 0, readNs);
        request(page);
    }

    @Override
    public void arrived(final long page, final int connection)
    {
        super.arrived(page, connection);
        final long t0 = faultNs.getAndSet((int)page, 0);
        if (t0 != 0)
        {
            final long us = Math.min((System.nanoTime() - t0) / 1000, HIGHEST_US);
            synchronized (latency)
            {
                latency.recordValue(us);
                latencyBy[connection].recordValue(us);
            }
        }
    }

    @Override
    public void cancel()
    {
        super.cancel();
        guest.releaseWaiters();
    }

    @Override
    public Histogram mergedLatency()
    {
        final Histogram all = super.mergedLatency();
        synchronized (latency)
        {
            all.add(latency);
        }
        return all;
    }

    @Override
    public Histogram mergedLatencyBy(final int connection)
    {
        final Histogram all = super.mergedLatencyBy(connection);
        synchronized (latency)
        {
            all.add(latencyBy[connection]);
        }
        return all;
    }

    /** @return fault messages the kernel delivered. */
    long faultsRead()
    {
        return guest.faultsRead();
    }

    /** @return placements skipped as already there ({@code EEXIST}). */
    long placementsSkipped()
    {
        return guest.placementsSkipped();
    }
}
