package io.livemig.migration.throttle;

import io.livemig.migration.options.MigrationOptions;

/**
 * QEMU's auto-converge and its trigger, after each pre-copy round: a period that dirtied more than {@link
 * MigrationOptions#throttleTrigger()} % (QEMU's {@code throttle-trigger-threshold}, 50 % by default) of the
 * bytes the round sent triggers a throttle, first to {@link MigrationOptions#throttleInitial()} %, then up by
 * {@link MigrationOptions#throttleIncrement()} at each trigger, at most {@link MigrationOptions#throttleMax()}.
 * Dirty-limit ({@link DirtyLimit}) starts on the same trigger.
 *
 * <p>Stateless and thread-safe.
 */
public final class AutoConverge
{
    private AutoConverge()
    {
    }

    /**
     * @param dirtiedBytes bytes the guest dirtied in the period (pages harvested x page size).
     * @param sentBytes    bytes the round sent.
     * @return whether the period triggers a throttle.
     */
    public static boolean triggered(final MigrationOptions options, final double dirtiedBytes, final long sentBytes)
    {
        return dirtiedBytes * 100 > (double)sentBytes * options.throttleTrigger();
    }

    /** @return the throttle after a trigger, from the current one. */
    public static int nextThrottle(final MigrationOptions options, final int current)
    {
        return current == 0 ? options.throttleInitial() :
            Math.min(options.throttleMax(), current + options.throttleIncrement());
    }
}
