package io.livemig.kernel;

import io.livemig.Machine;
import org.opentest4j.AssertionFailedError;

/**
 * The one line a kernel test starts with: it returns where the probe says the feature runs, skips the test
 * with the probe's reason where the machine lacks what the feature needs ({@link Machine#lacksKernelTrackers}),
 * and fails it where the machine has it, and wherever the probe itself failed (a bug, never a skip).
 *
 * <p>Thread-safety: stateless.
 */
public final class KernelAssume
{
    private KernelAssume()
    {
    }

    /** Returns if {@code kind} runs here, else skips or fails the test (see the class comment). */
    public static void tracker(final KernelTracker kind)
    {
        check(KernelTracking.probe(kind), kind.cliName());
    }

    /** Returns if post-copy's kernel page faults run here, else skips or fails the test. */
    public static void faults()
    {
        check(KernelTracking.probeFaults(), "kernel faults");
    }

    private static void check(final KernelAvailability verdict, final String what)
    {
        if (verdict.probeFailed())
        {
            throw new AssertionFailedError(what + " " + verdict.reason(), verdict.failure());
        }
        Machine.skipOnlyIfLacking(Machine.lacksKernelTrackers(), verdict.isAvailable() ? null : what + " " + verdict.reason());
    }
}
