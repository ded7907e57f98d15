package io.livemig.migration.options;

/**
 * Told of a migration's progress, at the end of every round and every few hundred milliseconds within a
 * long one, for live displays such as {@code scripts/migrate}'s progress line.
 *
 * <p>Called on the migration's sending thread; keep it short.
 */
@FunctionalInterface
public interface MigrationProgress
{
    /**
     * @param phase                 {@code precopy}, {@code stop-and-copy} or {@code postcopy}.
     * @param round                 the current round.
     * @param remainingPages        dirty pages not yet sent.
     * @param dirtyPagesPerSecond   the last measured dirty rate.
     * @param wireBytesPerSecond    forward throughput since the migration started.
     * @param throttlePercent       the guest's throttle.
     */
    void onProgress(String phase, long round, long remainingPages, double dirtyPagesPerSecond,
        double wireBytesPerSecond, int throttlePercent);
}
