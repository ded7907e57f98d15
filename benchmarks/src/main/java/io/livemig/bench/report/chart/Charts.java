package io.livemig.bench.report.chart;

import io.livemig.bench.report.stats.Estimate;
import io.livemig.bench.report.result.JmhResult;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.LegendItemCollection;
import org.jfree.chart.axis.CategoryAxis;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.axis.NumberTickUnit;
import org.jfree.chart.axis.ValueAxis;
import org.jfree.chart.plot.CategoryPlot;
import org.jfree.chart.plot.CombinedDomainXYPlot;
import org.jfree.chart.plot.DefaultDrawingSupplier;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.category.StatisticalBarRenderer;
import org.jfree.chart.renderer.xy.XYErrorRenderer;
import org.jfree.chart.title.TextTitle;
import org.jfree.data.statistics.DefaultStatisticalCategoryDataset;
import org.jfree.data.xy.YIntervalSeries;
import org.jfree.data.xy.YIntervalSeriesCollection;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Shape;
import java.io.IOException;
import java.nio.file.Path;
import java.text.DecimalFormat;
import java.text.DecimalFormatSymbols;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * What the report's charts share, drawn with JFreeChart into PNG files (headless): their size, palette and
 * shapes, log axes with plain labels, XY plots with JMH's 99.9 % intervals as error bars, bar plots, series by
 * result, a legend shared by stacked panels, and the title with its subtitle. Each family of charts is a class
 * of its own ({@link DirtyCharts}, {@link CodecChart}, {@link AnchorChart}, {@link GranularityChart},
 * {@link MigrationChart}, {@link SnapshotChart}); each returns its chart, or empty when the run has none of the
 * results it needs.
 *
 * <p>Stateless; thread-safe (each call builds its own chart).
 */
public final class Charts
{
    static
    {
        headless();
    }

    /** Width of a chart, pixels. */
    public static final int WIDTH = 1000;
    /** Height of a one-panel chart, pixels. */
    public static final int HEIGHT = 560;
    private static final Color[] PALETTE = {new Color(0x1f77b4), new Color(0xd62728), new Color(0x2ca02c),
        new Color(0xff7f0e), new Color(0x9467bd), new Color(0x8c564b), new Color(0xe377c2), new Color(0x7f7f7f),
        new Color(0xbcbd22), new Color(0x17becf)};

    private static final Shape[] SHAPES = DefaultDrawingSupplier.createStandardSeriesShapes();

    private Charts()
    {
    }

    /** Draws without a display: sets {@code java.awt.headless} unless the JVM was told otherwise. */
    static void headless()
    {
        if (System.getProperty("java.awt.headless") == null)
        {
            System.setProperty("java.awt.headless", "true");
        }
    }

    /** Writes {@code chart} as a PNG of {@code height} pixels. */
    public static void save(final JFreeChart chart, final Path file, final int height) throws IOException
    {
        ChartUtils.saveChartAsPNG(file.toFile(), chart, WIDTH, height);
    }

    /** @return {@code error}, or 0 where JMH gave none (NaN) or an unbounded one. */
    static double errorOrZero(final double error)
    {
        return Double.isNaN(error) || Double.isInfinite(error) ? 0 : error;
    }

    /** @return the results of benchmark class {@code simpleClass} that pass {@code filter}, in order. */
    static List<JmhResult> of(final List<JmhResult> results, final String simpleClass,
                              final Predicate<JmhResult> filter)
    {
        final List<JmhResult> rows = new ArrayList<>();
        for (final JmhResult r : results)
        {
            if (r.simpleClassName().equals(simpleClass) && filter.test(r))
            {
                rows.add(r);
            }
        }
        return rows;
    }

    /** @return the unit of the first row's score. */
    static String unit(final List<JmhResult> rows)
    {
        return rows.get(0).primary().unit();
    }

    /** @return one series per {@code name} of the rows, points at {@code x} (NaN skipped) with {@code y}'s interval. */
    static YIntervalSeriesCollection seriesBy(final List<JmhResult> rows, final Function<JmhResult, String> name,
                                              final Function<JmhResult, Double> x,
                                              final Function<JmhResult, Estimate> y)
    {
        final Map<String, YIntervalSeries> series = new LinkedHashMap<>();
        for (final JmhResult r : rows)
        {
            final double xv = x.apply(r);
            if (Double.isNaN(xv))
            {
                continue;
            }
            addInterval(series.computeIfAbsent(name.apply(r), YIntervalSeries::new), xv, y.apply(r));
        }
        final YIntervalSeriesCollection data = new YIntervalSeriesCollection();
        series.values().forEach(data::addSeries);
        return data;
    }

