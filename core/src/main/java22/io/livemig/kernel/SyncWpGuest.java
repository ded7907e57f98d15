package io.livemig.kernel;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.concurrent.TimeUnit;

import io.livemig.dirty.DirtyLog;

/**
 * {@link KernelTracker#UFFD_WP}: synchronous write-protection. A write to a protected page blocks its writer
 * in the kernel and queues a fault message; the fault thread reads it, marks the page in the pending bitmap
 * and then removes the page's protection ({@code UFFDIO_WRITEPROTECT} with mode 0, which wakes the writer).
 * A harvest takes the pending bitmap a word at a time, protects the taken pages again, and ORs them into the
 * target.
 *
 * <h2>No lost write</h2>
 * Invariant: a page that is not protected is pending, except inside a harvest between the take of its word
 * and its protection. The fault thread's mark-and-un-protect and the harvest's take-and-protect of a word run
 * under one lock, so neither splits the other: without it, a harvest could take and protect a page between
 * the fault thread's mark and its un-protect, which would then leave the page writable and not pending.
 * Marking before un-protecting means a writer's store completes only after its page is pending, so a final
 * harvest after the writers stopped sees every page they wrote. A harvest takes a word <em>before</em> it
 * protects its pages: a write between the two lands before the caller reads the page; a write after them
 * faults and is marked for the next harvest. Protecting first would let a fault served between the
 * protection and the take be taken away unprotected (the {@link UffdGuest.Harvest#PROTECT_THEN_READ} double,
 * which the stress test catches).
 *
 * <p>Ordering: the fault thread's mark is a volatile read-modify-write made before the un-protect that lets
 * the store happen; the harvest's take is atomic and its protection flushes the page from every CPU's TLB (a
 * full barrier there), so the caller that reads the page after the harvest sees every store made before it.
 *
 * <h2>No safepoint deadlock</h2>
 * A Java thread blocked in a page fault while it runs Java code is "in Java", so a safepoint waits for it;
 * were the fault thread then to wait for that safepoint on its way back from a native call, the page would
 * never be un-protected. Here no thread ever stores to protected memory while in Java: the guest memory's
 * regions are {@link NativeStoreBuffer}s, whose stores are (non-critical) native calls, so a blocked writer is
 * "in native" and a safepoint completes without it. The fault thread in turn needs no other Java thread to
 * progress: it may stop at a safepoint between its calls, but every safepoint completes, and its own memory
 * (message buffer, scratch structs) is never protected. The harvest and the readers never block on protected
 * memory (reads do not fault under write-protection), so the lock that the fault thread may wait for is held
 * only for the harvest's own system calls. Tested with {@code System.gc()} loops while faults are
 * outstanding.
 *
 * <p>Thread-safety: the guest memory is for any number of threads; {@link DirtyLog#harvestInto} for one thread
 * at a time; the fault thread is this object's own and stops in {@link #close()}.
 */
final class SyncWpGuest extends UffdGuest
{
    /** Fault messages read per {@code read}. */
    static final int MSG_BATCH = 64;
    /** How long the fault thread's {@code poll} waits before it looks at the stop flag. */
    static final int POLL_MS = 50;

    private final Log log;
    private final Thread faultThread;
    private final MemorySegment pollfd = arena.allocate(Libc.POLLFD);
    private final MemorySegment msgs = arena.allocate(Userfaultfd.uffd_msg, MSG_BATCH);
    private final MemorySegment faultScratch = arena.allocate(Userfaultfd.uffdio_writeprotect);
    private final Libc.Errno faultErrno = new Libc.Errno(arena);
    private final long pageBytes;
    private volatile boolean stop;
    private volatile long faults;
    private volatile Throwable failure;
    private volatile WriteHook hook;
    /** Orders the fault thread's mark-and-un-protect against a harvest's take-and-protect of a word. */
    private final Object lock = new Object();

    SyncWpGuest(final String blockName, final long size, final int pageSize, final boolean hugePages, final long features)
    {
        super(KernelTracker.UFFD_WP, blockName, size, pageSize, hugePages, features, true,
            (features & Userfaultfd.UFFD_FEATURE_WP_UNPOPULATED) == 0);
        pageBytes = pageSize;
        log = new Log(size >>> pageShift);
        faultThread = new Thread(this::serveFaults, "livemig-uffd-wp-faults");
        faultThread.setDaemon(true);
        faultThread.start();
    }

    @Override
    public DirtyLog log()
    {
        return log;
    }

    @Override
    public long faultsServed()
    {
        return faults;
    }

