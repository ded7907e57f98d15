package io.livemig.bench.run;

import io.livemig.bench.run.preset.BenchKind;
import io.livemig.bench.run.preset.Preset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.profile.GCProfiler;
import org.openjdk.jmh.runner.BenchmarkList;
import org.openjdk.jmh.runner.BenchmarkListEntry;
import org.openjdk.jmh.runner.format.OutputFormatFactory;
import org.openjdk.jmh.runner.options.CommandLineOptions;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.TimeValue;
import org.openjdk.jmh.runner.options.VerboseMode;

import java.io.PrintStream;
import java.io.OutputStream;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Presets, the benchmark kinds and the JMH options a plan builds from them. */
class RunPlanTest
{
    private static final String GRANULARITY = "io.livemig.bench.dirty.GranularityBenchmark";
    private static final String MIGRATION = "io.livemig.bench.migration.MigrationBenchmark.migrate";
    private static final String CODEC = "io.livemig.bench.codec.";
    private static final String DIRTY = "io.livemig.bench.dirty.";

    static Set<BenchmarkListEntry> compiledBenchmarks()
    {
        return BenchmarkList.defaultList().find(OutputFormatFactory.createFormatInstance(
            new PrintStream(OutputStream.nullOutputStream()), VerboseMode.SILENT), List.of(".*"), List.of());
    }

