package io.livemig.bench.report.analysis;

import io.livemig.bench.report.stats.Units;
import io.livemig.bench.report.stats.Estimate;
import io.livemig.bench.report.stats.Metric;
import io.livemig.bench.report.result.JmhResult;
import io.livemig.bench.run.preset.BenchKind;
import org.openjdk.jmh.runner.options.TimeValue;

import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Decides whether a hot path allocates, from the gc profiler's {@code gc.alloc.rate.norm} (B/op).
 *
 * <p>A hot path that allocates nothing still shows a little: the profiler counts every byte the benchmark
 * thread allocates during an iteration, and JMH's own bookkeeping allocates a few KiB per iteration (about
 * 6-8 KiB measured on JDK 17), spread over that iteration's operations. So the allowance is {@value
 * #EPSILON_BYTES_PER_OP} B/op plus {@value #ITERATION_BYTES} bytes per iteration divided by the operations
 * an iteration holds; an operation that allocates one small object (16 B or more) every time is above it
 * for any operation shorter than about a millisecond per 0.5 s iteration. A method whose name starts with
 * {@code baseline} is not a hot path.
 *
 * <p>Stateless; thread-safe.
 */
public final class Allocation
{
    /** Allowance per operation, bytes: far below the smallest object (16 B). */
    public static final double EPSILON_BYTES_PER_OP = 0.5;
    /** Allowance per iteration for JMH's own allocations, bytes. */
    public static final double ITERATION_BYTES = 16 * 1024;

    private Allocation()
    {
    }

    /** The allocation of one result and the allowance it was held to. */
    public record Verdict(Estimate bytesPerOp, double allowance, boolean allocates)
    {
    }

    /** @return the verdict for a hot-path result with B/op, else empty. */
    public static Optional<Verdict> check(final JmhResult result)
    {
        final Optional<Metric> norm = result.secondary(JmhResult.ALLOC_NORM);
        if (norm.isEmpty() || result.isBaseline() || !BenchKind.isHotPathClass(result.className()))
        {
            return Optional.empty();
        }
        final double allowance = allowance(result);
        final Metric m = norm.get();
        return Optional.of(new Verdict(m.estimate(), allowance, m.score() > allowance));
    }

    /** @return the B/op allowance for {@code result}'s operation length and iteration time. */
    static double allowance(final JmhResult result)
    {
        final double opsPerIteration = opsPerIteration(result);
        return EPSILON_BYTES_PER_OP + (opsPerIteration > 0 ? ITERATION_BYTES / opsPerIteration : ITERATION_BYTES);
    }

    /** @return operations in one measured iteration, from the score and the iteration time; 1 if unknown. */
    static double opsPerIteration(final JmhResult result)
    {
        if (result.mode().equals("ss") || result.measurementTime().isBlank())
        {
            return 1;
        }
        final double iterationSeconds;
        try
        {
            final TimeValue time = TimeValue.fromString(result.measurementTime().replace(" ", ""));
            iterationSeconds = time.convertTo(TimeUnit.NANOSECONDS) / 1e9;
        }
        catch (final RuntimeException ex)
        {
            return 1;
        }
        final Metric p = result.primary();
        final double ops = result.lowerIsBetter() ?
            iterationSeconds / Units.secondsPerOp(p.score(), p.unit()) :
            iterationSeconds * Units.opsPerSecond(p.score(), p.unit());
        return Double.isNaN(ops) || ops < 1 ? 1 : ops;
    }
}
