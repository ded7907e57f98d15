package io.livemig.migration;

import io.livemig.memory.GuestMemory;
import io.livemig.migration.link.MigrationLink;

import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

/**
 * For a migration in one process that must not converge before a given round: when the source announces each
 * of its first pre-copy rounds, this link marks every page of the source guest dirty, rewriting each page's last
 * byte with its own value (no writer owns that byte: the sequential sweep writes byte 0, the other patterns
 * their first 8 x writers bytes), so the guest's contents do not change. Each such round then leaves the whole
 * guest to send again: the estimate after it is the round's own wire bytes (megabytes of seeded data), while a
 * downtime limit of 1 ms allows the link's rate for 1 ms (under 300 KB up to 256 MiB/s). So the migration cannot
 * converge after those rounds: hybrid switches to post-copy after round 0, pre-copy goes on to the next round, a
 * throttle triggered by the dirtying engages, however little the writers managed on a busy machine: certain, not
 * the outcome of the writers' race with the rounds.
 *
 * <p>The source guest is given ({@link #wrap}) or comes from the engine's factory ({@link #install}); a source
 * alone ({@code --to}) has none, and then nothing is dirtied. Thread-safety: as {@link MigrationLink}; the pages
 * are written on the thread that announces the round (the source's).
 */
final class DirtyWholeGuest extends ForwardingLink
{
    /** Every round: the migration never converges, and ends at its round or time limit. */
    static final int EVERY_ROUND = Integer.MAX_VALUE;

    private final Supplier<GuestMemory> source;
    private final int rounds;

    /**
     * @param source the source guest, or {@code null} while there is none (then nothing is dirtied).
     * @param rounds how many pre-copy rounds, from round 0, start with the whole guest dirty.
     */
    DirtyWholeGuest(final MigrationLink inner, final Supplier<GuestMemory> source, final int rounds)
    {
        super(inner);
        this.source = source;
        this.rounds = rounds;
    }

    /** @return {@code link}, which dirties {@code guest} at the announcement of each of the first {@code rounds}. */
    static MigrationLink wrap(final MigrationLink link, final GuestMemory guest, final int rounds)
    {
        return new DirtyWholeGuest(link, () -> guest, rounds);
    }

    /**
     * @return {@code run}, its first link wrapped in this one (dirtying the first {@code rounds}) and its engine made
     *         by a factory that keeps the guest.
     */
    static MigrationRun install(final MigrationRun run, final int rounds)
    {
        final AtomicReference<GuestMemory> source = new AtomicReference<>();
        return run.factory((options, src, log, dst, workload, link) ->
        {
            source.set(src);
            return new Migration(options, src, log, dst, workload, link);
        }).links((index, link) -> index == 0 ? new DirtyWholeGuest(link, source::get, rounds) : link);
    }

    @Override
    public void phase(final String phase, final long round)
    {
        final GuestMemory guest = source.get();
        if (guest != null && phase.equals("precopy") && round < rounds)
        {
            final int last = guest.pageSize() - 1;
            for (long p = 0; p < guest.pageCount(); p++)
            {
                final long at = p * guest.pageSize() + last;
                guest.putByte(at, guest.getByte(at));
            }
        }
        super.phase(phase, round);
    }
}
