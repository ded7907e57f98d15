package io.livemig.bench.report;

import io.livemig.bench.report.result.ReportException;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;

/**
 * Shared plumbing of the report tools' command lines: a bad option or a bad input is one line on stderr
 * ({@code <tool>: <what was wrong>}) and exit status 2; {@code --help} prints the usage.
 *
 * <p>Stateless; thread-safe.
 */
final class Cli
{
    /** Exit status for bad options and missing or malformed inputs. */
    static final int BAD_INPUT = 2;

    private Cli()
    {
    }

    /**
     * Runs a picocli command.
     *
     * @param name    the tool's name for messages.
     * @param command the command object ({@code @Command}; its call returns the exit status).
     * @param args    the arguments.
     * @param out     standard output.
     * @param err     standard error.
     * @return the exit status.
     */
    static int run(final String name, final Tool command, final String[] args, final PrintWriter out,
                   final PrintWriter err)
    {
        command.out = out;
        final CommandLine line = new CommandLine(command).setOut(out).setErr(err);
        line.setParameterExceptionHandler((ex, a) ->
        {
            err.println(name + ": " + ex.getMessage().replaceAll("\\s*\\R\\s*", " ") + " (see --help)");
            return BAD_INPUT;
        });
        line.setExecutionExceptionHandler((ex, cmd, parsed) ->
        {
            if (ex instanceof ReportException || ex instanceof IllegalArgumentException)
            {
                err.println(name + ": " + ex.getMessage());
                return BAD_INPUT;
            }
            throw ex;
        });
        final int status = line.execute(args);
        out.flush();
        err.flush();
        return status;
    }

    /** Runs a picocli command on the process's standard streams and exits with its status. */
    static void main(final String name, final Tool command, final String[] args)
    {
        System.exit(run(name, command, args, new PrintWriter(System.out, true, StandardCharsets.UTF_8),
            new PrintWriter(System.err, true, StandardCharsets.UTF_8)));
    }

    /** A report tool: a picocli command whose call returns the exit status and prints to {@link #out}. */
    abstract static class Tool implements Callable<Integer>
    {
        /** Standard output, set before the call. */
        PrintWriter out;
    }
}
