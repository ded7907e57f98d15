package io.livemig.bench.report;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
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

/** The migration chart: a hybrid run's switch to post-copy has its own marker, not the forced stop's cross. */
class ChartsTest
{
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
                    Charts.outcome(r));
            }
        }
        assertEquals(List.of("precopy 0.5 CONVERGED", "precopy 2.0 FORCED", "postcopy 0.5 CONVERGED",
            "postcopy 2.0 CONVERGED", "hybrid 2.0 SWITCHED"), outcomes);

        final JFreeChart chart = Charts.migration(results).orElseThrow();
        final LegendItemCollection legend = ((CombinedDomainXYPlot)chart.getPlot()).getFixedLegendItems();
        final List<String> labels = new ArrayList<>();
        for (int i = 0; i < legend.getItemCount(); i++)
        {
            labels.add(legend.get(i).getLabel());
        }
        assertTrue(labels.contains(Charts.NOT_CONVERGED), labels::toString);
        assertTrue(labels.contains(Charts.SWITCHED), labels::toString);
    }
}
