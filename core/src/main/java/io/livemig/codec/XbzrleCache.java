package io.livemig.codec;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

import java.util.Arrays;

/**
 * The source side's XBZRLE page cache, with QEMU's {@code page_cache.c} semantics
 * (spec: {@code xbzrle.md}): a byte budget divided into page-sized slots, page {@code p} in slot
 * {@code p & (slots - 1)}, each entry remembering its page and its <em>age</em>, the round (dirty-log sync)
 * in which it was last inserted or hit. A page displaces another page's entry only once that entry is two
 * rounds old ({@code age + 2 <= round}).
 *
 * <p>{@link #encode} carries out rules 2 and 3 of the spec, so that the cache always equals the
 * destination's copy of each cached page: the caller passes a private <em>snapshot</em> of the guest page
 * and sends exactly that snapshot whenever this cache says to send the page in full. Encoding from live
 * guest memory instead would let a vCPU's write slip between the cache and the wire.
 *
 * <p>Thread-safety: none. One cache belongs to the one thread that sends pages; {@link #stats()} may be read
 * from any thread (see {@link XbzrleStats}). Slots live on the heap in arrays of at most 1 GiB; nothing is
 * allocated after construction.
 */
public final class XbzrleCache
{
    /** {@link #encode} result: the page was not cached; send the snapshot in full. */
    public static final int MISS = -2;

    private static final long EMPTY = -1;
    private static final int SEGMENT_SHIFT = 30;
    /** Most slots accepted, so that the entry arrays stay modest (2^26 slots of 4 KiB = 256 GiB). */
    private static final long MAX_SLOTS = 1L << 26;

    private final int pageSize;
    private final int slots;
    private final int slotMask;
    private final int slotsPerSegmentShift;
    private final int slotInSegmentMask;
    private final byte[][] segments;
    private final long[] cachedPage;
    private final long[] age;
    private final XbzrleStats stats;
    private long round;

    /**
     * @param budgetBytes cache size in bytes ({@code xbzrle-cache-size}), a power of two of at least one page.
     * @param pageSize    page size, a power of two up to {@link Xbzrle#MAX_PAGE_SIZE}.
     * @throws IllegalArgumentException if either is out of range.
     */
    public XbzrleCache(final long budgetBytes, final int pageSize)
    {
        if (pageSize <= 0 || pageSize > Xbzrle.MAX_PAGE_SIZE || Integer.bitCount(pageSize) != 1)
        {
            throw new IllegalArgumentException(
                "page size must be a power of two up to " + Xbzrle.MAX_PAGE_SIZE + ": " + pageSize);
        }
        if (budgetBytes < pageSize || Long.bitCount(budgetBytes) != 1)
        {
            throw new IllegalArgumentException(
                "cache budget must be a power of two of at least one page (" + pageSize + "): " + budgetBytes);
        }
        final long slotCount = budgetBytes / pageSize;
        if (slotCount > MAX_SLOTS)
        {
            throw new IllegalArgumentException(
                "cache budget " + budgetBytes + " makes more than " + MAX_SLOTS + " slots of " + pageSize + " bytes");
        }
        this.pageSize = pageSize;
        this.slots = (int)slotCount;
        this.slotMask = slots - 1;
        final long segmentBytes = Math.min(budgetBytes, 1L << SEGMENT_SHIFT);
        this.slotsPerSegmentShift = Long.numberOfTrailingZeros(segmentBytes / pageSize);
        this.slotInSegmentMask = (1 << slotsPerSegmentShift) - 1;
        this.segments = new byte[(int)(budgetBytes / segmentBytes)][];
        for (int s = 0; s < segments.length; s++)
        {
            segments[s] = new byte[(int)segmentBytes];
        }
        this.cachedPage = new long[slots];
        this.age = new long[slots];
        Arrays.fill(cachedPage, EMPTY);
        this.stats = new XbzrleStats(pageSize);
    }

    /** @return the page size. */
    public int pageSize()
    {
        return pageSize;
    }

    /** @return the number of slots, budget / page size. */
    public int slots()
    {
        return slots;
    }

    /** @return the current round. */
    public long round()
    {
        return round;
    }

    /**
     * Starts round {@code round}: the number of the dirty-log sync whose pages are sent next; ages are counted
     * in these numbers.
     *
     * @throws IllegalArgumentException if {@code round} is below the current round.
     */
    public void startRound(final long round)
    {
        if (round < this.round)
        {
            throw new IllegalArgumentException("round went backwards: " + round + " after " + this.round);
        }
        this.round = round;
    }

