package io.livemig.bench.report.section;

import io.livemig.bench.report.chart.Charts;
import io.livemig.bench.report.chart.SnapshotChart;
import io.livemig.bench.report.result.JmhResult;
import io.livemig.bench.report.stats.Fmt;
import io.livemig.bench.report.stats.ForkSpread;
import io.livemig.bench.report.stats.Interval;
import io.livemig.bench.report.stats.Verdict;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * The report's "Snapshots" section, from {@code SnapshotBenchmark} (issue 24): every save, restore and plain file
 * I/O row with its time, GB/s and speed against its baseline of the same run; the lazy restores' resume and
 * faults; issue 24's three goals, each read with its 99.9 % interval ({@link Verdict}) on the 1 GiB guest written
 * once; QEMU's and Firecracker's published figures as orientation; and the chart of fault latency during a lazy
 * restore ({@link SnapshotChart}).
 *
 * <p>Stateless; thread-safe as long as two calls do not write the same directory.
 */
public final class SnapshotsReport
{
    static final String CLASS = "SnapshotBenchmark";
    /** Goal (a): a stopped save at least this share of the plain write's speed. */
    static final double SAVE_OF_WRITE = 0.9;
    /** Goal (b): an eager restore at least this share of the plain read's speed. */
    static final double RESTORE_OF_READ = 0.9;
    /** Goal (c): a lazy restore resumes the guest within this, ms. */
    static final double RESUME_GOAL_MS = 10;
    /** The guest and fill the goals are read on: 1 GiB, written once. */
    static final String GOAL_GUEST = "1g";
    static final String GOAL_FILL = "1.0";

    private static final List<String> METHODS = List.of("saveStopped", "saveLive", "saveBackground", "baselineWrite",
        "restoreEager",
        "baselineRead", "baselineReadToMemory", "lazyResume", "lazyComplete", "lazyCompleteKernel");

    /**
     * One of issue 24's goals on one row.
     *
     * @param goal      what is held to what.
     * @param row       the row's parameters, e.g. {@code 2 threads, O_DIRECT on}.
     * @param measured  the estimate and its 99.9 % interval.
     * @param forkMeans each side's per-fork means.
     * @param verdict   met, short, unresolved or bimodal.
     */
    record Goal(String goal, String row, String measured, String forkMeans, Verdict verdict)
    {
    }

    private SnapshotsReport()
    {
    }

