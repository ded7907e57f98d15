package io.livemig.bench.report.section;

import io.livemig.bench.report.result.EnvJson;
import io.livemig.bench.report.result.JmhResult;
import io.livemig.bench.report.stats.Fmt;
import io.livemig.bench.report.stats.ForkSpread;
import io.livemig.bench.report.stats.Interval;
import io.livemig.bench.report.stats.Verdict;
import io.livemig.cli.SizeParser;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.ToLongFunction;

/**
 * The report's "Software vs kernel faults" section, from {@code PostcopyFaultsBenchmark}: post-copy fault
 * latency p50/p99/max per shot, software gates against userfaultfd MISSING faults, on the memory link and over
 * TCP, for each guest size and bandwidth the run has, without and with the preempt connection (issue 23), each
 * row beside the scheduling floor its forks measured after every shot; then issue 23's three goals, each read
 * with its 99.9 % interval ({@link Verdict}); QEMU's published page-request latency as orientation. Where the
 * kernel method was not measured, the section says why (env.json's {@code kernel.skipped}, the runner's probe).
 * Results from before issue 23 (no {@code preempt}, {@code guest} or {@code bandwidth} parameter) read as what
 * the class ran then: without preempt, a 16 MiB guest at 256 MiB/s.
 *
 * <p>Stateless; thread-safe.
 */
public final class PostcopyFaultsReport
{
    static final String CLASS = "PostcopyFaultsBenchmark";
    /** Goal (a): fault p99 with preempt at most this share of the p99 without. */
    static final double P99_WITH_OF_WITHOUT = 0.3;
    /** Goal (b): software faults' p50 with preempt at 256 MiB/s, µs. */
    static final double P50_GOAL_US = 100;
    /** Goal (b) holds at this bandwidth. */
    static final long P50_GOAL_BANDWIDTH = 256L << 20;
    /** Goal (c): post-copy time with preempt at most this multiple of the time without. */
    static final double POSTCOPY_WITH_OF_WITHOUT = 1.05;

    private static final List<String> METHODS = List.of("softwareFaults", "kernelFaults");
    private static final List<String> LINKS = List.of("memory", "tcp");

    /**
     * One pair of rows: everything but {@code preempt}.
     *
     * @param method    {@code softwareFaults} or {@code kernelFaults}.
     * @param link      {@code memory} or {@code tcp}.
     * @param guest     the guest size as the parameter spells it, e.g. {@code 16m}.
     * @param bandwidth the link's bandwidth as the parameter spells it, e.g. {@code 256m}.
     */
    record Setting(String method, String link, String guest, String bandwidth)
    {
        /** @return {@code software} or {@code kernel}. */
        String faults()
        {
            return method.replace("Faults", "");
        }

        boolean matches(final JmhResult r)
        {
            return r.simpleClassName().equals(CLASS) && r.method().equals(method) &&
                r.param("link").map(link::equals).orElse(false) && guestOf(r).equals(guest) &&
                bandwidthOf(r).equals(bandwidth);
        }
    }

    /**
     * One of issue 23's goals on one setting.
     *
     * @param goal      what is held to what, e.g. {@code p99 with ÷ without preempt ≤ 0.3}.
     * @param setting   the rows it reads.
     * @param measured  the estimate and its 99.9 % interval, as shown.
     * @param forkMeans each side's per-fork means.
     * @param verdict   met, short, unresolved or bimodal.
     * @param floor     the wake-up floor with preempt beside it, e.g. {@code 48.00 µs [40.10, 55.90]}, or {@code –}.
     */
    record Goal(String goal, Setting setting, String measured, String forkMeans, Verdict verdict, String floor)
    {
    }

    private PostcopyFaultsReport()
    {
    }

