package io.livemig.bench.report;

import io.livemig.bench.report.stats.Units;
import io.livemig.bench.report.result.ReportException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.PrintWriter;
import java.nio.file.Path;

/**
 * {@code scripts/report RESULT_DIR}: regenerates a run's REPORT.md and charts from its jmh.json (and env.json
 * if present). Exit 0, or 2 with one line on stderr if the directory or its files are missing or malformed.
 *
 * <p>Not thread-safe; one command per object.
 */
@Command(name = "report", mixinStandardHelpOptions = true,
    description = "Regenerates RESULT_DIR/REPORT.md and RESULT_DIR/charts/ from RESULT_DIR/jmh.json (+ env.json).")
public final class ReportCommand extends Cli.Tool
{
    @Parameters(index = "0", paramLabel = "RESULT_DIR", description = "a results/<time>-<preset> directory")
    Path dir;

    @Option(names = "--bandwidth", paramLabel = "B", defaultValue = "10Gbit",
        description = "link bandwidth of the granularity model, e.g. 10Gbit, 1.25GB/s, 128MiB/s " +
            "(default ${DEFAULT-VALUE})")
    String bandwidth;


    @Override
    public Integer call() throws ReportException
    {
        final Path report = ReportWriter.write(dir, Units.parseBandwidth(bandwidth));
        out.println("report: wrote " + report);
        return 0;
    }

    /** Entry point. */
    public static void main(final String[] args)
    {
        Cli.main("report", new ReportCommand(), args);
    }

    /** @return the exit status of running with {@code args}. */
    static int run(final String[] args, final PrintWriter out, final PrintWriter err)
    {
        return Cli.run("report", new ReportCommand(), args, out, err);
    }
}
