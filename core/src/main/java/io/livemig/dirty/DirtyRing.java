package io.livemig.dirty;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.locks.LockSupport;

/**
 * One vCPU's ring of dirty units, as KVM's per-vCPU dirty ring ({@code KVM_CAP_DIRTY_LOG_RING}): the vCPU
 * pushes the unit of each page it dirties, a collector reads the entries and later resets them. An entry
 * moves from <em>dirty</em> (pushed, not yet read) to <em>collected</em> (read by the collector) to
 * <em>reset</em> (its slot free again), in ring order, tracked by three monotone indices:
 * <pre>
 *   reset index  &lt;=  collected index  &lt;=  producer index  &lt;=  reset index + size
 *   [ free ... | collected, not reset | dirty, not collected | free ... ]
 * </pre>
 *
 * <p>Thread-safety: single producer, single consumer at a time. {@link #push}, {@link #beginPush} and {@link
 * #endPush} are for the one thread that owns the ring; {@link #collect} and {@link #reset} for one collector
 * at a time (callers serialise collectors, {@link DirtyRingLog} by locking the ring). Orderings: an entry is
 * written with a plain store, then published by a release store of the producer index; the collector reads
 * that index with acquire, so it sees every entry below it. The collector frees slots by a release store of
 * the reset index, which the producer reads with acquire before it reuses a slot. {@link #pushSequence()} is
 * odd while the owner is between {@link #beginPush} and {@link #endPush}, so a collector can wait for a push
 * in flight to be published (the "kick" of {@link DirtyRingLog#kick}).
 *
 * <p>The producer and consumer fields sit on different cache lines (padding by class hierarchy, as JCTools
 * does), so the vCPU's pushes do not contend with the collector's resets.
 */
public final class DirtyRing extends DirtyRingConsumerFields
{
    private static final VarHandle PRODUCER;
    private static final VarHandle SEQUENCE;
    private static final VarHandle RESET;

