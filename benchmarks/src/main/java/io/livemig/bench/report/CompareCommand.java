package io.livemig.bench.report;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * {@code scripts/compare OLD_DIR NEW_DIR [--threshold 10%]}: prints each matched benchmark's old and new
 * score, the change and whether it is significant (see {@link Comparison}). Exit 1 when a significant
 * regression exceeds the threshold, 0 otherwise, 2 with one line on stderr for missing or malformed inputs.
 *
 * <p>Not thread-safe; one command per object.
 */
@Command(name = "compare", mixinStandardHelpOptions = true,
    description = {"Compares two benchmark runs (result directories or jmh.json files).",
        "Exit status: 0 no significant regression beyond the threshold, 1 at least one, 2 bad input."})
public final class CompareCommand extends Cli.Tool
{
    @Parameters(index = "0", paramLabel = "OLD_DIR", description = "the earlier run")
    Path old;

    @Parameters(index = "1", paramLabel = "NEW_DIR", description = "the later run")
    Path now;

    @Option(names = "--threshold", paramLabel = "T", defaultValue = "10%",
        description = "smallest significant worsening that fails, e.g. 10% or 5 (percent); default ${DEFAULT-VALUE}")
    String threshold;


    @Override
    public Integer call() throws ReportException
    {
        final double fraction = parseThreshold(threshold);
        final List<JmhResult> before = JmhResults.read(old);
        final List<JmhResult> after = JmhResults.read(now);
        final Comparison comparison = Comparison.of(before, after, fraction);
        if (comparison.rows().isEmpty())
        {
            throw new ReportException("no benchmark of " + now + " matches one of " + old +
                " (same benchmark, mode, threads and params)");
        }
        out.print(comparison.table());
        final List<Comparison.Row> regressions = comparison.regressions();
        out.printf(Locale.ROOT, "compare: %d matched, %d significant, %d regressions beyond %s%n",
            comparison.rows().size(), comparison.rows().stream().filter(Comparison.Row::significant).count(),
            regressions.size(), threshold);
        return regressions.isEmpty() ? 0 : 1;
    }

    /**
     * @param text a percentage, {@code 10%} or {@code 10}.
     * @return the fraction, e.g. 0.1.
     * @throws IllegalArgumentException if it is not a non-negative number.
     */
    static double parseThreshold(final String text)
    {
        final String trimmed = text.trim();
        final String t = trimmed.endsWith("%") ? trimmed.substring(0, trimmed.length() - 1).trim() : trimmed;
        try
        {
            final double percent = Double.parseDouble(t);
            if (percent >= 0 && !Double.isInfinite(percent))
            {
                return percent / 100;
            }
        }
        catch (final NumberFormatException ex)
        {
            // reported below
        }
        throw new IllegalArgumentException("bad --threshold '" + text + "' (expected a percentage such as 10%)");
    }

    /** Entry point. */
    public static void main(final String[] args)
    {
        Cli.main("compare", new CompareCommand(), args);
    }

    /** @return the exit status of running with {@code args}. */
    static int run(final String[] args, final PrintWriter out, final PrintWriter err)
    {
        return Cli.run("compare", new CompareCommand(), args, out, err);
    }
}
