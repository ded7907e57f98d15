package io.livemig.bench.migration;

import io.livemig.migration.MigrationRun;
import io.livemig.migration.options.MigrationMode;
import io.livemig.migration.options.MigrationOptions;
import io.livemig.migration.result.MigrationResult;

/**
 * One post-copy shot as {@link PostcopyFaultsBenchmark} and {@link PostcopyLocalityBenchmark} take it: a guest
 * whose pages are half filled (seeded), 20 ms of writes before the switch, then post-copy at once over a
 * throttled link, with two destination vCPUs writing 8 bytes at a time flat out, so that they fault on most pages
 * not yet pushed; and the checks and figures both classes read from its result.
 *
 * <p>Immutable; thread-safe.
 *
 * @param guestBytes   guest size in bytes.
 * @param bandwidth    the link's bytes per second.
 * @param link         {@code memory} or {@code tcp}.
 * @param pattern      the vCPUs' access pattern: {@code uniform}, {@code hotset}, {@code sequential}, ...
 * @param kernelFaults whether vCPUs fault in the kernel (userfaultfd, JDK 22+), else at a software gate.
 * @param preempt      whether requested pages take a preempt connection of their own (QEMU's postcopy-preempt).
 * @param prepage      the post-copy push's window after a fault: 0, the push does not follow faults; the
 *                     options' default (8), it continues right after the page served.
 */
record PostcopyShot(long guestBytes, long bandwidth, String link, String pattern, boolean kernelFaults,
                    boolean preempt, int prepage)
{
    /** The share of the guest's pages that hold data; the rest are zero. */
    static final double FILL = 0.5;
    /** vCPUs writing on the destination. */
    static final int WRITERS = 2;
    /** The default window of the post-copy push after a fault (QEMU's locality hint on). */
    static final int DEFAULT_PREPAGE = MigrationOptions.defaults().prepageWindow();

    /** @return the run of this shot, ready to {@link MigrationRun#run()}. */
    MigrationRun scenario()
    {
        final MigrationOptions options = MigrationOptions.defaults().withMode(MigrationMode.POSTCOPY)
            .withBandwidth(bandwidth).withPostcopyPreempt(preempt).withPrepageWindow(prepage);
        return new MigrationRun().memoryBytes(guestBytes).pattern(pattern).writers(WRITERS).dirtyRate(0)
            .bytesPerTouch(8).fill(FILL).seed(11).phasesMs(20, 0).link(link).options(options)
            .kernelFaults(kernelFaults);
    }

    /**
     * @return {@code r}.
     * @throws IllegalStateException if the migration failed: a failed shot's figures are not the scenario's.
     */
    static MigrationResult completed(final MigrationResult r)
    {
        if (r.error() != null)
        {
            throw new IllegalStateException("migration failed: " + r.error());
        }
        return r;
    }

    /** @return faults counted in a {@link MigrationResult#faultsBy} figure: 0 where not measured. */
    static double count(final double[] faults)
    {
        return Double.isNaN(faults[0]) ? 0 : faults[0];
    }

    /** @return the p99 latency (µs) of a {@link MigrationResult#faultsBy} figure: NaN where no fault was counted. */
    static double p99Us(final double[] faults)
    {
        return count(faults) > 0 ? faults[2] : Double.NaN;
    }
}
