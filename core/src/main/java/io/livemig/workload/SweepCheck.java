package io.livemig.workload;

import io.livemig.memory.GuestMemory;

/**
 * The invariant of QEMU's migration test guest ({@code tests/qtest/migration}: the guest increments the
 * first byte of every page, sweeping its range for ever): in any consistent copy of its memory, the first
 * bytes along the sweep order are equal except for exactly one place (or none) where they step down by one
 * increment, the point the sweep had reached. A page that migration lost or sent stale breaks the
 * pattern: it shows as a second step, or a step of another size.
 *
 * <p>Stateless; call it only while no writer runs (the check reads plain bytes).
 */
public final class SweepCheck
{
    private SweepCheck()
    {
    }

    /**
     * Checks every writer's slice of a {@link AccessPattern#sequential} workload.
     *
     * @param memory      the memory to check, e.g. the destination after migration.
     * @param pageCount   pages the pattern sweeps.
     * @param writerCount writers that shared the sweep.
     * @return the first page that breaks the invariant, or -1 if none does.
     */
    public static long firstViolation(final GuestMemory memory, final long pageCount, final int writerCount)
    {
        for (int i = 0; i < writerCount; i++)
        {
            final long first = AccessPattern.sliceFirst(pageCount, i, writerCount);
            final long end = Math.min(pageCount, AccessPattern.sliceEnd(pageCount, i, writerCount));
            final long bad = firstViolationInRange(memory, first, end);
            if (bad >= 0)
            {
                return bad;
            }
        }
        return -1;
    }

    /**
     * Checks one sweep range {@code [firstPage, endPage)}.
     *
     * @return the first page that breaks the invariant, or -1 if none does.
     */
    public static long firstViolationInRange(final GuestMemory memory, final long firstPage, final long endPage)
    {
        final int shift = memory.pageShift();
        boolean stepped = false;
        byte previous = memory.getByte(firstPage << shift);
        for (long page = firstPage + 1; page < endPage; page++)
        {
            final byte b = memory.getByte(page << shift);
            if (b != previous)
            {
                if ((byte)(b + 1) != previous || stepped)
                {
                    return page;
                }
                stepped = true;
            }
            previous = b;
        }
        return -1;
    }
}
