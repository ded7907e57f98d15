package io.livemig.memory;

/**
 * How whole pages must be placed into guest memory that a plain store may not touch: memory registered with a
 * userfaultfd in MISSING mode, where a store into a page not yet there would fault and block the storing
 * thread until someone else placed the page. A placer puts the page there atomically with the kernel's
 * {@code UFFDIO_COPY} or {@code UFFDIO_ZEROPAGE}, which also wake every thread blocked on it. {@link
 * GuestMemory#placer()} names the placer of such memory; the page stream reader applies pages through it.
 *
 * <p>Thread-safety: implementations are safe for any number of threads placing different pages.
 * Ordering: a page's bytes are visible to every thread that touches the page after {@link #place} or {@link
 * #placeZero} returned (the kernel maps the page only once its bytes are in it).
 */
public interface PagePlacer
{
    /**
     * @return whether {@code page} holds bytes that a placement put there, so that it can be read or
     *         overwritten without a fault (a delta decoder reads the old page).
     */
    boolean isPlaced(long page);

    /**
     * Places the page's bytes from {@code srcAddress} (native memory, one page): atomically if the page is
     * missing, by a copy into it if it was placed before (a pre-copy round sending the page again).
     *
     * @return {@code false} if the page appeared meanwhile by another route ({@code EEXIST}: a racing
     *         placement) and was left as it was.
     */
    boolean place(long page, long srcAddress);

    /** As {@link #place}, for a page of zeros. */
    boolean placeZero(long page);

    /**
     * Only when a run has failed or its threads must stop regardless: wakes, for good, every thread blocked on a
     * missing page (faults are no longer delivered); the pages they wait for then read as zeros. Idempotent.
     */
    void releaseWaiters();
}
