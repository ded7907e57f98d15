package io.livemig.migration.link;

import java.io.IOException;

/**
 * How a paused post-copy migration gets a new link to its peer: in one process both roles take the same new
 * link from {@link io.livemig.migration.Migration}; across processes the destination listens again and the source connects again.
 * The role that calls it owns the link it returns and closes it when it gives up on it.
 *
 * <p>Called by one role's thread at a time; implementations must return by {@code deadlineNs}.
 */
@FunctionalInterface
public interface Reconnect
{
    /**
     * @param deadlineNs the {@link System#nanoTime()} by which to give up.
     * @return a new link to the same peer, or {@code null} if none could be had before the deadline (or ever,
     * e.g. the peer has failed).
     * @throws IOException          if reconnecting failed for good.
     * @throws InterruptedException if the thread was interrupted.
     */
    MigrationLink next(long deadlineNs) throws IOException, InterruptedException;

    /**
     * {@link #next} for a paused role: an interrupt becomes an {@link IOException} (the thread's interrupt flag
     * set again), which fails the pause like any other.
     */
    default MigrationLink nextWhilePaused(final long deadlineNs) throws IOException
    {
        try
        {
            return next(deadlineNs);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while post-copy was paused", ex);
        }
    }
}
