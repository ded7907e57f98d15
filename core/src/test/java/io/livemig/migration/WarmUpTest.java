package io.livemig.migration;

import io.livemig.migration.options.MigrationOptions;
import io.livemig.migration.result.MigrationResult;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

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
        assertTrue(r.warmUp.matches("warm-up: " + WarmUp.RUNS + " of " + WarmUp.RUNS + " migrations of a " +
            WarmUp.GUEST_MIB + " MiB guest in \\d+ ms, the JIT (quiet|still compiling) \\d+ ms after it before the " +
            "migration"), r.warmUp);
        assertTrue(r.warmUpMs > 0, r::summary);
        assertEquals(8L << 20, r.baselineCopyBytes, r::summary);
        assertTrue(r.baselineCopyMs > 0, r::summary);
        assertTrue(r.summary().contains(", plain copy of the same 8192 kbytes: "), r::summary);
        assertTrue(r.toJson().contains("\"baselineCopy\":{\"ms\":"), r::toJson);
    }

    /** The compiler threads' CPU time: theirs alone, summed from each one's schedstat, by the names the kernel keeps. */
    @Test
    void theJitsTimeIsTheCompilerThreadsScheduledTime(@TempDir final Path tasks) throws IOException
    {
        assertEquals(-1, WarmUp.compilerCpuNs(tasks.resolve("missing")), "no task directory");
        task(tasks, "101", "java", "900000000 5 6");
        assertEquals(-1, WarmUp.compilerCpuNs(tasks), "no compiler thread");
        task(tasks, "102", "C2 CompilerThre", "1500 7 8");
        task(tasks, "103", "C1 CompilerThre", "250 1 1");
        task(tasks, "104", "C2 CompilerThre", "not a number");
        Files.createDirectory(tasks.resolve("105")); // a thread that ended between the listing and the read
        assertEquals(1750, WarmUp.compilerCpuNs(tasks));
    }

    /** Where the kernel keeps per-thread schedstat (Linux), this JVM's own compiler threads are found. */
    @Test
    void thisJvmsCompilerThreadsAreFoundOnLinux()
    {
        final Path self = Path.of("/proc/self/task");
        Assumptions.assumeTrue(Files.isDirectory(self) && Files.exists(Path.of("/proc/self/schedstat")),
            "no /proc/self/task with schedstat: not Linux, or a kernel without schedstats");
        assertTrue(WarmUp.compilerCpuNs(self) >= 0, "the JIT's compiler threads in " + self);
    }

    private static void task(final Path tasks, final String tid, final String comm, final String schedstat)
        throws IOException
    {
        final Path dir = Files.createDirectory(tasks.resolve(tid));
        Files.writeString(dir.resolve("comm"), comm + "\n");
        Files.writeString(dir.resolve("schedstat"), schedstat + "\n");
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
