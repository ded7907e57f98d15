package io.livemig.bench.report.section;

import io.livemig.bench.report.analysis.GranularityAnalysis;
import io.livemig.bench.report.chart.Charts;
import io.livemig.bench.report.chart.CodecChart;
import io.livemig.bench.report.chart.DirtyCharts;
import io.livemig.bench.report.chart.GranularityChart;
import io.livemig.bench.report.chart.MigrationChart;
import io.livemig.bench.report.result.JmhResult;
import org.jfree.chart.JFreeChart;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * The report's "Figures" section: the charts of the run's main results (nextDirty, marks, codecs, granularity,
 * scaling, migration), each saved under {@value #DIR}/ beside the report; and how any section adds a figure.
 *
 * <p>Stateless; thread-safe as long as two calls do not write the same directory.
 */
public final class Figures
{
    /** Sub-directory of the charts, beside REPORT.md. */
    public static final String DIR = "charts";

    private Figures()
    {
    }

    /** Appends the section. */
    public static void section(final StringBuilder md, final Path charts, final List<JmhResult> results,
                               final GranularityAnalysis granularity) throws IOException
    {
        md.append("## Figures\n\n");
        figure(md, charts, "nextdirty-density", "nextDirty cost against density", "NextDirtyBenchmark",
            DirtyCharts.nextDirtyByDensity(results), Charts.HEIGHT);
        figure(md, charts, "mark-cost", "Mark cost by case", "MarkBenchmark", DirtyCharts.markCost(results), Charts.HEIGHT);
        figure(md, charts, "codec-throughput", "Zero detection and XBZRLE throughput against the memory-read limit",
            "ZeroPageBenchmark, XbzrleEncodeBenchmark or XbzrleDecodeBenchmark", CodecChart.draw(results), 700);
        figure(md, charts, "granularity", "Granularity trade-off",
            "GranularityBenchmark.harvestAndScan (with its counters)",
            GranularityChart.draw(granularity), 900);
        figure(md, charts, "scaling", "Harvest and scan time against guest size", "ScalingBenchmark",
            DirtyCharts.scaling(results), 800);
        figure(md, charts, "migration", "Pre-copy and post-copy against dirty rate / bandwidth",
            "MigrationBenchmark.migrate with its counters", MigrationChart.draw(results), 800);
    }

    /**
     * Appends a figure: its heading, then the chart saved as {@code charts/NAME.png} and linked, or, where the run
     * has none of what it needs, a line saying so (and any stale PNG of that name deleted).
     */
    static void figure(final StringBuilder md, final Path charts, final String name, final String title,
                       final String needs, final Optional<JFreeChart> chart, final int height)
        throws IOException
    {
        md.append("### ").append(title).append("\n\n");
        final Path file = charts.resolve(name + ".png");
        if (chart.isEmpty())
        {
            Files.deleteIfExists(file);
            md.append("_Skipped: no ").append(needs).append(" results in this run._\n\n");
            return;
        }
        Charts.save(chart.get(), file, height);
        md.append("![").append(title).append("](").append(DIR).append('/').append(name).append(".png)\n\n");
    }
}
