package io.livemig.bench.run.preset;

import org.openjdk.jmh.annotations.Mode;

/**
 * The kinds of benchmark a preset sizes differently, decided from the class name and mode alone so that
 * the runner (before a run) and the report (after it) agree.
 *
 * <p>Stateless; thread-safe.
 */
public enum BenchKind
{
    /** A hot path of the library (dirty marking and scanning, codecs, stream): runs with the gc profiler. */
    HOT_PATH,
    /** A timed benchmark that is not a hot path (e.g. scaling over guest sizes). */
    TIMED,
    /** A wide parameter sweep with cheap operations ({@code GranularityBenchmark}): shorter iterations. */
    SWEEP,
    /** {@link Mode#SingleShotTime}: each iteration is one invocation (e.g. a whole migration). */
    SINGLE_SHOT;

    private static final String BENCH = "io.livemig.bench.";

    /**
     * @param benchmark a benchmark's full name, {@code package.Class.method} (or {@code Class.group}).
     * @param mode      the mode it runs in.
     * @return its kind.
     */
    public static BenchKind of(final String benchmark, final Mode mode)
    {
        if (mode == Mode.SingleShotTime)
        {
            return SINGLE_SHOT;
        }
        final String className = classOf(benchmark);
        if (className.equals(BENCH + "dirty.GranularityBenchmark"))
        {
            return SWEEP;
        }
        return isHotPathClass(className) ? HOT_PATH : TIMED;
    }

    /**
     * Hot-path classes: those of {@code bench.dirty} except the granularity and scaling studies, and every
     * class of {@code bench.codec} and {@code bench.stream}.
     *
     * @param className a benchmark class's fully qualified name.
     * @return whether its operations are hot paths that must not allocate.
     */
    public static boolean isHotPathClass(final String className)
    {
        if (className.startsWith(BENCH + "dirty."))
        {
            return !className.endsWith(".GranularityBenchmark") && !className.endsWith(".ScalingBenchmark");
        }
        return className.startsWith(BENCH + "codec.") || className.startsWith(BENCH + "stream.");
    }

    /** @return the class part of a benchmark's full name. */
    public static String classOf(final String benchmark)
    {
        final int dot = benchmark.lastIndexOf('.');
        return dot < 0 ? benchmark : benchmark.substring(0, dot);
    }

    /** @return the method (or group) part of a benchmark's full name. */
    public static String methodOf(final String benchmark)
    {
        return benchmark.substring(benchmark.lastIndexOf('.') + 1);
    }
}
