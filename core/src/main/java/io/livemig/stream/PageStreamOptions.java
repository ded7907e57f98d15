package io.livemig.stream;

/**
 * What a {@link io.livemig.stream.write.PageStreamWriter} may use besides zero and raw pages: XBZRLE deltas (with the byte budget of
 * the source's page cache) and LZ4. Immutable value with withers, each validating its argument; safe to share.
 *
 * <pre>{@code
 * PageStreamOptions options = PageStreamOptions.defaults()
 *     .withXbzrle(true).withXbzrleCacheBytes(64 << 20).withLz4(true);
 * }</pre>
 * A writer further refuses XBZRLE for pages above 16 KiB and a cache smaller than one page.
 */
public final class PageStreamOptions
{
    /** QEMU's default XBZRLE cache: 64 MiB. */
    public static final long DEFAULT_XBZRLE_CACHE_BYTES = 64L << 20;

    private static final PageStreamOptions DEFAULTS = new PageStreamOptions(false, DEFAULT_XBZRLE_CACHE_BYTES, false);

    private final boolean xbzrle;
    private final long xbzrleCacheBytes;
    private final boolean lz4;

    private PageStreamOptions(final boolean xbzrle, final long xbzrleCacheBytes, final boolean lz4)
    {
        this.xbzrle = xbzrle;
        this.xbzrleCacheBytes = xbzrleCacheBytes;
        this.lz4 = lz4;
    }

    /** @return zero and raw pages only; XBZRLE cache budget {@link #DEFAULT_XBZRLE_CACHE_BYTES} if enabled. */
    public static PageStreamOptions defaults()
    {
        return DEFAULTS;
    }

    /** @return these options with XBZRLE enabled or not. */
    public PageStreamOptions withXbzrle(final boolean enabled)
    {
        return new PageStreamOptions(enabled, xbzrleCacheBytes, lz4);
    }

    /**
     * @param bytes the XBZRLE cache budget: a power of two, at least 4 KiB (and at least one page).
     * @return these options with that budget.
     */
    public PageStreamOptions withXbzrleCacheBytes(final long bytes)
    {
        if (bytes < 4096 || Long.bitCount(bytes) != 1)
        {
            throw new IllegalArgumentException("XBZRLE cache size must be a power of two of at least 4 KiB: " + bytes);
        }
        return new PageStreamOptions(xbzrle, bytes, lz4);
    }

    /** @return these options with LZ4 enabled or not. */
    public PageStreamOptions withLz4(final boolean enabled)
    {
        return new PageStreamOptions(xbzrle, xbzrleCacheBytes, enabled);
    }

    /** @return whether pages may go as XBZRLE deltas. */
    public boolean xbzrle()
    {
        return xbzrle;
    }

    /** @return the XBZRLE cache budget in bytes (used only if {@link #xbzrle()}). */
    public long xbzrleCacheBytes()
    {
        return xbzrleCacheBytes;
    }

    /** @return whether pages may go as LZ4 blocks. */
    public boolean lz4()
    {
        return lz4;
    }

    /**
     * Checks these options against a page size.
     *
     * @throws IllegalArgumentException if XBZRLE is on and the page size is above 16 KiB or above the cache.
     */
    public void validateFor(final int pageSize)
    {
        if (xbzrle && pageSize > PageStreamDescriptor.XBZRLE_MAX_PAGE_SIZE)
        {
            throw new IllegalArgumentException(
                "XBZRLE needs a page size of at most 16 KiB (its run lengths are two-byte ULEB128): " + pageSize);
        }
        if (xbzrle && xbzrleCacheBytes < pageSize)
        {
            throw new IllegalArgumentException(
                "XBZRLE cache of " + xbzrleCacheBytes + " bytes holds no " + pageSize + "-byte page");
        }
    }

    @Override
    public boolean equals(final Object o)
    {
        if (!(o instanceof PageStreamOptions))
        {
            return false;
        }
        final PageStreamOptions that = (PageStreamOptions)o;
        return xbzrle == that.xbzrle && xbzrleCacheBytes == that.xbzrleCacheBytes && lz4 == that.lz4;
    }

    @Override
    public int hashCode()
    {
        return Boolean.hashCode(xbzrle) * 31 * 31 + Long.hashCode(xbzrleCacheBytes) * 31 + Boolean.hashCode(lz4);
    }

    @Override
    public String toString()
    {
        return "PageStreamOptions[xbzrle=" + (xbzrle ? "on, cache " + xbzrleCacheBytes + " bytes" : "off") +
            ", lz4=" + (lz4 ? "on" : "off") + "]";
    }
}
