package io.livemig.kernel;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledForJreRange;
import org.junit.jupiter.api.condition.JRE;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The probe on every JDK: on JDK 17 the kernel trackers report themselves unavailable in one line and nothing else changes. */
class KernelTrackingTest
{
    @ParameterizedTest
    @EnumSource(KernelTracker.class)
    void olderJdkSaysWhyInOneLineAndOpenRefuses(final KernelTracker kind)
    {
        final int feature = Runtime.version().feature();
        final String reason = KernelTracking.unavailable(kind);
        if (feature < KernelTracking.MIN_FEATURE)
        {
            assertEquals("unavailable: JDK " + feature + " < 22 (the kernel trackers use the FFM API, final in JDK 22)", reason);
            final KernelUnavailableException ex = assertThrows(KernelUnavailableException.class,
                () -> KernelTracking.open(kind, "pc.ram", 1 << 20, 4096, false));
            assertEquals(kind.cliName() + " " + reason, ex.getMessage());
        }
        else if (reason != null)
        {
            assertTrue(reason.startsWith("unavailable: "), reason);
        }
        if (reason != null)
        {
            assertFalse(reason.contains("\n"), "one line: " + reason);
        }
    }

    /** Post-copy kernel faults on JDK 17-21: one line saying why, an open refused with it, no FFM class linked. */
    @Test
    @EnabledForJreRange(max = JRE.JAVA_21)
    void kernelFaultsAreUnavailableBefore22()
    {
        final int feature = Runtime.version().feature();
        final String reason = KernelTracking.faultsUnavailable();
        assertEquals("unavailable: JDK " + feature + " < 22 (the kernel trackers use the FFM API, final in JDK 22)", reason);
        final KernelUnavailableException ex = assertThrows(KernelUnavailableException.class,
            () -> KernelTracking.openFaulting("pc.ram", 1 << 20, 4096));
        assertEquals("kernel faults " + reason, ex.getMessage());
        assertFalse(ex.getMessage().contains("\n"));
    }

    @Test
    void namesParseBothWays()
    {
        for (final KernelTracker kind : KernelTracker.values())
        {
            assertEquals(kind, KernelTracker.parse(kind.cliName().toUpperCase(java.util.Locale.ROOT)));
            assertTrue(KernelTracker.isKernelTracker(kind.cliName()));
        }
        assertFalse(KernelTracker.isKernelTracker("summary"));
        assertThrows(IllegalArgumentException.class, () -> KernelTracker.parse("uffd"));
    }
}
