package io.livemig.bench.run.setup;

import io.livemig.bench.BenchJvm;
import io.livemig.bench.run.env.BestEffort;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The kernel trackers in the forks of one run ({@code KernelTrackingBenchmark}, {@code
 * PostcopyFaultsBenchmark.kernelFaults}, {@code SnapshotBenchmark.saveBackground} and {@code lazyCompleteKernel}):
 * whether the forks' JDK (22+), kernel and permissions allow both
 * userfaultfd trackers and post-copy's MISSING-mode faults, learnt by running {@link KernelProbe} with the
 * forks' java. Where either cannot run, the class is excluded with a one-line reason (as {@link SimdSetup}
 * does for the vector methods), recorded in env.json under {@code kernel}, where the report reads it.
 *
 * @param excludes benchmark-name regexes the run must leave out.
 * @param skipped  one line per exclusion.
 * @param env      what env.json records under {@code kernel}: each tracker's verdict and {@code skipped}.
 */
public record KernelSetup(List<String> excludes, List<String> skipped, Map<String, Object> env)
{
    /** Excludes the kernel-tracking class. */
    static final String KERNEL_CLASS = "\\.KernelTrackingBenchmark\\.";
    /** Excludes post-copy's kernel-fault method. */
    static final String KERNEL_FAULTS = "\\.PostcopyFaultsBenchmark\\.kernelFaults$";
    /** The background snapshot, on the synchronous write-protect tracker. */
    static final String BACKGROUND_SNAPSHOT = "\\.SnapshotBenchmark\\.saveBackground$";
    /** A lazy snapshot restore with the kernel's faults. */
    static final String KERNEL_RESTORE = "\\.SnapshotBenchmark\\.lazyCompleteKernel$";

    /**
     * @param java      the forks' java executable.
     * @param classPath the class path that holds livemig's classes (the runner's own).
     * @return the setup; never throws (a probe that fails counts as unavailable, with its reason).
     */
    public static KernelSetup probe(final Path java, final String classPath)
    {
        final List<String> command = new ArrayList<>();
        command.add(java.toString());
        command.add(BenchJvm.ADD_OPENS);
        command.add(BenchJvm.MISC_OPENS);
        command.add(BenchJvm.NATIVE_ACCESS);
        command.add("-cp");
        command.add(classPath);
        command.add(KernelProbe.class.getName());
        return of(BestEffort.run(command, null));
    }

    /**
     * @param output {@link KernelProbe}'s output (other lines are ignored).
     * @return the setup it implies.
     */
    static KernelSetup of(final String output)
    {
        final Map<String, Object> env = new LinkedHashMap<>();
        for (final String line : output.split("\\R"))
        {
            final String[] f = line.split("\t", 3);
            if (f.length == 3 && f[0].equals("kernel"))
            {
                env.put(f[1], f[2]);
            }
        }
        final List<String> reasons = new ArrayList<>();
        for (final String tracker : List.of("uffd-wp-async", "uffd-wp"))
        {
            final Object verdict = env.computeIfAbsent(tracker, t -> "unavailable: the probe of the forks' JDK failed");
            if (!"available".equals(verdict))
            {
                reasons.add(tracker + " " + verdict);
            }
        }
        final List<String> excludes = new ArrayList<>();
        final List<String> skipped = new ArrayList<>();
        if (!"available".equals(env.get("uffd-wp")))
        {
            excludes.add(BACKGROUND_SNAPSHOT);
            skipped.add("SnapshotBenchmark.saveBackground not measured: uffd-wp " + env.get("uffd-wp"));
        }
        if (!reasons.isEmpty())
        {
            excludes.add(KERNEL_CLASS);
            skipped.add("KernelTrackingBenchmark not measured: " + String.join("; ", reasons));
        }
        final Object faults = env.computeIfAbsent("faults", t -> "unavailable: the probe of the forks' JDK failed");
        if (!"available".equals(faults))
        {
            excludes.add(KERNEL_FAULTS);
            skipped.add("PostcopyFaultsBenchmark.kernelFaults not measured: kernel faults " + faults);
            excludes.add(KERNEL_RESTORE);
            skipped.add("SnapshotBenchmark.lazyCompleteKernel not measured: kernel faults " + faults);
        }
        env.put("skipped", skipped);
        return new KernelSetup(excludes, skipped, env);
    }
}