    /** The fault thread: poll, read a batch of messages, un-protect each page, then mark it. */
    private void serveFaults()
    {
        Libc.POLLFD.varHandle(java.lang.foreign.MemoryLayout.PathElement.groupElement("fd")).set(pollfd, 0L, uffd);
        Libc.POLLFD.varHandle(java.lang.foreign.MemoryLayout.PathElement.groupElement("events")).set(pollfd, 0L, Libc.POLLIN);
        final long msgSize = Userfaultfd.uffd_msg.byteSize();
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
                if (n < 0)
                {
                    final int err = faultErrno.get();
                    if (err == Errno.EAGAIN || err == Errno.EINTR)
                    {
                        continue;
                    }
                    throw new NativeCallException("read(uffd)", err);
                }
                long served = faults;
                for (long at = 0; at + msgSize <= n; at += msgSize)
                {
                    final MemorySegment msg = msgs.asSlice(at, msgSize);
                    if ((byte)Userfaultfd.uffd_msg_event.get(msg, 0L) != Userfaultfd.UFFD_EVENT_PAGEFAULT)
                    {
                        continue;
                    }
                    final long address = (long)Userfaultfd.uffd_msg_pagefault_address.get(msg, 0L);
                    final long page = (address - base) >>> pageShift;
                    faults = ++served; // before the wake-up, so a writer that returns sees its fault counted
                    final WriteHook h = hook;
                    if (h != null)
                    {
                        h.beforeWrite(page); // the writer is still blocked: the page holds its old bytes
                    }
                    synchronized (lock)
                    {
                        log.markPending(page);
                        writeProtect(faultScratch, faultErrno, base + (page << pageShift), pageBytes, false);
                    }
                }
            }
        }
        catch (final Throwable t)
        {
            // Never leave writers blocked: record why, and drop the protection of the whole guest. The next
            // harvest throws the failure.
            failure = t;
            try
            {
                writeProtect(faultScratch, faultErrno, base, size, false);
            }
            catch (final RuntimeException ignored)
            {
                // the failure above is the one reported
            }
        }
    }

    @Override
    public void beforeWrite(final WriteHook value)
    {
        hook = value;
    }

    @Override
    public void protectAll(final boolean on)
    {
        synchronized (lock)
        {
            writeProtect(base, size, on); // the harvest's scratch: harvests take this lock too
        }
    }

    @Override
    void stopThreads()
    {
        stop = true;
        try
        {
            faultThread.join(TimeUnit.SECONDS.toMillis(5));
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }

    private final class Log extends KernelDirtyLog
    {
        Log(final long pageCount)
        {
            super(pageCount);
        }

        void markPending(final long page)
        {
            pending.mark(page);
        }

        @Override
        public long harvestInto(final DirtyLog target)
        {
            checkShape(target);
            final Throwable failed = failure;
            if (failed != null)
            {
                throw new IllegalStateException("uffd-wp fault thread failed; the guest was left unprotected", failed);
            }
            final boolean protectFirst = harvest == Harvest.PROTECT_THEN_READ;
            long newly = 0;
            for (int w = 0, words = pending.wordCount(); w < words; w++)
            {
                long bits;
                if (protectFirst)
                {
                    // The test double: protect what is pending, leave a window, and only then take the word.
                    bits = pending.orWord(w, 0);
                    if (bits == 0)
                    {
                        continue;
                    }
                    protectRuns(w, bits);
                    final Runnable window = protectWindow;
                    if (window != null)
                    {
                        window.run();
                    }
                    bits = pending.takeWord(w);
                }
                else
                {
                    synchronized (lock)
                    {
                        bits = pending.takeWord(w);
                        if (bits == 0)
                        {
                            continue;
                        }
                        protectRuns(w, bits);
                    }
                }
                newly += Long.bitCount(bits & ~target.orWord(w, bits));
            }
            return newly;
        }

        /** Protects again each run of consecutive pages set in word {@code w}: one ioctl per run. */
        private void protectRuns(final int w, final long bits)
        {
            long rest = bits;
            while (rest != 0)
            {
                final int from = Long.numberOfTrailingZeros(rest);
                final int to = Math.min(64, from + Long.numberOfTrailingZeros(~(rest >>> from)));
                final long firstPage = ((long)w << 6) + from;
                writeProtect(base + (firstPage << pageShift), (long)(to - from) << pageShift, true);
                rest &= to == 64 ? 0 : -1L << to;
            }
        }

        @Override
        public String toString()
        {
            return "uffd-wp log over " + SyncWpGuest.this;
        }
    }
}
