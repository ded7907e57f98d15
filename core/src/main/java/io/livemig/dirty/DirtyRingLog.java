package io.livemig.dirty;

import java.lang.invoke.VarHandle;
import java.util.Arrays;
import java.util.concurrent.locks.LockSupport;

/**
 * A dirty log kept the way KVM's dirty ring keeps it ({@code KVM_CAP_DIRTY_LOG_RING}): every writing thread
 * (a vCPU) has its own {@link DirtyRing} of the units it dirtied, and a collector moves the entries into a
 * bitmap of collected units, which the migration harvests. Collecting costs time in proportion to the units
 * dirtied since the last collection, not to the size of the guest.
 *
 * <h2>Writes</h2>
 * A unit is pushed only on its first write since its last entry was collected and reset, as KVM pushes only
 * when a page's write protection is lifted: the <em>pending</em> bitmap holds a bit per unit that has an
 * entry not yet reset, and a re-write that finds its bit set costs a full fence and one load, as a bitmap
 * re-mark does. A thread gets its ring on its first push (rings are never freed while the log lives). When a
 * ring holds {@code size - reserved} entries that are not reset (soft-full), its owner stalls right after
 * that push, before its next write, until a collector resets it ({@code KVM_EXIT_DIRTY_RING_FULL}): it wakes
 * the attached {@link DirtyRingReaper} and waits for it, or, with no reaper, collects its own ring, as QEMU's
 * vCPU thread does on that exit. Stalls are counted and timed per ring.
 *
 * <h2>Collection: collect, reset, then publish</h2>
 * {@link #reap()} takes each ring in turn under the ring's lock: it copies the dirty entries out
 * (<em>collected</em>), clears each one's pending bit and frees the slots (<em>reset</em>), and only then ORs
 * the units into the collected bitmap, from which {@link #harvestInto} and the other read methods answer.
 * {@link #harvestInto} (a migration sync) first {@link #kick kicks} the rings, waiting out any push in
 * flight so that its entry is published, then reaps, then harvests.
 *
 * <h2>Why no write is lost</h2>
 * A write W stores its data, issues a full fence, then reads the unit's pending bit. A migration reads a page
 * only after clearing the unit's bit in a bitmap fed by publication, which comes after the reset. Take the
 * entry E that holds W's unit when W reads the pending bit, if any:
 * <ul>
 *   <li>the bit is clear: W sets it (atomic OR) and pushes its own entry, or loses the OR to another writer
 *       whose entry is pushed; either entry is published, collected, reset and published again later, so the
 *       unit is sent again after W;</li>
 *   <li>the bit is set by E, not yet reset: E's reset clears the bit with an atomic read-modify-write after
 *       W's read in the total order of volatile accesses, W's data store is ordered before that read by W's
 *       fence, and publication, the harvest and the scanner's clear all follow the reset: the page read sees
 *       W's data.</li>
 * </ul>
 * Publishing before the reset would lose W when W lands between the two, after the page was read: W finds
 * the bit still set and pushes nothing. Resetting before collecting loses entries outright, since a freed
 * slot can be overwritten by the owner's next push. The no-lost-write tests run both orders as test doubles
 * and see each lose a write: the first with the interleaving forced, the second under a real race.
 *
 * <p>Thread-safety: any number of writers may {@link #mark} while any number of threads reap, read, clear
 * and harvest. Each ring has one producer (its owner) and one collector at a time (its lock). The read
 * methods ({@link #isDirty}, {@link #nextDirty}, {@link #testAndClear}, {@link #cardinality}, the word
 * methods) kick and reap first, so they see every mark that returned before they were called.
 */
public final class DirtyRingLog implements DirtyLog
{
    /** KVM's default ring as QEMU sizes it: 4096 entries. */
    public static final int DEFAULT_RING_SIZE = 4096;
    /** Entries kept free at the end of a ring by default, as KVM reserves room for the entries in flight. */
    public static final int DEFAULT_RESERVED = 64;
    /** How long a stalled owner parks between checks while it waits for the reaper. */
    static final long STALL_PARK_NANOS = 200_000;

