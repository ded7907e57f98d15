package io.livemig.kernel;

import java.lang.reflect.InvocationTargetException;
import java.util.function.Supplier;

/**
 * The probe and entry point of the kernel trackers. Their code uses the Foreign Function &amp; Memory API,
 * final in JDK 22, and lives in its own source set ({@code core/src/main/java22}, compiled only when the build
 * JDK is 22 or later into the same classes); this class, compiled for JDK 17, loads it by reflection only
 * when {@code Runtime.version().feature() >= 22}, so a JDK 17 JVM never links an FFM class.
 *
 * <p>A probe ({@link #probe}, {@link #probeFaults}) answers in three states ({@link KernelAvailability}):
 * available; unavailable for a condition it names (the JDK release, a build without the FFM classes, the
 * operating system, a kernel feature, an {@code errno}, a permission); or failed, when it met an exception it
 * does not expect. A failure is never reported as a property of the machine: the product still falls back (the
 * feature cannot run, {@link #unavailable} says why in one line), but tests see it as the bug it is. Nothing
 * here crashes the caller. Which path this JVM has is {@link #description()}: logged once at DEBUG (silent
 * unless a logging configuration asks), printed by {@code scripts/migrate --verbose} and recorded in its result
 * JSON.
 *
 * <p>Thread-safety: immutable after class initialisation; safe for any thread.
 */
public final class KernelTracking
{
    /** Oldest JDK feature release with the final FFM API. */
    public static final int MIN_FEATURE = 22;

    private static final String IMPLEMENTATION = "io.livemig.kernel.FfmKernelProvider";

    /** The FFM provider, or {@code null} when this JVM cannot load it. */
    private static final KernelProvider PROVIDER;
    /** Why {@link #PROVIDER} is {@code null}, else {@code null}. */
    private static final KernelAvailability JVM_VERDICT;
    /** {@link #description()}. */
    private static final String DESCRIPTION;

    static
    {
        final int feature = Runtime.version().feature();
        KernelProvider provider = null;
        KernelAvailability verdict = null;
        if (feature < MIN_FEATURE)
        {
            verdict = KernelAvailability.unavailable(
                "unavailable: JDK " + feature + " < " + MIN_FEATURE + " (the kernel trackers use the FFM API, final in JDK 22)");
        }
        else
        {
            try
            {
                provider = (KernelProvider)Class.forName(IMPLEMENTATION).getDeclaredConstructor().newInstance();
            }
            catch (final ClassNotFoundException ex)
            {
                verdict = KernelAvailability.unavailable(
                    "unavailable: this build has no FFM classes (built on a JDK older than 22)");
            }
            catch (final ReflectiveOperationException | LinkageError | RuntimeException ex)
            {
                verdict = KernelAvailability.probeFailed("loading the FFM bindings",
                    ex instanceof InvocationTargetException ? ex.getCause() : ex);
            }
        }
        PROVIDER = provider;
        JVM_VERDICT = verdict;
        DESCRIPTION = verdict == null ? "FFM bindings loaded (JDK " + feature + ")" : verdict.reason();
        System.getLogger(KernelTracking.class.getName()).log(System.Logger.Level.DEBUG,
            "livemig kernel trackers: " + DESCRIPTION);
    }

    /**
     * @return one line saying whether this JVM loaded the FFM bindings ({@code FFM bindings loaded (JDK 25)}) or
     *         why not ({@code unavailable: JDK 17 < 22 ...}); whether a kernel offers a tracker is
     *         {@link #unavailable}'s answer.
     */
    public static String description()
    {
        return DESCRIPTION;
    }

    private KernelTracking()
    {
    }

    /**
     * @return whether {@code kind} can run in this JVM on this kernel with this process's permissions; if not,
     *         the one-line reason: a named condition (the JDK, absent {@code UFFDIO_API} features by name, an
     *         {@code errno}, the permission {@code vm.unprivileged_userfaultfd}), or the probe's own failure.
     */
    public static KernelAvailability probe(final KernelTracker kind)
    {
        return PROVIDER == null ? JVM_VERDICT : ask("probing " + kind.cliName(), () -> PROVIDER.unavailable(kind));
    }