    /** Appends the section. */
    public static void section(final StringBuilder md, final List<JmhResult> results, final Map<String, Object> env)
    {
        md.append("## Software vs kernel faults (post-copy)\n\n");
        if (results.stream().noneMatch(r -> r.simpleClassName().equals(CLASS)))
        {
            md.append("_Not measured in this run: no ").append(CLASS).append(" results._\n\n");
            return;
        }
        md.append("One shot is a post-copy migration of a guest of `guest` bytes, half its pages holding data, over a ")
            .append("link of `bandwidth` bytes/s, two destination vCPUs writing random pages flat out (`").append(CLASS)
            .append("`; `scripts/migrate --mode postcopy --faults software|kernel [--postcopy-preempt]`). Software: a ")
            .append("vCPU parks at a gate, latency from its park to its wake-up. Kernel (userfaultfd MISSING mode, ")
            .append("JDK 22+): the vCPU blocks in the kernel, latency from the fault thread's read of the fault message ")
            .append("to the page's `UFFDIO_COPY` (the kernel's delivery and wake-up are outside it). Without preempt a ")
            .append("request waits for the source's migration thread, between pushed pages, behind its page buffer; ")
            .append("with it the request's page goes at once on a connection of its own (QEMU's postcopy-preempt), ")
            .append("and the row without preempt is its baseline in the same run. Each figure is the mean over shots ")
            .append("of that shot's value, with the 99.9 % interval of the shots in brackets; *by preempt* counts the ")
            .append("faults whose page came on the preempt connection, and their p99. The floor is the latency of ")
            .append("waking a thread blocked on a read of a pipe of the same link kind, measured in the same fork ")
            .append("right after each shot: no fault is served faster than one such wake-up; *under load* is the same ")
            .append("while four threads spin, as many as a shot keeps running (two vCPUs, the push, the destination's ")
            .append("reader), so the woken thread waits for one of the two cores as a fault's does.\n\n")
            .append("| faults | link | guest | bandwidth | preempt | faults per shot | p50 | p99 | max | by preempt | ")
            .append("post-copy | floor p50 | floor p99 | under load p50 | under load p99 |\n")
            .append("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n");
        for (final Setting s : settings(results))
        {
            row(md, results, s, false);
            row(md, results, s, true);
        }
        md.append('\n');
        if (results.stream().noneMatch(r -> r.simpleClassName().equals(CLASS) && r.method().equals("kernelFaults")))
        {
            md.append("_Kernel faults not measured in this run: ")
                .append(EnvJson.text(env, "kernel.skipped", "no kernelFaults results")).append("._\n\n");
        }
        goals(md, goals(results));
        md.append("Published anchor: QEMU's post-copy page-request latency averaged 12.1 ms without the preempt ")
            .append("channel and 0.5 ms with it (20 GB guest, 10 Gb/s; Peter Xu's postcopy-preempt series): ")
            .append("orientation only, another machine and another guest. Here, without preempt, a request waits ")
            .append("behind at most the source's 64 KiB page buffer and one pushed page.\n\n");
    }

    private static void goals(final StringBuilder md, final List<Goal> goals)
    {
        if (goals.isEmpty())
        {
            md.append("_Issue 23's goals: this run has no row with and without preempt to read them from._\n\n");
            return;
        }
        md.append("**Issue 23's goals**, each read from this run's shots: (a) fault p99 with preempt at most ")
            .append(Fmt.plain(P99_WITH_OF_WITHOUT)).append(" × the p99 without, on every row; (b) software faults ")
            .append("at 256 MiB/s with preempt: p50 at most ").append(Fmt.plain(P50_GOAL_US)).append(" µs; (c) ")
            .append("post-copy time with preempt within ").append(Fmt.plain((POSTCOPY_WITH_OF_WITHOUT - 1) * 100))
            .append(" % of the time without. A shot's figure is one value; the interval pools every fork's shots ")
            .append("as JMH pools a score's iterations, and a ratio's interval comes from both sides' (on the log ")
            .append("scale). **met**: the whole 99.9 % interval is on the goal's side; **short**: it misses it ")
            .append("wholly; **unresolved**: the goal lies inside it (the verdict says how many more forks of the ")
            .append("same spread would resolve it), or a side has a single shot and no interval. The floor beside ")
            .append("(a) and (b) is the wake-up floor under load of the same rows with preempt (the p99 beside (a), ")
            .append("the p50 beside (b)): a fault's latency crosses at least one such wake-up.\n\n");
        md.append(AnchorTables.verdictCounts(goals.stream().map(Goal::verdict).toList(), false)).append("\n\n");
        md.append("| goal | faults | link | guest | bandwidth | measured [99.9 % interval] | per-fork means | verdict | ")
            .append("floor under load, with preempt |\n|---|---|---|---|---|---|---|---|---|\n");
        for (final Goal g : goals)
        {
            md.append("| ").append(g.goal()).append(" | ").append(g.setting().faults()).append(" | ")
                .append(g.setting().link()).append(" | ").append(g.setting().guest()).append(" | ")
                .append(g.setting().bandwidth()).append(" | ").append(g.measured()).append(" | ")
                .append(Fmt.cell(g.forkMeans())).append(" | ")
                .append(AnchorTables.verdictCell(g.verdict(), false)).append(" | ").append(g.floor()).append(" |\n");
        }
        md.append('\n');
    }

