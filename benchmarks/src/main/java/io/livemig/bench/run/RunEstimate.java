package io.livemig.bench.run;

import io.livemig.bench.run.preset.BenchKind;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.TimeValue;

import java.util.Map;

/**
 * How long a benchmark run takes, estimated before the run for the plan's total and the progress line: forks x
 * (the fork's own cost + its iterations), a single-shot iteration counting the class's seconds per shot.
 *
 * <p>Stateless; thread-safe.
 */
final class RunEstimate
{
    /** Seconds a fork costs beyond its iterations (JVM start, setup, teardown; ~0.9 s measured), for estimates. */
    static final double FORK_OVERHEAD_SECONDS = 1.0;
    /** Guessed seconds per single-shot invocation of a class not in {@link #SHOT_SECONDS}, for estimates only. */
    static final double SINGLE_SHOT_GUESS_SECONDS = 1.0;
    /**
     * Seconds per single-shot invocation by simple class name, for estimates only. MigrationBenchmark: its
     * shots averaged 0.09 s (35-380 ms, guest setup included) in the quick run of 2026-11-26; 0.12 s leaves
     * room for a slower machine. LargeGuestBenchmark: a 1 GiB migration (0.1-1.5 s) plus zeroing its
     * destination again, its fork's 2 GiB fault-in spread over the shots; ChannelsBenchmark the same migration
     * over 1-4 channels; PostcopyFaultsBenchmark a 16 MiB post-copy with vCPUs faulting (0.2-0.3 s, 20 ms of
     * writes before it included). Other trial setups need no hint of their own: the heaviest (the 2^28-bit
     * bitmaps of NextDirty, Harvest and Scaling) take well under {@link #FORK_OVERHEAD_SECONDS} (a 1-iteration
     * fork of {@code NextDirtyBenchmark.flat} at density 0.5 runs in the same wall time as one of Lz4).
     */
    static final Map<String, Double> SHOT_SECONDS = Map.of("MigrationBenchmark", 0.12, "LargeGuestBenchmark", 0.8,
        "ChannelsBenchmark", 0.8, "ThrottleBenchmark", 11.0, "PostcopyFaultsBenchmark", 0.3);

    private RunEstimate()
    {
    }

    /** @return estimated seconds per single-shot invocation of {@code benchmark}'s class. */
    static double shotSeconds(final String benchmark)
    {
        final String className = BenchKind.classOf(benchmark);
        return SHOT_SECONDS.getOrDefault(className.substring(className.lastIndexOf('.') + 1),
            SINGLE_SHOT_GUESS_SECONDS);
    }

    /**
     * Estimated seconds for one benchmark run (all its forks) under {@code options}: forks x
     * ({@link #FORK_OVERHEAD_SECONDS} + iterations), a single-shot iteration counting {@code shotSeconds}.
     */
    static double seconds(final Options options, final BenchKind kind, final double shotSeconds)
    {
        final int forks = options.getForkCount().orElse(1) + options.getWarmupForkCount().orElse(0);
        final int warmups = options.getWarmupIterations().orElse(0);
        final int measurements = options.getMeasurementIterations().orElse(1);
        final double iterations;
        if (kind == BenchKind.SINGLE_SHOT)
        {
            iterations = (warmups + measurements) * shotSeconds;
        }
        else
        {
            iterations = warmups * seconds(options.getWarmupTime().orElse(TimeValue.seconds(1))) +
                measurements * seconds(options.getMeasurementTime().orElse(TimeValue.seconds(1)));
        }
        return Math.max(1, forks) * (FORK_OVERHEAD_SECONDS + iterations);
    }

    private static double seconds(final TimeValue time)
    {
        return time.convertTo(java.util.concurrent.TimeUnit.NANOSECONDS) / 1e9;
    }
}
