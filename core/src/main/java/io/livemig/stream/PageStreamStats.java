package io.livemig.stream;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * Counters of one {@link io.livemig.stream.write.PageStreamWriter} or {@link io.livemig.stream.read.PageStreamReader}: pages and wire bytes per
 * {@link PageKind}, records of other kinds, and all bytes on the wire.
 *
 * <p>Single writer, any readers: the owning writer or reader updates the counters on its own thread with
 * release stores ({@code VarHandle.setRelease}, a plain store on x86, no atomic read-modify-write); every
 * accessor here is an acquire load, so another thread sees each counter whole (never torn) and monotonic, and
 * sees the page bytes behind a count it read. Counters are not read as one atomic snapshot: read while the
 * stream runs, {@code pages(ZERO) + pages(NORMAL)} may mix two moments.
 */
public final class PageStreamStats
{
    private static final VarHandle COUNTS = MethodHandles.arrayElementVarHandle(long[].class);
    private static final int KINDS = PageKind.count();
    private static final int BYTES = KINDS;
    private static final int WIRE = 2 * KINDS;
    private static final int EOS = WIRE + 1;
    private static final int MEM_SIZE = WIRE + 2;
    private static final int MEM_SIZE_BYTES = WIRE + 3;

    /** Pages counts, then bytes counts, by kind ordinal; then wire bytes, EOS and MEM_SIZE records and bytes. */
    private final long[] counts = new long[MEM_SIZE_BYTES + 1];

    /** Counts one page record of {@code kind} of {@code wireBytes} bytes. Owner thread only. */
    public void page(final PageKind kind, final int wireBytes)
    {
        add(kind.ordinal(), 1);
        add(BYTES + kind.ordinal(), wireBytes);
        add(WIRE, wireBytes);
    }

    /** Counts one EOS record. Owner thread only. */
    public void eos(final int wireBytes)
    {
        add(EOS, 1);
        add(WIRE, wireBytes);
    }

    /** Counts the wire bytes of a record of no other kind (QEMU's MULTIFD_FLUSH). Owner thread only. */
    public void other(final int wireBytes)
    {
        add(WIRE, wireBytes);
    }

    /** Counts one MEM_SIZE record. Owner thread only. */
    public void memSize(final int wireBytes)
    {
        add(MEM_SIZE, 1);
        add(MEM_SIZE_BYTES, wireBytes);
        add(WIRE, wireBytes);
    }

    private void add(final int index, final long delta)
    {
        COUNTS.setRelease(counts, index, (long)COUNTS.get(counts, index) + delta);
    }

    private long get(final int index)
    {
        return (long)COUNTS.getAcquire(counts, index);
    }

    /** Acquire load. @return pages of {@code kind}. */
    public long pages(final PageKind kind)
    {
        return get(kind.ordinal());
    }

    /** Acquire load. @return wire bytes of the records of {@code kind}, headers and names included. */
    public long bytes(final PageKind kind)
    {
        return get(BYTES + kind.ordinal());
    }

    /** Acquire loads. @return pages of every kind, {@link PageKind#UNCHANGED} included. */
    public long totalPages()
    {
        long total = 0;
        for (int i = 0; i < KINDS; i++)
        {
            total += get(i);
        }
        return total;
    }

    /** Acquire loads. @return pages that went on the wire: every kind but {@link PageKind#UNCHANGED}. */
    public long pagesSent()
    {
        return totalPages() - pages(PageKind.UNCHANGED);
    }

    /** Acquire load. @return every byte of every record on the wire, MEM_SIZE and EOS included. */
    public long wireBytes()
    {
        return get(WIRE);
    }

    /** Acquire load. @return EOS records. */
    public long eosRecords()
    {
        return get(EOS);
    }

    /** Acquire load. @return MEM_SIZE records. */
    public long memSizeRecords()
    {
        return get(MEM_SIZE);
    }

    /** Acquire load. @return wire bytes of the MEM_SIZE records. */
    public long memSizeBytes()
    {
        return get(MEM_SIZE_BYTES);
    }

    /** Acquire load. @return wire bytes of the EOS records. */
    public long eosBytes()
    {
        return get(EOS) * PageStreamDescriptor.HEADER_LENGTH;
    }

    @Override
    public String toString()
    {
        final StringBuilder sb = new StringBuilder("PageStreamStats[");
        for (int i = 0; i < KINDS; i++)
        {
            final PageKind kind = PageKind.ofOrdinal(i);
            sb.append(kind).append('=').append(pages(kind)).append('/').append(bytes(kind)).append("B, ");
        }
        return sb.append("eos=").append(eosRecords()).append(", wireBytes=").append(wireBytes()).append(']').toString();
    }
}