    /** @return issue 23's goals on every setting the run has: all of (a), then (b), then (c). */
    static List<Goal> goals(final List<JmhResult> results)
    {
        final List<Goal> p99 = new ArrayList<>();
        final List<Goal> p50 = new ArrayList<>();
        final List<Goal> postcopy = new ArrayList<>();
        for (final Setting s : settings(results))
        {
            final Optional<JmhResult> off = find(results, s, false);
            final Optional<JmhResult> on = find(results, s, true);
            if (on.isEmpty())
            {
                continue;
            }
            if (off.isPresent())
            {
                ratio(s, "(a) p99 with ÷ without preempt", on.get(), off.get(), "faultP99Us", P99_WITH_OF_WITHOUT,
                    "µs", ShotCounters.latency(ShotCounters.interval(on.get(), "loadedFloorP99Us"))).ifPresent(p99::add);
                ratio(s, "(c) post-copy time with ÷ without preempt", on.get(), off.get(), "postcopyMs",
                    POSTCOPY_WITH_OF_WITHOUT, "ms", "–").ifPresent(postcopy::add);
            }
            if (s.method().equals("softwareFaults") && size(s.bandwidth()) == P50_GOAL_BANDWIDTH)
            {
                ShotCounters.side(on.get(), "faultP50Us").ifPresent(side -> {
                    final Verdict verdict = Verdict.judge(Verdict.Measure.of(side), P50_GOAL_US, false,
                        List.of(spread(on.get(), "faultP50Us")), null);
                    p50.add(new Goal("(b) p50 with preempt ≤ " + Fmt.plain(P50_GOAL_US) + " µs", s,
                        ShotCounters.latency(side.interval()), spread(on.get(), "faultP50Us").meansText(1) + " (µs)",
                        verdict, ShotCounters.latency(ShotCounters.interval(on.get(), "loadedFloorP50Us"))));
                });
            }
        }
        final List<Goal> all = new ArrayList<>(p99);
        all.addAll(p50);
        all.addAll(postcopy);
        return all;
    }

    /** @return the goal {@code counter with ÷ without ≤ goal}, if both results have the counter. */
    private static Optional<Goal> ratio(final Setting s, final String name, final JmhResult on, final JmhResult off,
                                        final String counter, final double goal, final String unit, final String floor)
    {
        final Optional<Verdict.Side> with = ShotCounters.side(on, counter);
        final Optional<Verdict.Side> without = ShotCounters.side(off, counter);
        if (with.isEmpty() || without.isEmpty())
        {
            return Optional.empty();
        }
        final Verdict.Measure measure = Verdict.Measure.ratio(with.get(), without.get());
        final Verdict verdict = Verdict.judge(measure, goal, false, List.of(spread(on, counter), spread(off, counter)),
            null);
        return Optional.of(new Goal(name + " ≤ " + Fmt.plain(goal), s, measure.interval().toString(),
            "with " + spread(on, counter).meansText(1) + "; without " + spread(off, counter).meansText(1) + " (" +
                unit + ")", verdict, floor));
    }

    private static ForkSpread spread(final JmhResult r, final String counter)
    {
        return r.secondary(counter).map(ForkSpread::of).orElse(null);
    }

