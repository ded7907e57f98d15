package io.livemig.snapshot.save;

import io.livemig.snapshot.file.SnapshotMode;

/**
 * What a save is asked to do. Immutable.
 *
 * @param mode            stopped or live ({@link SnapshotMode#BACKGROUND} is refused by {@link SnapshotSave}).
 * @param threads         writer threads, 1 to 64 ({@code --channels}).
 * @param directIo        write the RAM slots with {@code O_DIRECT} where the file system allows it.
 * @param downtimeLimitMs a live save stops the vCPUs once the pages left would take at most this long to
 *                        write, at the rate of the pass before.
 * @param maxRounds       a live save stops the vCPUs after this many passes, converged or not.
 */
public record SaveSettings(SnapshotMode mode, int threads, boolean directIo, long downtimeLimitMs, int maxRounds)
{
    /** Most writer threads. */
    public static final int MAX_THREADS = 64;

    /** @throws IllegalArgumentException if a setting is out of range. */
    public SaveSettings
    {
        if (mode == null || threads < 1 || threads > MAX_THREADS || downtimeLimitMs < 0 || maxRounds < 1)
        {
            throw new IllegalArgumentException("save settings out of range: " + mode + ", " + threads +
                " threads, downtime limit " + downtimeLimitMs + " ms, " + maxRounds + " rounds");
        }
    }

    /** A stopped save on {@code threads} threads, through the page cache. */
    public static SaveSettings stopped(final int threads)
    {
        return new SaveSettings(SnapshotMode.STOPPED, threads, false, 300, 30);
    }

    /** A live save on {@code threads} threads, through the page cache, QEMU's 300 ms downtime limit. */
    public static SaveSettings live(final int threads)
    {
        return new SaveSettings(SnapshotMode.LIVE, threads, false, 300, 30);
    }
}
