package io.livemig.bench.run;

import io.livemig.bench.run.preset.BenchKind;
import io.livemig.bench.run.preset.Preset;
import org.openjdk.jmh.profile.GCProfiler;
import org.openjdk.jmh.runner.BenchmarkListEntry;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The JMH options of one batch of a {@link RunPlan}: its benchmarks, the preset's sizing and {@code @Param} values
 * where the user's {@code -Dbench.args} gave none, the forks' JVM options, and JMH's gc profiler on hot paths.
 *
 * <p>Stateless; thread-safe.
 */
final class BatchOptions
{
    /**
     * JVM options a fork gets before its class's {@code @Fork(jvmArgsAppend)} when some benchmark of its batch
     * does not append them itself (a class that forgot BenchJvm's flags): Agrona reaches jdk.internal.misc.Unsafe.
     * A batch whose classes all append them gets none, so that no fork has the flag twice.
     */
    static final String[] FORK_JVM_ARGS = {"--add-opens", "java.base/jdk.internal.misc=ALL-UNNAMED"};

    private BatchOptions()
    {
    }

    /**
     * @return whether {@code entry}'s class appends {@link #FORK_JVM_ARGS} itself ({@code @Fork(jvmArgsAppend)}),
     *         which JMH uses unless the user gives {@code -jvmArgsAppend}.
     */
    static boolean appendsForkJvmArgs(final BenchmarkListEntry entry)
    {
        return entry.getJvmArgsAppend().hasValue() &&
            Collections.indexOfSubList(List.copyOf(entry.getJvmArgsAppend().get()),
                List.of(FORK_JVM_ARGS)) >= 0;
    }

    /**
     * The JMH options of one batch sized as its kind's default, for benchmarks that may not append
     * {@link #FORK_JVM_ARGS} themselves: the preset's sizing where the user gave none.
     */
    static Options of(final Preset preset, final BenchKind kind, final Options user, final String jvm,
                      final Collection<String> benchmarks)
    {
        return of(preset, kind, preset.sizing(kind), preset.paramOverrides(kind), user, jvm, benchmarks, false,
            List.of());
    }

    /**
     * The JMH options of one batch: {@code sizing} and {@code params} where the user gave none.
     *
     * @param params        the preset's {@code @Param} values for the batch's benchmarks.
     * @param opensAppended whether every benchmark of the batch appends {@link #FORK_JVM_ARGS} itself.
     * @param forkArgs      JVM options every fork needs (prepended, after any the user prepends).
     */
    static Options of(final Preset preset, final BenchKind kind, final Preset.Sizing sizing,
                      final Map<String, String[]> params, final Options user, final String jvm,
                      final Collection<String> benchmarks, final boolean opensAppended, final List<String> forkArgs)
    {
        final ChainedOptionsBuilder builder = new OptionsBuilder().parent(user);
        for (final String name : benchmarks)
        {
            builder.include("^" + Pattern.quote(name) + "$");
        }
        if (!user.getForkCount().hasValue())
        {
            builder.forks(sizing.forks());
        }
        if (!user.getWarmupIterations().hasValue())
        {
            builder.warmupIterations(sizing.warmupIterations());
        }
        if (!user.getMeasurementIterations().hasValue())
        {
            builder.measurementIterations(sizing.measurementIterations());
        }
        if (kind != BenchKind.SINGLE_SHOT)
        {
            if (!user.getWarmupTime().hasValue())
            {
                builder.warmupTime(sizing.warmupTime());
            }
            if (!user.getMeasurementTime().hasValue())
            {
                builder.measurementTime(sizing.measurementTime());
            }
        }
        params.forEach((name, values) ->
        {
            if (!user.getParameter(name).hasValue())
            {
                builder.param(name, values);
            }
        });
        if (!user.getJvmArgs().hasValue())
        {
            // Explicit (even when empty), so forks do not inherit the options the runner's own JVM was started with.
            builder.jvmArgs(opensAppended ? new String[0] : FORK_JVM_ARGS);
        }
        if (!forkArgs.isEmpty())
        {
            final List<String> prepend = new ArrayList<>(user.getJvmArgsPrepend().orElse(List.of()));
            prepend.addAll(forkArgs);
            builder.jvmArgsPrepend(prepend.toArray(new String[0]));
        }
        if (jvm != null && !user.getJvm().hasValue())
        {
            builder.jvm(jvm);
        }
        if (kind == BenchKind.HOT_PATH && preset.gcProfilerOnHotPaths() &&
            user.getProfilers().stream().noneMatch(p -> isGcProfiler(p.getKlass())))
        {
            builder.addProfiler(GCProfiler.class);
        }
        return builder.build();
    }

    private static boolean isGcProfiler(final String name)
    {
        return name.equals("gc") || name.equals(GCProfiler.class.getName());
    }
}
