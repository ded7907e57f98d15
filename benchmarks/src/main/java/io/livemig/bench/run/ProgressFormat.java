package io.livemig.bench.run;

import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.infra.IterationParams;
import org.openjdk.jmh.results.BenchmarkResult;
import org.openjdk.jmh.results.IterationResult;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.format.OutputFormat;

import java.io.IOException;
import java.io.PrintStream;
import java.util.Collection;
import java.util.Locale;
import java.util.TreeMap;
import java.util.function.LongSupplier;

/**
 * JMH's own console output, plus one line before each benchmark run saying which run of how many it is and
 * about how long the whole run has left.
 *
 * <p>The estimate: each run of the {@link RunPlan} has a planned duration from its preset (forks x (fork
 * overhead + iterations x iteration time)). When run {@code k} starts, the planned time of the runs still to
 * go is scaled by how far reality has been from plan so far (elapsed / planned time of the runs done), so a
 * machine slower than the plan, long setups or slow single shots stretch the estimate as they happen.
 *
 * <p>Not thread-safe: JMH calls an output format from its one runner thread.
 */
public final class ProgressFormat implements OutputFormat
{
    private final OutputFormat delegate;
    private final PrintStream out;
    private final double[] planned;
    private final LongSupplier nanoClock;
    private final long startNanos;
    private int started;

    /**
     * @param delegate  JMH's default format, which prints everything else.
     * @param out       where the progress lines go.
     * @param plan      the run's plan: its batches run in order.
     * @param nanoClock a monotonic clock in nanoseconds ({@code System::nanoTime}).
     */
    public ProgressFormat(final OutputFormat delegate, final PrintStream out, final RunPlan plan,
                          final LongSupplier nanoClock)
    {
        this.delegate = delegate;
        this.out = out;
        this.planned = new double[plan.totalRuns()];
        int i = 0;
        for (final RunPlan.Batch batch : plan.batches())
        {
            for (int r = 0; r < batch.runs(); r++)
            {
                planned[i++] = batch.secondsPerRun();
            }
        }
        this.nanoClock = nanoClock;
        this.startNanos = nanoClock.getAsLong();
    }

    /**
     * @return the progress line for the run that starts now, e.g.
     *         {@code bench: [3/40] X.y {a=1} | 0:42 elapsed, ~5:10 left}.
     */
    String progressLine(final String benchmark, final String params)
    {
        final int k = started;
        final double elapsed = (nanoClock.getAsLong() - startNanos) / 1e9;
        double done = 0;
        double toGo = 0;
        for (int i = 0; i < planned.length; i++)
        {
            if (i < k)
            {
                done += planned[i];
            }
            else
            {
                toGo += planned[i];
            }
        }
        final double pace = k == 0 || done <= 0 ? 1 : elapsed / done;
        final int total = Math.max(planned.length, k + 1);
        return String.format(Locale.ROOT, "bench: [%d/%d] %s%s | %s elapsed, ~%s left", k + 1, total, benchmark,
            params.isEmpty() ? "" : " " + params, clock(elapsed), clock(toGo * pace));
    }

    static String clock(final double seconds)
    {
        final long s = Math.round(Math.max(0, seconds));
        return s >= 3600 ? String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60) :
            String.format(Locale.ROOT, "%d:%02d", s / 60, s % 60);
    }

    @Override
    public void startBenchmark(final BenchmarkParams params)
    {
        final TreeMap<String, String> values = new TreeMap<>();
        for (final String key : params.getParamsKeys())
        {
            values.put(key, params.getParam(key));
        }
        announce(params.getBenchmark() + " (" + params.getMode().shortLabel() + ")",
            values.isEmpty() ? "" : values.toString());
        delegate.startBenchmark(params);
    }

    /** Prints the progress line of the run that starts now and counts it as started. */
    void announce(final String benchmark, final String params)
    {
        out.println(progressLine(benchmark, params));
        started++;
    }

    @Override
    public void iteration(final BenchmarkParams benchParams, final IterationParams params, final int iteration)
    {
        delegate.iteration(benchParams, params, iteration);
    }

    @Override
    public void iterationResult(final BenchmarkParams benchParams, final IterationParams params, final int iteration,
                                final IterationResult data)
    {
        delegate.iterationResult(benchParams, params, iteration, data);
    }

    @Override
    public void endBenchmark(final BenchmarkResult result)
    {
        delegate.endBenchmark(result);
    }

    @Override
    public void startRun()
    {
        delegate.startRun();
    }

    @Override
    public void endRun(final Collection<RunResult> result)
    {
        delegate.endRun(result);
    }

    @Override
    public void print(final String s)
    {
        delegate.print(s);
    }

    @Override
    public void println(final String s)
    {
        delegate.println(s);
    }

    @Override
    public void flush()
    {
        delegate.flush();
    }

    /** Flushes only: JMH closes its format after each batch, and the next batch still prints. */
    @Override
    public void close()
    {
        delegate.flush();
    }

    @Override
    public void verbosePrintln(final String s)
    {
        delegate.verbosePrintln(s);
    }

    @Override
    public void write(final int b)
    {
        delegate.write(b);
    }

    @Override
    public void write(final byte[] b) throws IOException
    {
        delegate.write(b);
    }
}
