package io.livemig.bench.report.analysis;

import io.livemig.bench.report.stats.Fmt;
import io.livemig.bench.report.stats.Units;
import io.livemig.bench.report.stats.Estimate;
import io.livemig.bench.report.stats.Metric;
import io.livemig.bench.report.result.JmhResult;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The granularity trade-off from {@code GranularityBenchmark} results: for each access pattern and pages per
 * dirty bit, the measured harvest+scan time per round, the transfer amplification, and the cost per round
 * under a bandwidth model:
 *
 * <pre>
 *   cost per round = harvest+scan time + bytes sent per round / bandwidth
 *   bytes sent per round = sentPages / rounds * 4096       (a whole unit is sent when any page of it is dirty)
 *   amplification = sentPages / writtenPages                (1 = only the pages really written are sent)
 * </pre>
 *
 * Coarser units make the bitmaps smaller (cheaper to harvest and scan) but send clean pages along with dirty
 * ones; which wins depends on how clustered the pattern's writes are and on the link. The recommended
 * granularity of a pattern is the coarsest whose cost is within {@value #TOLERANCE_PERCENT} % of the least:
 * differences that small are within a quick run's noise, and a coarser bitmap is smaller and cheaper to
 * harvest (also in the hypervisor's own dirty-log sync, which this benchmark does not measure).
 *
 * <p>That is the bitmap trackers' model. The dirty ring ({@link #ofRing}) pays per dirty unit instead of per
 * bitmap word: each unit dirtied in a round costs a push (with the stalls and self-collects of a full ring)
 * beyond a bitmap mark, and a collect, reset and publish; the entries name the dirty units, so no scan:
 *
 * <pre>
 *   ring cost per round = dirty units per round * per-unit ring cost + bytes sent per round / bandwidth
 *   dirty units per round = sentPages / rounds / pagesPerBit
 *   per-unit ring cost = MarkBenchmark.markFresh(ring) - markFresh(atomic)
 *                        + CollectSweepBenchmark.collectRing / dirtyPages (at its largest dirtyPages)
 * </pre>
 *
 * <p>A fault-based tracker ({@link #ofFaults}: the kernel's write-protection, {@code uffd-wp}) pays a fault per
 * dirty unit per round, if it un-protects a whole unit on the unit's first write, and protects each harvested
 * unit again: the same form as the ring's, with the kernel's costs measured in the same run:
 *
 * <pre>
 *   per-unit fault cost = KernelTrackingBenchmark.firstWrite(uffd-wp)
 *                         + (harvest(256 dirty) - harvest(clean)) / 256   (4 KiB pages, 256 MiB guest)
 * </pre>
 *
 * The clean harvest's cost per round does not depend on the unit (the kernel walks its own page tables), so it
 * is left out of the comparison between granularities.
 *
 * <p>Immutable; thread-safe.
 */
public final class GranularityAnalysis
{
    /** Simple name of the benchmark class analysed. */
    public static final String CLASS = "GranularityBenchmark";
    /** Its measured method. */
    public static final String METHOD = "harvestAndScan";
    /** Costs within this many percent of the least count as ties. */
    public static final int TOLERANCE_PERCENT = 5;

    /**
     * One granularity of one pattern.
     *
     * @param pagesPerBit   pages per dirty bit.
     * @param scanSeconds   harvest+scan time per round, with JMH's error.
     * @param amplification pages sent / pages written.
     * @param sentBytes     bytes sent per round.
     * @param costSeconds   modelled cost per round (scan + transfer), error from the scan only.
     */
    public record Point(int pagesPerBit, Estimate scanSeconds, double amplification, double sentBytes,
                        Estimate costSeconds)
    {
        /** @return the transfer part of the cost, seconds. */
        public double transferSeconds(final double bandwidth)
        {
            return sentBytes / bandwidth;
        }
    }

    /**
     * One pattern's sweep.
     *
     * @param pattern     the pattern's name.
     * @param points      by increasing pages per bit.
     * @param least       the point of least cost.
     * @param recommended the coarsest point within {@value #TOLERANCE_PERCENT} % of the least cost.
     */
    public record Sweep(String pattern, List<Point> points, Point least, Point recommended)
    {
        /** @return points other than the least whose cost is within the tolerance of the least's. */
        public List<Point> ties()
        {
            final List<Point> near = new ArrayList<>();
            for (final Point p : points)
            {
                if (p != least && withinTolerance(p, least))
                {
                    near.add(p);
                }
            }
            return near;
        }
    }

    static boolean withinTolerance(final Point p, final Point least)
    {
        return p.costSeconds().value() <= least.costSeconds().value() * (1 + TOLERANCE_PERCENT / 100.0);
    }

    private final double bandwidth;
    private final List<Sweep> sweeps;
    /** Seconds per dirty unit for the ring and fault models; NaN for the bitmap model. */
    private final double ringUnitSeconds;
    /** Whether the per-unit cost is the kernel's fault (else the ring's). */
    private final boolean fault;

    private GranularityAnalysis(final double bandwidth, final List<Sweep> sweeps, final double ringUnitSeconds,
                                final boolean fault)
    {
        this.bandwidth = bandwidth;
        this.sweeps = sweeps;
        this.ringUnitSeconds = ringUnitSeconds;
        this.fault = fault;
    }

    /** @return whether this is a per-dirty-unit model, the dirty ring's or the faults' (else the bitmaps'). */
    public boolean ring()
    {
        return !Double.isNaN(ringUnitSeconds);
    }

    /** @return whether this is the fault-based tracker's model. */
    public boolean fault()
    {
        return fault;
    }

    /**
     * @return the fault-based tracker's cost per dirty unit in seconds (see the class comment), empty without
     *         KernelTrackingBenchmark's firstWrite for {@code uffd-wp} and its 4 KiB harvests of the 256 MiB guest,
     *         clean and dirty.
     */
    public static Optional<Double> faultUnitSeconds(final List<JmhResult> results)
    {
        double first = Double.NaN;
        double clean = Double.NaN;
        double dirty = Double.NaN;
        int dirtyPages = 0;
        for (final JmhResult r : results)
        {
            if (!r.simpleClassName().equals("KernelTrackingBenchmark"))
            {
                continue;
            }
            final double s = Units.secondsPerOp(r.primary().score(), r.primary().unit());
            if (r.method().equals("firstWrite") && r.param("tracker").map("uffd-wp"::equals).orElse(false))
            {
                first = s;
            }
            else if (r.method().equals("harvest") && r.param("huge").map("false"::equals).orElse(false) &&
                r.param("guestSize").map("256m"::equals).orElse(false) && r.param("dirty").isPresent())
            {
                final int pages = Integer.parseInt(r.param("dirty").get());
                if (pages == 0)
                {
                    clean = s;
                }
                else
                {
                    dirty = s;
                    dirtyPages = pages;
                }
            }
        }
        final double unit = first + Math.max(0, dirty - clean) / dirtyPages;
        return Double.isNaN(unit) || dirtyPages == 0 ? Optional.empty() : Optional.of(unit);
    }

    /**
     * @param results   a run's results: {@value #CLASS}.{@value #METHOD} with counters, and the kernel's
     *                  per-unit costs (see {@link #faultUnitSeconds}).
     * @param bandwidth link bandwidth for the model, bytes per second.
     * @return the fault-based tracker's analysis; empty if the run lacks the kernel's per-unit costs.
     */
    public static Optional<GranularityAnalysis> ofFaults(final List<JmhResult> results, final double bandwidth)
    {
        return faultUnitSeconds(results).map(unit -> build(results, bandwidth, unit, true));
    }

    /**
     * @return the ring's cost per dirty unit in seconds (see the class comment), empty without a MarkBenchmark
     *         markFresh for {@code ring} and {@code atomic} and a CollectSweepBenchmark collectRing.
     */
    public static Optional<Double> ringUnitSeconds(final List<JmhResult> results)
    {
        double ring = Double.NaN;
        double atomic = Double.NaN;
        double collect = Double.NaN;
        int collectPages = 0;
        for (final JmhResult r : results)
        {
            final double s = Units.secondsPerOp(r.primary().score(), r.primary().unit());
            if (r.simpleClassName().equals("MarkBenchmark") && r.method().equals("markFresh"))
            {
                if (r.param("impl").map("ring"::equals).orElse(false))
                {
                    ring = s;
                }
                else if (r.param("impl").map("atomic"::equals).orElse(false))
                {
                    atomic = s;
                }
            }
            else if (r.simpleClassName().equals("CollectSweepBenchmark") && r.method().equals("collectRing") &&
                r.param("dirtyPages").isPresent())
            {
                final int pages = Integer.parseInt(r.param("dirtyPages").get());
                if (pages > collectPages)
                {
                    collectPages = pages;
                    collect = s / pages;
                }
            }
        }
        final double unit = Math.max(0, ring - atomic) + collect;
        return Double.isNaN(unit) ? Optional.empty() : Optional.of(unit);
    }

    /**
     * @param results   a run's results: {@value #CLASS}.{@value #METHOD} with counters, and the ring's per-unit
     *                  costs (see {@link #ringUnitSeconds}).
     * @param bandwidth link bandwidth for the model, bytes per second.
     * @return the dirty ring's analysis; empty if the run lacks the ring's per-unit costs.
     */
    public static Optional<GranularityAnalysis> ofRing(final List<JmhResult> results, final double bandwidth)
    {
        return ringUnitSeconds(results).map(unit -> build(results, bandwidth, unit, false));
    }

    /** @return the bandwidth of the model, bytes per second. */
    public double bandwidth()
    {
        return bandwidth;
    }

    /** @return one sweep per pattern found, in the benchmark's order (uniform, hotset, zipf, sequential). */
    public List<Sweep> sweeps()
    {
        return sweeps;
    }

    /**
     * @param results   a run's results; only {@value #CLASS}.{@value #METHOD} ones are used.
     * @param bandwidth link bandwidth for the model, bytes per second.
     * @return the analysis; no sweeps if the run has no usable granularity results.
     */
    public static GranularityAnalysis of(final List<JmhResult> results, final double bandwidth)
    {
        return build(results, bandwidth, Double.NaN, false);
    }

    private static GranularityAnalysis build(final List<JmhResult> results, final double bandwidth,
                                             final double ringUnitSeconds, final boolean fault)
    {
        final Map<String, List<Point>> byPattern = new LinkedHashMap<>();
        for (final String known : List.of("uniform", "hotset", "zipf", "sequential"))
        {
            byPattern.put(known, new ArrayList<>());
        }
        for (final JmhResult r : results)
        {
            if (!r.simpleClassName().equals(CLASS) || !r.method().equals(METHOD))
            {
                continue;
            }
            final double unit = Units.secondsPerOp(1, r.primary().unit());
            final Metric sent = r.secondary().get("sentPages");
            final Metric written = r.secondary().get("writtenPages");
            final Metric rounds = r.secondary().get("rounds");
            if (Double.isNaN(unit) || sent == null || written == null || rounds == null || written.score() <= 0 ||
                rounds.score() <= 0 || r.param("pattern").isEmpty() || r.param("pagesPerBit").isEmpty())
            {
                continue;
            }
            final int pagesPerBit = Integer.parseInt(r.param("pagesPerBit").get());
            final Estimate scan = Double.isNaN(ringUnitSeconds) ?
                new Estimate(r.primary().score() * unit, r.primary().error() * unit) :
                new Estimate(sent.score() / rounds.score() / pagesPerBit * ringUnitSeconds, 0);
            final double sentBytes = sent.score() / rounds.score() * Units.PAGE_BYTES;
            final double cost = scan.value() + sentBytes / bandwidth;
            byPattern.computeIfAbsent(r.param("pattern").get(), k -> new ArrayList<>()).add(new Point(
                Integer.parseInt(r.param("pagesPerBit").get()), scan, sent.score() / written.score(), sentBytes,
                new Estimate(cost, scan.error())));
        }
        final List<Sweep> sweeps = new ArrayList<>();
        byPattern.forEach((pattern, points) ->
        {
            if (!points.isEmpty())
            {
                points.sort(Comparator.comparingInt(Point::pagesPerBit));
                final Point least = points.stream().min(Comparator.comparingDouble(p -> p.costSeconds().value())).get();
                Point recommended = least;
                for (final Point p : points)
                {
                    if (withinTolerance(p, least) && p.pagesPerBit() > recommended.pagesPerBit())
                    {
                        recommended = p;
                    }
                }
                sweeps.add(new Sweep(pattern, List.copyOf(points), least, recommended));
            }
        });
        return new GranularityAnalysis(bandwidth, List.copyOf(sweeps), ringUnitSeconds, fault);
    }

    /** @return the model in one sentence, with the bandwidth. */
    public String modelText()
    {
        if (fault)
        {
            return "kernel faults (uffd-wp): cost per round = dirty units per round x " + Fmt.num(ringUnitSeconds * 1e6) +
                " us (a write fault per unit, and protecting it again at the harvest, measured in this run) + " +
                "bytes sent per round / bandwidth, at " + Units.bandwidthText(bandwidth) +
                "; bytes sent = every page of every dirty unit";
        }
        if (ring())
        {
            return "dirty ring: cost per round = dirty units per round x " + Fmt.num(ringUnitSeconds * 1e9) +
                " ns (push beyond a bitmap mark, stalls, collect and reset per unit, measured in this run) + " +
                "bytes sent per round / bandwidth, at " + Units.bandwidthText(bandwidth) +
                "; bytes sent = every page of every dirty unit";
        }
        return "cost per round = harvest+scan time + bytes sent per round / bandwidth, at " +
            Units.bandwidthText(bandwidth) + "; bytes sent = every page of every dirty unit";
    }

    /** @return what the tracker's own cost is called: harvest+scan for the bitmaps, ring work for the ring. */
    String costLabel()
    {
        return fault ? "fault work" : ring() ? "ring work" : "harvest+scan";
    }

    /** @return the recommendation table: one row per pattern. */
    public String recommendationTable()
    {
        final StringBuilder md = new StringBuilder();
        md.append("| pattern | recommended pages per bit | cost per round | ").append(costLabel())
            .append(" | amplification | ")
            .append("least cost at | within ").append(TOLERANCE_PERCENT).append(" % of least |\n");
        md.append("|---|---|---|---|---|---|---|\n");
        for (final Sweep s : sweeps)
        {
            final Point r = s.recommended();
            md.append("| ").append(s.pattern()).append(" | **").append(r.pagesPerBit()).append("** | ")
                .append(ms(r.costSeconds().value())).append(" | ").append(us(r.scanSeconds())).append(" | ")
                .append(Fmt.num(r.amplification())).append("x | ").append(s.least().pagesPerBit()).append(" | ")
                .append(list(s.ties())).append(" |\n");
        }
        return md.toString();
    }

    /** @return per pattern, the full sweep table and the reasoning that names the recommendation. */
    public String detail()
    {
        final StringBuilder md = new StringBuilder();
        for (final Sweep s : sweeps)
        {
            md.append("\n**").append(s.pattern()).append("**\n\n");
            md.append("| pages per bit | ").append(costLabel())
                .append(" per round | amplification | MiB sent per round | transfer | ")
                .append("cost per round |\n");
            md.append("|---|---|---|---|---|---|\n");
            for (final Point p : s.points())
            {
                final boolean chosen = p == s.recommended();
                md.append("| ").append(chosen ? "**" + p.pagesPerBit() + "**" : String.valueOf(p.pagesPerBit()))
                    .append(" | ").append(us(p.scanSeconds())).append(" | ").append(Fmt.num(p.amplification()))
                    .append("x | ").append(Fmt.num(p.sentBytes() / (1024.0 * 1024))).append(" | ")
                    .append(ms(p.transferSeconds(bandwidth))).append(" | ").append(ms(p.costSeconds().value()))
                    .append(p == s.least() ? " (least)" : "").append(chosen ? " (recommended)" : "").append(" |\n");
            }
            md.append('\n').append(reasoning(s)).append('\n');
        }
        return md.toString();
    }

    /** @return why the recommended granularity of {@code s} is recommended, in words and numbers. */
    String reasoning(final Sweep s)
    {
        final Point first = s.points().get(0);
        final Point last = s.points().get(s.points().size() - 1);
        final Point least = s.least();
        final StringBuilder text = new StringBuilder(String.format(Locale.ROOT,
            "From %d to %d pages per bit, " + costLabel() + " falls from %s to %s per round while amplification " +
            "grows from %sx to %sx (transfer %s to %s). ",
            first.pagesPerBit(), last.pagesPerBit(), us(first.scanSeconds()), us(last.scanSeconds()),
            Fmt.num(first.amplification()), Fmt.num(last.amplification()),
            ms(first.transferSeconds(bandwidth)), ms(last.transferSeconds(bandwidth))));
        text.append(String.format(Locale.ROOT, "The least cost is at %s: %s per round, %.1f %% of it " +
            costLabel(), perBit(least.pagesPerBit()), ms(least.costSeconds().value()),
            100 * least.scanSeconds().value() / least.costSeconds().value()));
        if (least == first)
        {
            text.append("; every coarser unit sends more clean pages than its cheaper ")
                .append(ring() ? "ring work" : "scan").append(" saves. ");
        }
        else if (least == last)
        {
            text.append("; the writes are clustered enough that coarse units add almost no clean pages. ");
        }
        else
        {
            text.append("; finer units cost more to scan, coarser ones send more clean pages. ");
        }
        if (s.ties().isEmpty())
        {
            text.append("No other granularity comes within ").append(TOLERANCE_PERCENT).append(" %: recommended **")
                .append(perBit(s.recommended().pagesPerBit())).append("**.");
        }
        else
        {
            text.append("Within ").append(TOLERANCE_PERCENT).append(" % of it: ").append(list(s.ties()))
                .append(" pages per bit, a difference within a quick run's noise; recommended is the coarsest, **")
                .append(perBit(s.recommended().pagesPerBit())).append("**, for the smaller bitmap.");
        }
        return text.toString();
    }

    private static String perBit(final int pages)
    {
        return pages == 1 ? "1 page per bit" : pages + " pages per bit";
    }

    private static String list(final List<Point> points)
    {
        return points.isEmpty() ? "none" :
            String.join(", ", points.stream().map(p -> String.valueOf(p.pagesPerBit())).toList());
    }

    static String ms(final double seconds)
    {
        return Fmt.num(seconds * 1e3) + " ms";
    }

    static String us(final Estimate seconds)
    {
        return Fmt.withError(seconds.value() * 1e6, seconds.error() * 1e6) + " µs";
    }
}
