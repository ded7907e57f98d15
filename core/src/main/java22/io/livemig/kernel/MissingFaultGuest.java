package io.livemig.kernel;

import java.lang.foreign.Arena;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import io.livemig.dirty.AtomicDirtyBitmap;
import io.livemig.dirty.DirtyMarker;
import io.livemig.memory.GuestMemory;

import static io.livemig.kernel.Userfaultfd.UFFDIO_API;
import static io.livemig.kernel.Userfaultfd.UFFDIO_COPY;
import static io.livemig.kernel.Userfaultfd.UFFDIO_REGISTER;
import static io.livemig.kernel.Userfaultfd.UFFDIO_REGISTER_MODE_MISSING;
import static io.livemig.kernel.Userfaultfd.UFFDIO_UNREGISTER;
import static io.livemig.kernel.Userfaultfd.UFFDIO_WAKE;
import static io.livemig.kernel.Userfaultfd.UFFDIO_ZEROPAGE;
import static io.livemig.kernel.Userfaultfd.UFFD_API;

/**
 * {@link FaultingGuest} through FFM: an anonymous mapping (no huge pages, nothing populated) registered with a
 * userfaultfd in MISSING mode, QEMU's {@code postcopy_ram_fault_thread} design. The fault thread polls the
 * userfaultfd, reads a batch of {@code uffd_msg}s and calls the handler with each faulting page; a
 * placement is one {@code UFFDIO_COPY} (or {@code UFFDIO_ZEROPAGE}) of the page, which maps it atomically and
 * wakes every thread blocked on it. {@code EEXIST} (the page is there already: a placement raced another)
 * is skipped and counted. Before the first DISCARD (pre-copy rounds of a hybrid migration, no vCPU running
 * here) a page placed before is overwritten by a native copy instead (a round sending it again; it cannot
 * fault, it is there); from the first DISCARD on (post-copy, vCPUs running), a page is placed at most once and
 * a second placement is skipped like {@code EEXIST}, so it can never overwrite what a vCPU wrote.
 *
 * <h2>A wake after every fault message read</h2>
 * A placement's own wake is not enough: a vCPU can sleep on for good on a page placed a few microseconds before
 * the fault thread read its message (seen on kernel 6.18; a whole-suite benchmark run hung on it). So each fault
 * message read is answered by one more wake ({@code UFFDIO_WAKE}) once the page is there, whoever places it. The
 * fault thread marks the page in {@code faulted} before it calls the handler and looks at {@code placed} after;
 * a placement marks {@code placed}, then looks at {@code faulted}. Both then run {@link #answer}: whoever finds
 * the page both placed and still in {@code faulted} takes it out (atomic test-and-clear) and wakes. If the
 * placement's look comes first, the page was placed before the fault thread's look, which therefore answers;
 * else the placement answers, after the message was read. A spare wake costs one ioctl; a thread woken while
 * its page is still missing faults again.
 *
 * <h2>No safepoint deadlock</h2>
 * Which threads can block in a MISSING fault, and in which state:
 * <ul>
 *   <li>vCPUs and any reader of {@link #memory()}: its regions are {@link NativeAccessBuffer}s, so every load
 *       and store is a native call ({@code memcpy}/{@code memset}, not marked critical); a thread blocked
 *       there is "in native", and a safepoint does not wait for it.</li>
 *   <li>The page stream reader never touches a missing page: it places pages through this object (ioctls
 *       whose source is its own staging page or input buffer), and reads a page only once it is placed
 *       ({@link #isPlaced}).</li>
 *   <li>The fault thread touches only its own memory (poll struct, message buffer), never the guest.</li>
 * </ul>
 * So no thread is ever blocked in a fault "in Java": every safepoint completes whatever the faults. The
 * fault thread and the reader may each stop at a safepoint between calls, but neither waits for a blocked
 * vCPU: the fault thread needs only the return path's lock (held by writers of requests, never across a
 * fault) and the reader needs only the link. Hence a fault is always served: message read, request sent,
 * page arrives, {@code UFFDIO_COPY} wakes the waiter. {@code SafepointUnderMissingFaultsTest} forces
 * collections in a loop while vCPUs are blocked in faults.
 *
 * <p>Thread-safety: as {@link FaultingGuest}. Each placing thread has its own ioctl structs and {@code errno}
 * (thread-local); the placed and faulted bits are atomic (volatile reads, atomic read-modify-writes), which
 * orders the two looks of the wake's handshake.
 */
final class MissingFaultGuest implements FaultingGuest
{
    /** Fault messages read per {@code read}. */
    static final int MSG_BATCH = 64;
    /** How long the fault thread's {@code poll} waits before it looks at the stop flag. */
    static final int POLL_MS = 50;