    private final long pageCount;
    private final int shift;
    private final int ringSize;
    private final int reserved;
    private final AtomicDirtyBitmap pending;
    private final SummaryDirtyBitmap collected;
    private final ThreadLocal<DirtyRing> ringOfThread = ThreadLocal.withInitial(this::addRing);
    private final BrokenOrder brokenOrder;
    private final Runnable window;
    private volatile DirtyRing[] rings = new DirtyRing[0];
    private volatile Thread reaper;

    /** A log of {@code pageCount} pages at {@code granularityShift} with rings of the default shape. */
    public DirtyRingLog(final long pageCount, final int granularityShift)
    {
        this(pageCount, granularityShift, DEFAULT_RING_SIZE, DEFAULT_RESERVED);
    }

    /**
     * @param pageCount        number of pages tracked, at least 1.
     * @param granularityShift one unit covers {@code 2^granularityShift} pages.
     * @param ringSize         entries per ring, a power of two in {@code [2, 2^20]}.
     * @param reserved         entries kept free: a ring is soft-full at {@code ringSize - reserved}; in
     *                         {@code [1, ringSize)}.
     */
    public DirtyRingLog(final long pageCount, final int granularityShift, final int ringSize, final int reserved)
    {
        this(pageCount, granularityShift, ringSize, reserved, null, null);
    }

    /** The orders a reap must not use, for the test doubles that show why (see the class comment). */
    enum BrokenOrder
    {
        /** Frees the slots, runs the window, then collects: an owner's next pushes overwrite entries. */
        RESET_BEFORE_COLLECT,
        /** Publishes the units, runs the window, then re-arms: a write in the window pushes nothing. */
        PUBLISH_BEFORE_REARM
    }

    /** A test double: reaps in {@code brokenOrder}, running {@code window} at the broken step. */
    DirtyRingLog(
        final long pageCount, final int granularityShift, final int ringSize, final int reserved,
        final BrokenOrder brokenOrder, final Runnable window)
    {
        DirtyRing.checkShape(ringSize, reserved);
        this.collected = new SummaryDirtyBitmap(pageCount, granularityShift);
        this.pending = new AtomicDirtyBitmap(pageCount, granularityShift);
        this.pageCount = pageCount;
        this.shift = granularityShift;
        this.ringSize = ringSize;
        this.reserved = reserved;
        this.brokenOrder = brokenOrder;
        this.window = window;
    }

    /**
     * @return the reserve for a ring of {@code ringSize} entries: {@link #DEFAULT_RESERVED}, or a quarter of a
     *         ring too small for it, at least 1.
     */
    public static int defaultReserved(final int ringSize)
    {
        return Math.max(1, Math.min(DEFAULT_RESERVED, ringSize / 4));
    }

    @Override
    public long pageCount()
    {
        return pageCount;
    }

    @Override
    public int granularityShift()
    {
        return shift;
    }

    @Override
    public long size()
    {
        return collected.size();
    }

    @Override
    public int wordCount()
    {
        return collected.wordCount();
    }

    /** @return entries per ring. */
    public int ringSize()
    {
        return ringSize;
    }

    /** @return entries kept free per ring. */
    public int reserved()
    {
        return reserved;
    }

    /** @return the rings so far, one per thread that has pushed, in the order they were created. */
    public DirtyRing[] rings()
    {
        return rings.clone();
    }

    /** @return entries pushed by every ring. */
    public long pushes()
    {
        long sum = 0;
        for (final DirtyRing ring : rings)
        {
            sum += ring.pushes();
        }
        return sum;
    }

    /** @return soft-full stalls of every ring. */
    public long stalls()
    {
        long sum = 0;
        for (final DirtyRing ring : rings)
        {
            sum += ring.stalls();
        }
        return sum;
    }

