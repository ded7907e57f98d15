package io.livemig.bench.run.setup;

import io.livemig.bench.BenchJvm;
import io.livemig.bench.run.env.BestEffort;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The codecs' SIMD path in the forks of one run: whether the forks' JDK has {@code jdk.incubator.vector} (then
 * every fork gets {@code --add-modules jdk.incubator.vector} and {@code --enable-native-access=ALL-UNNAMED}),
 * and which paths {@code io.livemig.codec.Simd} chooses there, for heap arrays and for off-heap memory, learnt by running {@link SimdProbe} with the forks' java. Where the path is scalar, the
 * {@code ...Vector} benchmark methods are excluded with a one-line reason (where only the off-heap path is
 * scalar, the {@code ...OffHeapVector} ones) (as {@link AnchorSetup} does for the
 * C anchors), so no row claims a path that did not run.
 *
 * @param forkArgs JVM options every fork gets.
 * @param excludes benchmark-name regexes the run must leave out.
 * @param skipped  one line per exclusion.
 * @param env      what env.json records under {@code simd}: {@code module}, {@code path}, {@code species},
 *                 {@code offHeapPath}, {@code offHeapSpecies}, {@code description}.
 */
public record SimdSetup(List<String> forkArgs, List<String> excludes, List<String> skipped, Map<String, Object> env)
{
    /** Excludes the vector paths' methods. */
    static final String VECTOR_METHODS = "\\.[^.]*Vector$";
    /** Excludes the off-heap vector path's methods. */
    static final String OFF_HEAP_VECTOR_METHODS = "\\.[^.]*OffHeapVector$";

    /**
     * @param java      the forks' java executable.
     * @param classPath the class path that holds livemig's classes (the runner's own).
     * @return the setup; never throws (a probe that fails counts as the scalar path, with its reason).
     */
    public static SimdSetup probe(final Path java, final String classPath)
    {
        final List<String> vectorArgs = List.of(BenchJvm.ADD_MODULES, BenchJvm.VECTOR_MODULE);
        String line = probeLine(java, classPath, vectorArgs);
        final boolean module = !line.isEmpty();
        if (!module)
        {
            line = probeLine(java, classPath, List.of());
        }
        return of(module, line);
    }

    /**
     * @param module whether the forks' JDK has the module.
     * @param line   {@link SimdProbe}'s output with the forks' options, or empty if it failed.
     * @return the setup those imply.
     */
    static SimdSetup of(final boolean module, final String line)
    {
        final String[] f = line.strip().split("\t", 5);
        final boolean parsed = f.length == 5;
        final String path = parsed ? f[0] : "scalar";
        final String offHeapPath = parsed ? f[2] : "scalar";
        final Map<String, Object> env = new LinkedHashMap<>();
        env.put("module", module);
        env.put("path", path);
        env.put("species", parsed ? f[1] : "none");
        env.put("offHeapPath", offHeapPath);
        env.put("offHeapSpecies", parsed ? f[3] : "none");
        env.put("description", parsed ? f[4] : "the probe of the forks' JDK failed");
        final List<String> forkArgs = module ?
            List.of(BenchJvm.ADD_MODULES, BenchJvm.VECTOR_MODULE, BenchJvm.NATIVE_ACCESS) : List.of();
        final List<String> excludes = new ArrayList<>();
        final List<String> skipped = new ArrayList<>();
        if (!"vector".equals(path))
        {
            excludes.add(VECTOR_METHODS);
            skipped.add("...Vector methods not measured: " + env.get("description"));
        }
        else if (!"vector".equals(offHeapPath))
        {
            excludes.add(OFF_HEAP_VECTOR_METHODS);
            skipped.add("...OffHeapVector methods not measured: " + env.get("description"));
        }
        env.put("skipped", skipped);
        return new SimdSetup(forkArgs, excludes, skipped, env);
    }

    private static String probeLine(final Path java, final String classPath, final List<String> moduleArgs)
    {
        final List<String> command = new ArrayList<>();
        command.add(java.toString());
        command.add(BenchJvm.ADD_OPENS);
        command.add(BenchJvm.MISC_OPENS);
        command.addAll(moduleArgs);
        if (!moduleArgs.isEmpty())
        {
            command.add(BenchJvm.NATIVE_ACCESS);
        }
        command.add("-cp");
        command.add(classPath);
        command.add(SimdProbe.class.getName());
        final String output = BestEffort.run(command, null);
        for (final String line : output.split("\\R"))
        {
            if (line.startsWith("vector\t") || line.startsWith("scalar\t"))
            {
                return line;
            }
        }
        return "";
    }
}
