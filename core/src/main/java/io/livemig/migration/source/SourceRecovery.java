package io.livemig.migration.source;

import io.livemig.migration.link.MigrationLink;
import io.livemig.migration.link.Reconnect;
import io.livemig.migration.link.RoleThreads;

import java.io.IOException;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/**
 * Post-copy recovery on the source: a failure of the link once POSTCOPY_RUN was handed to it pauses the source
 * ({@code postcopy-paused} in the progress) instead of failing it. Its vCPUs were stopped at the switch-over and
 * stay stopped, so its memory is final and any page may be sent again. It closes the cut link, takes a new
 * one, reads the destination's received bitmap first on the new return path, rebuilds the migration bitmap as
 * exactly the pages the destination lacks (what was in flight or in a buffer at the cut is among them), and
 * opens on the new forward stream the envelope header and a RAM section for those pages; {@link PostcopyPush}
 * goes on from there. With a preempt connection ({@link PreemptSender}) the new link's is taken too, and requests
 * are served on it again only once the bitmap is rebuilt. A cut during recovery pauses again; a pause not
 * recovered within the recover timeout fails the migration. The page stream after a recovery is not captured.
 *
 * <p>Not thread-safe: the source's migration thread runs it.
 */
final class SourceRecovery
{
    /** Pause between two failed attempts to recover: short against a pause, long against a connect. */
    private static final long RECONNECT_BACKOFF_NS = 50_000_000L;

    private final SourceSession s;
    private final Reconnect reconnect;
    private final BooleanSupplier peerCompleted;
    private final BooleanSupplier peerFailed;

    /**
     * @param reconnect     where new links come from, or null without recovery.
     * @param peerCompleted whether the destination has ended successfully (in one process; alone, never).
     * @param peerFailed    whether the destination has ended without completing (in one process; alone, never).
     */
    SourceRecovery(final SourceSession session, final Reconnect reconnect, final BooleanSupplier peerCompleted,
        final BooleanSupplier peerFailed)
    {
        this.s = session;
        this.reconnect = reconnect;
        this.peerCompleted = peerCompleted;
        this.peerFailed = peerFailed;
    }

    /** @return where new links come from after a post-copy cut, or null when recovery is off. */
    Reconnect reconnect()
    {
        return s.options.recover() ? reconnect : null;
    }

    /**
     * Takes new links until one brings the destination's received bitmap, then opens a RAM section on it
     * holding exactly the pages the destination lacks.
     *
     * @return true once post-copy goes on over a new link; false when the destination had already ended
     *         successfully (in one process): the cut hit only its acknowledgement, and nothing is missing.
     * @throws IOException naming the cut, when no link brought the bitmap within the timeout.
     */
    boolean pauseAndRecover(final Reconnect from, final Exception cut) throws IOException
    {
        final long pausedAt = System.nanoTime();
        if (s.cutNs == 0)
        {
            s.cutNs = pausedAt;
        }
        final String pausedPhase = s.phase;
        s.phase = "postcopy-paused";
        if (s.preempt != null)
        {
            s.preempt.pause(); // requests wait in the push's queue until the bitmap is rebuilt
        }
        s.reportProgress(true);
        s.link.close();
        s.returnPath.join();
        final long deadline = pausedAt + s.options.recoverTimeoutMs() * 1_000_000L;
        Throwable last = cut;
        while (true)
        {
            final MigrationLink next = from.nextWhilePaused(deadline);
            if (next == null && peerCompleted.getAsBoolean())
            {
                s.phase = pausedPhase;
                return false;
            }
            if (next == null && peerFailed.getAsBoolean())
            {
                throw new IOException("post-copy paused after \"" + RoleThreads.describe(cut) + "\", but the " +
                    "destination did not pause: it failed (it had not started post-copy, or could not go on)", cut);
            }
            if (next == null)
            {
                throw new IOException("post-copy paused after \"" + RoleThreads.describe(cut) + "\" was not " +
                    "recovered within the recover timeout of " + s.options.recoverTimeoutMs() + " ms" +
                    (last == cut ? "" : " (last attempt: " + RoleThreads.describe(last) + ")"), cut);
            }
            s.retireWriter();
            s.link = next;
            s.returnPath.start(next, true);
            try
            {
                final long[] held = s.returnPath.awaitReceivedBitmap(deadline, RECONNECT_BACKOFF_NS, peerFailed);
                final long resend = markMissing(held);
                s.openStreams(false);
                s.writeEnvelopeHeader();
                s.startRamSection();
                if (s.preempt != null)
                {
                    s.preempt.reattach(next);
                    s.preempt.activate();
                }
                s.result.recoveryResentPages = Math.max(0, s.result.recoveryResentPages) + resend;
                s.roundRemaining = resend;
                final long took = System.nanoTime() - pausedAt;
                s.pausedNanos += took;
                s.maxPauseNanos = Math.max(s.maxPauseNanos, took);
                s.result.recoveryPauses++;
                s.phase = pausedPhase;
                s.reportProgress(true);
                return true;
            }
            catch (final IOException ex)
            {
                last = ex;
                next.close();
                s.returnPath.join();
                backOff(deadline);
            }
        }
    }

    /** Waits a little before the next attempt after a failed one, so a dead peer costs no busy loop. */
    private static void backOff(final long deadlineNs)
    {
        final long left = deadlineNs - System.nanoTime();
        if (left > 0)
        {
            LockSupport.parkNanos(Math.min(left, RECONNECT_BACKOFF_NS));
        }
    }

    /**
     * Makes the migration bitmap exactly the pages not in {@code held}. The source's vCPUs are stopped, so its
     * memory is final: each page is read after its bit is cleared, as always, and it is the same page.
     *
     * @return the pages to send.
     */
    private long markMissing(final long[] held)
    {
        final long pages = s.bitmap.size();
        s.bitmap.clearRange(0, pages);
        for (int i = 0; i < held.length; i++)
        {
            long missing = ~held[i];
            if (i == held.length - 1 && (pages & 63) != 0)
            {
                missing &= (1L << (pages & 63)) - 1;
            }
            if (missing != 0)
            {
                s.bitmap.orWord(i, missing);
            }
        }
        s.scanner.seek(0);
        return s.bitmap.cardinality();
    }
}
