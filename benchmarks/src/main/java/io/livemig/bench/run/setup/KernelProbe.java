package io.livemig.bench.run.setup;

import io.livemig.kernel.KernelTracker;
import io.livemig.kernel.KernelTracking;

/**
 * Run by {@link KernelSetup} in the forks' JVM: prints, per kernel tracker, {@code kernel TAB name TAB
 * available} or {@code kernel TAB name TAB <the one-line reason>}, and the same for post-copy's kernel page
 * faults under the name {@code faults}.
 */
public final class KernelProbe
{
    private KernelProbe()
    {
    }

    /** @param args ignored. */
    public static void main(final String[] args)
    {
        for (final KernelTracker kind : KernelTracker.values())
        {
            final String reason = KernelTracking.unavailable(kind);
            System.out.println("kernel\t" + kind.cliName() + "\t" + (reason == null ? "available" : reason));
        }
        final String faults = KernelTracking.faultsUnavailable();
        System.out.println("kernel\tfaults\t" + (faults == null ? "available" : faults));
    }
}
