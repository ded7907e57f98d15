package io.livemig.bench.migration;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link ColdProcessBenchmark} on a 16 MiB guest, run from this test's class path: each shot is a real {@code
 * scripts/migrate} process whose JSON the counters read; a process that fails, or a JSON without its figures,
 * fails the shot with the reason.
 */
class ColdProcessBenchmarkTest
{
    private static final ObjectMapper JSON = new ObjectMapper();

    @BeforeAll
    static void runFromTheTestClassPath()
    {
        System.setProperty(ColdProcessBenchmark.CLASSPATH_PROPERTY, System.getProperty("java.class.path"));
    }

    @AfterAll
    static void clear()
    {
        System.clearProperty(ColdProcessBenchmark.CLASSPATH_PROPERTY);
    }

    @ParameterizedTest
    @CsvSource({"0, 1", "1.0, 2"})
    void aShotIsOneProcessWhoseOwnFiguresTheCountersHold(final String fill, final String channels) throws Exception
    {
        final ColdProcessBenchmark bench = bench(fill, channels);
        bench.setup();
        try
        {
            final ColdProcessBenchmark.Figures figures = new ColdProcessBenchmark.Figures();
            final double score = bench.migrate(figures);
            assertEquals(figures.migrationMs, score);
            assertTrue(figures.migrationMs > 0);
            assertEquals((16 << 20) / (figures.migrationMs * 1e6), figures.gbPerSecond, 1e-9);
            assertTrue(figures.plainCopyMs > 0);
            assertEquals((16 << 20) / (figures.plainCopyMs * 1e6), figures.plainCopyGbPerSecond, 1e-9);
            assertTrue(figures.aotCache == 0 || figures.aotCache == 1);
        }
        finally
        {
            bench.tearDown();
        }
    }

    @Test
    void aProcessThatFailsFailsTheShotWithItsLastLine() throws Exception
    {
        final ColdProcessBenchmark bench = bench("0", "1");
        bench.memory = "lots";
        bench.setup();
        try
        {
            final IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> bench.migrate(new ColdProcessBenchmark.Figures()));
            assertTrue(e.getMessage().startsWith("scripts/migrate exited 2: "), e.getMessage());
            assertTrue(e.getMessage().contains("lots"), e.getMessage());
        }
        finally
        {
            bench.tearDown();
        }
    }

    @Test
    void aMigrationThatDidNotCompleteVerifiedOrLacksAFigureIsRefused() throws Exception
    {
        final ColdProcessBenchmark.Figures figures = new ColdProcessBenchmark.Figures();
        final String good = "{\"status\":\"completed\",\"verified\":true,\"totalMs\":80.5,\"memoryBytes\":1073741824," +
            "\"baselineCopy\":{\"ms\":400},\"paths\":{\"startup\":\"AOT cache x.aot (trained by the build)\"}}";
        figures.record(JSON.readTree(good));
        assertEquals(80.5, figures.migrationMs);
        assertEquals(1.0, figures.aotCache);
        assertTrue(assertThrows(IllegalStateException.class, () -> figures.record(JSON.readTree(
            good.replace("\"completed\"", "\"failed\"")))).getMessage().contains("status failed"));
        assertTrue(assertThrows(IllegalStateException.class, () -> figures.record(JSON.readTree(
            good.replace("\"verified\":true", "\"verified\":false")))).getMessage().contains("verified false"));
        assertTrue(assertThrows(IllegalStateException.class, () -> figures.record(JSON.readTree(
            good.replace("{\"ms\":400}", "null")))).getMessage().contains("no positive ms"));
        figures.record(JSON.readTree(good.replace("AOT cache x.aot", "no AOT cache: JDK 17")));
        assertEquals(0.0, figures.aotCache);
    }

    @Test
    void theProjectRootIsTheNearestDirectoryWithTheScript()
    {
        final Path root = ColdProcessBenchmark.projectRoot(Path.of("").toAbsolutePath());
        assertTrue(root.resolve("scripts/migrate").toFile().canExecute(), root::toString);
        final IllegalStateException e = assertThrows(IllegalStateException.class,
            () -> ColdProcessBenchmark.projectRoot(Path.of("/")));
        assertTrue(e.getMessage().contains("no directory at or above /"), e.getMessage());
    }

    private static ColdProcessBenchmark bench(final String fill, final String channels)
    {
        final ColdProcessBenchmark bench = new ColdProcessBenchmark();
        bench.fill = fill;
        bench.channels = channels;
        bench.memory = "16m";
        return bench;
    }
}
