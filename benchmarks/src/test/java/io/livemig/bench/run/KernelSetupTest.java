package io.livemig.bench.run;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

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
        assertEquals(List.of(KernelSetup.KERNEL_CLASS, KernelSetup.KERNEL_FAULTS), setup.excludes());
        assertEquals(List.of("KernelTrackingBenchmark not measured: uffd-wp-async " + jdk17 + "; uffd-wp " + jdk17,
            "PostcopyFaultsBenchmark.kernelFaults not measured: kernel faults " + jdk17), setup.skipped());
    }

    @Test
    void aFailedProbeCountsAsUnavailable()
    {
        final KernelSetup setup = KernelSetup.of("");
        assertEquals(List.of(KernelSetup.KERNEL_CLASS, KernelSetup.KERNEL_FAULTS), setup.excludes());
        assertEquals(2, setup.skipped().size());
    }

    @Test
    void theProbeRunsInThisJvmsJdk()
    {
        // The test JVM's own java with the test class path: on JDK 17 both trackers say why; on 22+ on this
        // project's machines both are available. Either way the verdict is one line per tracker.
        final KernelSetup setup = KernelSetup.probe(java.nio.file.Path.of(System.getProperty("java.home"), "bin", "java"),
            System.getProperty("java.class.path"));
        final Object async = setup.env().get("uffd-wp-async");
        if (Runtime.version().feature() < 22)
        {
            assertEquals("unavailable: JDK " + Runtime.version().feature() +
                " < 22 (the kernel trackers use the FFM API, final in JDK 22)", async);
            assertEquals(async, setup.env().get("faults"));
        }
        else
        {
            org.junit.jupiter.api.Assertions.assertTrue(async.equals("available") || String.valueOf(async).startsWith("unavailable: "),
                String.valueOf(async));
        }
    }
}