    /** @return nanoseconds stalled, over every ring. */
    public long stallNanos()
    {
        long sum = 0;
        for (final DirtyRing ring : rings)
        {
            sum += ring.stallNanos();
        }
        return sum;
    }

    /** @return how many owners are stalled right now, waiting for a reset. */
    public int stallsInProgress()
    {
        int count = 0;
        for (final DirtyRing ring : rings)
        {
            count += ring.isStalled() ? 1 : 0;
        }
        return count;
    }

    // ---------------------------------------------------------------- writers

    @Override
    public void mark(final long page)
    {
        pending.checkPage(page);
        // StoreLoad: the caller's data stores must be visible before we may see the pending bit set and skip.
        VarHandle.fullFence();
        markUnit(page >>> shift);
    }

    /** Marks every unit of the pages after one full fence, pushing each unit once. */
    @Override
    public void markRange(final long firstPage, final long pageCount)
    {
        AbstractDirtyBitmap.checkPageRange(firstPage, pageCount, this.pageCount);
        if (pageCount == 0)
        {
            return;
        }
        VarHandle.fullFence();
        for (long unit = firstPage >>> shift, last = (firstPage + pageCount - 1) >>> shift; unit <= last; unit++)
        {
            markUnit(unit);
        }
    }

    /** Fast path: a unit with an entry not yet reset needs nothing more. */
    private void markUnit(final long unit)
    {
        if (!pending.isDirty(unit))
        {
            push(unit);
        }
    }

    /** Slow path: claim the unit's pending bit and, if this thread won it, push an entry to its own ring. */
    private void push(final long unit)
    {
        final DirtyRing ring = ringOfThread.get();
        ring.beginPush();
        final long bit = 1L << unit;
        final boolean won = (pending.orWord((int)(unit >>> 6), bit) & bit) == 0;
        if (won && !ring.push(unit))
        {
            ring.endPush();
            throw new IllegalStateException("dirty ring hard-full, which a stall at soft-full prevents: " + ring);
        }
        ring.endPush();
        if (won)
        {
            if (ring.softFull())
            {
                stall(ring);
            }
            ring.payPenalty();
        }
    }

    /** The owner waits until its ring is below soft-full: for the reaper if one is attached, else it reaps. */
    private void stall(final DirtyRing ring)
    {
        final long start = System.nanoTime();
        ring.stalled(true);
        try
        {
            while (ring.softFull())
            {
                final Thread reaper = this.reaper;
                if (reaper == null)
                {
                    reap(ring);
                }
                else
                {
                    LockSupport.unpark(reaper);
                    LockSupport.parkNanos(this, STALL_PARK_NANOS);
                }
            }
        }
        finally
        {
            ring.stalled(false);
            ring.recordStall(System.nanoTime() - start);
        }
    }

    /** The owner-side ring of the calling thread, created on first use. */
    private synchronized DirtyRing addRing()
    {
        final DirtyRing ring = new DirtyRing(ringSize, reserved, Thread.currentThread());
        final DirtyRing[] grown = Arrays.copyOf(rings, rings.length + 1);
        grown[grown.length - 1] = ring;
        rings = grown;
        return ring;
    }

    // ---------------------------------------------------------------- collectors

    /**
     * Attaches {@code thread} as the reaper: owners of soft-full rings wake it and wait for it rather than
     * reaping themselves. {@link DirtyRingReaper} calls this; {@code null} detaches.
     */
    void attachReaper(final Thread thread)
    {
        reaper = thread;
    }

    /**
     * Waits until no owner is in the middle of a push, so that every unit claimed before this call is in a
     * ring (the kick with which KVM makes a running vCPU flush its entries). Spins, then yields: a push in
     * flight is a few stores long.
     */
    public void kick()
    {
        for (final DirtyRing ring : rings)
        {
            final long sequence = ring.pushSequence();
            if ((sequence & 1) != 0)
            {
                int spins = 0;
                while (ring.pushSequence() == sequence)
                {
                    if (++spins < 100)
                    {
                        Thread.onSpinWait();
                    }
                    else
                    {
                        Thread.yield();
                    }
                }
            }
        }
    }