    /** Adds a point with its error bar, keeping the bar's low end positive for log axes. */
    static void addInterval(final YIntervalSeries series, final double x, final Estimate y)
    {
        final double error = errorOrZero(y.error());
        series.add(x, y.value(), Math.max(y.value() - error, y.value() / 10), y.value() + error);
    }

    /** A log axis with a tick at every power of its base, labelled with plain numbers. */
    static LogAxis log(final String label)
    {
        final LogAxis axis = new LogAxis(label);
        axis.setSmallestValue(1e-9);
        axis.setMinorTickMarksVisible(true);
        axis.setTickUnit(new NumberTickUnit(1));
        axis.setNumberFormatOverride(new DecimalFormat("#,##0.#####", DecimalFormatSymbols.getInstance(Locale.ROOT)));
        return axis;
    }

    /** Shows one legend entry per series of the first panel: every panel draws the same series alike. */
    static void sharedLegend(final CombinedDomainXYPlot plot)
    {
        final List<XYPlot> panels = plot.getSubplots();
        if (!panels.isEmpty())
        {
            final LegendItemCollection items = new LegendItemCollection();
            final Set<String> seen = new LinkedHashSet<>();
            for (final XYPlot panel : panels)
            {
                final LegendItemCollection panelItems = panel.getLegendItems();
                for (int i = 0; i < panelItems.getItemCount(); i++)
                {
                    if (seen.add(panelItems.get(i).getLabel()))
                    {
                        items.add(panelItems.get(i));
                    }
                }
            }
            plot.setFixedLegendItems(items);
        }
    }

    /** @return an XY plot of {@code data}: lines and shapes per series, error bars, a white background. */
    static XYPlot xyPlot(final YIntervalSeriesCollection data, final ValueAxis x, final ValueAxis y)
    {
        final XYErrorRenderer renderer = new XYErrorRenderer();
        renderer.setDefaultLinesVisible(true);
        renderer.setDefaultShapesVisible(true);
        renderer.setCapLength(6);
        for (int i = 0; i < data.getSeriesCount(); i++)
        {
            renderer.setSeriesPaint(i, PALETTE[i % PALETTE.length]);
            renderer.setSeriesStroke(i, new BasicStroke(2f));
            renderer.setSeriesShape(i, SHAPES[i % SHAPES.length]);
        }
        final XYPlot plot = new XYPlot(data, x, y, renderer);
        plot.setDomainGridlinePaint(Color.LIGHT_GRAY);
        plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
        plot.setBackgroundPaint(Color.WHITE);
        return plot;
    }

    /** @return a bar plot of {@code data} with each bar's error, one colour per series. */
    static CategoryPlot barPlot(final DefaultStatisticalCategoryDataset data, final String categoryLabel,
                                final String valueLabel, final PlotOrientation orientation)
    {
        final StatisticalBarRenderer renderer = new StatisticalBarRenderer();
        renderer.setErrorIndicatorPaint(Color.BLACK);
        renderer.setShadowVisible(false);
        renderer.setDrawBarOutline(false);
        for (int i = 0; i < data.getRowCount(); i++)
        {
            renderer.setSeriesPaint(i, PALETTE[i % PALETTE.length]);
        }
        final CategoryPlot plot =
            new CategoryPlot(data, new CategoryAxis(categoryLabel), new NumberAxis(valueLabel), renderer);
        plot.setOrientation(orientation);
        plot.setBackgroundPaint(Color.WHITE);
        plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
        return plot;
    }

    /** @return {@code plot} under {@code title}, with {@code subtitle} and what the error bars are. */
    static JFreeChart chart(final String title, final org.jfree.chart.plot.Plot plot, final String subtitle)
    {
        final JFreeChart chart = new JFreeChart(title, new Font(Font.SANS_SERIF, Font.BOLD, 18), plot, true);
        chart.addSubtitle(new TextTitle(subtitle + "; error bars: JMH 99.9 % confidence interval",
            new Font(Font.SANS_SERIF, Font.PLAIN, 12)));
        chart.setBackgroundPaint(Color.WHITE);
        return chart;
    }
}