    /** Appends the section, its chart saved under {@code charts}. */
    public static void section(final StringBuilder md, final Path charts, final List<JmhResult> results)
        throws IOException
    {
        md.append("## Snapshots\n\n");
        final List<JmhResult> rows = rows(results);
        if (rows.isEmpty())
        {
            md.append("_Not measured in this run: no ").append(CLASS).append(" results._\n\n");
            return;
        }
        md.append("A guest of `guest` bytes, idle while saved, all zero (`fill=0`, every page a hole of the file) or ")
            .append("written once (`fill=1.0`, every page holding data), saved to a file and restored from it on ")
            .append("`threads` threads (`scripts/migrate --to file:PATH` / `--from file:PATH --channels N`), beside ")
            .append("plain positional writes and reads of the same number of bytes, 1 MiB per call, each thread its ")
            .append("contiguous share, in the same directory (`").append(CLASS).append("`). A save's time ends ")
            .append("after its `force(true)`, and the plain write ends with `force(true)` too: both include getting ")
            .append("the bytes to the device. Every read is warm-cache: before each shot, outside its time, the file ")
            .append("is read once through the page cache, for the restores and the plain read alike; the plain read ")
            .append("with `O_DIRECT` bypasses the cache and shows the device's own rate (orientation, not a ")
            .append("baseline). *O_DIRECT* is the save's RAM or the plain I/O (*refused*: asked for, the file system ")
            .append("said no, the page cache served). *vs baseline* is the baseline's time ÷ the row's (above 1: ")
            .append("faster than the plain I/O): a save against the plain write with the same threads and ")
            .append("O_DIRECT, an eager restore against the cached plain read with the same threads (the issue's ")
            .append("baseline: its 1 MiB buffer per thread stays in the CPU's cache). `baselineReadToMemory` reads the ")
            .append("same file straight into a buffer of the guest's size, so the bytes end in memory as a restore's ")
            .append("must: the floor under any restore, shown beside it. A lazy resume ")
            .append("is `SnapshotReader.open` + `new LazyRestore` + `start()`, the guest's memory allocated before; a ")
            .append("lazy complete adds the resumed vCPUs (two, writing random pages flat out through the software ")
            .append("gate) and ends when every page is in. Times are JMH's mean over shots with its 99.9 % interval.\n\n")
            .append("| operation | guest | fill | threads | O_DIRECT | time | GB/s | vs baseline |\n")
            .append("|---|---|---|---|---|---|---|---|\n");
        for (final JmhResult r : rows)
        {
            md.append("| ").append(r.method()).append(" | ").append(r.param("guest").orElse("?")).append(" | ")
                .append(r.param("fill").orElse("–")).append(" | ").append(r.param("threads").orElse("–"))
                .append(" | ").append(directCell(r)).append(" | ").append(ShotCounters.millis(millis(r)))
                .append(" | ").append(Fmt.num(ShotCounters.mean(r, "gbPerSecond"))).append(" | ")
                .append(baseline(results, r).map(b -> Interval.ratio(millis(b), millis(r)).toString()).orElse("–"))
                .append(" |\n");
        }
        md.append('\n');
        background(md, rows);
        lazy(md, rows);
        goals(md, goals(results));
        md.append("Published figures, **other machines and guests, not comparable** (orientation only): QEMU's ")
            .append("mapped-ram RFC, a stopped 32 GB guest to NVMe on XFS: `savevm` 434 MB/s, migration to a plain ")
            .append("file 3017 MB/s, mapped-ram + multifd + O_DIRECT 5565 MB/s with 2 channels and 6344 MB/s with ")
            .append("64. Firecracker, a 256 MB guest with 2 vCPUs: a FULL snapshot in 180 ms, a DIFF snapshot in 70 ")
            .append("ms; its userfaultfd handler examples cut page-fault latency by 98.75 % (firecracker PR 5061).\n\n");
        Figures.figure(md, charts, "snapshot-fault-latency", "Fault latency during a lazy restore",
            CLASS + ".lazyComplete or lazyCompleteKernel with faults", SnapshotChart.faultLatency(results),
            Charts.HEIGHT);
    }

    private static void background(final StringBuilder md, final List<JmhResult> rows)
    {
        final List<JmhResult> saves = rows.stream().filter(r -> r.method().equals("saveBackground")).toList();
        if (saves.isEmpty())
        {
            return;
        }
        md.append("**Background snapshots** of the guest written once while its two vCPUs write random pages flat ")
            .append("out (userfaultfd write protection): the vCPUs' writes per second in the 200 ms before a shot ")
            .append("and during it, and the pages a vCPU's write fault copied into the file before its store (the ")
            .append("rest the writer threads saved first). Each figure the mean over shots with its 99.9 % ")
            .append("interval. `BackgroundSnapshotTest` proves the file equals the guest at the instant.\n\n")
            .append("| guest | threads | time | writes/s before | writes/s during | copied before write |\n")
            .append("|---|---|---|---|---|---|\n");
        for (final JmhResult r : saves)
        {
            md.append("| ").append(r.param("guest").orElse("?")).append(" | ").append(r.param("threads").orElse("?"))
                .append(" | ").append(ShotCounters.millis(millis(r))).append(" | ")
                .append(Fmt.num(ShotCounters.mean(r, "writesPerSecBefore"))).append(" | ")
                .append(Fmt.num(ShotCounters.mean(r, "writesPerSecDuring"))).append(" | ")
                .append(Fmt.num(ShotCounters.mean(r, "copiedByFaults"))).append(" |\n");
        }
        md.append('\n');
    }

