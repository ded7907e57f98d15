package io.livemig.cli.migrate;

import io.livemig.cli.BadOption;
import io.livemig.cli.DestinationOption;
import io.livemig.cli.TimeParser;
import io.livemig.dirty.DirtyRingLog;
import io.livemig.dirty.DirtyTracker;
import io.livemig.kernel.KernelTracker;
import io.livemig.kernel.KernelTracking;
import io.livemig.migration.MigrationRun;
import io.livemig.migration.fault.FaultPlan;
import io.livemig.migration.options.MigrationMode;
import io.livemig.migration.options.MigrationOptions;
import picocli.CommandLine.Option;

import java.util.ArrayList;
import java.util.List;

import static io.livemig.cli.BadOption.check;

/**
 * {@code migrate}'s trackers and faults: the source's dirty tracker, the destination's post-copy page faults,
 * injected network faults and post-copy recovery from them. Filled by picocli, then read on the command's
 * thread; {@link #checkSource} keeps what it parsed for {@link #applyTo(MigrationRun)}. Not thread-safe.
 */
public final class TrackerOptions
{
    @Option(names = "--tracker", paramLabel = "KIND", defaultValue = "summary",
        description = "source's dirty tracker: bitmap, summary, ring (KVM's per-vCPU dirty ring), or the kernel's: "
            + "uffd-wp-async (userfaultfd WP_ASYNC + PAGEMAP_SCAN, Linux 6.7) or uffd-wp (userfaultfd write faults "
            + "served by a thread), JDK 22+ (default ${DEFAULT-VALUE})")
    String tracker;

    @Option(names = "--ring-size", paramLabel = "N",
        description = "ring tracker: entries per vCPU ring, a power of two from 16 to 1048576 (default 4096)")
    Integer ringSize;

    @Option(names = "--huge-pages",
        description = "kernel trackers: let transparent huge pages back the source (MADV_HUGEPAGE; a write then reports "
            + "its whole 2 MiB), instead of MADV_NOHUGEPAGE")
    boolean hugePages;

    @DestinationOption
    @Option(names = "--faults", paramLabel = "KIND", defaultValue = "software",
        description = "post-copy page faults on the destination: software (vCPUs park at a gate) or kernel (userfaultfd "
            + "MISSING mode: vCPUs block in the kernel, pages placed with UFFDIO_COPY; JDK 22+); the destination's "
            + "choice, so give it to --listen, not --to (default ${DEFAULT-VALUE})")
    String faults;

    @Option(names = "--fault", paramLabel = "SPEC", description = "inject network faults into the source's link "
        + "(repeatable): cut@10m, cut@round:2, cut@switchover, stall:2s@setup, throttle:20m (see docs/faults-and-recovery.md)")
    List<String> faultSpecs = new ArrayList<>();

    @Option(names = "--recover", description = "post-copy (and hybrid after its switch): when the link is cut, " +
        "pause both sides (postcopy-paused) and go on over a new link instead of failing (--to: reconnect to the " +
        "--listen destination, which waits for it)")
    boolean recover;

    @DestinationOption
    @Option(names = "--postcopy-preempt", description = "post-copy (and hybrid after its switch): a page a vCPU " +
        "faults on goes at once on a connection of its own, never behind the push (QEMU's postcopy-preempt); the " +
        "push then continues after the fault. Given to --listen too, the destination refuses a source without it; " +
        "without it, --listen follows its source")
    boolean postcopyPreempt;

    @DestinationOption
    @Option(names = "--recover-timeout", paramLabel = "TIME", defaultValue = "30s",
        converter = TimeParser.MillisConverter.class,
        description = "--recover (and --listen, when its source asks for recovery): a pause not recovered within " +
            "this long fails the migration (default ${DEFAULT-VALUE})")
    long recoverTimeoutMs;

    /** The kernel tracker asked for, or null: set by {@link #checkSource}. */
    private KernelTracker kernel;
    /** The network faults asked for: set by {@link #checkSource}. */
    private FaultPlan plan = FaultPlan.NONE;

