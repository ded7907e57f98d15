package io.livemig.bench.state;

import io.livemig.dirty.DirtyLog;

/**
 * Keeps a harvest benchmark's steady state honest without untimed per-invocation setup: two logs of the same
 * shape, one holding the bits and one empty; each {@link #harvest()} moves every bit from the full one into the
 * empty one and swaps their roles, so every call harvests exactly the same bits into an empty target (as a
 * migration bitmap is empty after its pass), and the source is "re-dirtied" by the previous call.
 *
 * <p>Not thread-safe: one benchmark thread.
 */
public final class HarvestPingPong
{
    private DirtyLog full;
    private DirtyLog empty;

    /** @param full a log holding the bits; @param empty an empty log of the same shape and kind. */
    public HarvestPingPong(final DirtyLog full, final DirtyLog empty)
    {
        if (empty.cardinality() != 0)
        {
            throw new IllegalArgumentException("the second log must start empty: " + empty);
        }
        this.full = full;
        this.empty = empty;
    }

    /** @return the log the next {@link #harvest()} moves the bits out of. */
    public DirtyLog source()
    {
        return full;
    }

    /**
     * Harvests as a pre-copy round's sync does ({@link DirtyLog#harvestIntoExclusive}: the target is this thread's
     * alone, as QEMU's migration bitmap is under its mutex and as the C anchor's plain OR assumes).
     *
     * @return the number of units moved, the same on every call.
     */
    public long harvest()
    {
        final DirtyLog source = full;
        final long moved = source.harvestIntoExclusive(empty);
        full = empty;
        empty = source;
        return moved;
    }
}
