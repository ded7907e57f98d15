package io.livemig.bench.report.chart;

import io.livemig.bench.report.stats.Estimate;
import io.livemig.bench.report.stats.Metric;
import io.livemig.bench.report.result.JmhResult;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.plot.CombinedDomainXYPlot;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYErrorRenderer;
import org.jfree.chart.util.ShapeUtils;
import org.jfree.data.xy.YIntervalSeries;
import org.jfree.data.xy.YIntervalSeriesCollection;

import java.awt.Color;
import java.awt.geom.Ellipse2D;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static io.livemig.bench.report.chart.Charts.chart;
import static io.livemig.bench.report.chart.Charts.log;
import static io.livemig.bench.report.chart.Charts.of;
import static io.livemig.bench.report.chart.Charts.seriesBy;
import static io.livemig.bench.report.chart.Charts.sharedLegend;
import static io.livemig.bench.report.chart.Charts.xyPlot;

/**
 * Pre-copy, post-copy and hybrid migrations against dirty rate / bandwidth (MigrationBenchmark's counters): how
 * each run ended marks its points.
 *
 * <p>Stateless; thread-safe (each call builds its own chart).
 */
public final class MigrationChart
{
    static
    {
        Charts.headless();
    }

    /** Legend entry of runs forced through. */
    static final String NOT_CONVERGED = "did not converge";
    /** Legend entry of hybrid runs that handed over to post-copy. */
    static final String SWITCHED = "switched to post-copy";

    private MigrationChart()
    {
    }

    /**
     * Pre-copy against post-copy: downtime and total time against dirty rate / bandwidth, per mode, from
     * MigrationBenchmark's auxiliary counters (mean per shot). Runs in which some shot neither converged nor
     * handed over to post-copy (a forced stop) are crossed; hybrid runs that handed over to post-copy
     * ({@code switchedToPostcopy}; runs recorded before that counter look like forced stops) get a ring.
     */
    public static Optional<JFreeChart> draw(final List<JmhResult> results)
    {
        final List<JmhResult> rows = of(results, "MigrationBenchmark", r -> r.method().equals("migrate") &&
            r.param("ratio").isPresent() && r.secondary().containsKey("downtimeMs") &&
            r.secondary().containsKey("totalMs"));
        if (rows.isEmpty())
        {
            return Optional.empty();
        }
        final NumberAxis x = new NumberAxis("dirty rate / bandwidth");
        final CombinedDomainXYPlot plot = new CombinedDomainXYPlot(x);
        for (final String[] metric : new String[][] {{"downtimeMs", "downtime (ms)"}, {"totalMs", "total time (ms)"}})
        {
            final YIntervalSeriesCollection data = seriesBy(rows, r -> r.param("mode").orElse("migrate"),
                r -> Double.parseDouble(r.param("ratio").get()),
                r -> new Estimate(r.secondary().get(metric[0]).meanPerIteration(), 0));
            final YIntervalSeries notConverged = new YIntervalSeries(NOT_CONVERGED);
            final YIntervalSeries switched = new YIntervalSeries(SWITCHED);
            for (final JmhResult r : rows)
            {
                final double y = r.secondary().get(metric[0]).meanPerIteration();
                final double ratio = Double.parseDouble(r.param("ratio").get());
                switch (outcome(r))
                {
                    case FORCED: notConverged.add(ratio, y, y, y); break;
                    case SWITCHED: switched.add(ratio, y, y, y); break;
                    default: break;
                }
            }
            final int first = data.getSeriesCount();
            final List<YIntervalSeries> marks = new ArrayList<>();
            for (final YIntervalSeries series : List.of(notConverged, switched))
            {
                if (series.getItemCount() > 0)
                {
                    data.addSeries(series);
                    marks.add(series);
                }
            }
            final boolean positive = rows.stream().allMatch(r -> r.secondary().get(metric[0]).meanPerIteration() > 0);
            final XYPlot panel = xyPlot(data, null, positive ? log(metric[1]) : new NumberAxis(metric[1]));
            final XYErrorRenderer renderer = (XYErrorRenderer)panel.getRenderer();
            for (int i = 0; i < marks.size(); i++)
            {
                final int series = first + i;
                final boolean crossed = marks.get(i) == notConverged;
                renderer.setSeriesLinesVisible(series, false);
                renderer.setSeriesShape(series, crossed ? ShapeUtils.createDiagonalCross(6, 1.5f) :
                    new Ellipse2D.Double(-7, -7, 14, 14));
                renderer.setSeriesShapesFilled(series, crossed);
                renderer.setSeriesPaint(series, Color.BLACK);
            }
            plot.add(panel);
        }
        sharedLegend(plot);
        return Optional.of(chart("Pre-copy and post-copy against dirty rate / bandwidth", plot,
            "mean per single shot; crossed points did not converge (a forced stop, not a successful switch-over); "
                + "ringed points switched to post-copy as designed (hybrid)"));
    }

    /** How a MigrationBenchmark run ended, for its marker. */
    enum Outcome
    {
        /** Every shot converged. */
        CONVERGED,
        /** Every shot converged or handed over to post-copy, at least one handed over. */
        SWITCHED,
        /** At least one shot was forced through. */
        FORCED
    }

    /** @return how {@code r}'s shots ended, from its converged and switchedToPostcopy counters. */
    static Outcome outcome(final JmhResult r)
    {
        final Metric converged = r.secondary().get("converged");
        final Metric switched = r.secondary().get("switchedToPostcopy");
        final double c = converged == null ? 1 : converged.meanPerIteration();
        final double s = switched == null ? 0 : switched.meanPerIteration();
        if (c + s < 1 - 1e-9)
        {
            return Outcome.FORCED;
        }
        return s > 0 ? Outcome.SWITCHED : Outcome.CONVERGED;
    }
}
