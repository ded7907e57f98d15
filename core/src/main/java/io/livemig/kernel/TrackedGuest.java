package io.livemig.kernel;

import io.livemig.dirty.DirtyLog;
import io.livemig.memory.GuestMemory;

/**
 * Guest memory whose writes the kernel tracks: an {@code mmap}'d mapping registered with a userfaultfd in
 * write-protect mode, seen as a {@link GuestMemory} whose write paths mark nothing, and the {@link DirtyLog}
 * whose {@link DirtyLog#harvestInto} asks the kernel which pages were written and protects them again.
 *
 * <p>Thread-safety: {@link #memory()} and {@link #log()} are as thread-safe as their classes say (the log's
 * harvest is for one migration thread at a time). {@link #close()} is for the owner once every user has
 * stopped: it stops the fault thread, if any, closes the userfaultfd and unmaps the memory.
 */
public interface TrackedGuest extends AutoCloseable
{
    /** @return which kernel tracker this is. */
    KernelTracker kind();

    /** @return the guest memory over the mapping; its marker is {@link io.livemig.dirty.DirtyMarker#NONE}. */
    GuestMemory memory();

    /** @return the log that the kernel fills; one bit per page of {@link #memory()}. */
    DirtyLog log();

    /** @return write faults that a thread of ours served so far (0 for the asynchronous tracker). */
    long faultsServed();

    /**
     * What the fault thread of a synchronous write-protect tracker ({@link KernelTracker#UFFD_WP}) does with a
     * page before it lets the blocked writer's store happen: the page still holds what it held before that
     * store. Copy-before-write, for a background snapshot (QEMU's {@code background-snapshot}).
     */
    @FunctionalInterface
    interface WriteHook
    {
        /** Called on the fault thread, with the writer of {@code page} blocked; must not block for long. */
        void beforeWrite(long page);
    }

    /**
     * Installs {@code hook} (null removes it): from now on the fault thread calls it for every write fault,
     * before it un-protects the page. A fault read before the call may still be served without it.
     *
     * @throws UnsupportedOperationException unless this is the synchronous tracker, {@link KernelTracker#UFFD_WP}.
     */
    default void beforeWrite(final WriteHook hook)
    {
        throw new UnsupportedOperationException(kind().cliName() + " has no fault thread that holds a writer");
    }

    /**
     * Protects every page ({@code on}) or removes the protection from every page: a background snapshot protects
     * the whole guest at its instant (a page left writable by an earlier {@code protectAll(false)} is not in the
     * log, so a harvest would not protect it) and lifts the protection at its end, as QEMU stops its write
     * tracking, so that the writers run at full speed again. The log misses the writes made while the guest is
     * unprotected.
     *
     * @throws UnsupportedOperationException unless this is the synchronous tracker, {@link KernelTracker#UFFD_WP}.
     */
    default void protectAll(final boolean on)
    {
        throw new UnsupportedOperationException(kind().cliName() + " is not the synchronous write-protect tracker");
    }

    /** Stops the fault thread, closes the userfaultfd and unmaps the memory. Idempotent. */
    @Override
    void close();
}
