package io.livemig.dirty;

/**
 * The migration side's walk over a dirty log, as QEMU's {@code migration_bitmap_find_dirty} and
 * {@code migration_bitmap_clear_dirty}: from a cursor, find the next dirty unit, wrapping around at the end,
 * and clear its bit <em>before</em> handing it out to be read and sent.
 *
 * <h2>Why no write is lost</h2>
 * A vCPU writes a page in two steps: it stores the data, then {@link DirtyLog#mark marks} the unit (a full
 * fence, then a volatile read of the bit, then an atomic OR if the bit was clear). The scanner clears the
 * bit with an atomic read-modify-write and only then reads the page. Take any write W to a unit that this
 * scanner hands out, and the clear C that handed it out:
 * <ul>
 *   <li>if W's read of the bit comes after C (in the total order of volatile and atomic accesses), W sees
 *       the bit clear and sets it again, so the unit is dirty and is sent again later;</li>
 *   <li>if W's read of the bit comes before C, then W's data store is ordered before that read by W's full
 *       fence, and the page read is ordered after C by C's atomic read-modify-write (a full fence on both
 *       sides of the race): the page read sees W's data.</li>
 * </ul>
 * Reading first and clearing after would lose W whenever W lands between the read and the clear: the
 * "read-then-clear" test double in the stress tests shows exactly that.
 *
 * <p>{@link #drain} hands out a batch: one atomic AND per word clears every unit of the batch in that word,
 * and the caller reads the pages after the call returns. The argument holds per unit unchanged, because it
 * only needs C (an atomic read-modify-write that cleared the unit's bit) to come before the page read in
 * the scanner's program order; a batch moves some clears earlier, never a read before its clear. A unit
 * whose bit was cleared by another thread between the drain's plain read and its AND is not in the AND's
 * result, so it is not handed out twice.
 *
 * <p>Thread-safety: one scanner per thread; the cursor is the scanner's own, unsynchronised state. Several
 * scanners (or a scanner and {@link DirtyLog#testAndClear} callers, such as post-copy page requests) may work
 * on the same log: each set bit is handed out by exactly one of them.
 */
public final class DirtyScanner
{
    private final DirtyLog log;
    private long cursor;

    /** @param log the log to walk; the cursor starts at unit 0. */
    public DirtyScanner(final DirtyLog log)
    {
        this.log = log;
    }

    /** @return the log this scanner walks. */
    public DirtyLog log()
    {
        return log;
    }

    /** @return the unit the next search starts from. */
    public long cursor()
    {
        return cursor;
    }

    /**
     * Moves the cursor, e.g. to continue after a post-copy request as QEMU's page search does.
     *
     * @param unit a unit in {@code [0, log().size())}.
     */
    public void seek(final long unit)
    {
        if (unit < 0 || unit >= log.size())
        {
            throw new IndexOutOfBoundsException("unit " + unit + " is outside [0, " + log.size() + ")");
        }
        cursor = unit;
    }

    /**
     * Finds the next dirty unit from the cursor, wrapping once around the end, clears it and returns it.
     * The caller may read the unit's pages only after this returns. A lap reads each word once: the search
     * runs from the cursor to the end, then from 0 up to where the lap started, never over the log twice.
     *
     * @return a unit whose bit this call cleared, or -1 if a whole lap found no dirty unit.
     */
    public long next()
    {
        final DirtyLog log = this.log;
        final long size = log.size();
        final long start = cursor;
        long from = start;
        long to = size;
        while (true)
        {
            final long unit = from < to ? log.nextDirty(from, to) : -1;
            if (unit < 0)
            {
                if (to != size || start == 0)
                {
                    return -1;
                }
                from = 0;
                to = start;
                continue;
            }
            from = unit + 1;
            cursor = from == size ? 0 : from;
            if (log.testAndClear(unit))
            {
                return unit;
            }
            // Another thread cleared it between our find and our clear: it owns that unit; look further.
        }
    }

    /**
     * Clears and hands out up to {@code units.length} dirty units in lap order from the cursor (to the end,
     * then from 0 up to where the lap started), a word at a time through {@link DirtyLog#drain}, and moves
     * the cursor past the last one. Every unit written was cleared by this call before it returned, each
     * with an atomic read-modify-write, so the argument above holds for each of them as for {@link #next}:
     * clearing a batch first and reading its pages after only moves the clears earlier, and a write that
     * lands after a clear re-dirties its unit for a later lap.
     *
     * @param units receives the units from index 0; at least one long.
     * @return how many units were written; 0 if a whole lap found no dirty unit.
     * @throws IllegalArgumentException if {@code units} is empty.
     */
    public int drain(final long[] units)
    {
        if (units.length == 0)
        {
            throw new IllegalArgumentException("units must hold at least one unit");
        }
        final DirtyLog log = this.log;
        final long size = log.size();
        final long start = cursor;
        int n = log.drain(start, size, units, 0);
        if (n < units.length && start > 0)
        {
            n += log.drain(0, start, units, n);
        }
        if (n > 0)
        {
            final long next = units[n - 1] + 1;
            cursor = next == size ? 0 : next;
        }
        return n;
    }
}
