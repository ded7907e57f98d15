package io.livemig.bench.report.chart;

import io.livemig.bench.report.stats.Units;
import io.livemig.bench.report.result.JmhResult;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.CategoryLabelPositions;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.plot.CategoryPlot;
import org.jfree.chart.plot.CombinedDomainXYPlot;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.XYPlot;
import org.jfree.data.statistics.DefaultStatisticalCategoryDataset;
import org.jfree.data.xy.YIntervalSeriesCollection;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

import static io.livemig.bench.report.chart.Charts.barPlot;
import static io.livemig.bench.report.chart.Charts.chart;
import static io.livemig.bench.report.chart.Charts.errorOrZero;
import static io.livemig.bench.report.chart.Charts.log;
import static io.livemig.bench.report.chart.Charts.of;
import static io.livemig.bench.report.chart.Charts.seriesBy;
import static io.livemig.bench.report.chart.Charts.sharedLegend;
import static io.livemig.bench.report.chart.Charts.unit;
import static io.livemig.bench.report.chart.Charts.xyPlot;

/**
 * The dirty trackers' charts: nextDirty against density, the cost of a mark by case, harvest and scan time
 * against guest size, and each tracker's sync cost against guest size and against dirty pages.
 *
 * <p>Stateless; thread-safe (each call builds its own chart).
 */
public final class DirtyCharts
{
    static
    {
        Charts.headless();
    }

    private DirtyCharts()
    {
    }

    /** nextDirty enumeration time against density, log-log: flat, summary, BitSet, memory read. */
    public static Optional<JFreeChart> nextDirtyByDensity(final List<JmhResult> results)
    {
        final List<JmhResult> rows = of(results, "NextDirtyBenchmark", r -> r.param("density").isPresent());
        if (rows.isEmpty())
        {
            return Optional.empty();
        }
        final YIntervalSeriesCollection data = seriesBy(rows, JmhResult::method,
            r -> Double.parseDouble(r.param("density").get()) * 100, r -> r.primary().estimate());
        final XYPlot plot = xyPlot(data, log("density of set bits (%)"),
            log("time per full enumeration (" + unit(rows) + ")"));
        return Optional.of(chart("nextDirty over 2^28 units: cost against density", plot,
            "lower is better; the memory read is the floor of any full scan"));
    }

    /** Mark cost by case (fresh, re-mark, contended groups, baselines), one bar per implementation. */
    public static Optional<JFreeChart> markCost(final List<JmhResult> results)
    {
        final List<JmhResult> rows = of(results, "MarkBenchmark", r -> true);
        if (rows.isEmpty())
        {
            return Optional.empty();
        }
        final DefaultStatisticalCategoryDataset data = new DefaultStatisticalCategoryDataset();
        final List<String> order = List.of("markFresh", "markFreshX2", "markDirty", "markDirtyX2", "sameWord",
            "differentWords",
            "baselinePlainStore", "baselineAtomicLongArray", "baselineAtomicSameWord");
        final List<JmhResult> sorted = new ArrayList<>(rows);
        sorted.sort((a, b) -> Integer.compare(rank(order, a.method()), rank(order, b.method())));
        for (final JmhResult r : sorted)
        {
            final String label = caseLabel(r.method());
            data.add(r.primary().score(), errorOrZero(r.primary().error()), r.param("impl").orElse("-"), label);
        }
        final CategoryPlot plot = barPlot(data, "case", "time per mark (" + unit(rows) + ")", PlotOrientation.VERTICAL);
        plot.getDomainAxis().setCategoryLabelPositions(
            CategoryLabelPositions.createUpRotationLabelPositions(Math.PI / 8));
        return Optional.of(chart("Marking a page dirty, by case", plot,
            "lower is better; x2 = two threads (@GroupThreads(2)) on the same or on different words"));
    }

