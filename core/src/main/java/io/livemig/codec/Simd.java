package io.livemig.codec;

import java.lang.reflect.InvocationTargetException;
import java.util.Locale;

/**
 * Chooses, once per JVM, whether the codecs run their SIMD kernels ({@code jdk.incubator.vector}) or only
 * the scalar ones, the way Lucene chooses its Panama code: the vector classes live in their own source set and
 * are loaded by reflection only after the checks below, so a JVM without the module never links them.
 *
 * <p>The vector path runs when all of these hold:
 * <ul>
 *   <li>system property {@value #PROPERTY} is {@code auto} (the default) or {@code on}; {@code off} forces
 *       scalar;</li>
 *   <li>the module {@code jdk.incubator.vector} is in the boot layer (the JVM was started with
 *       {@code --add-modules jdk.incubator.vector});</li>
 *   <li>the preferred species holds at least {@value #MIN_VECTOR_BYTES} bytes (AVX2 or wider);</li>
 *   <li>with {@code auto}, the JDK is {@value #MIN_AUTO_FEATURE} or newer: on JDK 17 the mask-to-bits
 *       operation the encoder is built on ({@code VectorMask.toLong}) is not an intrinsic, and the vector
 *       encoder measured 10-35 times slower than the scalar one (JMH, 2026-11-28); JDK 18-20 were not measured
 *       and are left scalar; {@code on} runs it anyway.</li>
 * </ul>
 * {@code scripts/livemig-java} applies the same rule (property, JDK release, module) to decide whether to start
 * the JVM with the module at all, so that a JVM whose codecs run scalar prints no incubator warning; its
 * {@code min_auto_feature} is kept equal to {@link #MIN_AUTO_FEATURE} by {@code ScriptOutputTest}.
 * Where it runs, it serves heap arrays (see {@link VectorKernels}), and off-heap memory too where the JDK is
 * {@value #MIN_OFF_HEAP_FEATURE} or newer, this build has the JDK 22+ kernels and native access is enabled
 * ({@link OffHeapKernels}); otherwise off-heap inputs take the scalar path.
 * The choice, naming the path and how to switch, is {@link #description()}: logged once at DEBUG through
 * {@link System.Logger} (silent unless a logging configuration asks), printed by {@code scripts/migrate
 * --verbose} and recorded in its result JSON.
 *
 * <p>Immutable after class initialisation; thread-safe.
 */
public final class Simd
{
    /** System property: {@code auto} (default), {@code on} or {@code off}. */
    public static final String PROPERTY = "livemig.simd";

    /** Narrowest vector the kernels are worth running on, in bytes. */
    public static final int MIN_VECTOR_BYTES = 32;

    /** Oldest JDK feature release on which {@code auto} chooses the vector path. */
    public static final int MIN_AUTO_FEATURE = 21;

    /** Oldest JDK feature release whose Vector API loads from off-heap memory ({@link OffHeapKernels}). */
    public static final int MIN_OFF_HEAP_FEATURE = 22;

    static final String MODULE = "jdk.incubator.vector";
    private static final String IMPLEMENTATION = "io.livemig.codec.PanamaKernels";
    private static final String OFF_HEAP_IMPLEMENTATION = "io.livemig.codec.SegmentKernels";

    /** The vector kernels, or {@code null} when the scalar path runs; a constant the JIT folds. */
    static final VectorKernels KERNELS;
    /** The off-heap vector kernels, or {@code null} when off-heap memory takes the scalar path. */
    static final OffHeapKernels OFF_HEAP;
    private static final String REASON;

