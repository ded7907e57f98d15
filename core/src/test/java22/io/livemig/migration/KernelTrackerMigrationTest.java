package io.livemig.migration;

import io.livemig.kernel.KernelTracker;
import io.livemig.kernel.KernelAssume;
import io.livemig.migration.result.MigrationResult;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every migration mode with each kernel tracker on the source ends byte-identical, with writers running
 * throughout (the setup of {@link MigrationCorrectnessTest}); skipped with the probe's reason where the kernel
 * or the permissions do not allow it.
 */
class KernelTrackerMigrationTest
{
    @ParameterizedTest(name = "{0} on {1} over {2}, {3}")
    @CsvSource({
        "precopy, uffd-wp-async, memory, sequential", "precopy, uffd-wp-async, tcp, zipf",
        "postcopy, uffd-wp-async, memory, sequential", "hybrid, uffd-wp-async, memory, uniform",
        "precopy, uffd-wp, memory, sequential", "precopy, uffd-wp, tcp, uniform",
        "postcopy, uffd-wp, memory, uniform", "hybrid, uffd-wp, memory, sequential"})
    void destinationEqualsSourceOnEveryKernelTracker(
        final String mode, final String tracker, final String link, final String pattern) throws Exception
    {
        final KernelTracker kind = KernelTracker.parse(tracker);
        KernelAssume.tracker(kind);
        final MigrationResult r = MigrationCorrectnessTest.run(mode, link, pattern).kernelTracker(kind, false).run();
        assertNull(r.error(), r::summary);
        assertEquals(Boolean.TRUE, r.verified(), () -> r.summary() + " mismatches " + r.mismatchPages() +
            " sweep violation at " + r.sweepViolation());
        assertEquals(tracker, r.tracker());
        assertTrue(r.toJson().contains("\"tracker\":{\"kind\":\"" + tracker + "\",\"hugePages\":false,\"faultsServed\":"),
            r::toJson);
        assertTrue(kind == KernelTracker.UFFD_WP_ASYNC ? r.kernelFaults() == 0 : r.kernelFaults() > 0, r::summary);
    }
}
