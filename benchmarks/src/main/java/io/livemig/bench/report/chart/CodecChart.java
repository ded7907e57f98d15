package io.livemig.bench.report.chart;

import io.livemig.bench.report.stats.Estimate;
import io.livemig.bench.report.result.JmhResult;
import io.livemig.bench.report.result.Baselines;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.plot.CategoryPlot;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.renderer.category.StatisticalBarRenderer;
import org.jfree.data.statistics.DefaultStatisticalCategoryDataset;

import java.util.List;
import java.util.Optional;

import static io.livemig.bench.report.chart.Charts.barPlot;
import static io.livemig.bench.report.chart.Charts.chart;
import static io.livemig.bench.report.chart.Charts.errorOrZero;
import static io.livemig.bench.report.chart.Charts.log;
import static io.livemig.bench.report.chart.Charts.of;

/**
 * The codecs' throughput: zero detection and XBZRLE by input pattern in GB/s, beside the same run's memory read.
 *
 * <p>Stateless; thread-safe (each call builds its own chart).
 */
public final class CodecChart
{
    static
    {
        Charts.headless();
    }

    private CodecChart()
    {
    }

    /** Zero detection and XBZRLE throughput by input pattern in GB/s, beside the same run's memory read. */
    public static Optional<JFreeChart> draw(final List<JmhResult> results)
    {
        final DefaultStatisticalCategoryDataset data = new DefaultStatisticalCategoryDataset();
        final String operation = "operation";
        final String read = "memory read (same run, same pages)";
        boolean any = false;
        for (final String[] spec : new String[][] {{"ZeroPageBenchmark", "isZero", "input", "zero"},
            {"XbzrleEncodeBenchmark", "encode", "pattern", "encode"},
            {"XbzrleDecodeBenchmark", "decode", "pattern", "decode"}})
        {
            for (final JmhResult r : of(results, spec[0], x -> x.method().equals(spec[1]) &&
                x.param("workingSet").map("64m"::equals).orElse(true)))
            {
                final Optional<JmhResult> baseline = Baselines.find(results, r, "baselineMemoryRead");
                final String category = spec[3] + ": " + r.param(spec[2]).orElse(r.paramsText());
                final Estimate gbs = r.gigabytesPerSecond();
                data.add(gbs.value(), errorOrZero(gbs.error()), operation, category);
                baseline.ifPresent(b ->
                {
                    final Estimate bgbs = b.gigabytesPerSecond();
                    data.add(bgbs.value(), errorOrZero(bgbs.error()), read, category);
                });
                any = true;
            }
        }
        if (!any)
        {
            return Optional.empty();
        }
        final CategoryPlot plot = barPlot(data, "operation: input", "GB/s of page input (higher is better)",
            PlotOrientation.HORIZONTAL);
        // Early exits (a non-zero first byte, an empty delta) run at hundreds of GB/s: a log scale keeps
        // them from flattening the bars that stream through the page.
        final LogAxis gbs = log("GB/s of page input (higher is better; log scale)");
        gbs.setSmallestValue(0.01);
        plot.setRangeAxis(gbs);
        ((StatisticalBarRenderer)plot.getRenderer()).setBase(0.01);
        return Optional.of(chart("Zero detection and XBZRLE against the memory-read limit", plot,
            "64 MiB working set; GB/s = 4096 B / ns per page"));
    }
}
