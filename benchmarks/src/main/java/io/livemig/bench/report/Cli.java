package io.livemig.bench.report;

import picocli.CommandLine;

import java.io.PrintWriter;
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
     * @param command the command object ({@code @Command} and a {@link Callable} of the exit status).
     * @param args    the arguments.
     * @param out     standard output.
     * @param err     standard error.
     * @return the exit status.
     */
    static int run(final String name, final Callable<Integer> command, final String[] args, final PrintWriter out,
                   final PrintWriter err)
    {
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
}
