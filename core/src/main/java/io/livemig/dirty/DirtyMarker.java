package io.livemig.dirty;

/**
 * The narrow interface through which guest memory reports writes: every write path calls {@link #mark}
 * after it has stored the data.
 *
 * <p>Thread-safety: implementations are safe for any number of concurrent writers. Ordering: a call to
 * {@code mark} is ordered after every store the calling thread made before it (a StoreLoad fence at the
 * least), so a reader that clears the page's unit and then reads the page either sees those stores or
 * leaves the unit dirty for the next pass.
 */
@FunctionalInterface
public interface DirtyMarker
{
    /** A marker that records nothing, for guest memory that is not being tracked. */
    DirtyMarker NONE = page -> {};

    /**
     * Records that {@code page} was written. Call after the data has been stored.
     *
     * @param page page number (guest-physical address divided by the page size).
     */
    void mark(long page);

    /**
     * Records that {@code pageCount} pages from {@code firstPage} were written.
     *
     * @param firstPage first page written.
     * @param pageCount number of pages written, at least 0.
     */
    default void markRange(final long firstPage, final long pageCount)
    {
        for (long p = firstPage, end = firstPage + pageCount; p < end; p++)
        {
            mark(p);
        }
    }
}