    /**
     * Checks what both roles take: {@code --faults}, and for {@code kernel} that this JVM and kernel can serve
     * MISSING-mode faults, else the one-line reason; {@code --recover-timeout}.
     */
    void checkShared() throws BadOption
    {
        check(faults.matches("software|kernel"), "--faults", "must be software or kernel", faults);
        if (kernelFaults())
        {
            final String unavailable = KernelTracking.faultsUnavailable();
            if (unavailable != null)
            {
                throw new BadOption("--faults", "kernel " + unavailable);
            }
        }
        check(recoverTimeoutMs >= 1 && recoverTimeoutMs <= 3_600_000, "--recover-timeout", "must be 1ms to 1h",
            recoverTimeoutMs);
    }

    /** @return whether the destination's post-copy faults are the kernel's (userfaultfd); valid after a check. */
    boolean kernelFaults()
    {
        return faults.equals("kernel");
    }

    /**
     * Checks the source's tracker, faults and recovery, and keeps the kernel tracker and fault plan they name.
     *
     * @param mode the migration's mode, checked.
     * @param link the link and channels, checked.
     */
    void checkSource(final MigrationMode mode, final LinkOptions link) throws BadOption
    {
        check(tracker.matches("bitmap|summary|ring|uffd-wp-async|uffd-wp"), "--tracker",
            "must be bitmap, summary, ring, uffd-wp-async or uffd-wp", tracker);
        kernel = KernelTracker.isKernelTracker(tracker) ? KernelTracker.parse(tracker) : null;
        check(!hugePages || kernel != null, "--huge-pages", "applies to the kernel trackers only, not", tracker);
        if (kernel != null)
        {
            final String unavailable = KernelTracking.unavailable(kernel);
            if (unavailable != null)
            {
                throw new BadOption("--tracker", tracker + " " + unavailable);
            }
        }
        checkShared();
        check(!kernelFaults() || mode != MigrationMode.PRECOPY, "--faults", "kernel applies to --mode postcopy or hybrid, not",
            mode.label());
        check(!kernelFaults() || link.to == null, "--faults", "is the destination's choice: give it to --listen, not", "--to");
        check(ringSize == null || tracker.equals("ring"), "--ring-size", "applies to --tracker ring only, not", tracker);
        final int ring = ringSize();
        check(ring >= 16 && ring <= (1 << 20) && Integer.bitCount(ring) == 1, "--ring-size",
            "must be a power of two from 16 to 1048576", ring);
        if (recover)
        {
            check(mode != MigrationMode.PRECOPY, "--recover", "applies to post-copy (--mode postcopy or hybrid), not",
                "--mode precopy");
            check(link.channels == 1, "--recover", "needs one channel (the page channels would have to be joined again " +
                "too), not --channels", link.channels);
        }
        if (postcopyPreempt)
        {
            check(mode != MigrationMode.PRECOPY, "--postcopy-preempt", "applies to post-copy (--mode postcopy or " +
                "hybrid), not", "--mode precopy");
        }
        final List<FaultPlan.Rule> rules = new ArrayList<>();
        for (final String fault : faultSpecs)
        {
            try
            {
                rules.addAll(FaultSpecParser.parse(fault).rules());
            }
            catch (final IllegalArgumentException ex)
            {
                throw new BadOption("--fault", ex.getMessage());
            }
        }
        check(rules.isEmpty() || link.channels == 1, "--fault", "needs --channels 1 (faults on page channels are not "
            + "injected yet), not", link.channels);
        check(postcopyPreempt || rules.stream().noneMatch(r -> r.action() == FaultPlan.Action.CUT_PREEMPT), "--fault",
            "cut-preempt needs --postcopy-preempt (there is no preempt connection to cut), in", String.join(",",
                faultSpecs));
        plan = new FaultPlan(rules);
    }

    /** @return entries per vCPU ring: {@code --ring-size} or the default. */
    int ringSize()
    {
        return ringSize == null ? DirtyRingLog.DEFAULT_RING_SIZE : ringSize;
    }

    /** @return {@code options} with post-copy recovery as asked. */
    MigrationOptions applyTo(final MigrationOptions options)
    {
        return options.withRecover(recover).withRecoverTimeoutMs(recoverTimeoutMs).withPostcopyPreempt(postcopyPreempt);
    }

    /** @return {@code run} with this tracker and these faults; after {@link #checkSource}. */
    MigrationRun applyTo(final MigrationRun run)
    {
        return run.faults(plan).tracker(kernel != null ? DirtyTracker.SUMMARY : DirtyTracker.parse(tracker))
            .kernelTracker(kernel, hugePages).kernelFaults(kernelFaults()).ringSize(ringSize());
    }
}
