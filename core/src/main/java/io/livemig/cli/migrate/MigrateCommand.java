package io.livemig.cli.migrate;

import io.livemig.codec.CodecWarmUp;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.UsageMessageSpec;
import picocli.CommandLine.Spec;
import picocli.CommandLine;

import java.io.IOException;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;

/**
 * {@code scripts/migrate}: migrates a simulated guest inside this process, with writers running, and prints
 * the result: a live progress line on stderr, then one {@code info migrate}-style line (or, with {@code
 * --json}, one JSON object) on stdout. With {@code --to HOST:PORT} this process is the source only
 * ({@link SourceRole}), with {@code --listen HOST:PORT} the destination only ({@link DestinationRole},
 * {@link io.livemig.migration.MigrationListen}), and they meet over TCP. {@code --verify} compares the destination with the source
 * page by page; {@code --capture FILE} records the page stream exactly as sent; {@code --verbose} prints which
 * paths this JVM runs.
 *
 * <p>The options come in groups, one class each, shown under their headings by {@code --help}:
 * {@link GuestOptions}, {@link MigrationParameters}, {@link LinkOptions}, {@link TrackerOptions},
 * {@link OutputOptions}. Each checks its own options ({@link io.livemig.cli.BadOption}); the roles call those checks.
 *
 * <p>Exit codes: 0 done (and verified, if asked); 1 the migration failed, was refused or timed out, or
 * verification found differing pages; 2 a bad option (one line on stderr naming it). Not thread-safe; one run
 * per instance.
 */
@Command(name = "migrate", mixinStandardHelpOptions = true, sortOptions = false,
    customSynopsis = {
        "migrate [OPTION]...                      both roles in this process",
        "   or: migrate --to HOST:PORT [OPTION]...       the source only",
        "   or: migrate --listen HOST:PORT [OPTION]...   the destination only",
        "   or: migrate --to file:PATH [OPTION]...       save the guest to a snapshot file",
        "   or: migrate --from file:PATH [OPTION]...     build a guest from a snapshot file and resume it"},
    description = "Live-migrates a simulated guest in this process, or between two (--listen, --to), and prints the result.")
public final class MigrateCommand implements Callable<Integer>
{
    /** Exit code of a failed migration or a failed verification. */
    public static final int EXIT_FAILED = 1;
    /** Exit code of bad options. */
    public static final int EXIT_USAGE = 2;

    @Spec
    private CommandSpec spec;

    @ArgGroup(validate = false, order = 1, heading = "%nGuest and workload (the source's):%n")
    GuestOptions guest = new GuestOptions();

    @ArgGroup(validate = false, order = 2, heading = "%nMigration parameters (the source's):%n")
    MigrationParameters parameters = new MigrationParameters();

    @ArgGroup(validate = false, order = 3, heading = "%nLink and channels:%n")
    LinkOptions link = new LinkOptions();

    @ArgGroup(validate = false, order = 4, heading = "%nTrackers, faults and recovery:%n")
    TrackerOptions trackers = new TrackerOptions();

    @ArgGroup(validate = false, order = 5, heading = "%nSnapshots (--to file:PATH saves, --from file:PATH restores):%n")
    SnapshotOptions snapshot = new SnapshotOptions();

    @ArgGroup(validate = false, order = 6, heading = "%nOutput:%n")
    OutputOptions output = new OutputOptions();

    /** What the machine can give the run; probed when the command runs, injected by tests. */
    private final MachineMemory machine;

    /** A command for this machine. */
    public MigrateCommand()
    {
        this(null);
    }

    /** @param machine the memory the machine has, or null to read it when the command runs. */
    MigrateCommand(final MachineMemory machine)
    {
        this.machine = machine;
    }

    /** Runs the command and exits with its code. */
    public static void main(final String[] args)
    {
        System.exit(commandLine().execute(args));
    }

