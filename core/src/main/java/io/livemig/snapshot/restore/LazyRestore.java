package io.livemig.snapshot.restore;

import io.livemig.dirty.AtomicDirtyBitmap;
import io.livemig.kernel.FaultingGuest;
import io.livemig.memory.GuestMemory;
import io.livemig.snapshot.file.SnapshotPages;
import io.livemig.workload.PageGate;
import org.HdrHistogram.Histogram;

import java.io.IOException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.locks.LockSupport;

/**
 * Restores a guest lazily: its vCPUs resume at once and each page comes from the file on first touch, while a
 * prefetch thread ({@code snapshot-prefetch}) loads the rest, starting just after the most recent fault
 * (the pages near a fault tend to be touched next) and going round the guest from there.
 *
 * <h2>Two ways to fault</h2>
 * <ul>
 *   <li>Software ({@link #gate()}): the vCPUs consult this object before each access, as post-copy's software
 *   gate. A vCPU that finds its page absent claims it and loads it itself, on its own thread; if the prefetch
 *   thread (or another vCPU) has claimed it, it waits until the page is published.</li>
 *   <li>Kernel ({@link FaultingGuest}, userfaultfd MISSING): a vCPU touching a missing page blocks in the
 *   kernel; the guest's fault thread calls {@link #onFault}, which loads the page and places it with {@code
 *   UFFDIO_COPY}, waking the vCPU. A page the file holds as a hole is placed as zeros.</li>
 * </ul>
 *
 * <h2>Claims and publication</h2>
 * {@code pending} has a bit for each page of the file not yet claimed by a loader, {@code absent} one for each
 * not yet placed. A loader claims a page with {@code pending}'s atomic test-and-clear (one loader per page),
 * loads it, then clears its {@code absent} bit with an atomic operation, which publishes the bytes it stored:
 * a vCPU that reads the bit clear (a volatile read) sees them. Under the kernel the placement itself publishes
 * ({@code UFFDIO_COPY} maps the page with its bytes).
 *
 * <p>Fault latency (microseconds): software, from the vCPU's finding the page absent to its publication;
 * kernel, from the fault thread's reading the fault message to the page's placement, a hole's zeros included
 * (under the software gate a hole never faults: the fresh guest is zero).
 *
 * <p>Thread-safety: {@link #gate()}'s methods from every vCPU (each with its own index); {@link #onFault} on
 * the kernel's fault thread; the figures from any thread (histograms merge under their locks). {@link #start}
 * and {@link #close} by the owner.
 */
public final class LazyRestore implements FaultingGuest.Handler, AutoCloseable
{
    private static final long HIGHEST_US = 600_000_000L;
    private static final int SPINS = 1 << 10;

    private final SnapshotPages file;
    private final GuestMemory memory;
    private final FaultingGuest kernel;
    private final boolean verify;
    private final AtomicDirtyBitmap pending;
    private final AtomicDirtyBitmap absent;
    private final PageLoader[] vcpuLoaders;
    private final PageLoader faultLoader;
    private final Histogram[] latency;
    private final AtomicLongArray faultNs;
    private final Gate gate = new Gate();
    private final Thread prefetch;
    private volatile long hint = -1;
    private volatile Throwable failure;
    private volatile boolean closed;
    private volatile long completeNs;
    private final AtomicLong left = new AtomicLong();
    private long prefetched; // written by the prefetch thread only, read after its join or as a racy progress figure

    /**
     * @param file   the snapshot, checked.
     * @param memory the guest, of the file's shape, all zero (or missing, under the kernel).
     * @param kernel the memory's userfaultfd registration, or null for the software gate.
     * @param vcpus  vCPUs that may fault through the software gate.
     * @param verify check every page against its digest as it is loaded.
     */
    public LazyRestore(final SnapshotPages file, final GuestMemory memory, final FaultingGuest kernel,
        final int vcpus, final boolean verify)
    {
        this.file = file;
        this.memory = memory;
        this.kernel = kernel;
        this.verify = verify;
        final long pages = file.header().pages();
        final long[] present = file.presentWords();
        this.pending = AtomicDirtyBitmap.copyOf(pages, present); // both published by the final fields
        this.absent = AtomicDirtyBitmap.copyOf(pages, present);
        left.set(file.presentPages());
        final int n = Math.max(1, vcpus);
        this.vcpuLoaders = new PageLoader[kernel == null ? n : 0];
        for (int i = 0; i < vcpuLoaders.length; i++)
        {
            vcpuLoaders[i] = new PageLoader(file, memory, verify, 1); // a fault loads one page
        }
        this.faultLoader = kernel == null ? null : new PageLoader(file, memory, verify, 1);
        this.latency = new Histogram[kernel == null ? n : 1];
        for (int i = 0; i < latency.length; i++)
        {
            latency[i] = new Histogram(HIGHEST_US, 3);
        }
        this.faultNs = kernel == null ? null : new AtomicLongArray((int)pages);
        this.prefetch = new Thread(this::prefetchLoop, "snapshot-prefetch");
        this.prefetch.setDaemon(true);
    }

    /** @return the gate the vCPUs consult before each access, or null when the kernel faults them. */
    public PageGate gate()
    {
        return kernel == null ? gate : null;
    }

    /** Starts the prefetch thread and, under the kernel, the guest's fault thread. Once. */
    public void start()
    {
        start(true);
    }

