package io.livemig.bench.report.chart;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.livemig.bench.report.Fixtures;
import io.livemig.bench.report.analysis.AnchorComparison;
import io.livemig.bench.report.analysis.CallFloor;
import io.livemig.bench.report.analysis.GoalsTest;
import io.livemig.bench.report.result.JmhResult;
import io.livemig.bench.report.result.JmhResults;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.LegendItemCollection;
import org.jfree.chart.plot.CombinedDomainXYPlot;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The migration chart: a hybrid run's switch to post-copy has its own marker, not the forced stop's cross. The
 * livemig ÷ C chart: one panel per core, inputs across, the goal drawn, each point in the series of its verdict.
 */
class ChartsTest
{
    private static AnchorComparison.Row row(final String livemig, final String anchor, final String pattern,
                                            final JmhResult l, final JmhResult c)
    {
        final AnchorComparison.Pair pair = AnchorComparison.PAIRS.stream()
            .filter(p -> p.livemig().equals(livemig) && p.anchor().equals(anchor)).findFirst().orElseThrow();
        return new AnchorComparison.Row(pair, l, c, java.util.Optional.of("00000000000000aa"),
            java.util.Optional.empty());
    }

    @Test
    void theAnchorChartHasOnePanelPerCoreWithItsGoalAndEachPointMarkedByItsVerdict(@TempDir final Path dir)
        throws Exception
    {
        final java.util.Map<String, String> dense = java.util.Map.of("pattern", "DENSE_50");
        final java.util.Map<String, String> sparse = java.util.Map.of("pattern", "SPARSE_10");
        final String encode = "codec.XbzrleEncodeBenchmark.";
        final List<AnchorComparison.Row> rows = List.of(
            // met (1.2 against 1), unresolved (1.0 ± 20 %), bimodal C
            row("encodeVector", "qemuEncodeAvx512", "DENSE_50",
                GoalsTest.result(encode + "encodeVector", dense, 1000, 10, "ns/op", "avgt", 1),
                GoalsTest.result(encode + "qemuEncodeAvx512", dense, 1200, 12, "ns/op", "avgt", 1)),
            row("encodeVector", "qemuEncodeAvx512", "SPARSE_10",
                GoalsTest.result(encode + "encodeVector", sparse, 500, 100, "ns/op", "avgt", 1),
                GoalsTest.result(encode + "qemuEncodeAvx512", sparse, 500, 5, "ns/op", "avgt", 1)),
            row("encodeVector", "qemuEncodeAvx512", "ONE_RUN_64",
                GoalsTest.forks(encode + "encodeVector", java.util.Map.of("pattern", "ONE_RUN_64"), 10, 280, 285, 290),
                GoalsTest.forks(encode + "qemuEncodeAvx512", java.util.Map.of("pattern", "ONE_RUN_64"), 30, 218, 276,
                    219)),
            // another core: its own panel, no goal
            row("summary", "qemuFindNextBit", "",
                GoalsTest.result("dirty.NextDirtyBenchmark.summary", java.util.Map.of("density", "0.1"), 10, 1,
                    "ms/op", "avgt", 1),
                GoalsTest.result("dirty.NextDirtyBenchmark.qemuFindNextBit", java.util.Map.of("density", "0.1"), 5,
                    0.1, "ms/op", "avgt", 1)));
        final List<JFreeChart> panels = AnchorChart.panels(rows, CallFloor.NONE).orElseThrow();
        assertEquals(2, panels.size(), "one panel per core");
        final org.jfree.chart.plot.XYPlot encodePanel = (org.jfree.chart.plot.XYPlot)panels.get(0).getPlot();
        final List<String> series = new ArrayList<>();
        for (int i = 0; i < encodePanel.getDataset().getSeriesCount(); i++)
        {
            series.add(encodePanel.getDataset().getSeriesKey(i) + "@" + encodePanel.getDataset().getXValue(i, 0));
        }
        assertEquals(List.of("met / livemig faster@0.0", "unresolved@1.0", "bimodal (no verdict)@2.0"), series);
        final List<Double> lines = encodePanel.getRangeMarkers(org.jfree.chart.ui.Layer.FOREGROUND).stream()
            .map(m -> ((org.jfree.chart.plot.ValueMarker)m).getValue()).toList();
        assertEquals(List.of(1.0, 1.0), lines, "parity and the goal (≥ 1 against the AVX-512 encoder)");
        assertTrue(encodePanel.getRangeAxis() instanceof org.jfree.chart.axis.LogAxis, "a log axis");
        assertTrue(panels.get(0).getTitle().getText().contains("(goal ≥ 1)"));
        final org.jfree.chart.plot.XYPlot bitmap = (org.jfree.chart.plot.XYPlot)panels.get(1).getPlot();
        assertEquals(1, bitmap.getRangeMarkers(org.jfree.chart.ui.Layer.FOREGROUND).size(), "parity only");
        assertEquals("short / C faster", bitmap.getDataset().getSeriesKey(0), "0.5 by its whole interval");
        final Path png = dir.resolve("anchors.png");
        AnchorChart.saveGrid(panels, "title", png);
        assertTrue(java.nio.file.Files.size(png) > 1000);
        assertEquals(Charts.WIDTH, javax.imageio.ImageIO.read(png.toFile()).getWidth());
    }

    @Test
    void aSwitchToPostcopyIsNotMarkedAsAForcedStop(@TempDir final Path dir) throws Exception
    {
        final ArrayNode json = Fixtures.fullRunJson();
        final ObjectNode hybrid = Fixtures.entry(json, "MigrationBenchmark.migrate", "mode", "precopy").deepCopy();
        ((ObjectNode)hybrid.get("params")).put("mode", "hybrid").put("ratio", "2.0");
        final ObjectNode secondary = (ObjectNode)hybrid.get("secondaryMetrics");
        final ObjectNode converged = (ObjectNode)secondary.get("converged");
        converged.put("score", 0.0).putArray("rawData").addArray().add(0.0).add(0.0).add(0.0).add(0.0).add(0.0);
        final ObjectNode switched = converged.deepCopy();
        switched.put("score", 5.0).putArray("rawData").addArray().add(1.0).add(1.0).add(1.0).add(1.0).add(1.0);
        secondary.set("switchedToPostcopy", switched);
        json.add(hybrid);
        final List<JmhResult> results = JmhResults.read(Fixtures.write(dir, json));

        final List<String> outcomes = new ArrayList<>();
        for (final JmhResult r : results)
        {
            if (r.benchmark().endsWith("MigrationBenchmark.migrate"))
            {
                outcomes.add(r.param("mode").orElseThrow() + " " + r.param("ratio").orElseThrow() + " " +
                    MigrationChart.outcome(r));
            }
        }
        assertEquals(List.of("precopy 0.5 CONVERGED", "precopy 2.0 FORCED", "postcopy 0.5 CONVERGED",
            "postcopy 2.0 CONVERGED", "hybrid 2.0 SWITCHED"), outcomes);

        final JFreeChart chart = MigrationChart.draw(results).orElseThrow();
        final LegendItemCollection legend = ((CombinedDomainXYPlot)chart.getPlot()).getFixedLegendItems();
        final List<String> labels = new ArrayList<>();
        for (int i = 0; i < legend.getItemCount(); i++)
        {
            labels.add(legend.get(i).getLabel());
        }
        assertTrue(labels.contains(MigrationChart.NOT_CONVERGED), labels::toString);
        assertTrue(labels.contains(MigrationChart.SWITCHED), labels::toString);
    }
}
