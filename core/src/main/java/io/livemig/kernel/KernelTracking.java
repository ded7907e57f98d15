package io.livemig.kernel;

import java.lang.reflect.InvocationTargetException;

/**
 * The probe and entry point of the kernel trackers. Their code uses the Foreign Function &amp; Memory API,
 * final in JDK 22, and lives in its own source set ({@code core/src/main/java22}, compiled only when the build
 * JDK is 22 or later into the same classes); this class, compiled for JDK 17, loads it by reflection only
 * when {@code Runtime.version().feature() >= 22}, so a JDK 17 JVM never links an FFM class. Whatever is
 * missing (the JDK, the FFM classes in this jar, a kernel feature, a permission) is reported as one line by
 * {@link #unavailable} and never crashes the caller. Which path this JVM has is {@link #description()}: logged
 * once at DEBUG (silent unless a logging configuration asks), printed by {@code scripts/migrate --verbose} and
 * recorded in its result JSON.
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
    private static final String JVM_REASON;
    /** {@link #description()}. */
    private static final String DESCRIPTION;

    static
    {
        final int feature = Runtime.version().feature();
        KernelProvider provider = null;
        String reason = null;
        if (feature < MIN_FEATURE)
        {
            reason = "unavailable: JDK " + feature + " < " + MIN_FEATURE + " (the kernel trackers use the FFM API, final in JDK 22)";
        }
        else
        {
            try
            {
                provider = (KernelProvider)Class.forName(IMPLEMENTATION).getDeclaredConstructor().newInstance();
            }
            catch (final ClassNotFoundException ex)
            {
                reason = "unavailable: this build has no FFM classes (built on a JDK older than 22)";
            }
            catch (final ReflectiveOperationException | LinkageError | RuntimeException ex)
            {
                final Throwable cause = ex instanceof InvocationTargetException ? ex.getCause() : ex;
                reason = "unavailable: the FFM bindings did not load: " + cause;
            }
        }
        PROVIDER = provider;
        JVM_REASON = reason;
        DESCRIPTION = reason == null ? "FFM bindings loaded (JDK " + feature + ")" : reason;
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
     * @return {@code null} if {@code kind} can run in this JVM on this kernel with this process's permissions,
     *         else one line that names what is missing and why: the JDK ({@code unavailable: JDK 17 < 22}),
     *         absent {@code UFFDIO_API} features by name, or the permission ({@code vm.unprivileged_userfaultfd}).
     */
    public static String unavailable(final KernelTracker kind)
    {
        if (PROVIDER == null)
        {
            return JVM_REASON;
        }
        try
        {
            return PROVIDER.unavailable(kind);
        }
        catch (final RuntimeException | LinkageError ex)
        {
            return "unavailable: probing the kernel failed: " + ex;
        }
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
     * @throws NativeCallException        if a system call fails past the probe.
     */
    public static TrackedGuest open(
        final KernelTracker kind, final String blockName, final long size, final int pageSize, final boolean hugePages)
    {
        final String reason = unavailable(kind);
        if (reason != null)
        {
            throw new KernelUnavailableException(kind.cliName() + " " + reason);
        }
        return PROVIDER.open(kind, blockName, size, pageSize, hugePages);
    }

    /**
     * @return {@code null} if post-copy with kernel page faults (userfaultfd MISSING mode, {@code UFFDIO_COPY},
     *         {@code UFFDIO_ZEROPAGE}) can run here, else one line naming what is missing and why.
     */
    public static String faultsUnavailable()
    {
        if (PROVIDER == null)
        {
            return JVM_REASON;
        }
        try
        {
            return PROVIDER.faultsUnavailable();
        }
        catch (final RuntimeException | LinkageError ex)
        {
            return "unavailable: probing the kernel failed: " + ex;
        }
    }

    /**
     * Maps {@code size} bytes of anonymous memory (no huge pages) and registers them with a new userfaultfd in
     * MISSING mode, every page missing: the memory of a post-copy destination with kernel page faults. Its
     * fault thread starts with {@link FaultingGuest#start}.
     *
     * @throws KernelUnavailableException with the one-line reason if this cannot run here.
     * @throws NativeCallException        if a system call fails past the probe.
     */
    public static FaultingGuest openFaulting(final String blockName, final long size, final int pageSize)
    {
        final String reason = faultsUnavailable();
        if (reason != null)
        {
            throw new KernelUnavailableException("kernel faults " + reason);
        }
        return PROVIDER.openFaulting(blockName, size, pageSize);
    }
}
