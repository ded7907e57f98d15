package io.livemig.bench.report.result;

import io.livemig.bench.report.stats.Units;
import io.livemig.bench.report.stats.Estimate;
import io.livemig.bench.report.stats.Metric;
import io.livemig.bench.run.preset.BenchKind;

import java.util.Map;
import java.util.Optional;

/**
 * One entry of JMH's JSON result: a benchmark run with one parameter set.
 *
 * @param benchmark       full name, {@code package.Class.method} (or {@code .group}).
 * @param mode            JMH's short mode label: {@code thrpt}, {@code avgt}, {@code sample}, {@code ss}.
 * @param threads         benchmark threads.
 * @param forks           forks measured.
 * @param params          {@code @Param} values, in JMH's order.
 * @param primary         the primary metric.
 * @param secondary       secondary metrics by label (gc profiler, aux counters), labels without JMH's
 *                        optional leading middle dot.
 * @param measurementTime JMH's measurement time per iteration, e.g. {@code 500 ms} (empty for single shot).
 */
public record JmhResult(String benchmark, String mode, int threads, int forks, Map<String, String> params,
                        Metric primary, Map<String, Metric> secondary, String measurementTime)
{
    /** Secondary metric of JMH's gc profiler: bytes allocated per operation. */
    public static final String ALLOC_NORM = "gc.alloc.rate.norm";

    /** @return the class part of {@link #benchmark}. */
    public String className()
    {
        return BenchKind.classOf(benchmark);
    }

    /** @return the simple class name, e.g. {@code NextDirtyBenchmark}. */
    public String simpleClassName()
    {
        final String name = className();
        return name.substring(name.lastIndexOf('.') + 1);
    }

    /** @return the method (or group) name. */
    public String method()
    {
        return BenchKind.methodOf(benchmark);
    }

    /** @return whether this is a baseline: its method name starts with {@code baseline}. */
    public boolean isBaseline()
    {
        return method().startsWith("baseline");
    }

    /** @return whether lower scores are better: the time modes (average, sample, single shot). */
    public boolean lowerIsBetter()
    {
        return !mode.equals("thrpt");
    }

    /** @return a parameter's value, if the benchmark has it. */
    public Optional<String> param(final String name)
    {
        return Optional.ofNullable(params.get(name));
    }

    /** @return a secondary metric, if present. */
    public Optional<Metric> secondary(final String label)
    {
        return Optional.ofNullable(secondary.get(label));
    }

    /** @return the key that matches this run across result files: benchmark, mode, threads and params. */
    public String key()
    {
        return benchmark + " " + mode + (threads == 1 ? "" : " t" + threads) + (params.isEmpty() ? "" : " " + params);
    }

    /** @return GB/s of page input of a time-per-page result: 4096 B / time per page. */
    public Estimate gigabytesPerSecond()
    {
        final double secondsPerUnit = Units.secondsPerOp(1, primary.unit());
        return primary.estimate().reciprocalTimes(Units.PAGE_BYTES * 1e-9 / secondsPerUnit);
    }

    /** @return the params as {@code a=1, b=x}, or empty. */
    public String paramsText()
    {
        final StringBuilder text = new StringBuilder();
        params.forEach((k, v) -> text.append(text.length() == 0 ? "" : ", ").append(k).append('=').append(v));
        return text.toString();
    }
}
