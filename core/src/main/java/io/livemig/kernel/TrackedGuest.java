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

    /** Stops the fault thread, closes the userfaultfd and unmaps the memory. Idempotent. */
    @Override
    void close();
}
