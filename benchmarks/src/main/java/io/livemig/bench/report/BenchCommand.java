package io.livemig.bench.report;

import io.livemig.bench.report.result.ReportException;
import io.livemig.bench.run.BenchRunner;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.function.Consumer;

/**
 * The main job behind {@code mvn -B verify -Pbench}: measures with {@link BenchRunner} (the selected benchmarks,
 * a preset's forks and iterations, progress with the time left, {@code jmh.json} and {@code env.json} in
 * {@code results/<UTC yyyyMMdd'T'HHmmss'Z'>-<preset>/}), then writes the run's {@code REPORT.md} and charts there
 * ({@link ReportWriter}).
 *
 * <p>Exit status: 0 on success, 1 if JMH or the report failed, 2 for a bad option (one-line message), including
 * {@code -f} below a full run's preset.
 *
 * <p>Not thread-safe; one run per JVM.
 */
public final class BenchCommand
{
    private BenchCommand()
    {
    }

    /**
     * @param args {@code --preset=quick|full|smoke --include=REGEX --jmh-args="..." --jdk=PATH --results=DIR}
     */
    public static void main(final String[] args)
    {
        System.exit(run(args, System.out, System.err, dir -> { }));
    }

    /**
     * Runs as {@link #main} does.
     *
     * @param resultDir told the result directory once it exists.
     * @return the exit status.
     */
    public static int run(final String[] args, final PrintStream out, final PrintStream err,
                          final Consumer<Path> resultDir)
    {
        final Path[] made = new Path[1];
        final int status = BenchRunner.run(args, out, err, dir ->
        {
            made[0] = dir;
            resultDir.accept(dir);
        });
        if (status != 0)
        {
            return status;
        }
        final Path dir = made[0];
        try
        {
            ReportWriter.write(dir, ReportWriter.DEFAULT_BANDWIDTH);
        }
        catch (final ReportException ex)
        {
            err.println("bench: the report failed (jmh.json is kept; retry with scripts/report " + dir + "): " +
                ex.getMessage());
            return 1;
        }
        out.println("bench: results in " + dir + " (REPORT.md, jmh.json, env.json)");
        return 0;
    }
}
