package io.livemig.codec;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * Counters of one {@link XbzrleCache}, named as QEMU's {@code info migrate} names its XBZRLE counters.
 *
 * <ul>
 * <li>{@link #cacheMiss()}: look-ups that found another page (or none) in the slot;</li>
 * <li>{@link #pages()}: pages sent as an XBZRLE delta (result &gt; 0);</li>
 * <li>{@link #bytes()}: delta bytes of those pages plus one page size per overflow, as QEMU counts an
 *     overflowed page; unlike QEMU's, it leaves out the record framing, which belongs to the page stream;</li>
 * <li>{@link #overflow()}: hits whose delta did not fit (sent in full);</li>
 * <li>{@link #unchanged()} and {@link #lookups()}: livemig's additions, hits that were unchanged (not sent)
 *     and all look-ups.</li>
 * </ul>
 * The rates are cumulative since the cache was made (QEMU's are per reporting period).
 *
 * <p>Thread-safety: one writer, the cache's owner, which stores each counter with release semantics; any
 * thread may read. Each accessor is an acquire read of one counter, so a reader sees every count up to some
 * recent page; two accessors may see different pages, so a rate computed from two counters can mix counts one
 * page apart (harmless for a statistic).
 */
public final class XbzrleStats
{
    private static final VarHandle LOOKUPS;
    private static final VarHandle CACHE_MISS;
    private static final VarHandle PAGES;
    private static final VarHandle BYTES;
    private static final VarHandle OVERFLOW;
    private static final VarHandle UNCHANGED;

    static
    {
        try
        {
            final MethodHandles.Lookup lookup = MethodHandles.lookup();
            LOOKUPS = lookup.findVarHandle(XbzrleStats.class, "lookups", long.class);
            CACHE_MISS = lookup.findVarHandle(XbzrleStats.class, "cacheMiss", long.class);
            PAGES = lookup.findVarHandle(XbzrleStats.class, "pages", long.class);
            BYTES = lookup.findVarHandle(XbzrleStats.class, "bytes", long.class);
            OVERFLOW = lookup.findVarHandle(XbzrleStats.class, "overflow", long.class);
            UNCHANGED = lookup.findVarHandle(XbzrleStats.class, "unchanged", long.class);
        }
        catch (final ReflectiveOperationException ex)
        {
            throw new ExceptionInInitializerError(ex);
        }
    }

    private final int pageSize;
    private long lookups;
    private long cacheMiss;
    private long pages;
    private long bytes;
    private long overflow;
    private long unchanged;

    XbzrleStats(final int pageSize)
    {
        this.pageSize = pageSize;
    }

    // ---------------------------------------------------------------- writer (the cache's owner only)

    /** Records one look-up and what came of it: {@link XbzrleCache#MISS}, -1, 0 or a delta length. */
    void record(final int result)
    {
        LOOKUPS.setRelease(this, lookups + 1);
        if (result == XbzrleCache.MISS)
        {
            CACHE_MISS.setRelease(this, cacheMiss + 1);
        }
        else if (result == -1)
        {
            OVERFLOW.setRelease(this, overflow + 1);
            BYTES.setRelease(this, bytes + pageSize);
        }
        else if (result == 0)
        {
            UNCHANGED.setRelease(this, unchanged + 1);
        }
        else
        {
            PAGES.setRelease(this, pages + 1);
            BYTES.setRelease(this, bytes + result);
        }
    }

    // ---------------------------------------------------------------- readers (any thread, acquire)

    /** @return look-ups (calls of {@link XbzrleCache#encode}); acquire read. */
    public long lookups()
    {
        return (long)LOOKUPS.getAcquire(this);
    }

    /** @return look-ups that missed; acquire read. */
    public long cacheMiss()
    {
        return (long)CACHE_MISS.getAcquire(this);
    }

    /** @return {@link #cacheMiss()} / {@link #lookups()}, 0 before the first look-up; acquire reads. */
    public double cacheMissRate()
    {
        final long lookups = lookups();
        return lookups == 0 ? 0.0 : (double)cacheMiss() / lookups;
    }

    /** @return hits whose delta did not fit; acquire read. */
    public long overflow()
    {
        return (long)OVERFLOW.getAcquire(this);
    }

    /** @return pages encoded as a delta; acquire read. */
    public long pages()
    {
        return (long)PAGES.getAcquire(this);
    }

    /** @return delta bytes plus one page per overflow; acquire read. */
    public long bytes()
    {
        return (long)BYTES.getAcquire(this);
    }

    /** @return hits that found the page unchanged; acquire read. */
    public long unchanged()
    {
        return (long)UNCHANGED.getAcquire(this);
    }

    /**
     * @return {@code pages() * pageSize / bytes()}, how many page bytes each sent byte stood for (QEMU's
     *         {@code encoding-rate}), 0 before the first delta; acquire reads.
     */
    public double encodingRate()
    {
        final long pages = pages();
        final long bytes = bytes();
        return pages == 0 || bytes == 0 ? 0.0 : (double)pages * pageSize / bytes;
    }

    @Override
    public String toString()
    {
        return "XbzrleStats[lookups=" + lookups() + ", cacheMiss=" + cacheMiss() + ", pages=" + pages() +
            ", bytes=" + bytes() + ", overflow=" + overflow() + ", unchanged=" + unchanged() + "]";
    }
}
