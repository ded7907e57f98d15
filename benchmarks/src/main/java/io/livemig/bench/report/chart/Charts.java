package io.livemig.bench.report.chart;

import io.livemig.bench.report.analysis.AnchorComparison;
import io.livemig.bench.report.analysis.CallFloor;
import io.livemig.bench.report.analysis.Goals;
import io.livemig.bench.report.analysis.GranularityAnalysis;
import io.livemig.bench.report.result.Baselines;
import io.livemig.bench.report.result.JmhResult;
import io.livemig.bench.report.stats.Estimate;
import io.livemig.bench.report.stats.Fmt;
import io.livemig.bench.report.stats.Interval;
import io.livemig.bench.report.stats.Metric;
import io.livemig.bench.report.stats.Units;
import io.livemig.bench.report.stats.Verdict;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.LegendItemCollection;
import org.jfree.chart.axis.CategoryAxis;
import org.jfree.chart.axis.CategoryLabelPositions;
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
import org.jfree.chart.util.ShapeUtils;
import org.jfree.data.statistics.DefaultStatisticalCategoryDataset;
import org.jfree.data.xy.YIntervalSeries;
import org.jfree.data.xy.YIntervalSeriesCollection;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Shape;
import java.awt.geom.Ellipse2D;
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
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * The report's figures, drawn with JFreeChart into PNG files (headless). Each method returns the chart, or
 * empty when the run has none of the results it needs; error bars are JMH's 99.9 % intervals.
 *
 * <p>Stateless; thread-safe (each call builds its own chart).
 */
public final class Charts
{
    static
    {
        if (System.getProperty("java.awt.headless") == null)
        {
            System.setProperty("java.awt.headless", "true");
        }
    }

    /** Width of a chart, pixels. */
    public static final int WIDTH = 1000;
    /** Height of a one-panel chart, pixels. */
    public static final int HEIGHT = 560;
    private static final Color[] PALETTE = {new Color(0x1f77b4), new Color(0xd62728), new Color(0x2ca02c),
        new Color(0xff7f0e), new Color(0x9467bd), new Color(0x8c564b), new Color(0xe377c2), new Color(0x7f7f7f),
        new Color(0xbcbd22), new Color(0x17becf)};

    private static final Shape[] SHAPES = DefaultDrawingSupplier.createStandardSeriesShapes();
    /** Legend entry of runs forced through. */
    static final String NOT_CONVERGED = "did not converge";
    /** Legend entry of hybrid runs that handed over to post-copy. */
    static final String SWITCHED = "switched to post-copy";

    private Charts()
    {
    }

