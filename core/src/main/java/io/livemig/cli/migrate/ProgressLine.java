package io.livemig.cli.migrate;

import io.livemig.migration.options.MigrationProgress;

import java.io.PrintWriter;
import java.util.Locale;

/**
 * {@code migrate}'s live progress line on stderr: rewritten in place on a terminal, one line per update
 * otherwise. Called by the source's migration thread only; not thread-safe.
 */
final class ProgressLine implements MigrationProgress
{
    private final PrintWriter err;
    private final boolean inPlace;

    /**
     * @param err     where the line goes.
     * @param inPlace rewrite the line in place (a terminal), else print one line per update.
     */
    ProgressLine(final PrintWriter err, final boolean inPlace)
    {
        this.err = err;
        this.inPlace = inPlace;
    }

    @Override
    public void onProgress(final String phase, final long round, final long remainingPages,
        final double dirtyPagesPerSecond, final double wireBytesPerSecond, final int throttlePercent)
    {
        final String line = String.format(Locale.ROOT,
            "%-13s round %3d  remaining %10d pages  dirty rate %10.0f pages/s  throughput %8.1f MiB/s  throttle %2d %%",
            phase, round, remainingPages, dirtyPagesPerSecond, wireBytesPerSecond / (1 << 20), throttlePercent);
        if (inPlace)
        {
            err.print('\r');
            err.print(line);
        }
        else
        {
            err.println(line);
        }
        err.flush();
    }
}
