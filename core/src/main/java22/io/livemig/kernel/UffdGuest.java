package io.livemig.kernel;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import io.livemig.dirty.DirtyLog;
import io.livemig.dirty.DirtyMarker;
import io.livemig.memory.GuestMemory;

import static io.livemig.kernel.Userfaultfd.UFFDIO_API;
import static io.livemig.kernel.Userfaultfd.UFFDIO_REGISTER;
import static io.livemig.kernel.Userfaultfd.UFFDIO_REGISTER_MODE_WP;
import static io.livemig.kernel.Userfaultfd.UFFDIO_WRITEPROTECT;
import static io.livemig.kernel.Userfaultfd.UFFDIO_WRITEPROTECT_IOCTL_BIT;
import static io.livemig.kernel.Userfaultfd.UFFDIO_WRITEPROTECT_MODE_WP;
import static io.livemig.kernel.Userfaultfd.UFFD_API;

/**
 * What both userfaultfd trackers share: an anonymous mapping of the guest, a userfaultfd registered over it
 * in write-protect mode with the features the tracker asks for, the whole range protected from the start,
 * and guest memory over the mapping that marks no software log. {@link #close()} (also reached through the
 * guest memory's {@code close}) tears it down in the order that wakes any blocked writer: the tracker's own
 * threads first, then the userfaultfd (closing it releases every waiter), then the mapping.
 *
 * <p>Thread-safety: {@link #writeProtect} is for one thread at a time per guest (the harvesting thread;
 * the synchronous tracker's fault thread has its own scratch); see the subclasses.
 */
abstract class UffdGuest implements TrackedGuest
{
    /** Harvest orders: the correct one and the test double that protects again before it reads. */
    enum Harvest
    {
        /** Read what the kernel recorded, protecting each page again as (or after) it is read. */
        READ_THEN_PROTECT,
        /** A test double: protect again first, then read; the no-lost-write stress test must catch it. */
        PROTECT_THEN_READ
    }

    private static final long HUGE_PAGE = 2L << 20;

    final KernelTracker kind;
    final long base;
    final long size;
    final int pageShift;
    final int uffd;
    final Arena arena = Arena.ofShared();
    /** For the harvesting thread's calls. */
    final Libc.Errno errno = new Libc.Errno(arena);
    private final MemorySegment writeprotect = arena.allocate(Userfaultfd.uffdio_writeprotect);
    private final long mapBase;
    private final long mapLength;
    final GuestMemory memory;
    volatile Harvest harvest = Harvest.READ_THEN_PROTECT;
    /** Run by the {@link Harvest#PROTECT_THEN_READ} double between its protection and its read; tests widen the race. */
    volatile Runnable protectWindow;
    private boolean closed;

