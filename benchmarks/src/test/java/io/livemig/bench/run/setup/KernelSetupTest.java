package io.livemig.bench.run.setup;

import io.livemig.Machine;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The runner leaves the kernel-tracking class out, with the probe's reasons in one line, unless both trackers
 * run, and post-copy's kernel-fault method unless MISSING-mode faults run.
 */
class KernelSetupTest
{
    @Test
    void bothAvailableExcludesNothing()
    {
        final KernelSetup setup = KernelSetup.of("INFO: something\nkernel\tuffd-wp-async\tavailable\nkernel\tuffd-wp\tavailable\n" +
            "kernel\tfaults\tavailable\n");
        assertEquals(List.of(), setup.excludes());
        assertEquals(List.of(), setup.skipped());
    }

    @Test
    void anUnavailableTrackerExcludesTheClassWithItsReason()
    {
        final String jdk17 = "unavailable: JDK 17 < 22 (the kernel trackers use the FFM API, final in JDK 22)";
        final KernelSetup setup = KernelSetup.of("kernel\tuffd-wp-async\t" + jdk17 + "\nkernel\tuffd-wp\t" + jdk17 +
            "\nkernel\tfaults\t" + jdk17);
        assertEquals(List.of(KernelSetup.BACKGROUND_SNAPSHOT, KernelSetup.KERNEL_CLASS, KernelSetup.KERNEL_FAULTS,
            KernelSetup.KERNEL_RESTORE), setup.excludes());
        assertEquals(List.of("SnapshotBenchmark.saveBackground not measured: uffd-wp " + jdk17,
            "KernelTrackingBenchmark not measured: uffd-wp-async " + jdk17 + "; uffd-wp " + jdk17,
            "PostcopyFaultsBenchmark.kernelFaults not measured: kernel faults " + jdk17,
            "SnapshotBenchmark.lazyCompleteKernel not measured: kernel faults " + jdk17), setup.skipped());
    }

    @Test
    void aFailedProbeCountsAsUnavailable()
    {
        final KernelSetup setup = KernelSetup.of("");
        assertEquals(List.of(KernelSetup.BACKGROUND_SNAPSHOT, KernelSetup.KERNEL_CLASS, KernelSetup.KERNEL_FAULTS,
            KernelSetup.KERNEL_RESTORE), setup.excludes());
        assertEquals(4, setup.skipped().size());
    }

    @Test
    void theProbeRunsInThisJvmsJdk()
    {
        // The test JVM's own java with the test class path: on JDK 17 both trackers say why; on a machine with what
        // they need (Linux 6.7+, root, JDK 22+) both and the faults are available. Either way one line each.
        final KernelSetup setup = KernelSetup.probe(java.nio.file.Path.of(System.getProperty("java.home"), "bin", "java"),
            System.getProperty("java.class.path"));
        final Object async = setup.env().get("uffd-wp-async");
        if (Runtime.version().feature() < 22)
        {
            assertEquals("unavailable: JDK " + Runtime.version().feature() +
                " < 22 (the kernel trackers use the FFM API, final in JDK 22)", async);
            assertEquals(async, setup.env().get("faults"));
        }
        else if (Machine.lacksKernelTrackers() == null)
        {
            for (final String probe : List.of("uffd-wp-async", "uffd-wp", "faults"))
            {
                assertEquals("available", setup.env().get(probe), () -> probe + " on " + Machine.describe());
            }
        }
        else
        {
            assertTrue(String.valueOf(async).startsWith("unavailable: "), String.valueOf(async));
        }
    }
}
