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
}