    /** @return a command line whose usage errors print one line and give {@link #EXIT_USAGE}. */
    public static CommandLine commandLine()
    {
        return commandLine(null);
    }

    /**
     * @param machine the machine's memory, or null to read it when the command runs.
     * @return a command line whose usage errors print one line and give {@link #EXIT_USAGE}.
     */
    static CommandLine commandLine(final MachineMemory machine)
    {
        final CommandLine cl = new CommandLine(new MigrateCommand(machine));
        cl.setParameterExceptionHandler((ex, args) -> Role.usage(cl.getErr(), ex.getMessage() + " (see --help)"));
        final CommandSpec spec = cl.getCommandSpec();
        final List<String> description = new ArrayList<>(List.of(spec.usageMessage().description()));
        description.add("A --listen destination takes " + String.join(", ", DestinationRole.options(spec)) +
            " and learns the rest from its source.");
        spec.usageMessage().description(description.toArray(new String[0]));
        // The groups first, then the options of no group (help and version) under their own heading.
        cl.getHelpSectionMap().put(UsageMessageSpec.SECTION_KEY_OPTION_LIST, help ->
            help.optionListGroupSections() + String.format("%nHelp:%n") + help.optionListExcludingGroups(
                spec.options().stream().filter(o -> o.group() == null).collect(Collectors.toList())));
        return cl;
    }

    @Override
    public Integer call()
    {
        final PrintWriter out = spec.commandLine().getOut();
        final PrintWriter err = spec.commandLine().getErr();
        CodecWarmUp.start(); // compiles the codec kernels on another core while the guest is built
        if (snapshot.from != null || SnapshotOptions.isFile(link.to))
        {
            if (snapshot.from != null && (link.to != null || link.listen != null))
            {
                return Role.usage(err, "--from: restores a snapshot in this process, not with " +
                    (link.to != null ? "--to" : "--listen"));
            }
            return new SnapshotRole(this, spec, machine, snapshot.from == null).run(out, err);
        }
        return link.listen != null ? new DestinationRole(this, spec, machine).run(out, err) :
            new SourceRole(this, spec, machine).run(out, err);
    }

    /**
     * Physical memory of the machine.
     *
     * @param available bytes that can be allocated without swapping ({@code MemAvailable}), or -1 if unknown.
     * @param total     bytes of physical memory, or -1 if unknown.
     */
    record MachineMemory(long available, long total)
    {
        /** @return this machine's: MemAvailable from /proc/meminfo, else the OS bean's free memory. */
        static MachineMemory probe()
        {
            long total = -1;
            long available = -1;
            try
            {
                if (ManagementFactory.getOperatingSystemMXBean() instanceof
                    com.sun.management.OperatingSystemMXBean bean)
                {
                    total = bean.getTotalMemorySize();
                    available = bean.getFreeMemorySize();
                }
            }
            catch (final RuntimeException | LinkageError ex)
            {
                // unknown
            }
            try
            {
                for (final String line : Files.readAllLines(Path.of("/proc/meminfo")))
                {
                    final String[] words = line.trim().split("\\s+");
                    if (words.length >= 2 && words[0].equals("MemAvailable:") && words[1].matches("\\d{1,15}"))
                    {
                        available = Long.parseLong(words[1]) * 1024;
                    }
                }
            }
            catch (final IOException | RuntimeException ex)
            {
                // keep the OS bean's figure
            }
            return new MachineMemory(available, total);
        }
    }

    /** @return bytes in binary units with one decimal, e.g. 2.0 TiB. */
    static String human(final long bytes)
    {
        final String[] units = {"TiB", "GiB", "MiB", "KiB"};
        for (int i = 0; i < units.length; i++)
        {
            final long unit = 1L << (40 - 10 * i);
            if (bytes >= unit)
            {
                return String.format(Locale.ROOT, "%.1f %s", (double)bytes / unit, units[i]);
            }
        }
        return bytes + " B";
    }
}