    /**
     * Starts the guest's fault thread under the kernel and, if {@code prefetch}, the prefetch thread; without
     * it every page comes on first touch only, which measures the fault path alone. Once.
     */
    public void start(final boolean prefetch)
    {
        if (kernel != null)
        {
            kernel.start(this);
        }
        if (left.get() == 0)
        {
            completeNs = System.nanoTime();
        }
        if (prefetch)
        {
            this.prefetch.start();
        }
    }

    @Override
    public void onFault(final long page, final long readNs)
    {
        if (!file.isPresent(page))
        {
            kernel.zeroIfMissing(page); // a hole: zeros, as a fresh page
            record(0, (System.nanoTime() - readNs) / 1000); // a fault all the same, its zeros placed now
            return;
        }
        hint = page;
        faultNs.compareAndSet((int)page, 0, readNs);
        if (pending.testAndClear(page))
        {
            load(faultLoader, page, 1);
        }
        else if (!absent.isDirty(page))
        {
            faultNs.set((int)page, 0); // placed before its message was read: the guest wakes the vCPU once more
        }
        // else: the prefetch thread has claimed it; its placement wakes the vCPU and records the latency
    }

    /** Loads {@code count} pages from {@code first}, all claimed by the caller, and publishes them. */
    private void load(final PageLoader loader, final long first, final int count)
    {
        try
        {
            loader.load(first, count);
        }
        catch (final IOException | RuntimeException ex)
        {
            fail(ex);
            return;
        }
        for (int i = 0; i < count; i++)
        {
            final long p = first + i;
            if (faultNs != null)
            {
                // Recorded before the page counts as in: a caller that saw every page in sees its fault too.
                final long t0 = faultNs.getAndSet((int)p, 0);
                if (t0 != 0)
                {
                    record(0, (System.nanoTime() - t0) / 1000);
                }
            }
            if (absent.testAndClear(p) && left.decrementAndGet() == 0)
            {
                completeNs = System.nanoTime();
            }
        }
    }

    private void fail(final Throwable t)
    {
        if (failure == null)
        {
            failure = t;
        }
        if (kernel != null)
        {
            kernel.releaseWaiters();
        }
    }

    private void record(final int index, final long us)
    {
        final Histogram h = latency[index];
        synchronized (h)
        {
            h.recordValue(Math.min(us, HIGHEST_US));
        }
    }

    private void prefetchLoop()
    {
        final PageLoader loader = new PageLoader(file, memory, verify);
        final long pages = file.header().pages();
        long cursor = 0;
        long lastHint = -1;
        while (!closed && failure == null)
        {
            final long h = hint;
            if (h != lastHint)
            {
                lastHint = h;
                cursor = h + 1 < pages ? h + 1 : 0;
            }
            long p = pending.nextDirty(cursor);
            if (p < 0)
            {
                p = pending.nextDirty(0);
                if (p < 0)
                {
                    return; // every page claimed; each loader publishes its own
                }
            }
            int run = 0;
            while (run < loader.capacity && p + run < pages && pending.testAndClear(p + run))
            {
                run++;
            }
            if (run == 0)
            {
                cursor = p + 1; // a vCPU claimed it between the search and the claim
                continue;
            }
            load(loader, p, run);
            prefetched += run;
            cursor = p + run;
        }
    }

    /**
     * Waits until every page of the file is in the guest, the restore failed, or {@code timeoutMs} passed.
     *
     * @return whether every page is in.
     */
    public boolean awaitComplete(final long timeoutMs) throws InterruptedException
    {
        final long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        while (left.get() > 0 && failure == null && System.nanoTime() - deadline < 0)
        {
            Thread.sleep(1); // the prefetch thread, a vCPU or the fault thread is still loading
        }
        return left.get() == 0;
    }

    /** @return the first failure of a load (a read, a digest), or null. */
    public Throwable failure()
    {
        return failure;
    }

    /** @return {@link System#nanoTime()} when the last page was placed, or 0. */
    public long completeNs()
    {
        return completeNs;
    }

    /** @return pages the prefetch thread loaded (exact after {@link #awaitComplete}). */
    public long prefetched()
    {
        return prefetched;
    }

    /** @return every fault's latency (microseconds), merged into a new histogram. */
    public Histogram latency()
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

    /** Stops the prefetch thread (bounded wait) and releases vCPUs waiting at the gate. Idempotent. */
    @Override
    public void close() throws InterruptedException
    {
        closed = true;
        if (prefetch.isAlive())
        {
            prefetch.join(TimeUnit.SECONDS.toMillis(10)); // it stops at its next run of pages
        }
    }

    /** The software gate. */
    private final class Gate implements PageGate
    {
        @Override
        public boolean isPresent(final long page)
        {
            return !absent.isDirty(page);
        }

        @Override
        public void awaitPresent(final long page, final int writerIndex)
        {
            final long t0 = System.nanoTime();
            if (!absent.isDirty(page))
            {
                return;
            }
            hint = page;
            if (pending.testAndClear(page))
            {
                load(vcpuLoaders[writerIndex], page, 1);
            }
            else
            {
                for (int spins = 0; absent.isDirty(page) && failure == null && !closed; spins++)
                {
                    if (spins < SPINS)
                    {
                        Thread.onSpinWait();
                    }
                    else
                    {
                        LockSupport.parkNanos(10_000); // another loader's read of this page is in flight
                    }
                }
            }
            record(writerIndex, (System.nanoTime() - t0) / 1000);
        }
    }
}
