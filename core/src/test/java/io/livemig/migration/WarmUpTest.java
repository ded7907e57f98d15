package io.livemig.migration;

import io.livemig.migration.options.MigrationOptions;
import io.livemig.migration.result.MigrationResult;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A run's warm-up migrations and its baseline copy: the warm-up runs every one of its migrations before the real
 * one and says so, and leaves the real migration as it was; the baseline copy moves every byte of the guest
 * over a new link of the run's kind and reports its time, after a migration that verified.
 */
class WarmUpTest
{
    @ParameterizedTest(name = "over {0}, {1} channels")
    @CsvSource({"memory, 1", "tcp, 2"})
    @Timeout(120)
    void theWarmUpRunsBeforeTheMigrationAndTheCopyAfterIt(final String link, final int channels) throws Exception
    {
        final MigrationResult r = new MigrationRun().memoryBytes(8L << 20).writers(1).dirtyRate(2000).link(link)
            .channels(channels).options(MigrationOptions.defaults().withLz4(true)).phasesMs(10, 10).verify(true)
            .warmUp(true).baselineCopy(true).run();
        assertNull(r.error(), r::summary);
        assertEquals(Boolean.TRUE, r.verified(), r::summary);
        assertTrue(r.warmUp.startsWith("warm-up: " + WarmUp.RUNS + " of " + WarmUp.RUNS + " migrations of a " +
            WarmUp.GUEST_MIB + " MiB guest in ") && r.warmUp.endsWith(" ms before the migration"), r.warmUp);
        assertTrue(r.warmUpMs > 0, r::summary);
        assertEquals(8L << 20, r.baselineCopyBytes, r::summary);
        assertTrue(r.baselineCopyMs > 0, r::summary);
        assertTrue(r.summary().contains(", plain copy of the same 8192 kbytes: "), r::summary);
        assertTrue(r.toJson().contains("\"baselineCopy\":{\"ms\":"), r::toJson);
    }

    @Test
    void withoutThemTheResultSaysNothingOfThem() throws Exception
    {
        final MigrationResult r = new MigrationRun().memoryBytes(4L << 20).writers(0).run();
        assertNull(r.error(), r::summary);
        assertNull(r.warmUp);
        assertTrue(Double.isNaN(r.warmUpMs) && Double.isNaN(r.baselineCopyMs), r::summary);
        assertTrue(r.toJson().contains("\"baselineCopy\":null"), r::toJson);
    }

    @Test
    void aSourceAloneHasNoBaselineCopy()
    {
        final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class, () -> new MigrationRun()
            .to(new java.net.InetSocketAddress("127.0.0.1", 9), 1000).baselineCopy(true).run());
        assertTrue(ex.getMessage().contains("needs both guests in this process"), ex::getMessage);
    }
}
