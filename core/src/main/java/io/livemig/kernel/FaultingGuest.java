package io.livemig.kernel;

import io.livemig.memory.GuestMemory;
import io.livemig.memory.PagePlacer;

/**
 * A post-copy destination's guest memory whose page faults the kernel delivers: an {@code mmap}'d mapping
 * registered with a userfaultfd in MISSING mode. A thread that touches a page not yet placed blocks in the
 * kernel; this object's fault thread reads the fault message and hands the page to a {@link Handler} (which
 * requests it from the source); the page stream reader then places it ({@link PagePlacer}, {@code
 * UFFDIO_COPY} or {@code UFFDIO_ZEROPAGE}), which wakes every thread blocked on it.
 *
 * <p>Every access to {@link #memory()} by a thread other than the placer's is a native call ({@code memcpy},
 * {@code memset}): a thread blocked in a MISSING fault is then "in native" and never holds up a safepoint,
 * so a garbage collection while vCPUs wait cannot deadlock with the fault thread (see the implementation's
 * javadoc for the whole argument).
 *
 * <p>Every fault message the fault thread reads is answered by a wake once its page is there, whoever placed
 * it and whenever: a placement's own wake can miss a waiter whose message is read just after it (a benchmark run
 * hung on that), so a handler need not wake anything itself.
 *
 * <p>Thread-safety: placement from any number of threads (different pages); {@link #start} once; {@link
 * #releaseWaiters} and {@link #close} from the owner. Ordering: see {@link PagePlacer}.
 */
public interface FaultingGuest extends PagePlacer, AutoCloseable
{
    /** What the fault thread does with each fault: called on the fault thread, must not block for long. */
    @FunctionalInterface
    interface Handler
    {
        /**
         * @param page   the guest page a thread faulted on.
         * @param readNs {@link System#nanoTime()} when the fault message was read.
         */
        void onFault(long page, long readNs);
    }

    /** @return the guest memory over the mapping; its {@link GuestMemory#placer()} is this object. */
    GuestMemory memory();

    /** Starts the fault thread, which calls {@code handler} for each fault message. */
    void start(Handler handler);

    /**
     * Places a page of zeros only if the page is missing (for a fault on a page that this destination has as
     * zero, never sent); a page already there, however it got there, is left as it is.
     */
    void zeroIfMissing(long page);

    /**
     * Makes pages {@code [first, first + count)} missing again ({@code MADV_DONTNEED}): their bytes here are
     * stale, the next touch faults and a later placement places them anew (post-copy's DISCARD). From the first
     * discard on, a page already placed is never placed again (the second placement is skipped as {@code
     * EEXIST}): a vCPU may have written it.
     */
    void discard(long first, long count);

    /**
     * Only when the migration failed, or its vCPUs must stop regardless: stops the fault thread and unregisters
     * the memory, which wakes every blocked thread; the pages they wait for then read as zeros.
     */
    @Override
    void releaseWaiters();

    /** @return fault messages read so far. */
    long faultsRead();

    /** @return placements skipped because the page was already there ({@code EEXIST}). */
    long placementsSkipped();

    /** Stops the fault thread, closes the userfaultfd and unmaps the memory. Idempotent. */
    @Override
    void close();
}