    /** Writes {@code chart} as a PNG of {@code height} pixels. */
    public static void save(final JFreeChart chart, final Path file, final int height) throws IOException
    {
        ChartUtils.saveChartAsPNG(file.toFile(), chart, WIDTH, height);
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

    /** Zero detection and XBZRLE throughput by input pattern in GB/s, beside the same run's memory read. */
    public static Optional<JFreeChart> codecThroughput(final List<JmhResult> results)
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

    /** Width and height of one panel of {@link #anchorPanels}, and the panels per row of its grid. */
    static final int PANEL_WIDTH = 333;
    static final int PANEL_HEIGHT = 290;
    static final int PANEL_COLUMNS = 3;
    private static final int GRID_HEADER = 84;

    /** How a point of {@link #anchorPanels} is drawn, by its verdict: colour, filled or not, shape. */
    private enum Mark
    {
        MET("met / livemig faster", new Color(0x2ca02c), true, new Ellipse2D.Double(-4.5, -4.5, 9, 9)),
        SHORT("short / C faster", new Color(0xd62728), true, new Ellipse2D.Double(-4.5, -4.5, 9, 9)),
        UNRESOLVED("unresolved", Color.GRAY, false, new Ellipse2D.Double(-5, -5, 10, 10)),
        BIMODAL("bimodal (no verdict)", new Color(0xff7f0e), true, ShapeUtils.createDiamond(6)),
        CALL_BOUND("call-bound (no verdict)", Color.BLACK, true, ShapeUtils.createDiagonalCross(5, 1.2f));

        final String label;
        final Color colour;
        final boolean filled;
        final Shape shape;

        Mark(final String label, final Color colour, final boolean filled, final Shape shape)
        {
            this.label = label;
            this.colour = colour;
            this.filled = filled;
            this.shape = shape;
        }

        static Mark of(final Verdict.Kind kind)
        {
            return valueOf(kind.name());
        }
    }

    /**
     * livemig's speed relative to its C anchors (C time ÷ livemig time), one small panel per core (a livemig
     * method against one C anchor): its inputs across, the ratio on a log axis (0.5 and 2 equally far from
     * parity), the 99.9 % interval as whiskers (clipped to the panel where it is unbounded), parity as a thin
     * line and the core's goal ({@link Goals#anchorGoal}) as a dashed one, each point marked by its verdict
     * against that goal (against parity where the core has none): met, short, unresolved, bimodal, call-bound.
     * Refused pairs are left out.
     *
     * @return the panels, in {@link AnchorComparison#PAIRS} order; empty if no pair may be compared.
     */
    public static Optional<List<JFreeChart>> anchorPanels(final List<AnchorComparison.Row> rows,
                                                           final CallFloor floor)
    {
        final Map<AnchorComparison.Pair, List<AnchorComparison.Row>> cores = new LinkedHashMap<>();
        rows.stream().filter(r -> r.refusal().isEmpty())
            .forEach(r -> cores.computeIfAbsent(r.pair(), p -> new ArrayList<>()).add(r));
        final List<JFreeChart> panels = new ArrayList<>();
        cores.forEach((pair, of) -> panels.add(anchorPanel(pair, of, floor)));
        return panels.isEmpty() ? Optional.empty() : Optional.of(List.copyOf(panels));
    }

    private static JFreeChart anchorPanel(final AnchorComparison.Pair pair, final List<AnchorComparison.Row> rows,
                                          final CallFloor floor)
    {
        final java.util.OptionalDouble goal = Goals.anchorGoal(pair);
        final Map<Mark, YIntervalSeries> byMark = new java.util.EnumMap<>(Mark.class);
        final String[] labels = new String[rows.size()];
        double min = goal.orElse(1);
        double max = goal.orElse(1);
        for (final AnchorComparison.Row r : rows)
        {
            final Interval i = r.speedInterval();
            min = Math.min(min, finiteOr(i.low(), i.value()) > 0 ? finiteOr(i.low(), i.value()) : i.value());
            max = Math.max(max, finiteOr(i.high(), i.value()));
        }
        final double bottom = min / 1.3;
        final double top = max * 1.3;
        for (int x = 0; x < rows.size(); x++)
        {
            final AnchorComparison.Row r = rows.get(x);
            labels[x] = String.join("/", r.livemig().params().values());
            final Interval i = r.speedInterval();
            final Mark mark = Mark.of(r.verdict(goal.orElse(1), floor).kind());
            final double low = i.known() && i.low() > bottom ? i.low() : bottom;
            final double high = i.known() && i.high() < top ? i.high() : top;
            byMark.computeIfAbsent(mark, m -> new YIntervalSeries(m.label)).add(x, i.value(),
                i.known() ? low : i.value(), i.known() ? high : i.value());
        }
        final YIntervalSeriesCollection data = new YIntervalSeriesCollection();
        final XYErrorRenderer renderer = new XYErrorRenderer();
        renderer.setDefaultLinesVisible(false);
        renderer.setDefaultShapesVisible(true);
        renderer.setCapLength(5);
        renderer.setErrorPaint(Color.DARK_GRAY);
        int series = 0;
        for (final Map.Entry<Mark, YIntervalSeries> e : byMark.entrySet())
        {
            data.addSeries(e.getValue());
            renderer.setSeriesPaint(series, e.getKey().colour);
            renderer.setSeriesShape(series, e.getKey().shape);
            renderer.setSeriesShapesFilled(series, e.getKey().filled);
            series++;
        }
        final org.jfree.chart.axis.SymbolAxis inputs = new org.jfree.chart.axis.SymbolAxis(null, labels);
        inputs.setTickLabelFont(new Font(Font.SANS_SERIF, Font.PLAIN, 9));
        inputs.setVerticalTickLabels(rows.size() > 3);
        inputs.setGridBandsVisible(false);
        inputs.setRange(-0.6, rows.size() - 0.4);
        final LogAxis ratio = log("livemig ÷ C");
        ratio.setBase(2);
        ratio.setRange(bottom, top);
        ratio.setTickLabelFont(new Font(Font.SANS_SERIF, Font.PLAIN, 9));
        ratio.setLabelFont(new Font(Font.SANS_SERIF, Font.PLAIN, 10));
        // powers of two (0.25, 0.5, 1, 2, 4...), every other one where the panel spans more than 2^6
        ratio.setTickUnit(new NumberTickUnit(top / bottom > 64 ? 2 : 1));
        final XYPlot plot = new XYPlot(data, inputs, ratio, renderer);
        plot.setBackgroundPaint(Color.WHITE);
        plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
        plot.setDomainGridlinesVisible(false);
        plot.addRangeMarker(new org.jfree.chart.plot.ValueMarker(1, Color.GRAY, new BasicStroke(1f)));
        goal.ifPresent(g -> plot.addRangeMarker(new org.jfree.chart.plot.ValueMarker(g, new Color(0x1f77b4),
            new BasicStroke(1.5f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10, new float[] {5, 4}, 0))));
        final String title = pair.simpleClass().replace("Benchmark", "") + "." + pair.livemig() + " ÷ " +
            pair.anchor() + goal.stream().mapToObj(g -> " (goal ≥ " + Fmt.plain(g) + ")").findFirst().orElse("");
        final JFreeChart chart = new JFreeChart(title, new Font(Font.SANS_SERIF, Font.BOLD, 10), plot, false);
        chart.setBackgroundPaint(Color.WHITE);
        return chart;
    }

    private static double finiteOr(final double x, final double fallback)
    {
        return Double.isNaN(x) || Double.isInfinite(x) ? fallback : x;
    }

    /**
     * Draws {@code panels} into one PNG, {@value #PANEL_COLUMNS} to a row, under a title and a key to the marks.
     */
    public static void saveGrid(final List<JFreeChart> panels, final String title, final Path file) throws IOException
    {
        final int rows = (panels.size() + PANEL_COLUMNS - 1) / PANEL_COLUMNS;
        final java.awt.image.BufferedImage image = new java.awt.image.BufferedImage(WIDTH,
            GRID_HEADER + rows * PANEL_HEIGHT, java.awt.image.BufferedImage.TYPE_INT_RGB);
        final java.awt.Graphics2D g = image.createGraphics();
        try
        {
            g.setRenderingHint(java.awt.RenderingHints.KEY_ANTIALIASING, java.awt.RenderingHints.VALUE_ANTIALIAS_ON);
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, image.getWidth(), image.getHeight());
            g.setColor(Color.BLACK);
            g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 16));
            g.drawString(title, 12, 24);
            g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
            g.drawString("livemig ÷ C = C time / livemig time (log axis; above 1 livemig is faster); whiskers: the 99.9 % " +
                "interval (cut at the panel's edge where unbounded);", 12, 40);
            g.drawString("grey line: parity; dashed line: the core's goal, which each point's mark is read against " +
                "(parity where the core has none)", 12, 54);
            int x = 12;
            for (final Mark mark : Mark.values())
            {
                final Shape shape = java.awt.geom.AffineTransform.getTranslateInstance(x + 5, 68)
                    .createTransformedShape(mark.shape);
                g.setColor(mark.colour);
                if (mark.filled)
                {
                    g.fill(shape);
                }
                g.draw(shape);
                g.setColor(Color.BLACK);
                g.drawString(mark.label, x + 14, 72);
                x += 24 + g.getFontMetrics().stringWidth(mark.label);
            }
            for (int i = 0; i < panels.size(); i++)
            {
                panels.get(i).draw(g, new java.awt.geom.Rectangle2D.Double((i % PANEL_COLUMNS) * PANEL_WIDTH,
                    GRID_HEADER + (i / PANEL_COLUMNS) * PANEL_HEIGHT, PANEL_WIDTH, PANEL_HEIGHT));
            }
        }
        finally
        {
            g.dispose();
        }
        javax.imageio.ImageIO.write(image, "png", file.toFile());
    }

    /** The granularity trade-off: scan time, amplification and modelled cost per round against pages per bit. */
    public static Optional<JFreeChart> granularity(final GranularityAnalysis analysis)
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

    /** Harvest and scan time against guest size, one panel per density. */
    public static Optional<JFreeChart> scaling(final List<JmhResult> results)
    {
        final List<JmhResult> rows = of(results, "ScalingBenchmark",
            r -> r.param("guest").isPresent() && r.param("density").isPresent());
        if (rows.isEmpty())
        {
            return Optional.empty();
        }
        final LogAxis x = log("guest size (GiB of 4 KiB pages)");
        x.setBase(2);
        final CombinedDomainXYPlot plot = new CombinedDomainXYPlot(x);
        final Set<String> densities = new LinkedHashSet<>();
        rows.forEach(r -> densities.add(r.param("density").get()));
        for (final String density : densities)
        {
            final List<JmhResult> panel = new ArrayList<>();
            rows.stream().filter(r -> r.param("density").get().equals(density)).forEach(panel::add);
            final YIntervalSeriesCollection data = seriesBy(panel, JmhResult::method,
                r -> Units.guestGiB(r.param("guest").get()), r -> r.primary().estimate());
            plot.add(xyPlot(data, null, log("density " + density + ": " + unit(rows))));
        }
        sharedLegend(plot);
        return Optional.of(chart("Harvest and scan time against guest size", plot,
            "lower is better; fixed densities; the memory read is the floor of a full pass"));
    }

    /** Sync cost per tracker against guest size, one panel per number of dirty pages ({@code CollectBenchmark}). */
    public static Optional<JFreeChart> collectBySize(final List<JmhResult> results)
    {
        final List<JmhResult> rows = of(results, "CollectBenchmark",
            r -> r.param("guest").isPresent() && r.param("dirtyPages").isPresent());
        if (rows.isEmpty())
        {
            return Optional.empty();
        }
        final LogAxis x = log("guest size (GiB of 4 KiB pages)");
        x.setBase(2);
        final CombinedDomainXYPlot plot = new CombinedDomainXYPlot(x);
        final Set<String> counts = new LinkedHashSet<>();
        rows.forEach(r -> counts.add(r.param("dirtyPages").get()));
        for (final String count : counts)
        {
            final List<JmhResult> panel = new ArrayList<>();
            rows.stream().filter(r -> r.param("dirtyPages").get().equals(count)).forEach(panel::add);
            final YIntervalSeriesCollection data = seriesBy(panel, JmhResult::method,
                r -> Units.guestGiB(r.param("guest").get()), r -> r.primary().estimate());
            plot.add(xyPlot(data, null, log(count + " dirty pages: " + unit(rows))));
        }
        sharedLegend(plot);
        return Optional.of(chart("Sync cost per tracker against guest size", plot,
            "lower is better; the ring beats the bitmap where collectRing is below harvestFlat"));
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

    /**
     * Pre-copy against post-copy: downtime and total time against dirty rate / bandwidth, per mode, from
     * MigrationBenchmark's auxiliary counters (mean per shot). Runs in which some shot neither converged nor
     * handed over to post-copy (a forced stop) are crossed; hybrid runs that handed over to post-copy
     * ({@code switchedToPostcopy}; runs recorded before that counter look like forced stops) get a ring.
     */
    public static Optional<JFreeChart> migration(final List<JmhResult> results)
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

    private static int rank(final List<String> order, final String method)
    {
        final int i = order.indexOf(method);
        return i < 0 ? order.size() : i;
    }

    private static double errorOrZero(final double error)
    {
        return Double.isNaN(error) || Double.isInfinite(error) ? 0 : error;
    }

    private static Estimate scale(final Estimate e, final double factor)
    {
        return new Estimate(e.value() * factor, e.error() * factor);
    }

    private static List<JmhResult> of(final List<JmhResult> results, final String simpleClass,
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

    private static String unit(final List<JmhResult> rows)
    {
        return rows.get(0).primary().unit();
    }

    private static YIntervalSeriesCollection seriesBy(final List<JmhResult> rows,
                                                      final Function<JmhResult, String> name,
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
    private static void addInterval(final YIntervalSeries series, final double x, final Estimate y)
    {
        final double error = errorOrZero(y.error());
        series.add(x, y.value(), Math.max(y.value() - error, y.value() / 10), y.value() + error);
    }

    /** A log axis with a tick at every power of its base, labelled with plain numbers. */
    private static LogAxis log(final String label)
    {
        final LogAxis axis = new LogAxis(label);
        axis.setSmallestValue(1e-9);
        axis.setMinorTickMarksVisible(true);
        axis.setTickUnit(new NumberTickUnit(1));
        axis.setNumberFormatOverride(new DecimalFormat("#,##0.#####", DecimalFormatSymbols.getInstance(Locale.ROOT)));
        return axis;
    }

    /** Shows one legend entry per series of the first panel: every panel draws the same series alike. */
    private static void sharedLegend(final CombinedDomainXYPlot plot)
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

    private static XYPlot xyPlot(final YIntervalSeriesCollection data, final ValueAxis x, final ValueAxis y)
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

    private static CategoryPlot barPlot(final DefaultStatisticalCategoryDataset data, final String categoryLabel,
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

    private static JFreeChart chart(final String title, final org.jfree.chart.plot.Plot plot, final String subtitle)
    {
        final JFreeChart chart = new JFreeChart(title, new Font(Font.SANS_SERIF, Font.BOLD, 18), plot, true);
        chart.addSubtitle(new TextTitle(subtitle + "; error bars: JMH 99.9 % confidence interval",
            new Font(Font.SANS_SERIF, Font.PLAIN, 12)));
        chart.setBackgroundPaint(Color.WHITE);
        return chart;
    }
}
