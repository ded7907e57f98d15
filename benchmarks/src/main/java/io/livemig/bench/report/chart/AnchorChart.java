package io.livemig.bench.report.chart;

import io.livemig.bench.report.stats.Fmt;
import io.livemig.bench.report.stats.Interval;
import io.livemig.bench.report.stats.Verdict;
import io.livemig.bench.report.analysis.AnchorComparison;
import io.livemig.bench.report.analysis.CallFloor;
import io.livemig.bench.report.analysis.Goals;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.axis.NumberTickUnit;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYErrorRenderer;
import org.jfree.chart.util.ShapeUtils;
import org.jfree.data.xy.YIntervalSeries;
import org.jfree.data.xy.YIntervalSeriesCollection;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Shape;
import java.awt.geom.Ellipse2D;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static io.livemig.bench.report.chart.Charts.chart;
import static io.livemig.bench.report.chart.Charts.log;
import static io.livemig.bench.report.chart.Charts.of;

/**
 * livemig against the C anchors of the same run: one small panel per core, each point marked by its verdict, and
 * the grid that puts the panels into one PNG under a key to the marks.
 *
 * <p>Stateless; thread-safe (each call builds its own chart).
 */
public final class AnchorChart
{
    static
    {
        Charts.headless();
    }

    /** Width and height of one panel of {@link #panels}, and the panels per row of its grid. */
    static final int PANEL_WIDTH = 333;
    static final int PANEL_HEIGHT = 290;
    static final int PANEL_COLUMNS = 3;
    private static final int GRID_HEADER = 84;

    /** How a point of {@link #panels} is drawn, by its verdict: colour, filled or not, shape. */
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

    private AnchorChart()
    {
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
    public static Optional<List<JFreeChart>> panels(final List<AnchorComparison.Row> rows,
                                                           final CallFloor floor)
    {
        final Map<AnchorComparison.Pair, List<AnchorComparison.Row>> cores = new LinkedHashMap<>();
        rows.stream().filter(r -> r.refusal().isEmpty())
            .forEach(r -> cores.computeIfAbsent(r.pair(), p -> new ArrayList<>()).add(r));
        final List<JFreeChart> panels = new ArrayList<>();
        cores.forEach((pair, of) -> panels.add(panel(pair, of, floor)));
        return panels.isEmpty() ? Optional.empty() : Optional.of(List.copyOf(panels));
    }

    /** @return one core's panel: its inputs across, livemig ÷ C on a log-2 axis, parity and the goal drawn. */
    private static JFreeChart panel(final AnchorComparison.Pair pair, final List<AnchorComparison.Row> rows,
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
        final java.awt.image.BufferedImage image = new java.awt.image.BufferedImage(Charts.WIDTH,
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
}