    /**
     * Looks up {@code page} and acts on the answer (rules 2 and 3 of the spec).
     * <ul>
     * <li>Hit: encodes cached copy → {@code snapshot} into {@code dst[dstOffset, +capacity)}; unless the
     *     page is unchanged, copies the snapshot into the cache (also on overflow, when the caller sends the
     *     snapshot in full). The entry's age becomes the current round.</li>
     * <li>Miss: inserts the snapshot unless the slot holds another page younger than two rounds, and
     *     returns {@link #MISS}: the caller sends the snapshot in full either way.</li>
     * </ul>
     *
     * @param snapshot the page as it will be sent: a private copy, not live guest memory.
     * @return the delta length; 0 if unchanged (send nothing); -1 on overflow or {@link #MISS} (send
     *         {@code snapshot} in full).
     * @throws IllegalArgumentException  if {@code page} is negative.
     * @throws IndexOutOfBoundsException if a range is outside its buffer.
     */
    public int encode(
        final long page, final DirectBuffer snapshot, final int snapshotOffset,
        final MutableDirectBuffer dst, final int dstOffset, final int capacity)
    {
        checkPage(page);
        Bounds.checkRange("snapshot", snapshot, snapshotOffset, pageSize);
        Bounds.checkRange("dst", dst, dstOffset, capacity);
        final Object snapshotBase = RawBytes.base(snapshot);
        final long snapshotAddress = RawBytes.address(snapshot, snapshotOffset);
        final int slot = (int)page & slotMask;
        final byte[] segment = segments[slot >>> slotsPerSegmentShift];
        final long slotAddress = RawBytes.ARRAY_BASE_OFFSET + ((long)(slot & slotInSegmentMask) * pageSize);
        final int result;
        if (cachedPage[slot] == page)
        {
            age[slot] = round;
            result = Xbzrle.encode(
                segment, slotAddress, snapshotBase, snapshotAddress, pageSize,
                RawBytes.base(dst), RawBytes.address(dst, dstOffset), capacity);
            if (result != 0)
            {
                RawBytes.copy(snapshotBase, snapshotAddress, segment, slotAddress, pageSize);
            }
        }
        else
        {
            if (cachedPage[slot] == EMPTY || age[slot] + 2 <= round)
            {
                cachedPage[slot] = page;
                age[slot] = round;
                RawBytes.copy(snapshotBase, snapshotAddress, segment, slotAddress, pageSize);
            }
            result = MISS;
        }
        stats.record(result);
        return result;
    }

    /**
     * Rule 4: {@code page} was sent as a zero page, so its cached copy, if any, becomes zeros (and its age
     * the current round, as for a hit). Does nothing for a page that is not cached.
     *
     * @throws IllegalArgumentException if {@code page} is negative.
     */
    public void zeroPageSent(final long page)
    {
        checkPage(page);
        final int slot = (int)page & slotMask;
        if (cachedPage[slot] == page)
        {
            age[slot] = round;
            final int from = (slot & slotInSegmentMask) * pageSize;
            Arrays.fill(segments[slot >>> slotsPerSegmentShift], from, from + pageSize, (byte)0);
        }
    }

    /** @return whether {@code page} is cached now. */
    public boolean isCached(final long page)
    {
        checkPage(page);
        return cachedPage[(int)page & slotMask] == page;
    }

    /**
     * Copies the cached copy of {@code page} into {@code dst[dstOffset, +pageSize)}, for tests and checks.
     *
     * @return whether the page is cached (nothing is copied if not).
     */
    public boolean copyCached(final long page, final MutableDirectBuffer dst, final int dstOffset)
    {
        checkPage(page);
        Bounds.checkRange("dst", dst, dstOffset, pageSize);
        final int slot = (int)page & slotMask;
        if (cachedPage[slot] != page)
        {
            return false;
        }
        dst.putBytes(dstOffset, segments[slot >>> slotsPerSegmentShift], (slot & slotInSegmentMask) * pageSize,
            pageSize);
        return true;
    }

    /** @return the counters, readable from any thread. */
    public XbzrleStats stats()
    {
        return stats;
    }

    private static void checkPage(final long page)
    {
        if (page < 0)
        {
            throw new IllegalArgumentException("page number must not be negative: " + page);
        }
    }
}
