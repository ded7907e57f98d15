package io.livemig.bench.run.setup;

import io.livemig.bench.anchor.AnchorBuild;
import io.livemig.bench.anchor.QemuAnchors;
import io.livemig.bench.state.InputLog;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The C anchors of one run: built with the system C compiler when the selected benchmarks include any
 * ({@code qemu...} methods), loaded once in the runner to learn what the CPU offers, and handed to the forks
 * as {@code -D}{@value QemuAnchors#LIBRARY_PROPERTY}. What could not run is excluded from the plan with a
 * one-line reason, so a machine without a compiler (or without AVX-512BW) still runs everything else.
 *
 * @param built        whether the library was built and loaded.
 * @param excludes     benchmark-name regexes the run must leave out, with {@link #skipped} saying why.
 * @param skipped      one line per exclusion.
 * @param forkArgs     JVM options every fork needs for the anchors.
 * @param env          what env.json records under {@code anchors}.
 */
public record AnchorSetup(boolean built, List<String> excludes, List<String> skipped, List<String> forkArgs,
                   Map<String, Object> env)
{
    /** Excludes every C anchor. */
    static final String ALL_ANCHORS = "\\." + InputLog.ANCHOR_PREFIX + "[^.]*$";
    /** Excludes the AVX-512BW encoder. */
    static final String AVX512_ENCODER = "\\.qemuEncodeAvx512$";
    /** Excludes the zero-detection anchors (QEMU 9.0+'s and 8.x's AVX2 loops). */
    static final String AVX2_ZERO = "\\.qemuBufferIsZero[^.]*$";

    /** @return the setup of a run that selects no C anchor. */
    public static AnchorSetup none()
    {
        final Map<String, Object> env = new LinkedHashMap<>();
        env.put("built", false);
        env.put("reason", "no C anchor selected by -Dbench.include");
        return new AnchorSetup(false, List.of(), List.of(), List.of(), env);
    }

    /**
     * Builds and loads the anchors.
     *
     * @param workDir  an empty directory for the sources and the library, alive until the forks end.
     * @param environ  the environment ({@code CC} chooses the compiler).
     * @return the setup; never throws for a missing or failing compiler.
     */
    public static AnchorSetup prepare(final Path workDir, final Map<String, String> environ)
    {
        final AnchorBuild.Result build = AnchorBuild.build(workDir, environ);
        final Map<String, Object> env = new LinkedHashMap<>();
        env.put("built", build.built());
        env.put("compiler", build.compiler());
        env.put("compilerVersion", build.compilerVersion());
        // the flags as compiled, without this run's temporary paths (which say nothing about the code)
        env.put("command", String.join(" ", build.command())
            .replace(workDir.toAbsolutePath().toString(), "<build>")
            .replace(System.getProperty("java.home"), "<java.home>"));
        final List<String> excludes = new ArrayList<>();
        final List<String> skipped = new ArrayList<>();
        if (!build.built())
        {
            env.put("reason", build.reason());
            excludes.add(ALL_ANCHORS);
            skipped.add("C anchors not measured: " + build.reason());
            env.put("skipped", skipped);
            return new AnchorSetup(false, excludes, skipped, List.of(), env);
        }
        try
        {
            QemuAnchors.load(build.library());
        }
        catch (final RuntimeException | LinkageError ex)
        {
            final String reason = "the built library does not load: " + ex.getMessage();
            env.put("built", false);
            env.put("reason", reason);
            excludes.add(ALL_ANCHORS);
            skipped.add("C anchors not measured: " + reason);
            env.put("skipped", skipped);
            return new AnchorSetup(false, excludes, skipped, List.of(), env);
        }
        final int features = QemuAnchors.cpuFeatures();
        env.put("avx2", (features & QemuAnchors.CPU_AVX2) != 0);
        env.put("avx512f", (features & QemuAnchors.CPU_AVX512F) != 0);
        env.put("avx512bw", (features & QemuAnchors.CPU_AVX512BW) != 0);
        if ((features & QemuAnchors.CPU_AVX2) == 0)
        {
            excludes.add(AVX2_ZERO);
            skipped.add("qemuBufferIsZeroAvx2 and qemuBufferIsZero8xAvx2 not measured: the CPU lacks AVX2");
        }
        if ((features & QemuAnchors.CPU_AVX512BW) == 0)
        {
            excludes.add(AVX512_ENCODER);
            skipped.add("qemuEncodeAvx512 not measured: the CPU lacks AVX-512BW");
        }
        env.put("skipped", skipped);
        return new AnchorSetup(true, excludes, skipped,
            List.of("-D" + QemuAnchors.LIBRARY_PROPERTY + "=" + build.library().toAbsolutePath()), env);
    }
}
