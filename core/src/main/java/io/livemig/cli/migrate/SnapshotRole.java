package io.livemig.cli.migrate;

import io.livemig.cli.BadOption;
import io.livemig.snapshot.SnapshotResult;
import io.livemig.snapshot.SnapshotRun;
import io.livemig.snapshot.file.SnapshotFormatException;
import io.livemig.snapshot.restore.RestoreMode;
import io.livemig.snapshot.save.SaveSettings;
import io.livemig.snapshot.file.SnapshotMode;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static io.livemig.cli.BadOption.check;

/**
 * {@code migrate --to file:PATH} (save the guest to a snapshot file) and {@code migrate --from file:PATH} (build a
 * guest from one and resume it). Each takes only the options that mean something for it and refuses the rest
 * in one line; a file that cannot be restored is refused in one line naming the offset, exit 1, and nothing
 * resumes. One run per instance, on the command's thread; not thread-safe.
 */
final class SnapshotRole extends Role
{
    /** What a save takes. */
    static final List<String> SAVE = List.of("--to", "--memory", "--page-size", "--writers", "--compute-vcpus",
        "--pattern", "--dirty-rate", "--bytes-per-touch", "--fill", "--before", "--after", "--seed", "--downtime",
        "--max-rounds", "--device-state", "--channels", "--snapshot", "--direct-io", "--diff-from", "--json", "--result",
        "--quiet", "--verify", "--verbose");
    /** What a diff save leaves out of {@link #SAVE}: the guest and its vCPUs are its parent's. */
    static final List<String> PARENTS = List.of("--memory", "--page-size", "--writers", "--compute-vcpus", "--pattern",
        "--dirty-rate", "--bytes-per-touch", "--fill", "--seed", "--device-state");
    /** What a restore takes. */
    static final List<String> RESTORE = List.of("--from", "--restore", "--channels", "--faults", "--after", "--json",
        "--result", "--quiet", "--verify", "--verbose");

    private final boolean save;

    /** The save ({@code save}) or the restore of {@code command}, with the parameters of {@link Role#Role}. */
    SnapshotRole(final MigrateCommand command, final CommandSpec spec, final MigrateCommand.MachineMemory machine,
        final boolean save)
    {
        super(command, spec, machine);
        this.save = save;
    }

