package io.livemig.bench.report.chart;

import io.livemig.bench.report.stats.Estimate;
import io.livemig.bench.report.analysis.GranularityAnalysis;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.plot.CombinedDomainXYPlot;
import org.jfree.data.xy.YIntervalSeries;
import org.jfree.data.xy.YIntervalSeriesCollection;

import java.util.Optional;

import static io.livemig.bench.report.chart.Charts.addInterval;
import static io.livemig.bench.report.chart.Charts.chart;
import static io.livemig.bench.report.chart.Charts.log;
import static io.livemig.bench.report.chart.Charts.of;
import static io.livemig.bench.report.chart.Charts.sharedLegend;
import static io.livemig.bench.report.chart.Charts.xyPlot;

/**
 * The dirty-bit granularity trade-off ({@link GranularityAnalysis}): scan time, amplification and modelled cost
 * per round against pages per dirty bit, one panel each.
 *
 * <p>Stateless; thread-safe (each call builds its own chart).
 */
public final class GranularityChart
{
    static
    {
        Charts.headless();
    }

    private GranularityChart()
    {
    }

    /** The granularity trade-off: scan time, amplification and modelled cost per round against pages per bit. */
    public static Optional<JFreeChart> draw(final GranularityAnalysis analysis)
    {
        if (analysis.sweeps().isEmpty())
        {
            return Optional.empty();
        }
        final YIntervalSeriesCollection scan = new YIntervalSeriesCollection();
        final YIntervalSeriesCollection amplification = new YIntervalSeriesCollection();
        final YIntervalSeriesCollection cost = new YIntervalSeriesCollection();
        for (final GranularityAnalysis.Sweep s : analysis.sweeps())
        {
            final YIntervalSeries a = new YIntervalSeries(s.pattern());
            final YIntervalSeries b = new YIntervalSeries(s.pattern());
            final YIntervalSeries c = new YIntervalSeries(s.pattern());
            for (final GranularityAnalysis.Point p : s.points())
            {
                addInterval(a, p.pagesPerBit(), scale(p.scanSeconds(), 1e6));
                addInterval(b, p.pagesPerBit(), new Estimate(p.amplification(), 0));
                addInterval(c, p.pagesPerBit(), scale(p.costSeconds(), 1e3));
            }
            scan.addSeries(a);
            amplification.addSeries(b);
            cost.addSeries(c);
        }
        final LogAxis x = log("pages per dirty bit");
        x.setBase(2);
        x.setSmallestValue(0.5);
        final CombinedDomainXYPlot plot = new CombinedDomainXYPlot(x);
        plot.add(xyPlot(scan, null, log("harvest+scan (µs/round)")));
        plot.add(xyPlot(amplification, null, log("amplification (x)")));
        plot.add(xyPlot(cost, null, log("cost per round (ms)")));
        sharedLegend(plot);
        plot.setGap(12);
        return Optional.of(chart("Dirty-bit granularity: scan cost against transfer amplification", plot,
            analysis.modelText()));
    }

    /** @return {@code e} in another unit: value and error times {@code factor}. */
    private static Estimate scale(final Estimate e, final double factor)
    {
        return new Estimate(e.value() * factor, e.error() * factor);
    }
}