    private static String caseLabel(final String method)
    {
        switch (method)
        {
            case "markFresh": return "fresh (bit clear)";
            case "markDirty": return "re-mark (bit set)";
            case "markFreshX2": return "fresh x2 (own halves)";
            case "markDirtyX2": return "re-mark x2 (own halves)";
            case "sameWord": return "same word x2";
            case "differentWords": return "different words x2";
            case "baselinePlainStore": return "baseline: plain store";
            case "baselineAtomicLongArray": return "baseline: AtomicLongArray OR";
            case "baselineAtomicSameWord": return "baseline: atomic same word x2";
            default: return method;
        }
    }

    /** Harvest and scan time against guest size, one panel per density. */
    public static Optional<JFreeChart> scaling(final List<JmhResult> results)
    {
        return againstGuestSize(results, "ScalingBenchmark", "density", d -> "density " + d,
            "Harvest and scan time against guest size",
            "lower is better; fixed densities; the memory read is the floor of a full pass");
    }

    /** Sync cost per tracker against guest size, one panel per number of dirty pages ({@code CollectBenchmark}). */
    public static Optional<JFreeChart> collectBySize(final List<JmhResult> results)
    {
        return againstGuestSize(results, "CollectBenchmark", "dirtyPages", count -> count + " dirty pages",
            "Sync cost per tracker against guest size",
            "lower is better; the ring beats the bitmap where collectRing is below harvestFlat");
    }

    /**
     * Time against guest size on a log-2 axis, one series per method, one stacked panel per value of
     * {@code panelParam} (in the results' order), the panels sharing one legend.
     *
     * @param simpleClass the benchmark class whose results have {@code guest} and {@code panelParam}.
     * @param panelLabel  the start of a panel's axis label for a value of {@code panelParam}.
     */
    private static Optional<JFreeChart> againstGuestSize(final List<JmhResult> results, final String simpleClass,
                                                         final String panelParam,
                                                         final Function<String, String> panelLabel,
                                                         final String title, final String subtitle)
    {
        final List<JmhResult> rows = of(results, simpleClass,
            r -> r.param("guest").isPresent() && r.param(panelParam).isPresent());
        if (rows.isEmpty())
        {
            return Optional.empty();
        }
        final LogAxis x = log("guest size (GiB of 4 KiB pages)");
        x.setBase(2);
        final CombinedDomainXYPlot plot = new CombinedDomainXYPlot(x);
        final Set<String> values = new LinkedHashSet<>();
        rows.forEach(r -> values.add(r.param(panelParam).get()));
        for (final String value : values)
        {
            final List<JmhResult> panel = new ArrayList<>();
            rows.stream().filter(r -> r.param(panelParam).get().equals(value)).forEach(panel::add);
            final YIntervalSeriesCollection data = seriesBy(panel, JmhResult::method,
                r -> Units.guestGiB(r.param("guest").get()), r -> r.primary().estimate());
            plot.add(xyPlot(data, null, log(panelLabel.apply(value) + ": " + unit(rows))));
        }
        sharedLegend(plot);
        return Optional.of(chart(title, plot, subtitle));
    }

    /** Sync cost per tracker against the number of dirty pages at one guest size ({@code CollectSweepBenchmark}). */
    public static Optional<JFreeChart> collectByDirtyPages(final List<JmhResult> results)
    {
        final List<JmhResult> rows = of(results, "CollectSweepBenchmark",
            r -> r.param("guest").isPresent() && r.param("dirtyPages").isPresent());
        if (rows.isEmpty())
        {
            return Optional.empty();
        }
        final LogAxis x = log("dirty pages per sync");
        x.setBase(2);
        final YIntervalSeriesCollection data = seriesBy(rows, r -> r.method() + " " + r.param("guest").get(),
            r -> Double.parseDouble(r.param("dirtyPages").get()), r -> r.primary().estimate());
        return Optional.of(chart("Sync cost per tracker against dirty pages", xyPlot(data, x,
            log("time per sync (" + unit(rows) + ")")),
            "lower is better; the ring beats the bitmap where collectRing is below harvestFlat"));
    }

    /** @return where {@code method} stands in {@code order}, every other method after it. */
    private static int rank(final List<String> order, final String method)
    {
        final int i = order.indexOf(method);
        return i < 0 ? order.size() : i;
    }
}
