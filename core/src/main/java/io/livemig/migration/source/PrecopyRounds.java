package io.livemig.migration.source;

import io.livemig.migration.options.MigrationMode;
import io.livemig.migration.options.StopPolicy;
import io.livemig.migration.result.RoundStats;
import io.livemig.migration.throttle.AutoConverge;

import java.io.IOException;
import java.util.Locale;

import static io.livemig.migration.wire.MigrationEnvelopeDescriptor.SECTION_CHANNEL_SYNC;

/**
 * Pre-copy, as QEMU's {@code ram_save_iterate}: round 0 sends every page; each later round first syncs (the
 * harvest atomically takes the log's words, so the pages' contents are read only after their bits were
 * cleared: a write racing with it is either taken now or left in the log for the next sync) and then sends
 * what is dirty, each bit cleared by the scanner before the page is read. After each sync the remainder is
 * compared with bandwidth x downtime limit ({@link StopPolicy}), and the throttles act on the round's dirty rate
 * ({@link AutoConverge}, dirty-limit). The phase ends by saying what comes next: a stop-and-copy when the
 * remainder fits, post-copy for a hybrid or when pre-copy gives up that way, or an {@link IOException} when it
 * gives up and cancels (the guest runs on here).
 *
 * <p>With page channels each round goes to every channel ({@link
 * io.livemig.migration.channel.SenderChannels}); when all have ended it with EOS, CHANNEL_SYNC on the main
 * channel announces it to the destination.
 *
 * <p>Not thread-safe: the source's migration thread runs it.
 */
final class PrecopyRounds
{
    /** What the source does after pre-copy. */
    record Next(boolean postcopy, String reason)
    {
    }

    /** Sends every page dirty in the migration bitmap; the source's overridable step ({@code sendDirtyPages}). */
    @FunctionalInterface
    interface DirtyPageSender
    {
        /** @return pages processed. */
        long send(boolean allowXbzrle) throws IOException;
    }

    private final SourceSession s;
    private final DirtyPageSender sender;

    PrecopyRounds(final SourceSession session, final DirtyPageSender sender)
    {
        this.s = session;
        this.sender = sender;
    }

    /** Runs rounds until one of the ways out: @return which. */
    Next run() throws IOException
    {
        final int pageSize = s.memory.pageSize();
        final boolean hybrid = s.options.mode() == MigrationMode.HYBRID;
        s.phase = "precopy";
        while (true)
        {
            s.announce("precopy", s.round);
            s.roundRemaining = s.bitmap.cardinality();
            final long roundStart = System.nanoTime();
            final long wireBefore = s.wireBytes();
            final long sent = sendRound(s.options.xbzrle() && s.round > 0);
            final long roundEnd = System.nanoTime();
            final long roundWire = s.wireBytes() - wireBefore;
            // Every sender has finished its round (sendRound waited for them), so the bitmap is this thread's alone
            // until the next round starts them: the sync may update it with plain writes, as QEMU's does under its
            // bitmap mutex.
            final long newlyDirty = s.log.harvestIntoExclusive(s.bitmap);
            final long now = System.nanoTime();
            final double dirtyRate = newlyDirty / Math.max(1e-9, (now - s.lastSyncNs) / 1e9);
            s.lastSyncNs = now;
            s.lastDirtyRate = dirtyRate;
            final long remaining = s.bitmap.cardinality();
            final double roundSeconds = Math.max(1e-6, (roundEnd - roundStart) / 1e9);
            double bandwidth = roundWire / roundSeconds;
            if (s.options.bandwidth() > 0)
            {
                bandwidth = roundWire == 0 ? s.options.bandwidth() : Math.min(bandwidth, s.options.bandwidth());
            }
            final double threshold = bandwidth * s.options.downtimeLimitMs() / 1e3;
            final double bytesPerPage = sent == 0 ? pageSize : (double)roundWire / sent;
            final double estimate = remaining * (s.options.stopPolicy() == StopPolicy.QEMU ? pageSize : bytesPerPage);
            throttle((double)newlyDirty * pageSize, roundWire);
            final int throttle = s.workload == null ? 0 : s.workload.throttlePercent();
            s.result.roundStats.add(new RoundStats(s.round, sent, roundWire, (roundEnd - roundStart) / 1e6,
                dirtyRate, remaining, throttle, bandwidth, estimate, threshold));
            s.round++;
            s.roundRemaining = remaining;
            s.reportProgress(true);
            final String state = String.format(Locale.ROOT,
                "after %d rounds %d pages remain, estimated %.0f bytes vs %.0f (%.1f MB/s x %d ms), dirty rate %.0f pages/s (%.1f MB/s)",
                s.round, remaining, estimate, threshold, bandwidth / 1e6, s.options.downtimeLimitMs(), dirtyRate,
                dirtyRate * pageSize / 1e6);
            if (estimate <= threshold)
            {
                s.result.converged = true;
                return new Next(false, "converged: " + state);
            }
            final boolean outOfRounds = s.round >= s.options.maxRounds();
            final boolean outOfTime = now - s.startNs >= s.options.maxTimeMs() * 1_000_000L;
            if (hybrid && (s.round >= s.options.postcopyAfterRounds() || outOfRounds || outOfTime))
            {
                return new Next(true, "switched to post-copy: " + state);
            }
            if (outOfRounds || outOfTime)
            {
                return giveUp(outOfRounds, state);
            }
        }
    }

