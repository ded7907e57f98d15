package io.livemig.migration;

import io.livemig.memory.GuestMemory;
import io.livemig.migration.link.MigrationLink;

import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

/**
 * For a migration in one process that must not converge after round 0: when the source announces pre-copy
 * round 0, this link marks every page of the source guest dirty, rewriting each page's last byte with its own
 * value (no writer owns that byte: the sequential sweep writes byte 0, the other patterns their first 8 x writers
 * bytes), so the guest's contents do not change. Round 0 then leaves the whole guest to send again: the estimate
 * after it is round 0's own wire bytes (megabytes of seeded data), while a downtime limit of 1 ms allows the
 * link's rate for 1 ms (under 300 KB up to 256 MiB/s). So hybrid switches to post-copy after round 0, and
 * pre-copy goes on to round 1, however little the writers managed on a busy machine: certain, not the outcome of
 * the writers' race with the round.
 *
 * <p>The source guest is given ({@link #wrap}) or comes from the engine's factory ({@link #install}); a source
 * alone ({@code --to}) has none, and then nothing is dirtied. Thread-safety: as {@link MigrationLink}; the pages are written on the thread that
 * announces the round (the source's).
 */
final class DirtyGuestAtRoundZero extends ForwardingLink
{
    private final Supplier<GuestMemory> source;

    /** @param source the source guest, or {@code null} while there is none (then nothing is dirtied). */
    DirtyGuestAtRoundZero(final MigrationLink inner, final Supplier<GuestMemory> source)
    {
        super(inner);
        this.source = source;
    }

    /** @return {@code link}, which dirties {@code guest} at the announcement of round 0. */
    static MigrationLink wrap(final MigrationLink link, final GuestMemory guest)
    {
        return new DirtyGuestAtRoundZero(link, () -> guest);
    }

    /** @return {@code run}, its first link wrapped in this one and its engine made by a factory that keeps the guest. */
    static MigrationRun install(final MigrationRun run)
    {
        final AtomicReference<GuestMemory> source = new AtomicReference<>();
        return run.factory((options, src, log, dst, workload, link) ->
        {
            source.set(src);
            return new Migration(options, src, log, dst, workload, link);
        }).links((index, link) -> index == 0 ? new DirtyGuestAtRoundZero(link, source::get) : link);
    }

    @Override
    public void phase(final String phase, final long round)
    {
        final GuestMemory guest = source.get();
        if (guest != null && phase.equals("precopy") && round == 0)
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
