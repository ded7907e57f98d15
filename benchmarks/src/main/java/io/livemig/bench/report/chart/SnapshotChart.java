package io.livemig.bench.report.chart;

import io.livemig.bench.report.result.JmhResult;
import io.livemig.bench.report.stats.Interval;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.plot.CategoryPlot;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.data.statistics.DefaultStatisticalCategoryDataset;

import java.util.List;
import java.util.Optional;

import static io.livemig.bench.report.chart.Charts.barPlot;
import static io.livemig.bench.report.chart.Charts.chart;
import static io.livemig.bench.report.chart.Charts.errorOrZero;
import static io.livemig.bench.report.chart.Charts.log;
import static io.livemig.bench.report.chart.Charts.of;

/**
 * Fault latency during a lazy restore ({@code SnapshotBenchmark.lazyComplete}'s counters): p50, p90, p99, p99.9
 * and the maximum of each shot's faults, the mean over the shots with the 99.9 % interval of those shots, one
 * series per guest size and fill that faulted.
 *
 * <p>Stateless; thread-safe (each call builds its own chart).
 */
public final class SnapshotChart
{
    static
    {
        Charts.headless();
    }

    /** The counters drawn, with their labels, lowest percentile first. */
    static final List<String[]> PERCENTILES = List.of(new String[] {"faultP50Us", "p50"},
        new String[] {"faultP90Us", "p90"}, new String[] {"faultP99Us", "p99"}, new String[] {"faultP999Us", "p99.9"},
        new String[] {"faultMaxUs", "max"});

    private SnapshotChart()
    {
    }

    /** @return the chart, or empty when the run has no lazy restore whose vCPUs faulted. */
    public static Optional<JFreeChart> faultLatency(final List<JmhResult> results)
    {
        final List<JmhResult> rows = of(results, "SnapshotBenchmark", r -> r.method().startsWith("lazyComplete") &&
            r.secondary("faults").map(m -> m.meanPerIteration() > 0).orElse(false) &&
            PERCENTILES.stream().allMatch(p -> r.secondary(p[0]).isPresent()));
        if (rows.isEmpty())
        {
            return Optional.empty();
        }
        final DefaultStatisticalCategoryDataset data = new DefaultStatisticalCategoryDataset();
        for (final JmhResult r : rows)
        {
            final String series = "guest " + r.param("guest").orElse("?") + ", fill " + r.param("fill").orElse("?") +
                (r.method().endsWith("Kernel") ? ", userfaultfd" : ", software gate");
            for (final String[] p : PERCENTILES)
            {
                final Interval us = Interval.ofIterations(r.secondary(p[0]).get());
                data.add(us.value(), us.known() ? errorOrZero(us.high() - us.value()) : 0, series, p[1]);
            }
        }
        final CategoryPlot plot = barPlot(data, "percentile of a shot's faults", "fault latency (µs)",
            PlotOrientation.VERTICAL);
        final LogAxis y = log("fault latency (µs)");
        y.setSmallestValue(0.5); // the histograms count whole µs: bars rise from half of one
        plot.setRangeAxis(y);
        return Optional.of(chart("Fault latency during a lazy restore", plot,
            "faults of the resumed vCPUs until every page is in, software gate and userfaultfd; mean per shot"));
    }
}
