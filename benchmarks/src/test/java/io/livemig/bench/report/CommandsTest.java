package io.livemig.bench.report;

import io.livemig.bench.report.stats.Units;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.BiFunction;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** scripts/report and scripts/tune-granularity: their output, and one line with exit 2 for every bad input. */
class CommandsTest
{
    @TempDir
    Path tmp;

    private String out;
    private String err;

    private int run(final Command command, final String... args)
    {
        final StringWriter o = new StringWriter();
        final StringWriter e = new StringWriter();
        final int status = command.run(args, new PrintWriter(o), new PrintWriter(e));
        out = o.toString();
        err = e.toString();
        return status;
    }

    @FunctionalInterface
    interface Command
    {
        int run(String[] args, PrintWriter out, PrintWriter err);
    }

    @Test
    void reportRegeneratesFromJmhJsonAlone() throws Exception
    {
        final Path dir = Fixtures.fullRun(tmp.resolve("run"), false);
        assertEquals(0, run(ReportCommand::run, dir.toString(), "--bandwidth", "100Gbit"), err);
        assertEquals("report: wrote " + dir.resolve("REPORT.md") + "\n", out);
        assertTrue(Files.readString(dir.resolve("REPORT.md")).contains("at 12.50 GB/s (100.0 Gbit/s)"));
    }

    @Test
    void reportRefusesBadInputs() throws Exception
    {
        final Path dir = Fixtures.fullRun(tmp.resolve("run"), false);
        expectBad(ReportCommand::run, "report: Missing required parameter: 'RESULT_DIR'");
        expectBad(ReportCommand::run, "report: " + tmp.resolve("none") + ": not a directory",
            tmp.resolve("none").toString());
        expectBad(ReportCommand::run, "report: bad bandwidth 'fast'", dir.toString(), "--bandwidth", "fast");
        expectBad(ReportCommand::run, "report: Unknown option: '--colour'", dir.toString(), "--colour");
        expectBad(ReportCommand::run, "report: " + tmp.resolve("jmh.json") + ": no such file", tmp.toString());
    }

    @Test
    void tuneGranularityPrintsTheRecommendationOfAnExistingRun() throws Exception
    {
        final Path dir = Fixtures.fullRun(tmp.resolve("run"), false);
        assertEquals(0, run(TuneGranularityCommand::run, "--from", dir.toString()), err);
        assertTrue(out.contains("| uniform | **1** |") && out.contains("| sequential | **64** |"), out);
        assertTrue(out.contains("Model: cost per round = harvest+scan time + bytes sent per round / bandwidth, at 1.250 GB/s"), out);
        // At a slow link transfer dominates even more; the pattern filter keeps one sweep.
        assertEquals(0, run(TuneGranularityCommand::run, "--from", dir.toString(), "--pattern", "uniform",
            "--bandwidth", "128MiB/s"), err);
        assertTrue(out.contains("| uniform | **1** |") && !out.contains("sequential"), out);
    }

    @Test
    void tuneGranularityRefusesBadInputs() throws Exception
    {
        final Path dir = Fixtures.fullRun(tmp.resolve("run"), false);
        final Path noSweep = Fixtures.write(tmp.resolve("nosweep"), Fixtures.only(Fixtures.fullRunJson(),
            e -> !e.get("benchmark").asText().contains("Granularity")));
        expectBad(TuneGranularityCommand::run, "tune-granularity: bad --pattern 'random'", "--pattern", "random",
            "--from", dir.toString());
        expectBad(TuneGranularityCommand::run, "tune-granularity: bad bandwidth '0Gbit'", "--bandwidth", "0Gbit",
            "--from", dir.toString());
        expectBad(TuneGranularityCommand::run, "tune-granularity: " + noSweep +
            ": no GranularityBenchmark.harvestAndScan results",
            "--from", noSweep.toString());
        expectBad(TuneGranularityCommand::run, "tune-granularity: " + tmp.resolve("x") + ": no such file or directory",
            "--from", tmp.resolve("x").toString());
        expectBad(TuneGranularityCommand::run, "tune-granularity: Unknown option: '--fast'", "--fast");
        expectBad(TuneGranularityCommand::run, "tune-granularity: unknown preset 'fast'", "--preset", "fast",
            "--results", tmp.toString());
    }

    private void expectBad(final Command command, final String message, final String... args)
    {
        assertEquals(2, run(command, args), out + err);
        assertTrue(err.startsWith(message), err);
        assertEquals(1, err.lines().count(), err);
    }

    @Test
    void bandwidthsParseInTheirUnits()
    {
        assertEquals(1.25e9, Units.parseBandwidth("10Gbit"));
        assertEquals(1.25e9, Units.parseBandwidth("1.25 GB/s"));
        assertEquals(128 * 1024 * 1024.0, Units.parseBandwidth("128MiB/s"));
        assertEquals(1e6 / 8 * 100, Units.parseBandwidth("100mbit/s"));
        final BiFunction<String, String, Boolean> refused = (text, expected) ->
        {
            try
            {
                Units.parseBandwidth(text);
                return false;
            }
            catch (final IllegalArgumentException ex)
            {
                return ex.getMessage().startsWith(expected);
            }
        };
        assertTrue(refused.apply("10", "bad bandwidth '10'"));
        assertTrue(refused.apply("-1GB/s", "bad bandwidth '-1GB/s'"));
        assertTrue(refused.apply("10 furlongs", "bad bandwidth '10 furlongs'"));
    }
}
