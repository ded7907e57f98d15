package io.livemig.workload;

/**
 * Where a destination vCPU asks whether a page has arrived yet during post-copy: the software stand-in for
 * a userfaultfd-registered range. {@link #isPresent} is the fast path every write takes; a page that is not
 * present is a <em>fault</em>, and the writer calls {@link #awaitPresent}, which parks it until the page has
 * been placed.
 *
 * <p>Thread-safety: implementations are called by every writer thread at once. Ordering: a {@code true}
 * answer from either method is an acquire of the page's contents, so the writer sees the bytes that were
 * placed before the page was published.
 */
public interface PageGate
{
    /** @return whether {@code page} has been placed (acquire); never blocks. */
    boolean isPresent(long page);

    /**
     * The slow path of a fault: asks for {@code page} and parks the calling thread until it has been placed.
     *
     * @param page        the page the writer is about to touch.
     * @param writerIndex the calling writer, {@code [0, writers)}, for per-writer fault statistics.
     */
    void awaitPresent(long page, int writerIndex);
}