    private final long base;
    private final long size;
    private final int pageShift;
    private final long pageBytes;
    private final int uffd;
    private final long mapBase;
    private final long mapLength;
    private final Arena arena = Arena.ofShared();
    private final Libc.Errno errno = new Libc.Errno(arena);
    private final MemorySegment pollfd = arena.allocate(Libc.POLLFD);
    private final MemorySegment msgs = arena.allocate(Userfaultfd.uffd_msg, MSG_BATCH);
    private final Libc.Errno faultErrno = new Libc.Errno(arena);
    private final AtomicDirtyBitmap placed;
    /** Pages whose fault message was read and that are still owed a wake after their placement ({@link #answer}). */
    private final AtomicDirtyBitmap faulted;
    private final AtomicLong skipped = new AtomicLong();
    private final GuestMemory memory;
    private final ThreadLocal<Scratch> scratch = ThreadLocal.withInitial(Scratch::new);
    private Thread faultThread;
    private volatile Handler handler;
    private volatile boolean stop;
    /** Set by the first {@link #discard}: post-copy has begun, and a page is placed at most once from here. */
    private volatile boolean postcopy;
    private volatile long faults;
    private volatile Throwable failure;
    private boolean unregistered;
    private boolean closed;

    /** One thread's ioctl structs and {@code errno}, in memory the GC frees with the thread's map entry. */
    private static final class Scratch
    {
        final Arena auto = Arena.ofAuto();
        final MemorySegment copy = auto.allocate(Userfaultfd.uffdio_copy);
        final MemorySegment zero = auto.allocate(Userfaultfd.uffdio_zeropage);
        final MemorySegment wake = auto.allocate(Userfaultfd.uffdio_range);
        final Libc.Errno errno = new Libc.Errno(auto);
    }

