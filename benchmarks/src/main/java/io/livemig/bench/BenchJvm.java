package io.livemig.bench;

/**
 * JVM options for benchmark forks, as compile-time constants for {@code @Fork(jvmArgsAppend = ...)}, so a
 * benchmark run by hand ({@code java -jar benchmarks.jar}) gets the same flags as one run by the runner.
 *
 * <p>Every class declares {@code @Fork(jvmArgsAppend = {BenchJvm.ADD_OPENS, BenchJvm.MISC_OPENS,
 * BenchJvm.NO_BOUNDS_CHECKS, BenchJvm.HEAP_MIN, BenchJvm.HEAP_MAX})}: Agrona needs the opens; its own bounds
 * checks are switched off (as Agrona's benchmarks do) because livemig's public API validates arguments
 * itself; the heap is fixed so that GC sizing does not differ between runs.
 */
public final class BenchJvm
{
    /** With {@link #MISC_OPENS}: lets Agrona reach {@code jdk.internal.misc.Unsafe}. */
    public static final String ADD_OPENS = "--add-opens";
    /** The package opened by {@link #ADD_OPENS}. */
    public static final String MISC_OPENS = "java.base/jdk.internal.misc=ALL-UNNAMED";
    /** Removes Agrona's internal bounds-check branches (livemig's API still checks its callers). */
    public static final String NO_BOUNDS_CHECKS = "-Dagrona.disable.bounds.checks=true";
    /**
     * With {@link #VECTOR_MODULE}: loads the Vector API, so that {@code io.livemig.codec.Simd} may choose the
     * vector path (the codec classes append it; the runner adds it to every fork whose JDK has the module).
     */
    public static final String ADD_MODULES = "--add-modules";
    /** The module added by {@link #ADD_MODULES}. */
    public static final String VECTOR_MODULE = "jdk.incubator.vector";
    /**
     * Lets livemig call FFM's restricted methods without a warning: the codecs' off-heap SIMD kernels ({@code
     * io.livemig.codec.Simd}) and the kernel trackers ({@code io.livemig.kernel}) need it on JDK 22+; accepted and
     * harmless on JDK 17.
     */
    public static final String NATIVE_ACCESS = "--enable-native-access=ALL-UNNAMED";
    /** Fixed initial heap. */
    public static final String HEAP_MIN = "-Xms2g";
    /** Fixed maximum heap. */
    public static final String HEAP_MAX = "-Xmx2g";

    private BenchJvm()
    {
    }
}
