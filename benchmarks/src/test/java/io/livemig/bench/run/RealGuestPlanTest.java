package io.livemig.bench.run;

import io.livemig.bench.run.preset.Preset;
import io.livemig.bench.run.setup.RealGuestSetup;
import io.livemig.bench.state.RealGuestPages;
import io.livemig.bench.state.TestCorpus;
import org.openjdk.jmh.runner.BenchmarkList;
import org.openjdk.jmh.runner.BenchmarkListEntry;
import org.openjdk.jmh.runner.format.OutputFormatFactory;
import org.openjdk.jmh.runner.options.VerboseMode;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.util.Collection;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The real-guest rows: batches of their own for the codec benchmarks when a corpus can be had, none otherwise or
 * when the user sets the parameter; and the setup finds a corpus, or says in one line why there is none.
 */
class RealGuestPlanTest
{
    private static Collection<BenchmarkListEntry> entries()
    {
        return BenchmarkList.defaultList().find(OutputFormatFactory.createFormatInstance(
            new PrintStream(new ByteArrayOutputStream()), VerboseMode.SILENT), List.of(".*"), List.of());
    }

    @Test
    void realGuestRowsAreBatchesOfTheirOwn()
    {
        final String include = "(XbzrleEncode|ZeroPage|Granularity)Benchmark";
        final RunPlan without = RunPlan.build(Preset.SMOKE, include, RunPlan.parseUserArgs(""), null, entries(),
            List.of(), List.of(), false);
        final RunPlan with = RunPlan.build(Preset.SMOKE, include, RunPlan.parseUserArgs(""), null, entries(),
            List.of(), List.of(), true);
        assertTrue(without.batches().stream().noneMatch(RunPlan::isRealGuest));
        final List<RunPlan.Batch> real = with.batches().stream().filter(RunPlan::isRealGuest).toList();
        assertEquals(2, real.size(), "one for XBZRLE encode (pattern), one for the zero check (input)");
        assertTrue(real.stream().allMatch(b -> b.benchmarks().stream().noneMatch(n -> n.contains("Granularity"))));
        final RunPlan.Batch zero = real.stream().filter(b -> b.benchmarks().get(0).contains("ZeroPage")).findFirst()
            .orElseThrow();
        assertEquals(List.of(RealGuestPages.INPUT), List.copyOf(zero.options().getParameter("input").get()));
        assertEquals(List.of("64m"), List.copyOf(zero.options().getParameter("workingSet").get()));
        assertEquals(zero.benchmarks().size(), zero.runs(), "one row per method: REAL_GUEST at 64m");
        assertEquals(without.totalRuns() + real.stream().mapToInt(RunPlan.Batch::runs).sum(), with.totalRuns());

        final RunPlan userSet = RunPlan.build(Preset.SMOKE, include, RunPlan.parseUserArgs("-p input=ZERO"), null,
            entries(), List.of(), List.of(), true);
        assertEquals(1, userSet.batches().stream().filter(RunPlan::isRealGuest).count(), "the user's -p input wins");
    }

    @Test
    void setupFindsACorpusOrSaysWhyNot() throws Exception
    {
        final java.nio.file.Path dir = TestCorpus.install().dir();
        final RealGuestSetup found = RealGuestSetup.prepare(dir, new PrintStream(new ByteArrayOutputStream()));
        assertTrue(found.available());
        assertEquals(List.of("-Dlivemig.corpus=" + dir.toAbsolutePath()), found.forkArgs());
        assertEquals("test", found.corpusJson().at("/source/guest").asText());
        assertTrue(found.skipped().isEmpty());

        final java.nio.file.Path damaged = java.nio.file.Files.createTempDirectory("livemig-damaged-corpus-");
        try
        {
            java.nio.file.Files.write(damaged.resolve("pages.bin"), new byte[10]);
            java.nio.file.Files.write(damaged.resolve("pairs.bin"), new byte[10]);
            java.nio.file.Files.writeString(damaged.resolve("corpus.json"), "{\"version\": 1, \"pairs\": 1}");
            final RealGuestSetup broken = RealGuestSetup.prepare(damaged, new PrintStream(new ByteArrayOutputStream()));
            assertFalse(broken.available());
            assertEquals(1, broken.skipped().size());
            assertTrue(broken.skipped().get(0).startsWith("real-guest rows not measured: the real-guest corpus in "),
                broken.skipped().get(0));
        }
        finally
        {
            for (final String f : new String[] {"pages.bin", "pairs.bin", "corpus.json"})
            {
                java.nio.file.Files.deleteIfExists(damaged.resolve(f));
            }
            java.nio.file.Files.delete(damaged);
        }
    }
}
