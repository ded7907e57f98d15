package io.livemig.dirty;

import java.util.Locale;

/**
 * Which {@link DirtyLog} tracks a guest's writes: the choice that {@code scripts/migrate --tracker} and the
 * benchmarks make. Every kind is a {@code DirtyLog}, so guest memory (through {@link DirtyMarker}), the
 * workloads and the engines take any of them unchanged.
 *
 * <p>Thread-safety: an immutable enum; each {@link #create} returns a new log, thread-safe as its class says.
 */
public enum DirtyTracker
{
    /** {@link AtomicDirtyBitmap}: a flat bitmap; a harvest walks every word. */
    BITMAP
    {
        @Override
        public DirtyLog create(final long pageCount, final int granularityShift, final int ringSize)
        {
            return new AtomicDirtyBitmap(pageCount, granularityShift);
        }
    },
    /** {@link SummaryDirtyBitmap}: a bitmap with a summary of non-zero words; a harvest skips clean regions. */
    SUMMARY
    {
        @Override
        public DirtyLog create(final long pageCount, final int granularityShift, final int ringSize)
        {
            return new SummaryDirtyBitmap(pageCount, granularityShift);
        }
    },
    /** {@link DirtyRingLog}: KVM's per-vCPU dirty rings; collecting costs follow the units dirtied. */
    RING
    {
        @Override
        public DirtyLog create(final long pageCount, final int granularityShift, final int ringSize)
        {
            return new DirtyRingLog(pageCount, granularityShift, ringSize, DirtyRingLog.defaultReserved(ringSize));
        }
    };

    /**
     * @param ringSize entries per ring, used by {@link #RING} only (a power of two; the reserve is {@link
     *                 DirtyRingLog#defaultReserved}).
     * @return a new, clean log of this kind.
     */
    public abstract DirtyLog create(long pageCount, int granularityShift, int ringSize);

    /** @return the name on the command line and in results: {@code bitmap}, {@code summary} or {@code ring}. */
    public String cliName()
    {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * @param name {@code bitmap}, {@code summary} or {@code ring}, in any case.
     * @throws IllegalArgumentException naming the value if it is none of them.
     */
    public static DirtyTracker parse(final String name)
    {
        for (final DirtyTracker tracker : values())
        {
            if (tracker.cliName().equalsIgnoreCase(name))
            {
                return tracker;
            }
        }
        throw new IllegalArgumentException("tracker must be bitmap, summary or ring: " + name);
    }
}