    /** Auto-converge or dirty-limit, each on the period's dirty bytes against the round's. */
    private void throttle(final double dirtiedBytes, final long roundWire)
    {
        if (s.workload == null || !AutoConverge.triggered(s.options, dirtiedBytes, roundWire))
        {
            return;
        }
        if (s.dirtyLimit != null && !s.result.dirtyLimitTriggered)
        {
            s.result.dirtyLimitTriggered = true; // triggered as auto-converge is, then on until switch-over
            s.dirtyLimit.start();
        }
        if (s.options.autoConverge())
        {
            s.workload.setThrottlePercent(AutoConverge.nextThrottle(s.options, s.workload.throttlePercent()));
        }
    }

    private Next giveUp(final boolean outOfRounds, final String state) throws IOException
    {
        s.result.converged = false;
        final String limit = "did not converge (" + (outOfRounds ? "max rounds " + s.options.maxRounds() :
            "max time " + s.options.maxTimeMs() + " ms") + ")";
        switch (s.options.onGiveUp())
        {
            case STOP:
                return new Next(false, limit + ", forced stop-and-copy: " + state);
            case POSTCOPY:
                return new Next(true, limit + ", switched to post-copy: " + state);
            default:
                s.result.reason = limit + ", cancelled: the guest stays on the source: " + state;
                throw new IOException("gave up: " + s.result.reason);
        }
    }

    /**
     * One iteration: a RAM section holding every page dirty in the migration bitmap, ended by EOS, or with page
     * channels one round on each channel, then CHANNEL_SYNC on the main channel.
     *
     * @return pages processed.
     */
    long sendRound(final boolean allowXbzrle) throws IOException
    {
        if (s.channels == null)
        {
            s.startRamSection();
            final long sent = sender.send(allowXbzrle);
            s.writer.writeEos();
            s.pageOut.flush();
            return sent;
        }
        final long before = s.channels.pages();
        final long remaining = s.roundRemaining;
        final long sent = s.channels.sendRound(s.round, allowXbzrle, () ->
        {
            s.roundRemaining = Math.max(0, remaining - (s.channels.pages() - before));
            s.reportProgress(false);
            s.returnPath.check();
        });
        s.envOut.putByte(SECTION_CHANNEL_SYNC);
        s.envOut.putInt(s.channelSyncs++);
        s.envOut.flush();
        return sent;
    }
}