    MissingFaultGuest(final String blockName, final long size, final int pageSize)
    {
        this.size = size;
        this.pageShift = Integer.numberOfTrailingZeros(pageSize);
        this.pageBytes = pageSize;
        if (size <= 0 || pageSize < GuestMemory.MIN_PAGE_SIZE || Integer.bitCount(pageSize) != 1 || (size & (pageSize - 1)) != 0)
        {
            arena.close();
            throw new IllegalArgumentException("guest size must be a positive multiple of a power-of-two page size " +
                "of at least 4 KiB: " + size + " bytes, page " + pageSize);
        }
        mapLength = size + pageSize; // over-mapped so that the guest starts page aligned for any page size
        int fd = -1;
        long mapped = 0;
        try
        {
            mapped = Libc.mmap(errno, mapLength, Libc.PROT_READ | Libc.PROT_WRITE,
                Libc.MAP_PRIVATE | Libc.MAP_ANONYMOUS | Libc.MAP_NORESERVE);
            base = (mapped + pageSize - 1) & -(long)pageSize;
            Libc.madvise(errno, base, size, Libc.MADV_NOHUGEPAGE);
            fd = FfmKernelProvider.openUffd(errno);
            final MemorySegment api = arena.allocate(Userfaultfd.uffdio_api);
            Userfaultfd.uffdio_api_api.set(api, 0L, UFFD_API);
            Userfaultfd.uffdio_api_features.set(api, 0L, 0L);
            Libc.check(Libc.ioctl(errno, fd, UFFDIO_API, api), "ioctl(uffd, UFFDIO_API)", errno);
            final MemorySegment register = arena.allocate(Userfaultfd.uffdio_register);
            Userfaultfd.uffdio_register_start.set(register, 0L, base);
            Userfaultfd.uffdio_register_len.set(register, 0L, size);
            Userfaultfd.uffdio_register_mode.set(register, 0L, UFFDIO_REGISTER_MODE_MISSING);
            Libc.check(Libc.ioctl(errno, fd, UFFDIO_REGISTER, register), "ioctl(uffd, UFFDIO_REGISTER, MODE_MISSING)", errno);
            final long ioctls = (long)Userfaultfd.uffdio_register_ioctls.get(register, 0L);
            final long needed = Userfaultfd.UFFDIO_COPY_IOCTL_BIT | Userfaultfd.UFFDIO_ZEROPAGE_IOCTL_BIT |
                Userfaultfd.UFFDIO_WAKE_IOCTL_BIT;
            if ((ioctls & needed) != needed)
            {
                throw new KernelUnavailableException("kernel faults unavailable: UFFDIO_REGISTER offers ioctls 0x" +
                    Long.toHexString(ioctls) + ", without UFFDIO_COPY, UFFDIO_ZEROPAGE or UFFDIO_WAKE on anonymous memory");
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
        this.placed = new AtomicDirtyBitmap(size >>> pageShift, 0);
        this.faulted = new AtomicDirtyBitmap(size >>> pageShift, 0);
        this.memory = GuestMemory.mapped(blockName, base, size, pageSize, DirtyMarker.NONE, NativeAccessBuffer::new,
            this::release, this);
    }

    @Override
    public GuestMemory memory()
    {
        return memory;
    }

    @Override
    public synchronized void start(final Handler handler)
    {
        if (faultThread != null)
        {
            throw new IllegalStateException("fault thread already started");
        }
        this.handler = handler;
        faultThread = new Thread(this::serveFaults, "livemig-uffd-missing-faults");
        faultThread.setDaemon(true);
        faultThread.start();
    }

    @Override
    public boolean isPlaced(final long page)
    {
        return placed.isDirty(page);
    }

    @Override
    public boolean place(final long page, final long srcAddress)
    {
        final long dst = base + (checkPage(page) << pageShift);
        if (placed.isDirty(page))
        {
            if (postcopy)
            {
                skipped.incrementAndGet();
                return false;
            }
            Libc.memcpy(dst, srcAddress, pageBytes);
            return true;
        }
        return copy(page, srcAddress, 0L);
    }

    /** {@code UFFDIO_COPY} of a missing page, in {@code mode}. */
    private boolean copy(final long page, final long srcAddress, final long mode)
    {
        final long dst = base + (checkPage(page) << pageShift);
        final Scratch s = scratch.get();
        Userfaultfd.uffdio_copy_dst.set(s.copy, 0L, dst);
        Userfaultfd.uffdio_copy_src.set(s.copy, 0L, srcAddress);
        Userfaultfd.uffdio_copy_len.set(s.copy, 0L, pageBytes);
        Userfaultfd.uffdio_copy_mode.set(s.copy, 0L, mode);
        return placed(page, ioctlRetrying(s.errno, UFFDIO_COPY, s.copy), s.errno, "UFFDIO_COPY", dst);
    }

    @Override
    public boolean placeZero(final long page)
    {
        if (placed.isDirty(page))
        {
            if (postcopy)
            {
                skipped.incrementAndGet();
                return false;
            }
            Libc.memset(base + (checkPage(page) << pageShift), 0, pageBytes);
            return true;
        }
        return zeroPage(page);
    }

    @Override
    public void zeroIfMissing(final long page)
    {
        zeroPage(page);
    }

    /**
     * For tests: places a missing page as {@link #place} does, but with {@code UFFDIO_COPY_MODE_DONTWAKE}, so that
     * only {@link #answer}'s wake can wake its waiters: the lost wake of "A wake after every fault message read",
     * made certain.
     */
    boolean placeWithoutWake(final long page, final long srcAddress)
    {
        return copy(page, srcAddress, Userfaultfd.UFFDIO_COPY_MODE_DONTWAKE);
    }

    /** Wakes every thread blocked in a fault on {@code page} ({@code UFFDIO_WAKE}). */
    private void wake(final long page)
    {
        final long dst = base + (checkPage(page) << pageShift);
        final Scratch s = scratch.get();
        Userfaultfd.uffdio_range_start.set(s.wake, 0L, dst);
        Userfaultfd.uffdio_range_len.set(s.wake, 0L, pageBytes);
        if (ioctlRetrying(s.errno, UFFDIO_WAKE, s.wake) < 0)
        {
            throw new NativeCallException("ioctl(uffd, UFFDIO_WAKE, 0x" + Long.toHexString(dst) + " +" + pageBytes + ")",
                s.errno.get());
        }
    }

    private boolean zeroPage(final long page)
    {
        final long dst = base + (checkPage(page) << pageShift);
        final Scratch s = scratch.get();
        Userfaultfd.uffdio_zeropage_start.set(s.zero, 0L, dst);
        Userfaultfd.uffdio_zeropage_len.set(s.zero, 0L, pageBytes);
        Userfaultfd.uffdio_zeropage_mode.set(s.zero, 0L, 0L);
        return placed(page, ioctlRetrying(s.errno, UFFDIO_ZEROPAGE, s.zero), s.errno, "UFFDIO_ZEROPAGE", dst);
    }

    /** {@code ioctl(uffd, request, arg)}, again while the kernel says {@code EAGAIN} (the mm is changing). */
    private int ioctlRetrying(final Libc.Errno err, final long request, final MemorySegment arg)
    {
        int rc;
        while ((rc = Libc.ioctl(err, uffd, request, arg)) < 0 && err.get() == Errno.EAGAIN)
        {
            Thread.onSpinWait();
        }
        return rc;
    }

    private boolean placed(final long page, final int rc, final Libc.Errno err, final String call, final long dst)
    {
        if (rc < 0)
        {
            if (err.get() != Errno.EEXIST)
            {
                throw new NativeCallException("ioctl(uffd, " + call + ", 0x" + Long.toHexString(dst) + " +" + pageBytes + ")",
                    err.get());
            }
            skipped.incrementAndGet();
            placed.mark(page);
            answer(page);
            return false;
        }
        placed.mark(page);
        answer(page);
        return true;
    }

    /**
     * The wake owed to a fault message read for {@code page}, once the page is placed: given by whoever finds it
     * placed and still owed first (see "A wake after every fault message read").
     */
    private void answer(final long page)
    {
        if (placed.isDirty(page) && faulted.isDirty(page) && faulted.testAndClear(page))
        {
            wake(page);
        }
    }

    private long checkPage(final long page)
    {
        if (page < 0 || page >= placed.pageCount())
        {
            throw new IndexOutOfBoundsException("page " + page + " is outside the guest's " + placed.pageCount() + " pages");
        }
        return page;
    }

    @Override
    public void discard(final long first, final long count)
    {
        checkPage(first);
        checkPage(first + count - 1);
        postcopy = true;
        placed.clearRange(first, first + count);
        Libc.madvise(scratch.get().errno, base + (first << pageShift), count << pageShift, Libc.MADV_DONTNEED);
    }

    @Override
    public long faultsRead()
    {
        return faults;
    }

    @Override
    public long placementsSkipped()
    {
        return skipped.get();
    }

    /** The fault thread: poll, read a batch of messages, hand each faulting page to the handler. */
    private void serveFaults()
    {
        Libc.POLLFD.varHandle(MemoryLayout.PathElement.groupElement("fd")).set(pollfd, 0L, uffd);
        Libc.POLLFD.varHandle(MemoryLayout.PathElement.groupElement("events")).set(pollfd, 0L, Libc.POLLIN);
        final long msgSize = Userfaultfd.uffd_msg.byteSize();
        final long pages = placed.pageCount();
        try
        {
            while (!stop)
            {
                final int ready = Libc.poll(faultErrno, pollfd, 1, POLL_MS);
                if (ready <= 0)
                {
                    if (ready < 0 && faultErrno.get() != Errno.EINTR)
                    {
                        throw new NativeCallException("poll(uffd)", faultErrno.get());
                    }
                    continue;
                }
                final long n = Libc.read(faultErrno, uffd, msgs, msgSize * MSG_BATCH);
                final long readNs = System.nanoTime();
                if (n < 0)
                {
                    final int err = faultErrno.get();
                    if (err == Errno.EAGAIN || err == Errno.EINTR)
                    {
                        continue;
                    }
                    throw new NativeCallException("read(uffd)", err);
                }
                for (long at = 0; at + msgSize <= n; at += msgSize)
                {
                    final MemorySegment msg = msgs.asSlice(at, msgSize);
                    if ((byte)Userfaultfd.uffd_msg_event.get(msg, 0L) != Userfaultfd.UFFD_EVENT_PAGEFAULT)
                    {
                        continue;
                    }
                    final long address = (long)Userfaultfd.uffd_msg_pagefault_address.get(msg, 0L);
                    final long page = (address - base) >>> pageShift;
                    if (address < base || page >= pages)
                    {
                        continue;
                    }
                    faults++; // only this thread writes
                    faulted.mark(page);
                    handler.onFault(page, readNs);
                    answer(page);
                }
            }
        }
        catch (final Throwable t)
        {
            // Never leave vCPUs blocked: record why and unregister, which wakes them.
            failure = t;
            unregister();
        }
    }

    /** @return why the fault thread stopped early, or {@code null}. */
    Throwable failure()
    {
        return failure;
    }

    @Override
    public void releaseWaiters()
    {
        stopFaultThread();
        unregister();
    }

    private synchronized void unregister()
    {
        if (unregistered || closed)
        {
            return;
        }
        unregistered = true;
        final MemorySegment range = arena.allocate(Userfaultfd.uffdio_range);
        Userfaultfd.uffdio_range_start.set(range, 0L, base);
        Userfaultfd.uffdio_range_len.set(range, 0L, size);
        Libc.ioctl(errno, uffd, UFFDIO_UNREGISTER, range); // best effort: close() wakes them in any case
    }

    private void stopFaultThread()
    {
        stop = true;
        final Thread t;
        synchronized (this)
        {
            t = faultThread;
        }
        if (t != null && t != Thread.currentThread())
        {
            try
            {
                t.join(TimeUnit.SECONDS.toMillis(5));
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Override
    public void close()
    {
        memory.close();
    }

    private void release()
    {
        stopFaultThread();
        synchronized (this)
        {
            if (closed)
            {
                return;
            }
            closed = true;
            try
            {
                Libc.close(errno, uffd);
            }
            finally
            {
                Libc.munmap(errno, mapBase, mapLength);
                arena.close();
            }
        }
    }

    @Override
    public String toString()
    {
        return "uffd-missing[" + size + " bytes at 0x" + Long.toHexString(base) + ", uffd " + uffd + "]";
    }
}