    /**
     * For callers that only choose a path: {@link #probe}'s reason.
     *
     * @return {@code null} if {@code kind} can run here, else one line saying why not ({@link #probe}).
     */
    public static String unavailable(final KernelTracker kind)
    {
        return probe(kind).reason();
    }

    /**
     * Maps {@code size} bytes of anonymous memory, registers them with a new userfaultfd for write-protection
     * as {@code kind} needs, protects them all, and returns them as guest memory with its kernel-filled log.
     *
     * @param blockName   RAM block name, as {@link io.livemig.memory.GuestMemory} takes it.
     * @param size        guest size in bytes, a positive multiple of {@code pageSize}.
     * @param pageSize    the guest's page size, a power of two from 4 KiB to 2 MiB.
     * @param hugePages   {@code true} to {@code madvise(MADV_HUGEPAGE)} the mapping (2 MiB aligned), so that
     *                    transparent huge pages back it and a write reports its whole 2 MiB; {@code false}
     *                    advises {@code MADV_NOHUGEPAGE}, so that the kernel tracks 4 KiB pages.
     * @throws KernelUnavailableException with the one-line reason if {@code kind} cannot run here.
     * @throws IllegalStateException      if the probe failed (its failure is the cause).
     * @throws NativeCallException        if a system call fails past the probe.
     */
    public static TrackedGuest open(
        final KernelTracker kind, final String blockName, final long size, final int pageSize, final boolean hugePages)
    {
        refuseUnless(probe(kind), kind.cliName());
        return PROVIDER.open(kind, blockName, size, pageSize, hugePages);
    }

    /**
     * @return whether post-copy with kernel page faults (userfaultfd MISSING mode, {@code UFFDIO_COPY}, {@code
     *         UFFDIO_ZEROPAGE}) can run here; if not, the one-line reason, as {@link #probe}.
     */
    public static KernelAvailability probeFaults()
    {
        return PROVIDER == null ? JVM_VERDICT : ask("probing kernel faults", PROVIDER::faultsUnavailable);
    }

    /**
     * Runs one probe of the provider: {@code null} is "available", a reason {@code "unavailable: ..."} is a named
     * condition; an exception, or a reason of any other shape, is a failed probe.
     */
    static KernelAvailability ask(final String what, final Supplier<String> probe)
    {
        final String reason;
        try
        {
            reason = probe.get();
        }
        catch (final RuntimeException | LinkageError ex)
        {
            return KernelAvailability.probeFailed(what, ex);
        }
        if (reason == null)
        {
            return KernelAvailability.available();
        }
        if (!reason.startsWith("unavailable: "))
        {
            return KernelAvailability.probeFailed(what, new IllegalStateException("a reason of no known shape: " + reason));
        }
        return KernelAvailability.unavailable(reason);
    }

    /**
     * For callers that only choose a path: {@link #probeFaults}'s reason.
     *
     * @return {@code null} if kernel page faults can run here, else one line saying why not.
     */
    public static String faultsUnavailable()
    {
        return probeFaults().reason();
    }

    /**
     * Maps {@code size} bytes of anonymous memory (no huge pages) and registers them with a new userfaultfd in
     * MISSING mode, every page missing: the memory of a post-copy destination with kernel page faults. Its
     * fault thread starts with {@link FaultingGuest#start}.
     *
     * @throws KernelUnavailableException with the one-line reason if this cannot run here.
     * @throws IllegalStateException      if the probe failed (its failure is the cause).
     * @throws NativeCallException        if a system call fails past the probe.
     */
    public static FaultingGuest openFaulting(final String blockName, final long size, final int pageSize)
    {
        refuseUnless(probeFaults(), "kernel faults");
        return PROVIDER.openFaulting(blockName, size, pageSize);
    }

    /** Throws, naming {@code what}, unless {@code verdict} is available. */
    private static void refuseUnless(final KernelAvailability verdict, final String what)
    {
        if (verdict.probeFailed())
        {
            throw new IllegalStateException(what + " " + verdict.reason(), verdict.failure());
        }
        if (!verdict.isAvailable())
        {
            throw new KernelUnavailableException(what + " " + verdict.reason());
        }
    }
}