    static
    {
        try
        {
            final MethodHandles.Lookup lookup = MethodHandles.lookup();
            PRODUCER = lookup.findVarHandle(DirtyRingProducerFields.class, "producerIndex", long.class);
            SEQUENCE = lookup.findVarHandle(DirtyRingProducerFields.class, "pushSequence", long.class);
            RESET = lookup.findVarHandle(DirtyRingConsumerFields.class, "resetIndex", long.class);
        }
        catch (final ReflectiveOperationException e)
        {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** Smallest ring accepted: 2 entries. */
    public static final int MIN_SIZE = 2;
    /** Largest ring accepted: 2^20 entries (KVM allows up to 1 MiB of 16-byte entries, 65 536 of them). */
    public static final int MAX_SIZE = 1 << 20;

    private final long[] entries;
    private final long[] collectBuffer;
    private final int mask;
    private final int softLimit;
    private final Thread owner;
    private volatile long stalls;
    private volatile long stallNanos;
    private volatile boolean stalled;
    private volatile long penaltyNanos;
    private volatile long burstNanos;
    private volatile long throttledNanos;
    /** Owner only: whether {@link #nextPushNanos} holds a time (a push has paid since the penalty was set). */
    private boolean paying;
    /** Owner only: when the owner's next push is due under the penalty (a {@code System.nanoTime()} value). */
    private long nextPushNanos;
    long p20, p21, p22, p23, p24, p25, p26, p27;

    /**
     * @param size     entries, a power of two in {@code [MIN_SIZE, MAX_SIZE]}.
     * @param reserved entries kept free: the ring is soft-full at {@code size - reserved}, in {@code [1, size)}.
     * @param owner    the thread that pushes, woken after a reset if it stalls.
     */
    DirtyRing(final int size, final int reserved, final Thread owner)
    {
        checkShape(size, reserved);
        this.entries = new long[size];
        this.collectBuffer = new long[size];
        this.mask = size - 1;
        this.softLimit = size - reserved;
        this.owner = owner;
    }

    /** Throws {@link IllegalArgumentException} naming the value unless the ring shape is valid. */
    static void checkShape(final int size, final int reserved)
    {
        if (size < MIN_SIZE || size > MAX_SIZE || Integer.bitCount(size) != 1)
        {
            throw new IllegalArgumentException(
                "ring size must be a power of two in [" + MIN_SIZE + ", " + MAX_SIZE + "]: " + size);
        }
        if (reserved < 1 || reserved >= size)
        {
            throw new IllegalArgumentException("reserved entries must be in [1, " + size + "): " + reserved);
        }
    }

    /** @return the number of entries. */
    public int size()
    {
        return entries.length;
    }

    /** @return the pending count ({@code producer - reset}) at which the owner stalls. */
    public int softLimit()
    {
        return softLimit;
    }

    /** @return the thread that pushes. */
    public Thread owner()
    {
        return owner;
    }

    /** @return entries ever pushed (volatile read of the producer index). */
    public long pushes()
    {
        return (long)PRODUCER.getVolatile(this);
    }

    /** @return how many times the owner stalled on a soft-full ring. */
    public long stalls()
    {
        return stalls;
    }

    /** @return nanoseconds the owner spent stalled, in all. */
    public long stallNanos()
    {
        return stallNanos;
    }

    /** Shortest sleep a penalty is paid in: shorter waits accumulate, as parking for less is not precise. */
    public static final long MIN_PENALTY_SLEEP_NANOS = 1_000_000;

    /**
     * Sets the dirty-limit penalty: from now on the owner's pushes are due at least {@code nanos} apart on
     * average, and a push that comes early sleeps until it is due (QEMU sleeps its vCPU in the ring-full exit;
     * pacing each push spreads the same time more evenly). Time the owner spends without pushing is credit, up
     * to {@code burstNanos}: a vCPU that dirties at most one push per {@code nanos} never sleeps, one that
     * dirties faster pushes at most {@code (window + burstNanos) / nanos} times in any window, by construction.
     * Only vCPUs that push pay it, so one that reads or rewrites dirty pages is not slowed. {@code nanos} 0 ends
     * it and wakes an owner that is paying. Any thread (volatile stores).
     */
    public void penaltyNanosPerPush(final long nanos, final long burstNanos)
    {
        if (nanos < 0 || burstNanos < 0)
        {
            throw new IllegalArgumentException("penalty and burst must not be negative: " + nanos + ", " + burstNanos);
        }
        this.burstNanos = burstNanos;
        penaltyNanos = nanos;
        if (nanos == 0)
        {
            LockSupport.unpark(owner);
        }
    }

    /** @return the current penalty per push in nanoseconds (volatile read). */
    public long penaltyNanosPerPush()
    {
        return penaltyNanos;
    }

    /** @return nanoseconds the owner has slept paying penalties, in all (volatile read). */
    public long throttledNanos()
    {
        return throttledNanos;
    }

    // ---------------------------------------------------------------- producer (the owner)

    /**
     * Owner, after a push: under a penalty, advances the time the next push is due by the penalty (from no
     * earlier than the burst's worth of credit before now) and, once it is due {@link #MIN_PENALTY_SLEEP_NANOS}
     * or more ahead, sleeps until then, waking early if the penalty is ended.
     */
    void payPenalty()
    {
        final long penalty = penaltyNanos;
        if (penalty == 0)
        {
            paying = false;
            return;
        }
        final long now = System.nanoTime();
        final long earliest = now - burstNanos;
        long due = paying && nextPushNanos - earliest > 0 ? nextPushNanos : earliest;
        due += penalty;
        paying = true;
        nextPushNanos = due;
        if (due - now < MIN_PENALTY_SLEEP_NANOS)
        {
            return;
        }
        long left;
        while (penaltyNanos != 0 && (left = due - System.nanoTime()) > 0)
        {
            LockSupport.parkNanos(this, left);
        }
        throttledNanos = throttledNanos + (System.nanoTime() - now); // single writer
    }

    /** Owner: makes {@link #pushSequence()} odd, before the owner claims a unit (release store). */
    void beginPush()
    {
        SEQUENCE.setRelease(this, pushSequence + 1);
    }

    /** Owner: makes {@link #pushSequence()} even again, after the entry (if any) is published. */
    void endPush()
    {
        SEQUENCE.setRelease(this, pushSequence + 1);
    }

    /**
     * Owner: writes {@code unit} into the next slot and publishes it (release store of the producer index).
     *
     * @return false, pushing nothing, if every slot holds an entry that is not reset (hard full).
     */
    boolean push(final long unit)
    {
        final long p = producerIndex;
        if (p - (long)RESET.getAcquire(this) >= entries.length)
        {
            return false;
        }
        entries[(int)p & mask] = unit;
        PRODUCER.setRelease(this, p + 1);
        return true;
    }

    /** Owner: whether the entries not yet reset reached {@code size - reserved} (acquire read of the reset index). */
    boolean softFull()
    {
        return producerIndex - (long)RESET.getAcquire(this) >= softLimit;
    }

    /** Owner: marks the owner as waiting for a reset, so that the collector wakes it. */
    void stalled(final boolean value)
    {
        stalled = value;
    }

    /** Owner: counts one stall of {@code nanos}. Single writer, so the volatile read-then-write is exact. */
    void recordStall(final long nanos)
    {
        stalls = stalls + 1;
        stallNanos = stallNanos + nanos;
    }

    // ---------------------------------------------------------------- consumer (one collector at a time)

    /** @return the owner's push sequence (volatile read): odd while a push is in flight. */
    long pushSequence()
    {
        return (long)SEQUENCE.getVolatile(this);
    }

    /**
     * Collector: copies the dirty entries (from the collected index up to the producer index, read with
     * acquire) into {@code into} and marks them collected. Their slots stay taken until {@link #reset}.
     *
     * @param into at least {@link #size()} long.
     * @return the number of entries copied, from index 0 of {@code into}.
     */
    int collect(final long[] into)
    {
        final long from = collectedIndex;
        final long to = (long)PRODUCER.getAcquire(this);
        final int n = (int)Math.min(to - from, entries.length);
        for (int i = 0; i < n; i++)
        {
            into[i] = entries[(int)(from + i) & mask];
        }
        collectedIndex = from + n;
        return n;
    }

    /** Collector: frees the slots of every collected entry (release store of the reset index). */
    void reset()
    {
        RESET.setRelease(this, collectedIndex);
    }

    /**
     * Collector: frees every published slot, collected or not. Only the reset-before-collect test double
     * calls this: an entry freed before it is read can be overwritten by the owner's next push.
     */
    void resetUncollected()
    {
        RESET.setRelease(this, (long)PRODUCER.getAcquire(this));
    }

    /** Collector: the buffer that {@link #collect} fills, owned by whichever collector holds the ring. */
    long[] collectBuffer()
    {
        return collectBuffer;
    }

    /** @return whether the owner waits for a reset. */
    boolean isStalled()
    {
        return stalled;
    }

    @Override
    public String toString()
    {
        return "DirtyRing[size=" + entries.length + ", softLimit=" + softLimit + ", owner=" + owner.getName() +
            ", pushes=" + pushes() + ", stalls=" + stalls + "]";
    }
}

/** Padding before the producer's fields. */
abstract class DirtyRingPad0
{
    long p00, p01, p02, p03, p04, p05, p06, p07;
}

/** The fields the owner writes on every push. */
abstract class DirtyRingProducerFields extends DirtyRingPad0
{
    long producerIndex;
    long pushSequence;
}

/** Padding between the producer's and the collector's fields. */
abstract class DirtyRingPad1 extends DirtyRingProducerFields
{
    long p10, p11, p12, p13, p14, p15, p16, p17;
}

/** The fields the collector writes. */
abstract class DirtyRingConsumerFields extends DirtyRingPad1
{
    long collectedIndex;
    long resetIndex;
}
