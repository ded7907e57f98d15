package io.livemig.bench.run.preset;

import org.openjdk.jmh.runner.options.TimeValue;

import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * How long a run measures: forks, iterations and iteration times for each {@link BenchKind} (and, in
 * {@link #FULL}, for each benchmark class), and whether hot paths get JMH's {@code gc} profiler. Each preset is
 * sized for the machine the suite is developed on (2 cores): {@link #SMOKE} checks in a few minutes that
 * everything still runs, {@link #QUICK} gives a usable error bar in about 20 minutes, {@link #FULL}
 * is for publication in about 80 minutes.
 *
 * <p><b>Why FULL is sized per class.</b> Two quick runs back to back (1 fork each) agreed on 264 of 290
 * benchmarks; the ones that did not were each tight within their own fork but moved between runs: XBZRLE
 * encode EVERY_16TH (+75 %) and ONE_RUN_64 (+38 %), the two-thread same-word {@code MarkBenchmark} groups
 * (+64 % flat, +167 % summary), flat harvest at 0.1 % density (+22-30 % at every guest size of
 * {@code ScalingBenchmark}). That variance lives between forks (JIT decisions, memory placement), so it is
 * bought down with forks, not with iterations: every FULL class gets at least 3 forks, the classes that
 * disagreed get 4 or 5, and the iterations within a fork follow the class's own within-fork relative standard
 * deviation in the published quick run ({@code results/20261126T075529Z-quick/jmh.json}, rawData):
 *
 * <pre>
 * class                  kind        runs  within-fork sd     forks  warmup      measured     s/run
 *                                          median / max
 * XbzrleEncodeBenchmark  HOT_PATH    12    1.5 % / 3.8 %      5      2 x 0.5 s   2 x 0.5 s    15.0
 * MarkBenchmark          HOT_PATH    14    0.9 % / 12 %       5      2 x 0.5 s   2 x 0.5 s    15.0
 * HarvestBenchmark       HOT_PATH    15    1.1 % / 8.4 %      4      2 x 0.5 s   2 x 0.5 s    12.0
 * NextDirtyBenchmark     HOT_PATH    20    1.0 % / 10 %       3      2 x 0.5 s   3 x 0.5 s    10.5
 * DrainBenchmark         HOT_PATH    15    (new; sized as NextDirty, the same scans)  3 x 0.5 s    10.5
 * ZeroPageBenchmark      HOT_PATH    24    1.8 % / 11 %       3      2 x 0.5 s   3 x 0.5 s    10.5
 * Lz4Benchmark           HOT_PATH     9    1.5 % / 3.1 %      3      2 x 0.5 s   2 x 0.5 s     9.0
 * XbzrleDecodeBenchmark  HOT_PATH    10    1.9 % / 5.0 %      3      2 x 0.5 s   2 x 0.5 s     9.0
 * PageStreamBenchmark    HOT_PATH     6    2.9 % / 5.4 %      3      2 x 0.5 s   2 x 0.5 s     9.0
 * ScalingBenchmark       TIMED       40    2.8 % / 14 %       4      1 x 0.5 s   2 x 0.5 s    10.0
 * GranularityBenchmark   SWEEP       80    5.2 % / 31 %       3      1 x 0.6 s   3 x 0.1 s     5.7
 * MigrationBenchmark     SINGLE_SHOT 60    20 % / 50 %        3      3 shots     8 shots       7.0
 * LargeGuestBenchmark    SINGLE_SHOT  2    (new)              3      2 shots     5 shots      ~30
 * ChannelsBenchmark      SINGLE_SHOT  6    (new)              3      1 shot      3 shots      ~13
 * CollectBenchmark       HOT_PATH    24    (new)              3      1 x 0.3 s   2 x 0.3 s     5.7
 * CollectSweepBenchmark  HOT_PATH    12    (new)              3      1 x 0.3 s   2 x 0.3 s     5.7
 * ThrottleBenchmark      SINGLE_SHOT  2    (new)              3      0 shots     1 shot       ~36
 * KernelTrackingBenchmark HOT_PATH   18    (new)              3      1 x 0.3 s   2 x 0.3 s     5.7
 * PostcopyFaultsBenchmark SINGLE_SHOT 32   (new)              3      1 shot      3 shots     ~13.2
 * PostcopyLocalityBenchmark SINGLE_SHOT 6  (new)              3      1 shot      3 shots      ~7.8
 * SnapshotBenchmark      SINGLE_SHOT 48    (new)              3      1 shot      2 shots      ~6.4
 * </pre>
 *
 * <ul>
 *   <li>Stable codec and stream classes (Lz4, XBZRLE decode, page stream: within-fork sd at most 5 %, no
 *       disagreement between runs) need only 2 measured iterations per fork: 3 forks give 6 samples, and
 *       their confidence interval is then set by the forks, as it should be.</li>
 *   <li>XBZRLE encode and the two-thread mark groups moved 38-167 % between runs while tight within each:
 *       5 forks, so that a fork landing on other code or placement shows up in the error bar instead of
 *       deciding the score; 2 measured iterations each.</li>
 *   <li>Scaling (flat harvest at 0.1 % moved 22-30 % between runs, at every guest size) and Harvest (the same
 *       flat harvest, at the same density among others, over the same 2^28 units as Scaling's 1t): 4 forks.
 *       Scaling's operations take up to 40 ms; one 0.5 s warmup covers their JIT.</li>
 *   <li>Memory-bound scans ({@code NextDirty} over 32 MiB bitmaps, {@code ZeroPage} over 64 MiB; their
 *       memory-read baselines reached 10-11 % within a fork) get a third measured iteration.</li>
 *   <li>The granularity sweep is 80 parameter sets of a cheap operation: {@code harvestAndScan} has a median
 *       within-fork sd of 1 %, so 3 x 0.1 s per fork suffice; its memory-read baseline spread 20-30 % in quick
 *       because its code changed mid-measurement after 0.3 s of warmup (4.5 to 7.6 us/op between
 *       iterations 2 and 3), so FULL warms it for 0.6 s.</li>
 *   <li>Migrations are single shots (35-380 ms each) with 20 % spread within a fork and a slow first shot
 *       or two after JVM start: 3 warmup shots, then 8 measured per fork (24 in all, against 5 in quick).</li>
 *   <li>The 1 GiB migrations of {@code LargeGuestBenchmark} (idle and written once, over TCP) cost a few
 *       seconds per fork to fault in 2 GiB of guests, then 0.1-1.5 s per shot: 2 warmup shots and 5 measured
 *       per fork keep the class to about 3 minutes.</li>
 *   <li>The dirty-ring classes (added after the published runs): {@code CollectBenchmark} (24 runs, syncs of
 *       0.01-40 ms) and its dirty-pages sweep {@code CollectSweepBenchmark} (12 runs) answer where the ring
 *       crosses the bitmap, a factor-of-ten question: 3 forks of 1 x 0.3 s + 2 x 0.3 s, so that the two
 *       cost less than {@code CollectBenchmark} alone did at the defaults. {@code MarkBenchmark}'s ring rows
 *       (2 runs) and its two-writer groups (6 runs) take the class's 5 forks.</li>
 *   <li>Post-copy's faults (issue 23): {@code preempt=false|true} on 16 and 256 MiB guests at 256 MiB/s and
 *       1 GiB/s, software and kernel faults, memory and TCP (32 runs); a 16 MiB shot takes about 0.1 s, a 256 MiB
 *       one 0.6-1.4 s, each followed by its wake-up floor (0.25 s): 1 warmup shot and 3 measured per fork, as
 *       before, about 7 minutes. Its locality hint ({@code PostcopyLocalityBenchmark}, 6 runs of 64 MiB shots
 *       of 0.35 s) the same, under a minute.</li>
 *   <li>{@code ThrottleBenchmark} runs the non-converging scenario for 6-15 s a shot (auto-converge gives up
 *       after 10 s of pre-copy): one shot per fork, 3 forks (2 shots in quick), about a minute in full.</li>
 *   <li>Every other AverageTime class gets 1 s of warmup (2 x 0.5 s), a little less than quick's 1.5 s, after
 *       which the first measured iteration was within 5 % of the rest for 128 of 150 benchmarks (median ratio
 *       1.00); the exceptions, slower by 10-25 %, were memory-bound baselines (ZeroPage 64m, NextDirty,
 *       Harvest), where a third measured iteration helps more than more warmup would. 0.3 s (the quick sweep)
 *       did not always reach steady code.</li>
 * </ul>
 *
 * <p><b>Time budget</b> (as {@code RunPlan.estimateSeconds} counts it: runs x forks x (1 s fork overhead +
 * iterations), 0.12 s per migration shot): the 305 livemig runs above (1,022 forks) come to 2,689 s, 45 min;
 * the 40 C anchor runs in the codec and bitmap classes (2 x 6 in XbzrleEncode, 5 in XbzrleDecode, 8 in
 * ZeroPage, 5 in NextDirty, 5 in Drain, 5 in Harvest) add 475 s at their classes' sizing: 53 min for the 345
 * runs. The SIMD rows, the dirty-ring benchmarks and {@code ThrottleBenchmark} above and
 * {@code LargeGuestBenchmark} bring it to 64 min for 411 runs; the off-heap SIMD zero rows ({@code
 * ZeroPageBenchmark.isZeroOffHeapVector}) and the AVX2 zero anchor ({@code qemuBufferIsZeroAvx2}), 8 runs each,
 * and {@code KernelTrackingBenchmark} (18 runs, sized as the ring's sync classes: its first writes cost tens of
 * microseconds each, its harvests milliseconds) to 69 min for 445, {@code ChannelsBenchmark} (6 runs, and 3 of
 * its raw loopback baseline) to 70.4 min for 454, and {@code PostcopyFaultsBenchmark} (4 runs: software and
 * kernel faults on the memory link and over TCP, 16 MiB post-copy shots of about 0.3 s) to 71.2 min for 460. The
 * anchors of issue 21 change the count a little: {@code CallFloorBenchmark} (2 runs, the least an anchor call
 * costs) comes in, the zero-detection anchors stay at two (QEMU 9.0+'s and 8.x's AVX2 loops, in place of the
 * mixed one and the AVX2 one), and {@code XbzrleDecodeBenchmark} loses UNCHANGED (3 runs): 70.8 min for 457
 * runs. The locked-exchange floors of the drain and the harvest ({@code baselineExchangePerWord}, 5 runs each at
 * their classes' sizing), which the goals table quotes as the cause of a shortfall, bring it to 72.7 min for
 * 467 runs, and {@code ChannelsBenchmark}'s TLS rows (issue 22: {@code tls=false|true} doubles its 9 runs, the
 * cost of encryption beside its SSLEngine floor) to 74.5 min for 476 runs. Issue 23 widens {@code
 * PostcopyFaultsBenchmark} to 32 runs ({@code preempt}, a 256 MiB guest beside the 16 MiB one, 1 GiB/s beside
 * 256 MiB/s; 0.45 s a 16 MiB shot and 1.4 s a 256 MiB one with its wake-up floors, idle and under load, as the
 * class's 32 runs took 447 s on 2026-12-07) and adds {@code PostcopyLocalityBenchmark} (6 runs): 82.4 min for
 * 510 runs. Issue 24 adds {@code SnapshotBenchmark} (48 runs on a 1 GiB guest: stopped saves, plain writes and
 * plain reads with and without O_DIRECT, live and background saves, eager restores and the read into memory, on
 * 1, 2 and 4 threads, idle and written once, and the lazy restores, to resume and to complete with either fault
 * path; 3 forks of 1 + 2 shots, 0.55 s a shot as its first full run measured, 6.4 min): 88.8 min for 558
 * runs. Issue 21 adds {@code ColdProcessBenchmark} (4 runs, idle and written 1 GiB guests at 1 and 2 channels, each
 * shot a whole {@code scripts/migrate} process of about 3.5 s; every shot is a cold JVM, so no warmup shot; 3 forks
 * of 3 shots, 2.3 min): <b>91.1 min for 562 runs</b>, under the 92 min that {@code
 * RunPlanTest} holds the estimate to ({@code java -cp benchmarks.jar
 * io.livemig.bench.run.RunPlan} prints it for each preset): a published run is worth an hour, and every row it
 * adds is one the report needs (the full run of 53 estimated minutes took 48). The count is pessimistic: the
 * quick run's 290 forks took 825 s for about 700 s of iterations (about 0.4 s per fork for JVM start and trial
 * setup, the 2^28-bit bitmap setups included, against the 1 s counted), and its migration shots averaged
 * 0.09 s; the progress line rescales to the real pace as the run goes.
 *
 * <p>{@link #SMOKE} and {@link #QUICK} keep one sizing per kind (1 fork: they are for checking and
 * developing, not for publishing, and their run times are what users already plan around), but for
 * {@code ThrottleBenchmark}, whose 6-15 s shots would cost quick two minutes at the single-shot default: 2 shots,
 * {@code SnapshotBenchmark}, whose 1 GiB shots would cost it a minute more: 1 + 2 shots, and {@code
 * ColdProcessBenchmark}, whose shots are whole processes: 0 + 2 shots.
 *
 * <p><b>Quick under 20 minutes.</b> With every parameter of every class, quick held 460 runs, estimated at 31.5
 * min (a fresh clone took 30 min 19 s of benchmarks). It keeps its sizing and runs fewer parameter values of
 * its widest classes instead ({@link QuickParams}; full runs them all): the granularity sweep at 1, 64 and 512
 * pages per bit (24 runs, not 80); zero detection over the 64 MiB working set only, without LAST_BYTE (the
 * cache-resident page and the last-byte exit are full's); migrations at dirty-rate ratios 0.5 and 2.0 (20, not
 * 60); scaling and the ring's sync at 1 GiB and 1 TiB guests; the dirty-pages sweep at 3 of its 4 counts; the
 * bitmap scans at densities 0.001 %, 10 % and 50 % (not 0.1 % and 1 %); kernel tracking's harvests at 256 MiB;
 * page channels 1 and 4 with the written guest only (its TLS rows' link setup, where the handshakes show,
 * does not depend on the pages); the drain at densities 10 % and 50 %, where its goals are. That is 259 runs, estimated
 * at 19.9 min. Issue 23's post-copy rows do not fit beside them: post-copy's faults at the 16 MiB guest and
 * 256 MiB/s only, with and without preempt (8 runs, not 32), and the locality hint's 6 runs bring quick to 20.5 min
 * for 269 runs; issue 24's snapshots, one row per method (the written 1 GiB guest, 2 threads, the page cache; 1
 * fork of 1 + 2 shots), bring it to 21.0 min for 279; issue 21's cold processes at 1 channel (2 runs of 2 shots) to
 * 21.2 min for 281, which {@code RunPlanTest} holds to 21.5 minutes. What it
 * costs: quick no longer shows the
 * summary bitmap's crossover densities (0.1 %, 1 %), the cache-resident zero check, the scaling curve between
 * its ends, or the migration's whole dirty-rate sweep; a change there shows up in full, or in a quick run told
 * {@code -p} (the user's {@code -p} wins over these).
 *
 * <p>Immutable; thread-safe.
 */
public enum Preset
{
    /**
     * Every benchmark once, briefly: 1 fork, 1 warmup + 1 measurement iteration; no profiler. The granularity
     * sweep runs at 1, 64 and 512 pages per bit only (its 40 parameter sets would be a third of the run),
     * {@code KernelTrackingBenchmark}'s harvests at the 256 MiB guest only, {@code ChannelsBenchmark} at 2
     * channels and the written guest only (each of its forks faults in two 1 GiB guests, 15-30 s on this project's
     * machines), post-copy's faults at the 16 MiB guest and 1 GiB/s (its fastest shots; preempt off and on) and
     * the locality hint on the uniform pattern (hint off and on), and {@code SnapshotBenchmark} one row per method on a
     * 64 MiB guest (written once, 2 threads, the page cache).
     */
    SMOKE(new Sizing(1, 1, ms(100), 1, ms(200)),
        new Sizing(1, 1, ms(100), 1, ms(100)),
        new Sizing(1, 0, ms(0), 1, ms(0)),
        false, Map.of("pagesPerBit", new String[] {"1", "64", "512"}, "guestSize", new String[] {"256m"},
        "channels", new String[] {"2"}), Map.of(), Map.of("ChannelsBenchmark", Map.of("fill", new String[] {"1.0"}),
        "PostcopyFaultsBenchmark", Map.of("guest", new String[] {"16m"}, "bandwidth", new String[] {"1g"}),
        "PostcopyLocalityBenchmark", Map.of("pattern", new String[] {"uniform"}),
        "SnapshotBenchmark", Map.of("guest", new String[] {"64m"}, "fill", new String[] {"1.0"},
            "threads", new String[] {"2"}, "direct", new String[] {"false"}))),
    /**
     * The default: 1 fork, 3 x 0.5 s warmup + 5 x 0.5 s measurement; gc profiler on hot paths; fewer parameter
     * values than full for the widest classes ({@link QuickParams}), so that it stays at about 20 minutes.
     */
    QUICK(new Sizing(1, 3, ms(500), 5, ms(500)),
        new Sizing(1, 1, ms(300), 4, ms(150)),
        new Sizing(1, 1, ms(0), 5, ms(0)),
        true, Map.of(), Map.of(BenchKind.SINGLE_SHOT, Map.of("ThrottleBenchmark", new Sizing(1, 0, ms(0), 2, ms(0)),
            "SnapshotBenchmark", new Sizing(1, 1, ms(0), 2, ms(0)),
            "ColdProcessBenchmark", new Sizing(1, 0, ms(0), 2, ms(0)))),
        QuickParams.VALUES),
    /**
     * For publication: 3 to 5 forks per benchmark, iterations per class (see the class comment); the kind
     * defaults (3 forks, 2 x 0.5 s warmup + 3 x 0.5 s measurement; single shots 3 + 8) size classes not in
     * the table. gc profiler on hot paths.
     */
    FULL(new Sizing(3, 2, ms(500), 3, ms(500)),
        new Sizing(3, 1, ms(600), 3, ms(100)),
        new Sizing(3, 3, ms(0), 8, ms(0)),
        true, Map.of(), Map.of(
            BenchKind.HOT_PATH, Map.ofEntries(
                Map.entry("XbzrleEncodeBenchmark", new Sizing(5, 2, ms(500), 2, ms(500))),
                Map.entry("MarkBenchmark", new Sizing(5, 2, ms(500), 2, ms(500))),
                Map.entry("HarvestBenchmark", new Sizing(4, 2, ms(500), 2, ms(500))),
                Map.entry("NextDirtyBenchmark", new Sizing(3, 2, ms(500), 3, ms(500))),
                Map.entry("DrainBenchmark", new Sizing(3, 2, ms(500), 3, ms(500))),
                Map.entry("ZeroPageBenchmark", new Sizing(3, 2, ms(500), 3, ms(500))),
                Map.entry("Lz4Benchmark", new Sizing(3, 2, ms(500), 2, ms(500))),
                Map.entry("XbzrleDecodeBenchmark", new Sizing(3, 2, ms(500), 2, ms(500))),
                Map.entry("PageStreamBenchmark", new Sizing(3, 2, ms(500), 2, ms(500))),
                Map.entry("CollectBenchmark", new Sizing(3, 1, ms(300), 2, ms(300))),
                Map.entry("CollectSweepBenchmark", new Sizing(3, 1, ms(300), 2, ms(300))),
                Map.entry("KernelTrackingBenchmark", new Sizing(3, 1, ms(300), 2, ms(300)))),
            BenchKind.TIMED, Map.of(
                "ScalingBenchmark", new Sizing(4, 1, ms(500), 2, ms(500))),
            BenchKind.SWEEP, Map.of(
                "GranularityBenchmark", new Sizing(3, 1, ms(600), 3, ms(100))),
            BenchKind.SINGLE_SHOT, Map.of(
                "MigrationBenchmark", new Sizing(3, 3, ms(0), 8, ms(0)),
                "LargeGuestBenchmark", new Sizing(3, 2, ms(0), 5, ms(0)),
                "ChannelsBenchmark", new Sizing(3, 1, ms(0), 3, ms(0)),
                "PostcopyFaultsBenchmark", new Sizing(3, 1, ms(0), 3, ms(0)),
                "PostcopyLocalityBenchmark", new Sizing(3, 1, ms(0), 3, ms(0)),
                "ThrottleBenchmark", new Sizing(3, 0, ms(0), 1, ms(0)),
                "SnapshotBenchmark", new Sizing(3, 1, ms(0), 2, ms(0)),
                "ColdProcessBenchmark", new Sizing(3, 0, ms(0), 3, ms(0)))),
        Map.of("SnapshotBenchmark", Map.of("guest", new String[] {"1g"})));

    /**
     * Quick's parameter trims, by class (see the class comment): an enum's constants cannot name a static field of
     * their own enum in their constructors, so the map lives in this holder.
     */
    private static final class QuickParams
    {
        static final Map<String, Map<String, String[]>> VALUES = Map.ofEntries(
            Map.entry("GranularityBenchmark", Map.of("pagesPerBit", new String[] {"1", "64", "512"})),
            Map.entry("ZeroPageBenchmark", Map.of("workingSet", new String[] {"64m"},
                "input", new String[] {"ZERO", "FIRST_BYTE", "BYTE_3600"})),
            Map.entry("MigrationBenchmark", Map.of("ratio", new String[] {"0.5", "2.0"})),
            Map.entry("ScalingBenchmark", Map.of("guest", new String[] {"1g", "1t"})),
            Map.entry("CollectBenchmark", Map.of("guest", new String[] {"1g", "1t"})),
            Map.entry("CollectSweepBenchmark", Map.of("dirtyPages", new String[] {"1024", "65536", "524288"})),
            Map.entry("NextDirtyBenchmark", Map.of("density", new String[] {"0.00001", "0.1", "0.5"})),
            Map.entry("DrainBenchmark", Map.of("density", new String[] {"0.1", "0.5"})),
            Map.entry("HarvestBenchmark", Map.of("density", new String[] {"0.00001", "0.1", "0.5"})),
            Map.entry("KernelTrackingBenchmark", Map.of("guestSize", new String[] {"256m"})),
            Map.entry("ChannelsBenchmark", Map.of("channels", new String[] {"1", "4"}, "fill", new String[] {"1.0"})),
            Map.entry("PostcopyFaultsBenchmark", Map.of("guest", new String[] {"16m"},
                "bandwidth", new String[] {"256m"})),
            Map.entry("SnapshotBenchmark", Map.of("guest", new String[] {"1g"}, "fill", new String[] {"1.0"},
                "threads", new String[] {"2"}, "direct", new String[] {"false"})),
            Map.entry("ColdProcessBenchmark", Map.of("channels", new String[] {"1"})));

        private QuickParams()
        {
        }
    }

    /**
     * Forks and iterations of one kind of benchmark. For single-shot benchmarks an iteration is one
     * invocation and the times are unused (0).
     *
     * @param forks                  forks per benchmark and parameter set.
     * @param warmupIterations       warmup iterations per fork.
     * @param warmupTime             time per warmup iteration.
     * @param measurementIterations  measured iterations per fork.
     * @param measurementTime        time per measured iteration.
     */
    public record Sizing(int forks, int warmupIterations, TimeValue warmupTime, int measurementIterations,
                         TimeValue measurementTime)
    {
    }

    private final Sizing timed;
    private final Sizing sweep;
    private final Sizing singleShot;
    private final boolean gcProfilerOnHotPaths;
    private final Map<String, String[]> sweepParams;
    private final Map<BenchKind, Map<String, Sizing>> classSizing;
    private final Map<String, Map<String, String[]>> classParams;

    Preset(final Sizing timed, final Sizing sweep, final Sizing singleShot, final boolean gcProfilerOnHotPaths,
           final Map<String, String[]> sweepParams, final Map<BenchKind, Map<String, Sizing>> classSizing)
    {
        this(timed, sweep, singleShot, gcProfilerOnHotPaths, sweepParams, classSizing, Map.of());
    }

    Preset(final Sizing timed, final Sizing sweep, final Sizing singleShot, final boolean gcProfilerOnHotPaths,
           final Map<String, String[]> sweepParams, final Map<BenchKind, Map<String, Sizing>> classSizing,
           final Map<String, Map<String, String[]>> classParams)
    {
        this.classParams = classParams;
        this.sweepParams = sweepParams;
        this.classSizing = classSizing;
        this.timed = timed;
        this.sweep = sweep;
        this.singleShot = singleShot;
        this.gcProfilerOnHotPaths = gcProfilerOnHotPaths;
    }

    private static TimeValue ms(final long millis)
    {
        return TimeValue.milliseconds(millis);
    }

    /** @return the preset's name as given on the command line, e.g. {@code quick}. */
    public String id()
    {
        return name().toLowerCase(Locale.ROOT);
    }

    /** @return the sizing for benchmarks of {@code kind} whose class has no entry of its own. */
    public Sizing sizing(final BenchKind kind)
    {
        switch (kind)
        {
            case SWEEP: return sweep;
            case SINGLE_SHOT: return singleShot;
            default: return timed;
        }
    }

    /**
     * The sizing of one benchmark: its class's entry in this preset's table for {@code kind} if it has one,
     * else the kind's. Keyed by kind too, so that a class run in another mode than its own (e.g.
     * {@code MigrationBenchmark} with {@code -bm avgt}) falls back to that mode's kind sizing.
     *
     * @param kind      the benchmark's kind in this run.
     * @param benchmark its full name, {@code package.Class.method}.
     * @return the sizing.
     */
    public Sizing sizing(final BenchKind kind, final String benchmark)
    {
        final String className = BenchKind.classOf(benchmark);
        final String simpleName = className.substring(className.lastIndexOf('.') + 1);
        return classSizing.getOrDefault(kind, Map.of()).getOrDefault(simpleName, sizing(kind));
    }

    /**
     * @return {@code @Param} values this preset sets for benchmarks of {@code kind} (the user's -p wins). Each
     *         name is declared by one class only ({@code pagesPerBit} by the sweep, {@code guestSize} by
     *         {@code KernelTrackingBenchmark}, {@code channels} by {@code ChannelsBenchmark}), so setting it for
     *         every kind reaches only that class.
     */
    public Map<String, String[]> paramOverrides(final BenchKind kind)
    {
        return sweepParams;
    }

    /**
     * @return {@code @Param} values this preset sets for {@code benchmark} (the user's -p wins): those of
     *         {@link #paramOverrides(BenchKind)}, and those of its class alone (quick's trims, whose names other
     *         classes share with other values: {@code density}, {@code guest}, {@code pattern}).
     */
    public Map<String, String[]> paramOverrides(final BenchKind kind, final String benchmark)
    {
        final String className = BenchKind.classOf(benchmark);
        final Map<String, String[]> own = classParams.get(className.substring(className.lastIndexOf('.') + 1));
        if (own == null)
        {
            return sweepParams;
        }
        final Map<String, String[]> merged = new java.util.TreeMap<>(sweepParams);
        merged.putAll(own);
        return merged;
    }

    /** @return whether {@link BenchKind#HOT_PATH} benchmarks run with JMH's gc profiler (for B/op). */
    public boolean gcProfilerOnHotPaths()
    {
        return gcProfilerOnHotPaths;
    }

    /**
     * @param name a preset name, any case; empty means {@link #QUICK}.
     * @return the preset.
     * @throws IllegalArgumentException naming the choices when there is no such preset.
     */
    public static Preset parse(final String name)
    {
        final String id = name == null ? "" : name.trim().toLowerCase(Locale.ROOT);
        if (id.isEmpty())
        {
            return QUICK;
        }
        for (final Preset preset : values())
        {
            if (preset.id().equals(id))
            {
                return preset;
            }
        }
        throw new IllegalArgumentException("unknown preset '" + name + "' (expected " +
            Arrays.stream(values()).map(Preset::id).collect(Collectors.joining(", ")) + ")");
    }
}
