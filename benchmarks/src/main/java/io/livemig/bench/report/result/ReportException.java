package io.livemig.bench.report.result;

/**
 * A result directory or file the tools cannot use: missing, malformed, or without what was asked. The
 * message is one line naming the file and what was wrong, for the command-line tools to print as is.
 */
public final class ReportException extends Exception
{
    private static final long serialVersionUID = 1L;

    /** @param message one line naming the file and the problem. */
    public ReportException(final String message)
    {
        super(message);
    }

    /** @param message one line naming the file and the problem. @param cause what failed underneath. */
    public ReportException(final String message, final Throwable cause)
    {
        super(message, cause);
    }
}