    /**
     * @param features {@code UFFDIO_API} features to enable (the probe has checked they are offered).
     * @param stores   {@code true} for {@link NativeStoreBuffer} regions (synchronous tracking).
     */
    UffdGuest(final KernelTracker kind, final String blockName, final long size, final int pageSize,
        final boolean hugePages, final long features, final boolean nativeStores, final boolean populate)
    {
        this.kind = kind;
        this.size = size;
        this.pageShift = Integer.numberOfTrailingZeros(pageSize);
        if (size <= 0 || pageSize < GuestMemory.MIN_PAGE_SIZE || Integer.bitCount(pageSize) != 1 || (size & (pageSize - 1)) != 0)
        {
            arena.close();
            throw new IllegalArgumentException("guest size must be a positive multiple of a power-of-two page size " +
                "of at least 4 KiB: " + size + " bytes, page " + pageSize);
        }
        // Over-map by a huge page so that the guest starts 2 MiB aligned and THP can back it when asked.
        mapLength = size + HUGE_PAGE;
        int fd = -1;
        long mapped = 0;
        try
        {
            mapped = Libc.mmap(errno, mapLength, Libc.PROT_READ | Libc.PROT_WRITE,
                Libc.MAP_PRIVATE | Libc.MAP_ANONYMOUS | Libc.MAP_NORESERVE | (populate ? Libc.MAP_POPULATE : 0));
            base = (mapped + HUGE_PAGE - 1) & -HUGE_PAGE;
            Libc.madvise(errno, base, size, hugePages ? Libc.MADV_HUGEPAGE : Libc.MADV_NOHUGEPAGE);
            fd = FfmKernelProvider.openUffd(errno);
            final MemorySegment api = arena.allocate(Userfaultfd.uffdio_api);
            Userfaultfd.uffdio_api_api.set(api, 0L, UFFD_API);
            Userfaultfd.uffdio_api_features.set(api, 0L, features);
            Libc.check(Libc.ioctl(errno, fd, UFFDIO_API, api), "ioctl(uffd, UFFDIO_API, features 0x" +
                Long.toHexString(features) + ")", errno);
            final MemorySegment register = arena.allocate(Userfaultfd.uffdio_register);
            Userfaultfd.uffdio_register_start.set(register, 0L, base);
            Userfaultfd.uffdio_register_len.set(register, 0L, size);
            Userfaultfd.uffdio_register_mode.set(register, 0L, UFFDIO_REGISTER_MODE_WP);
            Libc.check(Libc.ioctl(errno, fd, UFFDIO_REGISTER, register), "ioctl(uffd, UFFDIO_REGISTER, MODE_WP)", errno);
            if (((long)Userfaultfd.uffdio_register_ioctls.get(register, 0L) & UFFDIO_WRITEPROTECT_IOCTL_BIT) == 0)
            {
                throw new KernelUnavailableException(
                    kind.cliName() + " unavailable: UFFDIO_REGISTER offers no UFFDIO_WRITEPROTECT on anonymous memory");
            }
        }
        catch (final RuntimeException | Error ex)
        {
            if (fd >= 0)
            {
                Libc.close(errno, fd);
            }
            if (mapped != 0)
            {
                Libc.munmap(errno, mapped, mapLength);
            }
            arena.close();
            throw ex;
        }
        this.mapBase = mapped;
        this.uffd = fd;
        this.memory = GuestMemory.mapped(blockName, base, size, pageSize, DirtyMarker.NONE,
            nativeStores ? NativeStoreBuffer::new : org.agrona.concurrent.UnsafeBuffer::new, this::release);
        try
        {
            writeProtect(base, size, true);
        }
        catch (final RuntimeException ex)
        {
            memory.close();
            throw ex;
        }
    }

    /**
     * {@code UFFDIO_WRITEPROTECT} over {@code [address, address + length)}: protects, or removes the protection
     * and wakes the writers blocked on it. For the harvesting thread (one scratch struct).
     */
    final void writeProtect(final long address, final long length, final boolean protect)
    {
        writeProtect(writeprotect, errno, address, length, protect);
    }

    /** As {@link #writeProtect(long, long, boolean)} with the caller's own scratch, retrying on {@code EAGAIN}. */
    final void writeProtect(final MemorySegment scratch, final Libc.Errno err, final long address, final long length,
        final boolean protect)
    {
        Userfaultfd.uffdio_writeprotect_start.set(scratch, 0L, address);
        Userfaultfd.uffdio_writeprotect_len.set(scratch, 0L, length);
        Userfaultfd.uffdio_writeprotect_mode.set(scratch, 0L, protect ? UFFDIO_WRITEPROTECT_MODE_WP : 0L);
        int rc;
        while ((rc = Libc.ioctl(err, uffd, UFFDIO_WRITEPROTECT, scratch)) < 0 && err.get() == Errno.EAGAIN)
        {
            Thread.onSpinWait();
        }
        Libc.check(rc, "ioctl(uffd, UFFDIO_WRITEPROTECT, " + (protect ? "MODE_WP" : "0") + ", 0x" +
            Long.toHexString(address) + " +" + length + ")", err);
    }

    @Override
    public final KernelTracker kind()
    {
        return kind;
    }

    @Override
    public final GuestMemory memory()
    {
        return memory;
    }

    @Override
    public final void close()
    {
        memory.close();
    }

    /** Stops the tracker's own threads; called first by the teardown. */
    void stopThreads()
    {
    }

    /** Releases the tracker's other descriptors; called after the threads stopped, before the userfaultfd closes. */
    void closeDescriptors()
    {
    }

    private synchronized void release()
    {
        if (closed)
        {
            return;
        }
        closed = true;
        try
        {
            stopThreads();
            closeDescriptors();
        }
        finally
        {
            Libc.close(errno, uffd);
            Libc.munmap(errno, mapBase, mapLength);
            arena.close();
        }
    }

    @Override
    public String toString()
    {
        return kind.cliName() + "[" + size + " bytes at 0x" + Long.toHexString(base) + ", uffd " + uffd + "]";
    }

    /** @return the log, typed for the subclasses. */
    @Override
    public abstract DirtyLog log();
}
