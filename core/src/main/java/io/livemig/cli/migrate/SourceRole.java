package io.livemig.cli.migrate;

import io.livemig.cli.BadOption;
import io.livemig.cli.SizeParser;
import io.livemig.codec.CodecWarmUp;
import io.livemig.migration.MigrationRun;
import io.livemig.migration.options.MigrationMode;
import io.livemig.migration.options.MigrationOptions;
import io.livemig.migration.result.MigrationResult;
import picocli.CommandLine.Model.CommandSpec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.channels.FileChannel;
import java.nio.file.StandardOpenOption;

import static io.livemig.cli.migrate.MigrateCommand.human;

/**
 * {@code migrate} without {@code --listen}: the source, with its destination in this process or, with
 * {@code --to}, in another. Checks every option the source takes, refuses a guest the machine cannot hold
 * before allocating anything, runs the migration with its progress line, and reports the result. One run per
 * instance, on the command's thread; not thread-safe.
 */
final class SourceRole extends Role
{
    /** The source of {@code command}, with the parameters of {@link Role#Role}. */
    SourceRole(final MigrateCommand command, final CommandSpec spec, final MigrateCommand.MachineMemory machine)
    {
        super(command, spec, machine);
    }

    @Override
    int run(final PrintWriter out, final PrintWriter err)
    {
        final OutputOptions output = command.output;
        final MigrationRun run;
        final FileChannel capture;
        try
        {
            run = configure();
            capture = openCapture();
        }
        catch (final BadOption ex)
        {
            return usage(err, ex.getMessage());
        }
        output.print(err);
        try
        {
            return guard(err, "--memory " + SizeParser.format(command.guest.memory) +
                " cannot be allocated", MigrateCommand.EXIT_USAGE, () ->
            {
                if (capture != null)
                {
                    run.capture(capture);
                }
                if (!output.quiet)
                {
                    run.progress(new ProgressLine(err, System.console() != null));
                }
                final MigrationResult result = run.run();
                if (!output.quiet)
                {
                    err.println();
                }
                return output.report(result, false, out, err);
            });
        }
        finally
        {
            if (capture != null)
            {
                try
                {
                    capture.close();
                }
                catch (final IOException ex)
                {
                    err.println("migrate: --capture " + output.capture + " could not be closed: " + ex);
                }
            }
        }
    }

    /** @return the run every option asks for, each checked. */
    private MigrationRun configure() throws BadOption
    {
        final GuestOptions guest = command.guest;
        final LinkOptions link = command.link;
        final TrackerOptions trackers = command.trackers;
        guest.checkPages();
        final MigrationMode mode = command.parameters.mode();
        guest.checkWorkload(link.to != null);
        link.checkSource(spec);
        trackers.checkSource(mode, link);
        final MigrationOptions options = trackers.applyTo(command.parameters.options(guest.pageSize, trackers.tracker));
        checkMemory(machine());
        final MigrationRun run = link.applyTo(trackers.applyTo(guest.applyTo(new MigrationRun())));
        if (command.output.baselineCopy && link.to != null)
        {
            throw new BadOption("--baseline-copy", "needs both guests in this process: it is not for a --to source");
        }
        return run.verify(command.output.verify).options(options).baselineCopy(command.output.baselineCopy)
            .warmUp(CodecWarmUp.enabled());
    }

    /** @return {@code --capture}'s file, open for writing, or null without it. */
    private FileChannel openCapture() throws BadOption
    {
        final OutputOptions output = command.output;
        if (output.capture == null)
        {
            return null;
        }
        try
        {
            return FileChannel.open(output.capture, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING);
        }
        catch (final IOException | RuntimeException ex)
        {
            throw new BadOption("--capture", "cannot write " + output.capture + ": " + ex);
        }
    }

    /**
     * Refuses a run whose memory would not fit the machine, before anything is allocated: the source and
     * destination guests (off-heap, zeroed at once), the XBZRLE cache if enabled (heap) and the dirty bitmaps
     * (source log with its summary, the migration's bitmap, the destination's received pages: about four bits
     * per page), the ring tracker's rings, and the device state on both sides.
     */
    private void checkMemory(final MigrateCommand.MachineMemory machine) throws BadOption
    {
        final long memory = command.guest.memory;
        final long deviceState = command.parameters.deviceState;
        final boolean xbzrle = command.parameters.xbzrle;
        final long pages = memory / command.guest.pageSize;
        final long bitmaps = 4 * ((pages + 63) / 64 * 8);
        final long cache = xbzrle ? command.parameters.xbzrleCache : 0;
        // Ring tracker: a ring and its collect buffer (16 bytes an entry) per vCPU and the filling thread.
        final long rings = command.trackers.tracker.equals("ring") ?
            (command.guest.writers + 1L) * 16 * command.trackers.ringSize() : 0;
        final int guests = command.link.to == null ? 2 : 1; // --to: the destination's guest is the other process's
        final long needed = guests * memory + cache + bitmaps + rings + 2 * deviceState;
        if (machine.available() >= 0 && needed > machine.available())
        {
            throw new BadOption("--memory", SizeParser.format(memory) + " needs " + human(needed) +
                (guests == 2 ? " (source and destination guests 2 x " : " (source guest 1 x ") + human(memory) +
                (xbzrle ? ", XBZRLE cache " + human(cache) : "") + ", dirty bitmaps " + human(bitmaps) +
                (rings > 0 ? ", dirty rings " + human(rings) : "") +
                ", device state 2 x " + human(deviceState) + ") but this machine has " + human(machine.available()) +
                " available" + (machine.total() > 0 ? " of " + human(machine.total()) + " physical memory" : ""));
        }
        final long heap = Runtime.getRuntime().maxMemory();
        if (cache > 0 && heap != Long.MAX_VALUE && cache > heap)
        {
            throw new BadOption("--xbzrle-cache", SizeParser.format(cache) + " does not fit the JVM's heap of " +
                human(heap) + " (raise -Xmx or lower the cache)");
        }
    }
}
