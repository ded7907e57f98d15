package io.livemig.kernel;

/**
 * What {@link KernelTracking} loads reflectively on JDK 22 and later: the FFM implementation of the kernel
 * trackers ({@code core/src/main/java22}). Not for other callers.
 *
 * <p>Thread-safety: implementations are stateless apart from a cached probe, and safe for any thread.
 */
public interface KernelProvider
{
    /** @return {@code null} if {@code kind} can run here, else one line naming what is missing and why. */
    String unavailable(KernelTracker kind);

    /** Maps, registers and protects a guest; see {@link KernelTracking#open}. */
    TrackedGuest open(KernelTracker kind, String blockName, long size, int pageSize, boolean hugePages);

    /** @return {@code null} if MISSING-mode post-copy faults can run here, else the one-line reason. */
    String faultsUnavailable();

    /** Maps and registers a post-copy destination; see {@link KernelTracking#openFaulting}. */
    FaultingGuest openFaulting(String blockName, long size, int pageSize);
}
