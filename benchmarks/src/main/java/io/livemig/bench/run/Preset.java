package io.livemig.bench.run;

import org.openjdk.jmh.runner.options.TimeValue;

import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * How long a run measures: forks, iterations and iteration times for each {@link BenchKind}, and whether hot
 * paths get JMH's {@code gc} profiler. Each preset is sized for the machine the suite is developed on (2
 * cores): {@link #SMOKE} checks in a few minutes that everything still runs, {@link #QUICK} gives a usable
 * error bar in about a quarter of an hour, {@link #FULL} is for publication.
 *
 * <p>Immutable; thread-safe.
 */
public enum Preset
{
    /**
     * Every benchmark once, briefly: 1 fork, 1 warmup + 1 measurement iteration; no profiler. The granularity
     * sweep runs at 1, 64 and 512 pages per bit only (its 40 parameter sets would be a third of the run).
     */
    SMOKE(new Sizing(1, 1, ms(100), 1, ms(200)),
        new Sizing(1, 1, ms(100), 1, ms(100)),
        new Sizing(1, 0, ms(0), 1, ms(0)),
        false, Map.of("pagesPerBit", new String[] {"1", "64", "512"}), Map.of()),
    /** The default: 1 fork, 3 x 0.5 s warmup + 5 x 0.5 s measurement; gc profiler on hot paths. */
    QUICK(new Sizing(1, 3, ms(500), 5, ms(500)),
        new Sizing(1, 1, ms(300), 4, ms(150)),
        new Sizing(1, 1, ms(0), 5, ms(0)),
        true, Map.of(), Map.of()),
    /** For publication: 3 forks, 5 x 1 s warmup + 5 x 1 s measurement; gc profiler on hot paths. */
    FULL(new Sizing(3, 5, TimeValue.seconds(1), 5, TimeValue.seconds(1)),
        new Sizing(3, 3, ms(500), 5, ms(500)),
        new Sizing(3, 2, ms(0), 5, ms(0)),
        true, Map.of(), Map.of());

    /**
     * Forks and iterations of one kind of benchmark. For single-shot benchmarks an iteration is one
     * invocation and the times are unused (0).
     *
     * @param forks                  forks per benchmark and parameter set.
     * @param warmupIterations       warmup iterations per fork.
     * @param warmupTime             time per warmup iteration.
     * @param measurementIterations  measured iterations per fork.
     * @param measurementTime        time per measured iteration.
     */
    public record Sizing(int forks, int warmupIterations, TimeValue warmupTime, int measurementIterations,
                         TimeValue measurementTime)
    {
    }

    private final Sizing timed;
    private final Sizing sweep;
    private final Sizing singleShot;
    private final boolean gcProfilerOnHotPaths;
    private final Map<String, String[]> sweepParams;
    private final Map<BenchKind, Map<String, Sizing>> classSizing;

    Preset(final Sizing timed, final Sizing sweep, final Sizing singleShot, final boolean gcProfilerOnHotPaths,
           final Map<String, String[]> sweepParams, final Map<BenchKind, Map<String, Sizing>> classSizing)
    {
        this.sweepParams = sweepParams;
        this.classSizing = classSizing;
        this.timed = timed;
        this.sweep = sweep;
        this.singleShot = singleShot;
        this.gcProfilerOnHotPaths = gcProfilerOnHotPaths;
    }

    private static TimeValue ms(final long millis)
    {
        return TimeValue.milliseconds(millis);
    }

    /** @return the preset's name as given on the command line, e.g. {@code quick}. */
    public String id()
    {
        return name().toLowerCase(Locale.ROOT);
    }

    /** @return the sizing for benchmarks of {@code kind} whose class has no entry of its own. */
    public Sizing sizing(final BenchKind kind)
    {
        switch (kind)
        {
            case SWEEP: return sweep;
            case SINGLE_SHOT: return singleShot;
            default: return timed;
        }
    }

    /**
     * The sizing of one benchmark: its class's entry in this preset's table for {@code kind} if it has one,
     * else the kind's. Keyed by kind too, so that a class run in another mode than its own (e.g.
     * {@code MigrationBenchmark} with {@code -bm avgt}) falls back to that mode's kind sizing.
     *
     * @param kind      the benchmark's kind in this run.
     * @param benchmark its full name, {@code package.Class.method}.
     * @return the sizing.
     */
    public Sizing sizing(final BenchKind kind, final String benchmark)
    {
        final String className = BenchKind.classOf(benchmark);
        final String simpleName = className.substring(className.lastIndexOf('.') + 1);
        return classSizing.getOrDefault(kind, Map.of()).getOrDefault(simpleName, sizing(kind));
    }

    /** @return {@code @Param} values this preset sets for benchmarks of {@code kind} (the user's -p wins). */
    public Map<String, String[]> paramOverrides(final BenchKind kind)
    {
        return kind == BenchKind.SWEEP ? sweepParams : Map.of();
    }

    /** @return whether {@link BenchKind#HOT_PATH} benchmarks run with JMH's gc profiler (for B/op). */
    public boolean gcProfilerOnHotPaths()
    {
        return gcProfilerOnHotPaths;
    }

    /**
     * @param name a preset name, any case; empty means {@link #QUICK}.
     * @return the preset.
     * @throws IllegalArgumentException naming the choices when there is no such preset.
     */
    public static Preset parse(final String name)
    {
        final String id = name == null ? "" : name.trim().toLowerCase(Locale.ROOT);
        if (id.isEmpty())
        {
            return QUICK;
        }
        for (final Preset preset : values())
        {
            if (preset.id().equals(id))
            {
                return preset;
            }
        }
        throw new IllegalArgumentException("unknown preset '" + name + "' (expected " +
            Arrays.stream(values()).map(Preset::id).collect(Collectors.joining(", ")) + ")");
    }
}
