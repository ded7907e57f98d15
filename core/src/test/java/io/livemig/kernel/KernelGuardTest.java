package io.livemig.kernel;

import io.livemig.Machine;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The guard of the kernel tests, as {@code OffHeapZeroPathTest} guards the SIMD path: about 40 tests skip with
 * the probe's reason where the kernel trackers cannot run, so on a machine that has what they need (Linux 6.7+
 * on x86-64, root, JDK 22+: {@link Machine#lacksKernelTrackers}) every probe must say "available", or this
 * fails with the probe's reason. And a probe that fails (an exception it does not expect) is reported as a
 * failed probe, never as a property of the machine.
 */
class KernelGuardTest
{
    @ParameterizedTest
    @EnumSource(KernelTracker.class)
    void everyKernelTrackerRunsOnAMachineThatHasWhatItNeeds(final KernelTracker kind)
    {
        final String lacks = Machine.lacksKernelTrackers();
        assumeTrue(lacks == null, lacks);
        final KernelAvailability verdict = KernelTracking.probe(kind);
        assertTrue(verdict.isAvailable(), () -> kind.cliName() + " must run here (" + Machine.describe() + "): " + verdict);
        assertNull(KernelTracking.unavailable(kind));
    }

    @Test
    void kernelFaultsRunOnAMachineThatHasWhatTheyNeed()
    {
        final String lacks = Machine.lacksKernelTrackers();
        assumeTrue(lacks == null, lacks);
        final KernelAvailability verdict = KernelTracking.probeFaults();
        assertTrue(verdict.isAvailable(), () -> "kernel faults must run here (" + Machine.describe() + "): " + verdict);
        assertNull(KernelTracking.faultsUnavailable());
    }

    @Test
    void aProbeThatThrowsIsAFailedProbeNotAnUnavailableFeature()
    {
        final NullPointerException bug = new NullPointerException("a bug in the bindings");
        final KernelAvailability thrown = KernelTracking.ask("probing uffd-wp", () -> { throw bug; });
        assertTrue(thrown.probeFailed() && !thrown.isAvailable(), thrown::toString);
        assertSame(bug, thrown.failure());
        assertEquals("probe failed: probing uffd-wp: java.lang.NullPointerException: a bug in the bindings", thrown.reason());
        final KernelAvailability linkage = KernelTracking.ask("probing kernel faults", () ->
        {
            throw new UnsatisfiedLinkError("libc has no ioctl");
        });
        assertTrue(linkage.probeFailed(), linkage::toString);
        final KernelAvailability shapeless = KernelTracking.ask("probing uffd-wp", () -> "the kernel is tired");
        assertTrue(shapeless.probeFailed(), "a reason that names no condition is the probe's bug: " + shapeless);
    }

    @Test
    void aNamedConditionIsUnavailableInOneLineAndNullIsAvailable()
    {
        final KernelAvailability named = KernelTracking.ask("probing uffd-wp",
            () -> "unavailable: the kernel (5.10) lacks\n  UFFD_FEATURE_WP_ASYNC");
        assertFalse(named.isAvailable() || named.probeFailed(), named::toString);
        assertEquals("unavailable: the kernel (5.10) lacks UFFD_FEATURE_WP_ASYNC", named.reason());
        assertTrue(KernelTracking.ask("probing uffd-wp", () -> null).isAvailable());
    }
}