    static
    {
        final String mode = System.getProperty(PROPERTY, "auto").trim().toLowerCase(Locale.ROOT);
        final int feature = Runtime.version().feature();
        VectorKernels kernels = null;
        String reason;
        if (mode.equals("off"))
        {
            reason = "scalar path: " + PROPERTY + "=off; set " + PROPERTY + "=auto (with --add-modules " + MODULE +
                ") for the vector path";
        }
        else if (!mode.equals("auto") && !mode.equals("on"))
        {
            reason = "scalar path: " + PROPERTY + "=" + mode + " is not auto, on or off";
        }
        else if (mode.equals("auto") && feature < MIN_AUTO_FEATURE)
        {
            // before the module's check: on such a JDK, loading the module would not change the path
            reason = "scalar path: auto takes the vector path from JDK " + MIN_AUTO_FEATURE + " on, this is JDK " +
                feature + " (on JDK 17 VectorMask.toLong is no intrinsic and the vector encoder ran 10-35x slower); -D" +
                PROPERTY + "=on (with --add-modules " + MODULE + ") forces the vector path";
        }
        else if (!moduleReadable())
        {
            reason = "scalar path: " + MODULE + " is not loaded; start Java with --add-modules " + MODULE +
                " for the vector path";
        }
        else
        {
            kernels = loadVectorKernels();
            if (kernels == null)
            {
                reason = "scalar path: the preferred vector species is narrower than " + MIN_VECTOR_BYTES +
                    " bytes or the vector classes are missing";
            }
            else
            {
                reason = "vector path (" + MODULE + ", " + kernels.species() + ") for heap pages";
            }
        }
        OffHeapKernels offHeap = null;
        if (kernels != null)
        {
            final String whyNot;
            if (feature < MIN_OFF_HEAP_FEATURE)
            {
                whyNot = "needs JDK " + MIN_OFF_HEAP_FEATURE + "+, this is JDK " + feature;
            }
            else
            {
                offHeap = loadOffHeapKernels();
                whyNot = offHeap == null ? "this build has no JDK 22+ kernels (built by JDK " + feature + "? " +
                    "rebuild with JDK 22 or newer)" : offHeap.unavailable();
                if (whyNot != null)
                {
                    offHeap = null;
                }
            }
            reason += offHeap != null ? " and off-heap memory (" + offHeap.species() + " there, which stream guest " +
                "memory faster); -D" + PROPERTY + "=off for the scalar path" :
                ", scalar for off-heap memory (" + whyNot + "); -D" + PROPERTY + "=off for the scalar path";
        }
        KERNELS = kernels;
        OFF_HEAP = offHeap;
        REASON = reason;
        System.getLogger(Simd.class.getName()).log(System.Logger.Level.DEBUG, "livemig codecs: " + REASON);
    }

    private Simd()
    {
    }

    /** @return whether the vector kernels run (for heap arrays). */
    public static boolean vector()
    {
        return KERNELS != null;
    }

    /** @return {@code "vector"} or {@code "scalar"}: the path this JVM runs. */
    public static String path()
    {
        return KERNELS != null ? "vector" : "scalar";
    }

    /** @return the vector shape in use, or {@code "none"} on the scalar path. */
    public static String species()
    {
        return KERNELS != null ? KERNELS.species() : "none";
    }

    /** @return the off-heap kernels' vector width, e.g. {@code 256-bit (32 byte lanes)}, or {@code none}. */
    public static String offHeapSpecies()
    {
        return OFF_HEAP != null ? OFF_HEAP.species() : "none";
    }

    /** @return one line: the path, why, and how to choose the other (the sentence logged at DEBUG). */
    public static String description()
    {
        return REASON;
    }

    /**
     * @return the vector kernels whatever {@value #PROPERTY} and the JDK say (tests force the vector path with
     *         it), or {@code null} if the module is not loaded, the species is too narrow or the classes are
     *         missing.
     */
    static VectorKernels loadVectorKernels()
    {
        if (!moduleReadable())
        {
            return null;
        }
        try
        {
            final Object kernels = Class.forName(IMPLEMENTATION).getDeclaredConstructor().newInstance();
            return ((Wide)kernels).wideEnough() ? (VectorKernels)kernels : null;
        }
        catch (final ClassNotFoundException | LinkageError | NoSuchMethodException | InstantiationException |
            IllegalAccessException | InvocationTargetException e)
        {
            return null;
        }
    }

    /** @return whether off-heap memory takes the vector path too. */
    public static boolean vectorOffHeap()
    {
        return OFF_HEAP != null;
    }

    /**
     * @return the off-heap kernels whatever {@value #PROPERTY} says, or {@code null} if the JDK is older than
     *         {@value #MIN_OFF_HEAP_FEATURE}, the module is not loaded or the classes are missing (they may still
     *         be {@link OffHeapKernels#unavailable() unavailable}).
     */
    static OffHeapKernels loadOffHeapKernels()
    {
        if (Runtime.version().feature() < MIN_OFF_HEAP_FEATURE || !moduleReadable())
        {
            return null;
        }
        try
        {
            return (OffHeapKernels)Class.forName(OFF_HEAP_IMPLEMENTATION).getDeclaredConstructor().newInstance();
        }
        catch (final ClassNotFoundException | LinkageError | NoSuchMethodException | InstantiationException |
            IllegalAccessException | InvocationTargetException e)
        {
            return null;
        }
    }

    private static boolean moduleReadable()
    {
        return ModuleLayer.boot().findModule(MODULE).map(Simd.class.getModule()::canRead).orElse(false);
    }

    /** Implemented by the vector kernels: whether the preferred species holds {@link #MIN_VECTOR_BYTES}. */
    interface Wide
    {
        boolean wideEnough();
    }
}