    private static void lazy(final StringBuilder md, final List<JmhResult> rows)
    {
        final List<JmhResult> complete = rows.stream().filter(r -> r.method().startsWith("lazyComplete")).toList();
        if (complete.isEmpty())
        {
            return;
        }
        md.append("**Lazy restores**, each figure the mean over shots with the 99.9 % interval of the shots: the ")
            .append("resume within a complete shot, the vCPUs' faults per shot and their latency (µs), and the pages ")
            .append("the prefetch thread loaded.\n\n")
            .append("| guest | fill | fault path | resume | faults | p50 | p99 | p99.9 | max | prefetched pages |\n")
            .append("|---|---|---|---|---|---|---|---|---|---|\n");
        for (final JmhResult r : complete)
        {
            md.append("| ").append(r.param("guest").orElse("?")).append(" | ").append(r.param("fill").orElse("?"))
                .append(" | ").append(faultPath(r)).append(" | ")
                .append(ShotCounters.millis(ShotCounters.interval(r, "resumeMs"))).append(" | ")
                .append(Fmt.num(ShotCounters.mean(r, "faults"))).append(" | ")
                .append(ShotCounters.latency(ShotCounters.interval(r, "faultP50Us"))).append(" | ")
                .append(ShotCounters.latency(ShotCounters.interval(r, "faultP99Us"))).append(" | ")
                .append(ShotCounters.latency(ShotCounters.interval(r, "faultP999Us"))).append(" | ")
                .append(ShotCounters.latency(ShotCounters.interval(r, "faultMaxUs"))).append(" | ")
                .append(Fmt.num(ShotCounters.mean(r, "prefetchedPages"))).append(" |\n");
        }
        md.append('\n');
    }

    /** @return how a lazy restore's faults came: {@code userfaultfd} or the software gate. */
    static String faultPath(final JmhResult r)
    {
        return r.method().endsWith("Kernel") ? "userfaultfd" : "software gate";
    }

    private static void goals(final StringBuilder md, final List<Goal> goals)
    {
        if (goals.isEmpty())
        {
            md.append("_Issue 24's goals: this run has no row of the ").append(GOAL_GUEST)
                .append(" guest written once to read them from._\n\n");
            return;
        }
        md.append("**Issue 24's goals**, on the ").append(GOAL_GUEST).append(" guest written once, each read from ")
            .append("this run: (a) a stopped save at least ").append(Fmt.plain(SAVE_OF_WRITE)).append(" × the plain ")
            .append("write's speed (write time ÷ save time) with the same threads and O_DIRECT; (b) an eager restore ")
            .append("at least ").append(Fmt.plain(RESTORE_OF_READ)).append(" × the cached plain read's speed with the ")
            .append("same threads; (c) a lazy restore resumes in at most ").append(Fmt.plain(RESUME_GOAL_MS))
            .append(" ms. **met**: the whole 99.9 % interval is on the goal's side; **short**: it misses it wholly; ")
            .append("**unresolved**: the goal lies inside it (the verdict says how many more forks of the same ")
            .append("spread would resolve it).\n\n");
        md.append(AnchorTables.verdictCounts(goals.stream().map(Goal::verdict).toList(), false)).append("\n\n");
        md.append("| goal | row | measured [99.9 % interval] | per-fork means | verdict |\n|---|---|---|---|---|\n");
        for (final Goal g : goals)
        {
            md.append("| ").append(g.goal()).append(" | ").append(g.row()).append(" | ").append(g.measured())
                .append(" | ").append(Fmt.cell(g.forkMeans())).append(" | ")
                .append(AnchorTables.verdictCell(g.verdict(), false)).append(" |\n");
        }
        md.append('\n');
    }

    /** @return issue 24's goals on every row of the goal guest the run has: all of (a), then (b), then (c). */
    static List<Goal> goals(final List<JmhResult> results)
    {
        final List<Goal> goals = new ArrayList<>();
        for (final String method : List.of("saveStopped", "restoreEager"))
        {
            for (final JmhResult r : rows(results))
            {
                if (r.method().equals(method) && onGoalGuest(r))
                {
                    baseline(results, r).ifPresent(b -> goals.add(ratio(r, b)));
                }
            }
        }
        for (final JmhResult r : rows(results))
        {
            if (r.method().equals("lazyResume") && onGoalGuest(r))
            {
                final Verdict.Side side = new Verdict.Side(millis(r), Math.max(1, spread(r).forks()),
                    Math.max(1, spread(r).iterations()));
                goals.add(new Goal("(c) lazy resume ≤ " + Fmt.plain(RESUME_GOAL_MS) + " ms", "–",
                    ShotCounters.millis(side.interval()), spread(r).meansText(toMillis(r)) + " (ms)",
                    Verdict.judge(Verdict.Measure.of(side), RESUME_GOAL_MS, false, List.of(spread(r)), null)));
            }
        }
        return goals;
    }