    @Override
    int run(final PrintWriter out, final PrintWriter err)
    {
        final SnapshotOptions snap = command.snapshot;
        final Path path;
        final SnapshotRun run;
        final SaveSettings settings;
        final RestoreMode restore;
        try
        {
            final List<String> takes = save ? SAVE : RESTORE;
            for (final OptionSpec o : spec.commandLine().getParseResult().matchedOptions())
            {
                if (save && snap.diffFrom != null && PARENTS.contains(o.longestName()))
                {
                    throw new BadOption(o.longestName(), "does not apply with --diff-from (the guest and its vCPUs " +
                        "are the parent snapshot's)");
                }
                if (!takes.contains(o.longestName()))
                {
                    throw new BadOption(o.longestName(), "does not apply to " + (save ? "a snapshot save (--to file:PATH takes " :
                        "a snapshot restore (--from file:PATH takes ") + String.join(", ", takes.subList(1, takes.size())) + ")");
                }
            }
            final int threads = command.link.channels;
            check(threads >= 1 && threads <= SaveSettings.MAX_THREADS, "--channels", "must be 1 to " +
                SaveSettings.MAX_THREADS + " threads for a snapshot, not", threads);
            run = new SnapshotRun().threads(threads).verify(command.output.verify);
            if (save)
            {
                path = SnapshotOptions.path("--to", command.link.to);
                final GuestOptions g = command.guest;
                g.checkPages();
                g.checkWorkload(false);
                final MigrationParameters p = command.parameters;
                check(p.deviceState >= 0 && p.deviceState <= (64 << 20), "--device-state", "must be 0 to 64m", p.deviceState);
                check(p.maxRounds >= 1, "--max-rounds", "must be at least 1", p.maxRounds);
                final SnapshotMode mode = snap.mode();
                if (snap.diffFrom != null)
                {
                    check(mode != SnapshotMode.BACKGROUND, "--diff-from", "takes --snapshot stopped or live, not",
                        mode.cliName());
                    run.diffFrom(SnapshotOptions.path("--diff-from", snap.diffFrom));
                }
                settings = new SaveSettings(mode, threads, snap.directIo, p.downtimeMs, p.maxRounds);
                restore = null;
                final long needed = g.memory + 2 * (g.memory / g.pageSize / 8) + 8 * (g.memory / g.pageSize) +
                    (command.output.verify ? 8 * (g.memory / g.pageSize) : 0);
                final long available = machine().available();
                run.maxMemory(available < 0 ? Long.MAX_VALUE : available);
                check(snap.diffFrom != null || available < 0 || needed <= available, "--memory", "needs " +
                    MigrateCommand.human(needed) + " (the guest, its dirty log, the page digests) but this machine has " +
                    MigrateCommand.human(Math.max(0, available)) + " available:", g.memory);
                run.guest(g.memory, (int)g.pageSize).vcpus(g.writers, g.computeVcpus, g.pattern, g.dirtyRate,
                    g.bytesPerTouch).contents(g.fill, g.seed, (int)p.deviceState).phasesMs(g.beforeMs, g.afterMs);
            }
            else
            {
                path = SnapshotOptions.path("--from", snap.from);
                restore = snap.restoreMode();
                command.trackers.checkShared();
                check(!command.trackers.kernelFaults() || restore == RestoreMode.LAZY, "--faults",
                    "kernel needs --restore lazy (an eager restore fills the guest before anything touches it), not",
                    restore.cliName());
                settings = null;
                run.phasesMs(0, command.guest.afterMs);
            }
        }
        catch (final BadOption ex)
        {
            return usage(err, ex.getMessage());
        }
        command.output.print(err);
        return guard(err, "the snapshot's guest cannot be allocated", MigrateCommand.EXIT_FAILED, () ->
        {
            final SnapshotResult result;
            if (save)
            {
                try
                {
                    result = run.save(path, settings);
                }
                catch (final SnapshotFormatException ex)
                {
                    return fail(err, path + ": " + ex.getMessage()); // --verify read the file back
                }
                if (result.directIoRefusal != null)
                {
                    err.println("migrate: --direct-io: " + result.directIoRefusal + "; the page cache is used");
                }
            }
            else
            {
                final long available = machine().available();
                try
                {
                    result = run.restore(path, restore, command.trackers.kernelFaults(),
                        available < 0 ? Long.MAX_VALUE : available);
                }
                catch (final SnapshotFormatException ex)
                {
                    return fail(err, path + ": " + ex.getMessage()); // nothing resumed
                }
            }
            return report(result, out, err);
        });
    }

    /** Prints the result (line or JSON), writes {@code --result}; @return the exit status. */
    private int report(final SnapshotResult result, final PrintWriter out, final PrintWriter err)
    {
        final OutputOptions output = command.output;
        out.println(output.json ? result.toJson() : result.summary());
        out.flush();
        if (output.resultFile != null)
        {
            try
            {
                Files.writeString(output.resultFile, result.toJson() + System.lineSeparator());
            }
            catch (final IOException | RuntimeException ex)
            {
                return fail(err, "--result cannot write " + output.resultFile + ": " + ex);
            }
        }
        if (result.error != null)
        {
            return fail(err, "snapshot " + result.operation + " failed: " + result.error);
        }
        if (output.verify && !Boolean.TRUE.equals(result.verified))
        {
            return fail(err, "verification failed: " + result.mismatchPages + " pages of the file differ from the " +
                "guest at the snapshot's instant");
        }
        return 0;
    }
}