    /**
     * Collects, resets and publishes every ring (without kicking), as QEMU's reaper does at an interval.
     *
     * @return number of entries collected.
     */
    public long reap()
    {
        final DirtyRing[] rings = this.rings;
        long total = 0;
        for (final DirtyRing ring : rings)
        {
            total += reap(ring);
        }
        return total;
    }

    /** Collect, reset, publish one ring under its lock; wakes its owner if it waits. */
    private int reap(final DirtyRing ring)
    {
        final int n;
        synchronized (ring)
        {
            final long[] buffer = ring.collectBuffer();
            if (brokenOrder == BrokenOrder.RESET_BEFORE_COLLECT)
            {
                ring.resetUncollected(); // the bug under test: slots freed before they are read
                window.run();
            }
            n = ring.collect(buffer);
            if (brokenOrder == BrokenOrder.PUBLISH_BEFORE_REARM)
            {
                publish(buffer, n); // the bug under test: readable before a write can push again
                window.run();
            }
            for (int i = 0; i < n; i++)
            {
                pending.testAndClear(buffer[i]); // re-arm: the unit's next write pushes again
            }
            ring.reset();
            if (brokenOrder != BrokenOrder.PUBLISH_BEFORE_REARM)
            {
                publish(buffer, n);
            }
        }
        if (ring.isStalled())
        {
            LockSupport.unpark(ring.owner());
        }
        return n;
    }

    /** ORs the first {@code n} units of {@code units} into the collected bitmap. */
    private void publish(final long[] units, final int n)
    {
        for (int i = 0; i < n; i++)
        {
            final long unit = units[i];
            collected.orWord((int)(unit >>> 6), 1L << unit);
        }
    }

    /** Kick, then reap: every mark that returned before this call is in the collected bitmap after it. */
    private void sync()
    {
        kick();
        reap();
    }

    // ---------------------------------------------------------------- readers: sync, then read the collected bitmap

    /** Kicks and reaps, then moves the collected bitmap into {@code target}: a migration sync. */
    @Override
    public long harvestInto(final DirtyLog target)
    {
        if (target == this)
        {
            throw new IllegalArgumentException("harvest target must be another log, got this log");
        }
        sync();
        return collected.harvestInto(target);
    }

    /** As {@link #harvestInto}, into a target private to the calling thread (see {@link DirtyLog}). */
    @Override
    public long harvestIntoExclusive(final DirtyLog target)
    {
        if (target == this)
        {
            throw new IllegalArgumentException("harvest target must be another log, got this log");
        }
        sync();
        return collected.harvestIntoExclusive(target);
    }

    @Override
    public boolean isDirty(final long unit)
    {
        collected.checkUnit(unit);
        sync();
        return collected.isDirty(unit);
    }

    @Override
    public boolean testAndClear(final long unit)
    {
        collected.checkUnit(unit);
        sync();
        return collected.testAndClear(unit);
    }

    @Override
    public void clearRange(final long fromUnit, final long toUnit)
    {
        sync();
        collected.clearRange(fromUnit, toUnit);
    }

    @Override
    public void setAll()
    {
        collected.setAll();
    }

    @Override
    public long cardinality()
    {
        sync();
        return collected.cardinality();
    }

    @Override
    public long nextDirty(final long fromUnit)
    {
        sync();
        return collected.nextDirty(fromUnit);
    }

    @Override
    public long orWord(final int wordIndex, final long bits)
    {
        sync();
        return collected.orWord(wordIndex, bits);
    }

    @Override
    public long takeWord(final int wordIndex)
    {
        sync();
        return collected.takeWord(wordIndex);
    }

    @Override
    public String toString()
    {
        return "DirtyRingLog[pages=" + pageCount + ", shift=" + shift + ", ringSize=" + ringSize + ", reserved=" +
            reserved + ", rings=" + rings.length + ", pushes=" + pushes() + ", stalls=" + stalls() + "]";
    }
}