    @Test
    void presetsParseByNameAndDefaultToQuick()
    {
        assertEquals(Preset.QUICK, Preset.parse(""));
        assertEquals(Preset.QUICK, Preset.parse(null));
        assertEquals(Preset.SMOKE, Preset.parse("smoke"));
        assertEquals(Preset.FULL, Preset.parse(" FULL "));
        final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class, () -> Preset.parse("fast"));
        assertEquals("unknown preset 'fast' (expected smoke, quick, full)", ex.getMessage());
    }

    @Test
    void presetsSizeEachKindAsDocumented()
    {
        final Preset.Sizing quick = Preset.QUICK.sizing(BenchKind.HOT_PATH);
        assertEquals(List.of(1, 3, 5), List.of(quick.forks(), quick.warmupIterations(), quick.measurementIterations()));
        assertEquals(TimeValue.milliseconds(500), quick.measurementTime());
        final Preset.Sizing full = Preset.FULL.sizing(BenchKind.TIMED);
        assertEquals(List.of(3, 2, 3), List.of(full.forks(), full.warmupIterations(), full.measurementIterations()));
        assertEquals(TimeValue.milliseconds(500), full.measurementTime());
        final Preset.Sizing smoke = Preset.SMOKE.sizing(BenchKind.TIMED);
        assertEquals(List.of(1, 1, 1), List.of(smoke.forks(), smoke.warmupIterations(), smoke.measurementIterations()));
        assertTrue(Preset.FULL.sizing(BenchKind.SINGLE_SHOT).forks() >= 3);
        assertTrue(Preset.QUICK.gcProfilerOnHotPaths() && Preset.FULL.gcProfilerOnHotPaths());
        assertFalse(Preset.SMOKE.gcProfilerOnHotPaths());
    }

    @Test
    void kindsFollowPackageClassAndMode()
    {
        assertEquals(BenchKind.HOT_PATH, BenchKind.of("io.livemig.bench.dirty.MarkBenchmark.markFresh",
            Mode.AverageTime));
        assertEquals(BenchKind.HOT_PATH, BenchKind.of("io.livemig.bench.codec.Lz4Benchmark.compress",
            Mode.AverageTime));
        assertEquals(BenchKind.HOT_PATH, BenchKind.of("io.livemig.bench.stream.PageStreamBenchmark.writeAndRead",
            Mode.AverageTime));
        assertEquals(BenchKind.TIMED, BenchKind.of("io.livemig.bench.dirty.ScalingBenchmark.scanFlat",
            Mode.AverageTime));
        assertEquals(BenchKind.SWEEP, BenchKind.of(GRANULARITY + ".harvestAndScan", Mode.AverageTime));
        assertEquals(BenchKind.SINGLE_SHOT, BenchKind.of("io.livemig.bench.migration.MigrationBenchmark.migrate",
            Mode.SingleShotTime));
        assertEquals(BenchKind.TIMED, BenchKind.of("io.livemig.bench.migration.MigrationBenchmark.migrate",
            Mode.AverageTime));
    }

    @Test
    void hotPathsGetTheGcProfilerInQuickButNotInSmoke()
    {
        final CommandLineOptions none = RunPlan.parseUserArgs("");
        final Options quick = BatchOptions.of(Preset.QUICK, BenchKind.HOT_PATH, none, null, List.of("a.B.c"));
        assertEquals(1, quick.getProfilers().size());
        assertEquals(GCProfiler.class.getName(), quick.getProfilers().get(0).getKlass());
        assertEquals(List.of("^\\Qa.B.c\\E$"), quick.getIncludes());
        assertEquals(1, (int)quick.getForkCount().get());
        assertEquals(TimeValue.milliseconds(500), quick.getWarmupTime().get());
        assertTrue(BatchOptions.of(Preset.SMOKE, BenchKind.HOT_PATH, none, null,
            List.of("a.B.c")).getProfilers().isEmpty());
        assertTrue(BatchOptions.of(Preset.QUICK, BenchKind.TIMED, none, null,
            List.of("a.B.c")).getProfilers().isEmpty());
        // A user's own -prof gc is not added twice.
        assertEquals(1, BatchOptions.of(Preset.QUICK, BenchKind.HOT_PATH, RunPlan.parseUserArgs("-prof gc"), null,
            List.of("a.B.c")).getProfilers().size());
    }

    @Test
    void userArgsOverrideThePresetAndSingleShotsKeepShotCounts()
    {
        final Options opts = BatchOptions.of(Preset.QUICK, BenchKind.TIMED,
            RunPlan.parseUserArgs("-f 2 -i 7 -p density=0.01 -jvmArgs '-Xmx1g -Xms1g'"), "/opt/jdk/bin/java",
                List.of("x.Y.z"));
        assertEquals(2, (int)opts.getForkCount().get());
        assertEquals(7, (int)opts.getMeasurementIterations().get());
        assertEquals(3, (int)opts.getWarmupIterations().get(), "preset fills what the user left out");
        assertEquals(List.of("-Xmx1g", "-Xms1g"), List.copyOf(opts.getJvmArgs().get()));
        assertEquals("/opt/jdk/bin/java", opts.getJvm().get());
        assertEquals(List.of("0.01"), List.copyOf(opts.getParameter("density").get()));

        final Options shot = BatchOptions.of(Preset.FULL, BenchKind.SINGLE_SHOT, RunPlan.parseUserArgs(""), null,
            List.of("m.M.migrate"));
        assertEquals(3, (int)shot.getForkCount().get());
        assertEquals(8, (int)shot.getMeasurementIterations().get());
        assertFalse(shot.getMeasurementTime().hasValue(), "single shots have no iteration time");
        assertEquals(List.of("--add-opens", "java.base/jdk.internal.misc=ALL-UNNAMED"),
            List.copyOf(shot.getJvmArgs().get()), "forks do not inherit the runner's own JVM options");
    }

    @ParameterizedTest
    @ValueSource(strings = {"-foo", "MarkBenchmark", "-rf csv", "-rff x.json", "-o out.txt", "-l", "-h", "-f", "-f two",
        "-jvmArgs '-Xmx1g"})
    void badUserArgsAreRefusedWithTheirText(final String args)
    {
        final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class,
            () -> RunPlan.parseUserArgs(args));
        assertTrue(ex.getMessage().startsWith("bad -Dbench.args '" + args + "'"), ex.getMessage());
        assertFalse(ex.getMessage().contains("\n"), "one line");
    }

    @Test
    void tokenizerGroupsQuotedWords()
    {
        assertEquals(List.of("-jvmArgs", "-Xmx1g -Xms1g", "-f", "1"),
            RunPlan.tokenize(" -jvmArgs \"-Xmx1g -Xms1g\"  -f 1 "));
        assertEquals(List.of("a b", "c"), RunPlan.tokenize("'a b' c"));
        assertEquals(List.of(), RunPlan.tokenize("   "));
    }

    @Test
    void planCountsEveryParameterSetOfTheCompiledBenchmarks()
    {
        final RunPlan all = RunPlan.build(Preset.QUICK, "Granularity", RunPlan.parseUserArgs(""), null,
            compiledBenchmarks());
        assertEquals(1, all.batches().size());
        final RunPlan.Batch batch = all.batches().get(0);
        assertEquals(BenchKind.SWEEP, batch.kind());
        assertEquals(List.of(GRANULARITY + ".baselineMemoryRead", GRANULARITY + ".harvestAndScan"), batch.benchmarks());
        assertEquals(2 * 4 * 3, all.totalRuns(), "quick sweeps 3 of the 10 granularities");
        // The sweep's quick sizing keeps it under a minute: 24 runs of 1 fork x (0.3 s + 4 x 0.15 s) + overhead.
        assertEquals(RunEstimate.FORK_OVERHEAD_SECONDS + 0.3 + 0.6, batch.secondsPerRun(), 1e-9);
        assertTrue(all.totalRuns() * batch.secondsPerRun() < 60);

        final RunPlan one = RunPlan.build(Preset.FULL, "GranularityBenchmark.harvest",
            RunPlan.parseUserArgs("-p pattern=zipf"),
            null, compiledBenchmarks());
        assertEquals(10, one.totalRuns());
        assertEquals(0, RunPlan.build(Preset.SMOKE, "NoSuchBenchmark", RunPlan.parseUserArgs(""), null,
            compiledBenchmarks()).totalRuns());
        assertEquals(0, RunPlan.build(Preset.SMOKE, "Granularity", RunPlan.parseUserArgs("-e Granularity"), null,
            compiledBenchmarks()).totalRuns());
    }

    @Test
    void smokeRunsTheKernelHarvestsAtOneGuestSize()
    {
        // 4 write runs (2 trackers x first write and re-write) + 2 software baselines; harvests: 2 dirty x 2 huge
        // for the kernel and 2 dirty for the bitmap at 256 MiB in smoke, twice that (256 MiB and 1 GiB) in full.
        assertEquals(6 + 4 + 2, RunPlan.build(Preset.SMOKE, "KernelTracking", RunPlan.parseUserArgs(""), null,
            compiledBenchmarks()).totalRuns());
        assertEquals(6 + 8 + 4, RunPlan.build(Preset.FULL, "KernelTracking", RunPlan.parseUserArgs(""), null,
            compiledBenchmarks()).totalRuns());
    }

    @Test
    void smokeRunsTheSweepAtThreeGranularitiesUnlessTheUserSaysOtherwise()
    {
        final RunPlan smoke = RunPlan.build(Preset.SMOKE, "Granularity", RunPlan.parseUserArgs(""), null,
            compiledBenchmarks());
        assertEquals(2 * 4 * 3, smoke.totalRuns());
        assertEquals(List.of("1", "64", "512"),
            List.copyOf(smoke.batches().get(0).options().getParameter("pagesPerBit").get()));
        assertEquals(2 * 4 * 2, RunPlan.build(Preset.SMOKE, "Granularity",
            RunPlan.parseUserArgs("-p pagesPerBit=2,4"), null,
            compiledBenchmarks()).totalRuns());
        assertEquals(2 * 4 * 10, RunPlan.build(Preset.FULL, "Granularity", RunPlan.parseUserArgs(""), null,
            compiledBenchmarks()).totalRuns());
    }

    @Test
    void fullSizesByClassAndFallsBackToTheKindOutsideItsTable()
    {
        final Preset.Sizing encode = Preset.FULL.sizing(BenchKind.HOT_PATH, CODEC + "XbzrleEncodeBenchmark.encode");
        assertEquals(5, encode.forks());
        assertEquals(Preset.FULL.sizing(BenchKind.HOT_PATH), Preset.FULL.sizing(BenchKind.HOT_PATH, "a.B.c"));
        // MigrationBenchmark run with -bm avgt is TIMED: its single-shot entry (no iteration time) must not apply.
        assertEquals(Preset.FULL.sizing(BenchKind.TIMED), Preset.FULL.sizing(BenchKind.TIMED, MIGRATION));
        assertEquals(Preset.QUICK.sizing(BenchKind.HOT_PATH),
            Preset.QUICK.sizing(BenchKind.HOT_PATH, CODEC + "XbzrleEncodeBenchmark.encode"));
    }

    @Test
    void eachDistinctSizingGetsItsOwnBatchInFullButQuickKeepsOneBatchPerKind()
    {
        final RunPlan xbzrle = RunPlan.build(Preset.FULL, "Xbzrle", RunPlan.parseUserArgs(""), null,
            compiledBenchmarks());
        assertEquals(2, xbzrle.batches().size());
        final RunPlan.Batch decode = xbzrle.batches().get(0);
        final RunPlan.Batch encode = xbzrle.batches().get(1);
        assertTrue(decode.benchmarks().stream().allMatch(b -> b.contains("XbzrleDecodeBenchmark.")));
        assertTrue(encode.benchmarks().stream().allMatch(b -> b.contains("XbzrleEncodeBenchmark.")));
        assertEquals(3, (int)decode.options().getForkCount().get());
        assertEquals(5, (int)encode.options().getForkCount().get());
        // 5 forks x (1 s + 2 x 0.5 s + 2 x 0.5 s).
        assertEquals(5 * (RunEstimate.FORK_OVERHEAD_SECONDS + 2), encode.secondsPerRun(), 1e-9);
        assertEquals(encode, xbzrle.batchOf(CODEC + "XbzrleEncodeBenchmark.encode").orElseThrow());

        final RunPlan quick = RunPlan.build(Preset.QUICK, ".*", RunPlan.parseUserArgs(""), null,
            compiledBenchmarks());
        // One batch per kind and per set of quick's parameter trims (JMH takes -p per Runner call), and for single
        // shots one per shot estimate too: MigrationBenchmark's, LargeGuestBenchmark's, ChannelsBenchmark's,
        // PostcopyFaultsBenchmark's, PostcopyLocalityBenchmark's, ThrottleBenchmark's, SnapshotBenchmark's and
        // ColdProcessBenchmark's shots differ, so each gets its own estimate.
        assertEquals(List.of(BenchKind.HOT_PATH, BenchKind.HOT_PATH, BenchKind.HOT_PATH, BenchKind.HOT_PATH,
                BenchKind.HOT_PATH, BenchKind.HOT_PATH, BenchKind.HOT_PATH, BenchKind.TIMED, BenchKind.TIMED, BenchKind.SWEEP,
                BenchKind.SINGLE_SHOT, BenchKind.SINGLE_SHOT, BenchKind.SINGLE_SHOT, BenchKind.SINGLE_SHOT,
                BenchKind.SINGLE_SHOT, BenchKind.SINGLE_SHOT, BenchKind.SINGLE_SHOT, BenchKind.SINGLE_SHOT),
            quick.batches().stream().map(RunPlan.Batch::kind).toList());
        assertEquals(1, quick.batches().stream().map(RunPlan.Batch::forks).distinct().count(), "quick forks once");
        // Quick's migrations: 1 fork x (1 s + (1 + 5) shots x 0.12 s).
        assertEquals(RunEstimate.FORK_OVERHEAD_SECONDS + 6 * 0.12,
            quick.batchOf(MIGRATION).orElseThrow().secondsPerRun(), 1e-9);
    }

    /**
     * The FULL preset's budget: the whole compiled suite, C anchors included ({@code qemu...} methods of the codec
     * and bitmap classes), fits 92 minutes by the plan's own estimate (75 before issue 23's post-copy rows, 83
     * before issue 24's snapshot rows, 89 before issue 21's cold processes), and no batch runs fewer than 3 forks.
     */
    @Test
    void fullFitsItsBudgetWithTheAnchorRunsAndForksAtLeastThreeTimes()
    {
        final RunPlan full = RunPlan.build(Preset.FULL, ".*", RunPlan.parseUserArgs(""), null, compiledBenchmarks());
        assertTrue(full.runsAny(name -> name.endsWith(".qemuEncode")), "the anchors are in the plan");
        for (final RunPlan.Batch batch : full.batches())
        {
            assertTrue(batch.options().getForkCount().get() >= 3, batch.benchmarks() + " forks fewer than 3");
        }
        final double minutes = full.batches().stream().mapToDouble(b -> b.runs() * b.secondsPerRun()).sum() / 60;
        System.out.printf(Locale.ROOT, "full plan: %d runs in %d batches, %.1f min%n",
            full.totalRuns(), full.batches().size(), minutes);
        for (final RunPlan.Batch batch : full.batches())
        {
            System.out.printf(Locale.ROOT, "  %-11s %3d runs x %5.2f s = %6.1f s  %s%n", batch.kind(), batch.runs(),
                batch.secondsPerRun(), batch.runs() * batch.secondsPerRun(),
                batch.benchmarks().stream().map(BenchKind::classOf).distinct()
                    .map(c -> c.substring(c.lastIndexOf('.') + 1)).toList());
        }
        assertTrue(minutes <= 92, String.format(Locale.ROOT, "full plan estimates %.1f min", minutes));
    }

    @Test
    void badIncludeRegexIsOneLine()
    {
        final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class,
            () -> RunPlan.build(Preset.QUICK, "Mark(", RunPlan.parseUserArgs(""), null, compiledBenchmarks()));
        assertTrue(ex.getMessage().startsWith("bad -Dbench.include 'Mark('"), ex.getMessage());
        assertFalse(ex.getMessage().contains("\n"));
    }

    @Test
    void forksGetTheOpensOnceWhenEveryClassAppendsThem()
    {
        final RunPlan all = RunPlan.build(Preset.QUICK, ".*", RunPlan.parseUserArgs(""), null, compiledBenchmarks());
        assertTrue(compiledBenchmarks().stream().allMatch(BatchOptions::appendsForkJvmArgs),
            "every class declares BenchJvm's flags");
        for (final RunPlan.Batch batch : all.batches())
        {
            assertEquals(List.of(), List.copyOf(batch.options().getJvmArgs().get()),
                "explicitly empty: the classes append the opens, and forks inherit nothing from the runner");
        }
        // A user's -jvmArgsAppend replaces the classes' own, so the opens come back through -jvmArgs.
        final RunPlan appended = RunPlan.build(Preset.QUICK, "MarkBenchmark",
            RunPlan.parseUserArgs("-jvmArgsAppend -XX:+UseParallelGC"), null, compiledBenchmarks());
        assertEquals(List.of(BatchOptions.FORK_JVM_ARGS),
            List.copyOf(appended.batches().get(0).options().getJvmArgs().get()));
    }

    @Test
    void aForkCountBelowThePresetsIsNamedPerClass()
    {
        assertEquals(List.of(), RunPlan.build(Preset.FULL, "Xbzrle", RunPlan.parseUserArgs(""), null,
            compiledBenchmarks()).forksBelowPreset());
        assertEquals(List.of(), RunPlan.build(Preset.FULL, "Xbzrle", RunPlan.parseUserArgs("-f 5"), null,
            compiledBenchmarks()).forksBelowPreset(), "as many as the preset, or more, is fine");
        assertEquals(List.of("4 forks for XbzrleEncodeBenchmark, where full gives 5"), RunPlan.build(Preset.FULL,
            "Xbzrle", RunPlan.parseUserArgs("-f 4"), null, compiledBenchmarks()).forksBelowPreset());
        assertEquals(1, RunPlan.build(Preset.QUICK, "XbzrleDecode", RunPlan.parseUserArgs("-f 0"), null,
            compiledBenchmarks()).forksBelowPreset().size(), "quick names it too; only the runner's full refuses");
    }

    /**
     * Quick stays under 21.5 minutes by its estimate (it took 33 minutes with every parameter; under 20 before issue
     * 23's post-copy rows, 21 before issue 21's cold processes), through parameter trims of its own classes
     * only: a trimmed name that other classes share keeps their values, and full runs every value.
     */
    @Test
    void quickFitsTwentyMinutesWithItsOwnParameterTrims()
    {
        final RunPlan quick = RunPlan.build(Preset.QUICK, ".*", RunPlan.parseUserArgs(""), null, compiledBenchmarks());
        final double minutes = quick.estimateSeconds() / 60;
        System.out.println(quick.summary());
        assertTrue(minutes <= 21.5, quick.summary());
        final RunPlan full = RunPlan.build(Preset.FULL, ".*", RunPlan.parseUserArgs(""), null, compiledBenchmarks());
        assertTrue(full.totalRuns() > quick.totalRuns() + 150, full.summary());
        assertEquals(List.of("0.00001", "0.1", "0.5"), params(quick, "NextDirtyBenchmark.flat", "density"));
        assertEquals(List.of("1g", "1t"), params(quick, "ScalingBenchmark.scanFlat", "guest"));
        assertFalse(params(quick, "ScalingBenchmark.scanFlat", "density").contains("0.5"), "density stays Scaling's");
        assertFalse(params(quick, "CollectSweepBenchmark.collectRing", "guest").contains("1g"),
            "guest stays CollectSweep's");
        assertEquals(List.of(), params(full, "NextDirtyBenchmark.flat", "density"), "full sets none: all values run");
        // the user's -p wins
        assertEquals(List.of("0.01"), params(RunPlan.build(Preset.QUICK, "NextDirty", RunPlan.parseUserArgs(
            "-p density=0.01"), null, compiledBenchmarks()), "NextDirtyBenchmark.flat", "density"));
    }

    /**
     * Issue 23's post-copy rows: full runs every preempt, guest and bandwidth value of the faults (software and
     * kernel, memory and TCP) and every pattern and window of the locality hint, with 3 forks of 1 + 3 shots; quick
     * trims the faults to the 16 MiB guest at 256 MiB/s, smoke to its fastest shots and the hint to one pattern,
     * both keeping preempt and the hint off and on.
     */
    @Test
    void postcopyRowsRunWhatEachPresetGivesThem()
    {
        final RunPlan full = RunPlan.build(Preset.FULL, "Postcopy", RunPlan.parseUserArgs(""), null,
            compiledBenchmarks());
        assertEquals(2 * 2 * 2 * 2 * 2 + 3 * 2, full.totalRuns());
        for (final RunPlan.Batch batch : full.batches())
        {
            assertEquals(List.of(3, 1, 3), List.of(batch.forks(), batch.options().getWarmupIterations().get(),
                batch.options().getMeasurementIterations().get()), batch.benchmarks().toString());
        }
        final RunPlan quick = RunPlan.build(Preset.QUICK, "Postcopy", RunPlan.parseUserArgs(""), null,
            compiledBenchmarks());
        assertEquals(2 * 2 * 2 + 3 * 2, quick.totalRuns());
        assertEquals(List.of("16m"), params(quick, "PostcopyFaultsBenchmark.softwareFaults", "guest"));
        assertEquals(List.of("256m"), params(quick, "PostcopyFaultsBenchmark.softwareFaults", "bandwidth"));
        assertEquals(List.of(), params(quick, "PostcopyFaultsBenchmark.softwareFaults", "preempt"), "both values");
        final RunPlan smoke = RunPlan.build(Preset.SMOKE, "Postcopy", RunPlan.parseUserArgs(""), null,
            compiledBenchmarks());
        assertEquals(2 * 2 * 2 + 2, smoke.totalRuns());
        assertEquals(List.of("uniform"), params(smoke, "PostcopyLocalityBenchmark.migrate", "pattern"));
    }

    /**
     * Issue 24's snapshot rows: full runs every fill, thread count and O_DIRECT choice on the 1 GiB guest with 3
     * forks of 1 + 2 shots (the live save through the page cache only); quick and smoke one row per method (the
     * written guest, 2 threads, through the page cache), smoke on a 64 MiB guest.
     */
    @Test
    void snapshotRowsRunWhatEachPresetGivesThem()
    {
        final String save = "SnapshotBenchmark.saveStopped";
        final RunPlan full = RunPlan.build(Preset.FULL, "SnapshotBenchmark", RunPlan.parseUserArgs(""), null,
            compiledBenchmarks());
        // saveStopped, baselineWrite, baselineRead: threads x direct (x fill); saveLive, restoreEager: threads x fill;
        // baselineReadToMemory, saveBackground: threads; the lazy restores (resume, complete with either fault
        // path): fill.
        assertEquals(3 * 2 * 2 + 3 * 2 + 3 * 2 + 3 * 2 + 3 * 2 + 3 + 3 + 2 + 2 + 2, full.totalRuns());
        final RunPlan.Batch batch = full.batches().get(0);
        assertEquals(List.of(3, 1, 2), List.of(batch.forks(), batch.options().getWarmupIterations().get(),
            batch.options().getMeasurementIterations().get()));
        assertEquals(List.of("1g"), params(full, save, "guest"));
        assertEquals(3 * (RunEstimate.FORK_OVERHEAD_SECONDS + 3 * RunEstimate.shotSeconds(
            "io.livemig.bench.snapshot." + save, List.of("1g"))), batch.secondsPerRun(), 1e-9);
        final RunPlan quick = RunPlan.build(Preset.QUICK, "SnapshotBenchmark", RunPlan.parseUserArgs(""), null,
            compiledBenchmarks());
        assertEquals(10, quick.totalRuns());
        assertEquals(List.of("2"), params(quick, save, "threads"));
        final RunPlan smoke = RunPlan.build(Preset.SMOKE, "SnapshotBenchmark", RunPlan.parseUserArgs(""), null,
            compiledBenchmarks());
        assertEquals(10, smoke.totalRuns());
        assertEquals(List.of("64m"), params(smoke, save, "guest"));
        assertTrue(smoke.estimateSeconds() < 15, smoke.summary());
    }

    /** A class whose shots scale with its guest is estimated at the mean over the guest sizes the run takes. */
    @Test
    void postcopyShotsAreEstimatedByTheGuestSizesTheRunTakes()
    {
        final String faults = "io.livemig.bench.migration.PostcopyFaultsBenchmark.softwareFaults";
        final Map<String, Double> byGuest = RunEstimate.SHOT_SECONDS_BY_GUEST.get("PostcopyFaultsBenchmark");
        assertEquals(byGuest.get("16m"), RunEstimate.shotSeconds(faults, List.of("16m")), 1e-9);
        assertEquals((byGuest.get("16m") + byGuest.get("256m")) / 2, RunEstimate.shotSeconds(faults), 1e-9);
        assertTrue(byGuest.get("256m") > 2 * byGuest.get("16m"), "a 256 MiB shot takes longer");
        final RunPlan quick = RunPlan.build(Preset.QUICK, "PostcopyFaults", RunPlan.parseUserArgs(""), null,
            compiledBenchmarks());
        // 1 fork x (1 s + (1 + 5) shots of the 16 MiB guest).
        assertEquals(RunEstimate.FORK_OVERHEAD_SECONDS + 6 * byGuest.get("16m"), quick.batches().get(0).secondsPerRun(),
            1e-9);
        final RunPlan large = RunPlan.build(Preset.QUICK, "PostcopyFaults", RunPlan.parseUserArgs("-p guest=256m"),
            null, compiledBenchmarks());
        assertEquals(RunEstimate.FORK_OVERHEAD_SECONDS + 6 * byGuest.get("256m"),
            large.batches().get(0).secondsPerRun(), 1e-9, "the user's -p wins");
    }

    private static List<String> params(final RunPlan plan, final String benchmark, final String name)
    {
        final RunPlan.Batch batch = plan.batches().stream()
            .filter(b -> b.benchmarks().stream().anyMatch(n -> n.endsWith(benchmark))).findFirst().orElseThrow();
        return batch.options().getParameter(name).hasValue() ? List.copyOf(batch.options().getParameter(name).get()) :
            List.of();
    }
}
