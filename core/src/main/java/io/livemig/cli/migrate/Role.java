package io.livemig.cli.migrate;

import picocli.CommandLine.Model.CommandSpec;

import java.io.IOException;
import java.io.PrintWriter;

/**
 * One role of {@code migrate} ({@link SourceRole}, {@link DestinationRole}): reads the parsed command's option
 * pieces, runs, and turns every failure into one line on stderr and an exit status. One run per instance, on
 * the command's thread; not thread-safe.
 */
abstract class Role
{
    /** The parsed command, whose option pieces the role reads. */
    final MigrateCommand command;
    /** The command's spec, to see which options were given. */
    final CommandSpec spec;
    private final MigrateCommand.MachineMemory machine;

    /**
     * @param command the parsed command.
     * @param spec    the command's spec.
     * @param machine the machine's memory, or null to read it when needed.
     */
    Role(final MigrateCommand command, final CommandSpec spec, final MigrateCommand.MachineMemory machine)
    {
        this.command = command;
        this.spec = spec;
        this.machine = machine;
    }

    /** @return the exit status, after the result on {@code out} and any failure in one line on {@code err}. */
    abstract int run(PrintWriter out, PrintWriter err);

    /** @return the machine's memory: as given, else read now. */
    final MigrateCommand.MachineMemory machine()
    {
        return machine == null ? MigrateCommand.MachineMemory.probe() : machine;
    }

    /** Prints {@code migrate: MESSAGE} on {@code err}; @return {@link MigrateCommand#EXIT_USAGE}. */
    static int usage(final PrintWriter err, final String message)
    {
        err.println("migrate: " + message);
        err.flush();
        return MigrateCommand.EXIT_USAGE;
    }

    /** Prints {@code migrate: MESSAGE} on {@code err}; @return {@link MigrateCommand#EXIT_FAILED}. */
    static int fail(final PrintWriter err, final String message)
    {
        err.println("migrate: " + message);
        err.flush();
        return MigrateCommand.EXIT_FAILED;
    }

    /** A role's migration, which may fail with an I/O error or be interrupted. */
    interface Migration
    {
        /** @return the exit status. */
        int run() throws IOException, InterruptedException;
    }

    /**
     * Runs {@code migration}, turning an I/O error or an interrupt into one line and
     * {@link MigrateCommand#EXIT_FAILED}, and an {@link OutOfMemoryError} into {@code memory: ...} and
     * {@code memoryExit}.
     */
    static int guard(final PrintWriter err, final String memory, final int memoryExit, final Migration migration)
    {
        try
        {
            return migration.run();
        }
        catch (final IOException ex)
        {
            return fail(err, ex.getMessage());
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            return fail(err, "interrupted");
        }
        catch (final OutOfMemoryError ex)
        {
            fail(err, memory + ": " + ex.getMessage());
            return memoryExit;
        }
    }
}
