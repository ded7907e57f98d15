package io.livemig.bench.run;

import io.livemig.bench.run.preset.Preset;
import org.junit.jupiter.api.Test;
import org.openjdk.jmh.runner.format.OutputFormatFactory;
import org.openjdk.jmh.runner.options.VerboseMode;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The progress line: position in the plan and an estimate that follows the pace of the runs done. */
class ProgressFormatTest
{
    @Test
    void estimateStartsFromThePresetAndFollowsThePace()
    {
        final RunPlan plan = RunPlan.build(Preset.FULL, "GranularityBenchmark.harvest",
            RunPlan.parseUserArgs("-p pattern=zipf"),
            null, RunPlanTest.compiledBenchmarks());
        final double perRun = plan.batches().get(0).secondsPerRun();
        assertEquals(10, plan.totalRuns());
        final AtomicLong clock = new AtomicLong(1_000_000_000L);
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        final ProgressFormat format = new ProgressFormat(OutputFormatFactory.createFormatInstance(
            new PrintStream(OutputStream.nullOutputStream()), VerboseMode.SILENT), new PrintStream(out, true), plan,
                clock::get);

        format.announce("X.harvestAndScan (avgt)", "{pagesPerBit=1}");
        // Runs take twice their planned time: after 2 runs, 8 remain at twice the plan.
        clock.addAndGet((long)(2 * perRun * 1e9));
        format.announce("X.harvestAndScan (avgt)", "{pagesPerBit=2}");
        clock.addAndGet((long)(2 * perRun * 1e9));
        format.announce("X.harvestAndScan (avgt)", "{pagesPerBit=4}");
        final String[] lines = out.toString(StandardCharsets.UTF_8).split("\n");
        assertEquals("bench: [1/10] X.harvestAndScan (avgt) {pagesPerBit=1} | 0:00 elapsed, ~" +
            ProgressFormat.clock(10 * perRun) + " left", lines[0]);
        assertEquals("bench: [2/10] X.harvestAndScan (avgt) {pagesPerBit=2} | " + ProgressFormat.clock(2 * perRun) +
            " elapsed, ~" + ProgressFormat.clock(9 * perRun * 2) + " left", lines[1]);
        assertEquals("bench: [3/10] X.harvestAndScan (avgt) {pagesPerBit=4} | " + ProgressFormat.clock(4 * perRun) +
            " elapsed, ~" + ProgressFormat.clock(8 * perRun * 2) + " left", lines[2]);
    }

    @Test
    void clockFormatsMinutesAndHours()
    {
        assertEquals("0:00", ProgressFormat.clock(0.2));
        assertEquals("1:05", ProgressFormat.clock(65));
        assertEquals("1:01:01", ProgressFormat.clock(3661));
        assertEquals("0:00", ProgressFormat.clock(-5));
    }
}
