package io.livemig.workload;

/**
 * An endless sequence of page numbers that one writer touches, drawn from an {@link AccessPattern}.
 *
 * <p>Not thread-safe: each writer owns its sequence. {@link #nextPage()} does not allocate.
 */
@FunctionalInterface
public interface PageSequence
{
    /** @return the next page to write, in {@code [0, pageCount)} of the pattern it came from. */
    long nextPage();

    /**
     * For a {@linkplain AccessPattern#isPaced() paced} pattern: how long this writer should take over the write
     * of the page {@link #nextPage()} returned last, in nanoseconds (0: no pause). Unpaced patterns return 0.
     */
    default long intervalNanos()
    {
        return 0;
    }
}