    private static void row(final StringBuilder md, final List<JmhResult> results, final Setting s,
                            final boolean preempt)
    {
        final Optional<JmhResult> found = find(results, s, preempt);
        if (found.isEmpty())
        {
            return;
        }
        final JmhResult r = found.get();
        md.append("| ").append(s.faults()).append(" | ").append(s.link()).append(" | ").append(s.guest())
            .append(" | ").append(s.bandwidth()).append(" | ").append(preempt ? "on" : "off").append(" | ")
            .append(Fmt.num(ShotCounters.mean(r, "faults"))).append(" | ")
            .append(ShotCounters.latency(ShotCounters.interval(r, "faultP50Us"))).append(" | ")
            .append(ShotCounters.latency(ShotCounters.interval(r, "faultP99Us"))).append(" | ")
            .append(ShotCounters.latency(ShotCounters.interval(r, "faultMaxUs"))).append(" | ")
            .append(preempt ? byPreempt(r) : "–").append(" | ")
            .append(ShotCounters.millis(ShotCounters.interval(r, "postcopyMs"))).append(" | ")
            .append(ShotCounters.latency(ShotCounters.interval(r, "floorP50Us"))).append(" | ")
            .append(ShotCounters.latency(ShotCounters.interval(r, "floorP99Us"))).append(" | ")
            .append(ShotCounters.latency(ShotCounters.interval(r, "loadedFloorP50Us"))).append(" | ")
            .append(ShotCounters.latency(ShotCounters.interval(r, "loadedFloorP99Us"))).append(" |\n");
    }

    /** @return e.g. {@code 1180 (p99 305.0 µs)}: faults served on the preempt connection per shot, and their p99. */
    private static String byPreempt(final JmhResult r)
    {
        final double faults = ShotCounters.mean(r, "faultsByPreempt");
        if (Double.isNaN(faults))
        {
            return "–";
        }
        final Interval p99 = ShotCounters.interval(r, "faultsByPreemptP99Us");
        return Fmt.num(faults) + (Double.isNaN(p99.value()) ? "" : " (p99 " + ShotCounters.latency(p99) + ")");
    }

    /** @return every setting the run has, in the table's order: faults, link, guest size, bandwidth. */
    static List<Setting> settings(final List<JmhResult> results)
    {
        return results.stream().filter(r -> r.simpleClassName().equals(CLASS))
            .map(r -> new Setting(r.method(), r.param("link").orElse("?"), guestOf(r), bandwidthOf(r))).distinct()
            .sorted(Comparator.comparingInt((Setting s) -> order(METHODS, s.method()))
                .thenComparingInt(s -> order(LINKS, s.link())).thenComparing(Setting::link)
                .thenComparingLong(bySize(Setting::guest)).thenComparingLong(bySize(Setting::bandwidth)))
            .toList();
    }

    private static Optional<JmhResult> find(final List<JmhResult> results, final Setting s, final boolean preempt)
    {
        return results.stream().filter(r -> s.matches(r) && preemptOf(r) == preempt).findFirst();
    }

    private static String guestOf(final JmhResult r)
    {
        return r.param("guest").orElse("16m");
    }

    private static String bandwidthOf(final JmhResult r)
    {
        return r.param("bandwidth").orElse("256m");
    }

    private static boolean preemptOf(final JmhResult r)
    {
        return Boolean.parseBoolean(r.param("preempt").orElse("false"));
    }

    private static int order(final List<String> known, final String value)
    {
        final int i = known.indexOf(value);
        return i < 0 ? known.size() : i;
    }

    private static ToLongFunction<Setting> bySize(final Function<Setting, String> field)
    {
        return s -> size(field.apply(s));
    }

    /** @return a size parameter in bytes, or {@link Long#MAX_VALUE} if it is not one (sorted last). */
    private static long size(final String text)
    {
        try
        {
            return SizeParser.parsePerSecond(text);
        }
        catch (final IllegalArgumentException ex)
        {
            return Long.MAX_VALUE;
        }
    }
}