    /** @return goal (a) or (b) on {@code r}: its baseline's time ÷ its time, at least the goal. */
    private static Goal ratio(final JmhResult r, final JmhResult base)
    {
        final boolean save = r.method().equals("saveStopped");
        final double goal = save ? SAVE_OF_WRITE : RESTORE_OF_READ;
        final Verdict.Measure measure = Verdict.Measure.ratio(side(base), side(r));
        return new Goal((save ? "(a) plain write ÷ stopped save" : "(b) plain read ÷ eager restore") + " ≥ " +
            Fmt.plain(goal), r.param("threads").orElse("?") + " threads" + (save ? ", O_DIRECT " +
            (direct(r) ? "on" : "off") : ""), measure.interval().toString(), r.method() + " " +
            spread(r).meansText(toMillis(r)) + "; " + base.method() + " " + spread(base).meansText(toMillis(base)) +
            " (ms)", Verdict.judge(measure, goal, true, List.of(spread(r), spread(base)), null));
    }

    /**
     * @return {@code r}'s baseline in the same run: for a save, the plain write of the same guest size, threads and
     *         O_DIRECT; for an eager restore, the cached plain read of the same guest size and threads; else none.
     */
    static Optional<JmhResult> baseline(final List<JmhResult> results, final JmhResult r)
    {
        final String method = switch (r.method())
        {
            case "saveStopped", "saveLive", "saveBackground" -> "baselineWrite";
            case "restoreEager" -> "baselineRead";
            default -> null;
        };
        if (method == null)
        {
            return Optional.empty();
        }
        final boolean direct = !method.equals("baselineRead") && direct(r);
        return rows(results).stream().filter(b -> b.method().equals(method) &&
            b.param("guest").equals(r.param("guest")) && b.param("threads").equals(r.param("threads")) &&
            direct(b) == direct).findFirst();
    }

    /** @return the class's rows in the tables' order: operation, guest size, fill, threads, O_DIRECT. */
    static List<JmhResult> rows(final List<JmhResult> results)
    {
        return results.stream().filter(r -> r.simpleClassName().equals(CLASS) && METHODS.contains(r.method()))
            .sorted(Comparator.comparingInt((JmhResult r) -> METHODS.indexOf(r.method()))
                .thenComparing(r -> r.param("guest").orElse(""))
                .thenComparing(r -> r.param("fill").orElse(""), Comparator.reverseOrder())
                .thenComparingInt(r -> Integer.parseInt(r.param("threads").orElse("0")))
                .thenComparing(SnapshotsReport::direct))
            .toList();
    }

    private static boolean onGoalGuest(final JmhResult r)
    {
        return r.param("guest").map(GOAL_GUEST::equals).orElse(false) &&
            r.param("fill").map(f -> Double.parseDouble(f) == Double.parseDouble(GOAL_FILL)).orElse(false);
    }

    private static boolean direct(final JmhResult r)
    {
        return Boolean.parseBoolean(r.param("direct").orElse("false"));
    }

    /** @return {@code on}, {@code off}, {@code refused} (asked, not used) or {@code –} (a row without the choice). */
    private static String directCell(final JmhResult r)
    {
        if (r.param("direct").isEmpty())
        {
            return "–";
        }
        if (!direct(r))
        {
            return "off";
        }
        return ShotCounters.mean(r, "directIo") < 1 ? "**refused**" : "on";
    }

    private static ForkSpread spread(final JmhResult r)
    {
        return ForkSpread.of(r.primary());
    }

    private static Verdict.Side side(final JmhResult r)
    {
        return Verdict.Side.of(r.primary(), toMillis(r));
    }

    /** @return the row's score (a shot's time) as an interval in ms. */
    private static Interval millis(final JmhResult r)
    {
        return Interval.of(r.primary()).times(toMillis(r));
    }

    /** @return the factor from the row's score unit ({@code ms/op} unless JMH was told {@code -tu}) to ms. */
    private static double toMillis(final JmhResult r)
    {
        final String unit = r.primary().unit();
        if (unit.startsWith("ns"))
        {
            return 1e-6;
        }
        if (unit.startsWith("us"))
        {
            return 1e-3;
        }
        return unit.startsWith("s/") ? 1e3 : 1;
    }
}
