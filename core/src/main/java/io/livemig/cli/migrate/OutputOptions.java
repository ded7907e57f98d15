package io.livemig.cli.migrate;

import io.livemig.cli.DestinationOption;
import io.livemig.cli.VerboseOption;
import io.livemig.migration.result.MigrationResult;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * {@code migrate}'s output: the result as a line or JSON, a copy in a file, the progress line, the checks asked
 * for, the capture of the stream, and ({@link VerboseOption}) the diagnostics. {@link #report} prints a role's
 * result and gives the exit status, the same way for both roles. Filled by picocli, then read on the command's
 * thread; not thread-safe.
 */
public final class OutputOptions extends VerboseOption
{
    @DestinationOption
    @Option(names = "--json", order = 1, description = "print the result as one JSON object on stdout")
    boolean json;

    @DestinationOption
    @Option(names = "--result", order = 2, paramLabel = "FILE", description = "also write the result JSON to FILE")
    Path resultFile;

    @DestinationOption
    @Option(names = "--quiet", order = 3, description = "no progress line")
    boolean quiet;

    @Option(names = "--verify", order = 4, description = "compare destination with source page by page; exit 1 on a mismatch")
    boolean verify;

    @Option(names = "--capture", order = 5, paramLabel = "FILE", description = "write the page stream as sent to FILE")
    Path capture;

    @Option(names = "--baseline-copy", order = 7, description = "after the migration, time a plain copy of the same "
        + "bytes over a new link like the migration's, in this process: the floor under the migration here")
    boolean baselineCopy;

    /**
     * Records this JVM's paths in {@code result}, prints it ({@code --json} or the summary line) on {@code out},
     * writes {@code --result}, and says in one line on {@code err} why it failed, if it did.
     *
     * @param destination whether this is a {@code --listen} destination's result, which fails on a negative
     *                    verdict (it verifies when its source asks); a source's fails without a positive one
     *                    where {@code --verify} asked for it.
     * @return 0, or {@link MigrateCommand#EXIT_FAILED} for a failed migration, a failed verification or an
     *         unwritable {@code --result}.
     */
    int report(final MigrationResult result, final boolean destination, final PrintWriter out, final PrintWriter err)
    {
        result.jdk = Runtime.version().toString();
        result.codecPath = codecPath();
        result.kernelPath = kernelPath();
        result.startupPath = startupPath();
        if (verbose() && result.warmUp != null)
        {
            err.println("livemig " + result.warmUp);
            err.flush();
        }
        out.println(json ? result.toJson() : result.summary());
        out.flush();
        if (resultFile != null)
        {
            try
            {
                Files.writeString(resultFile, result.toJson() + System.lineSeparator());
            }
            catch (final IOException | RuntimeException ex)
            {
                return Role.fail(err, "--result cannot write " + resultFile + ": " + ex);
            }
        }
        if (result.error() != null)
        {
            return Role.fail(err, "migration failed: " + result.error());
        }
        if (destination ? Boolean.FALSE.equals(result.verified()) : verify && !Boolean.TRUE.equals(result.verified()))
        {
            return Role.fail(err, "verification failed: first mismatching pages " + result.mismatchPages() +
                (result.sweepViolation() >= 0 ? ", sweep invariant broken at page " + result.sweepViolation() : ""));
        }
        return 0;
    }
}
