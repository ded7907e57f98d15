package io.livemig.bench.run;

import io.livemig.bench.run.preset.BenchKind;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.TimeValue;

import java.util.Collection;
import java.util.List;
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
     * over 1-4 channels; PostcopyLocalityBenchmark a 64 MiB post-copy at 256 MiB/s with vCPUs faulting (0.32-0.41
     * s a shot by hand, 20 ms of writes before it and the guests' setup included; 0.4 s for a fork's slower first
     * shot); ColdProcessBenchmark a whole {@code scripts/migrate} process of a 1 GiB guest with its warm-up, plain
     * copy and verification (2.4-3.4 s by hand on JDK 17 and 25); PostcopyFaultsBenchmark by guest size, {@link #SHOT_SECONDS_BY_GUEST}. Other trial setups need no
     * hint of their own: the heaviest (the 2^28-bit bitmaps of NextDirty, Harvest and Scaling) take well under
     * {@link #FORK_OVERHEAD_SECONDS} (a 1-iteration fork of {@code NextDirtyBenchmark.flat} at density 0.5 runs
     * in the same wall time as one of Lz4).
     */
    static final Map<String, Double> SHOT_SECONDS = Map.of("MigrationBenchmark", 0.12, "LargeGuestBenchmark", 0.8,
        "ChannelsBenchmark", 0.8, "ThrottleBenchmark", 11.0, "PostcopyLocalityBenchmark", 0.4,
        "ColdProcessBenchmark", 3.5);
    /**
     * Seconds per single-shot invocation by simple class name and {@code guest} parameter, for classes whose shots
     * scale with the guest: a run's estimate takes the mean over the guest sizes it runs (every size here unless
     * the preset or the user's {@code -p guest=} trims them). PostcopyFaultsBenchmark, timed by hand one shot at a
     * time (each followed by its wake-up floor, 2,000 wake-ups in 0.21-0.31 s): 16 MiB shots took 0.04-0.06 s at
     * 1 GiB/s and 0.09-0.12 s at 256 MiB/s (0.3 s for a fork's first), 256 MiB shots 0.55-0.72 s and 1.26-1.39 s;
     * with the floor, 0.4 s and 1.3 s (the 256 MiB guests' allocation in a fresh fork included); with the floor
     * under load added (300 wake-ups among 4 spinning threads), the full preset's 32 runs of the class took 447 s
     * on 2026-12-07 against 422 s estimated at those figures: 0.45 s and 1.4 s. SnapshotBenchmark: its 46 runs at 64 MiB took 33 s in one
     * fork each of 1 + 1 shots (0.15 s a shot, the fork's setup spread over them); at 1 GiB, the full preset's 43
     * runs of the class (3 forks of 1 + 2 shots) took 330 s on 2026-12-07: 0.55 s a shot, the fork's 1 GiB guest
     * and file spread over them. The background saves' shots are longer (a 200 ms rate sample and a save with the
     * vCPUs faulting, about 1.5 s), but they are 3 runs of 46.
     */
    static final Map<String, Map<String, Double>> SHOT_SECONDS_BY_GUEST = Map.of("PostcopyFaultsBenchmark",
        Map.of("16m", 0.45, "256m", 1.4), "SnapshotBenchmark", Map.of("64m", 0.15, "1g", 0.55));

    private RunEstimate()
    {
    }

    /** @return estimated seconds per single-shot invocation of {@code benchmark}'s class, over all its guest sizes. */
    static double shotSeconds(final String benchmark)
    {
        return shotSeconds(benchmark, List.of());
    }

    /**
     * @param benchmark its full name.
     * @param guests    the {@code guest} values the run takes; empty: all of its class's.
     * @return estimated seconds per single-shot invocation of {@code benchmark}: the mean over {@code guests} for a
     *         class in {@link #SHOT_SECONDS_BY_GUEST} (a size not in its table counts as a guess), else its class's.
     */
    static double shotSeconds(final String benchmark, final Collection<String> guests)
    {
        final String className = BenchKind.classOf(benchmark);
        final String simpleName = className.substring(className.lastIndexOf('.') + 1);
        final Map<String, Double> byGuest = SHOT_SECONDS_BY_GUEST.get(simpleName);
        if (byGuest == null)
        {
            return SHOT_SECONDS.getOrDefault(simpleName, SINGLE_SHOT_GUESS_SECONDS);
        }
        return (guests.isEmpty() ? byGuest.keySet() : guests).stream()
            .mapToDouble(g -> byGuest.getOrDefault(g, SINGLE_SHOT_GUESS_SECONDS)).average()
            .orElse(SINGLE_SHOT_GUESS_SECONDS);
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
