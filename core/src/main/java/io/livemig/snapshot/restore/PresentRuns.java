package io.livemig.snapshot.restore;

import io.livemig.snapshot.file.SnapshotPages;

import java.io.IOException;

/**
 * The present pages of a snapshot as runs of consecutive pages, each at most a reader's capacity: what the eager
 * restore loads and a verifying save checks, one positional read a run.
 *
 * <p>Stateless; thread-safe (the bitmap is read only).
 */
final class PresentRuns
{
    /** What is done with one run. */
    @FunctionalInterface
    interface Run
    {
        void accept(long first, int count) throws IOException;
    }

    private PresentRuns()
    {
    }

    /** Hands {@code run} each run of present pages in bitmap words {@code [fromWord, toWord)}, in order. */
    static void forEach(final SnapshotPages file, final int fromWord, final int toWord, final int capacity,
        final Run run) throws IOException
    {
        long first = -1;
        int count = 0;
        for (int w = fromWord; w < toWord; w++)
        {
            for (long bits = file.presentWord(w); bits != 0; bits &= bits - 1)
            {
                final long p = ((long)w << 6) + Long.numberOfTrailingZeros(bits);
                if (count > 0 && (p != first + count || count == capacity))
                {
                    run.accept(first, count);
                    count = 0;
                }
                if (count == 0)
                {
                    first = p;
                }
                count++;
            }
        }
        if (count > 0)
        {
            run.accept(first, count);
        }
    }
}
