package io.livemig.bench.report.result;

import io.livemig.bench.report.stats.Metric;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads JMH's JSON result format ({@code -rf json}) into {@link JmhResult}s. Tolerates what JMH writes for
 * missing statistics ({@code "NaN"} strings) and reports anything else malformed as a one-line {@link
 * ReportException} naming the file and the entry.
 *
 * <p>Stateless; thread-safe.
 */
public final class JmhResults
{
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private JmhResults()
    {
    }

    /**
     * @param file a {@code jmh.json}, or a result directory holding one.
     * @return its results, in file order.
     * @throws ReportException if the file is missing, unreadable or not JMH's JSON.
     */
    public static List<JmhResult> read(final Path file) throws ReportException
    {
        if (!Files.exists(file))
        {
            throw new ReportException(file + ": no such file or directory");
        }
        final Path json = Files.isDirectory(file) ? file.resolve("jmh.json") : file;
        final JsonNode root;
        try
        {
            root = MAPPER.readTree(Files.readString(json));
        }
        catch (final NoSuchFileException ex)
        {
            throw new ReportException(json + ": no such file");
        }
        catch (final JsonProcessingException ex)
        {
            throw new ReportException(json + ": not valid JSON (line " + ex.getLocation().getLineNr() + ")", ex);
        }
        catch (final IOException ex)
        {
            throw new ReportException(json + ": cannot read (" + ex.getMessage() + ")", ex);
        }
        if (root == null || !root.isArray())
        {
            throw new ReportException(json + ": not JMH's JSON (expected an array of results)");
        }
        final List<JmhResult> results = new ArrayList<>();
        int index = 0;
        for (final JsonNode entry : root)
        {
            results.add(parse(json, index++, entry));
        }
        return results;
    }

    private static JmhResult parse(final Path file, final int index, final JsonNode entry) throws ReportException
    {
        final String where = file + ": result " + index;
        final String benchmark = text(entry, "benchmark", where);
        final String mode = text(entry, "mode", where);
        final Map<String, String> params = new LinkedHashMap<>();
        final JsonNode paramsNode = entry.get("params");
        if (paramsNode != null && paramsNode.isObject())
        {
            paramsNode.fields().forEachRemaining(e -> params.put(e.getKey(), e.getValue().asText()));
        }
        final Metric primary = metric(entry.get("primaryMetric"), where + " (" + benchmark + ") primaryMetric");
        final Map<String, Metric> secondary = new LinkedHashMap<>();
        final JsonNode secondaryNode = entry.get("secondaryMetrics");
        if (secondaryNode != null && secondaryNode.isObject())
        {
            final Iterator<Map.Entry<String, JsonNode>> it = secondaryNode.fields();
            while (it.hasNext())
            {
                final Map.Entry<String, JsonNode> e = it.next();
                final String label = e.getKey().startsWith("\u00b7") ? e.getKey().substring(1) : e.getKey();
                secondary.put(label, metric(e.getValue(), where + " (" + benchmark + ") secondary " + label));
            }
        }
        final JsonNode measurementTime = entry.get("measurementTime");
        return new JmhResult(benchmark, mode, entry.path("threads").asInt(1), entry.path("forks").asInt(1),
            params, primary, secondary, measurementTime == null ? "" : measurementTime.asText());
    }

    private static String text(final JsonNode entry, final String field, final String where) throws ReportException
    {
        final JsonNode node = entry.get(field);
        if (node == null || !node.isTextual() || node.asText().isEmpty())
        {
            throw new ReportException(where + ": no \"" + field + "\"");
        }
        return node.asText();
    }

    private static Metric metric(final JsonNode node, final String where) throws ReportException
    {
        if (node == null || !node.isObject())
        {
            throw new ReportException(where + ": missing");
        }
        final double score = number(node.get("score"), where + ".score");
        final double error =
            node.has("scoreError") ? number(node.get("scoreError"), where + ".scoreError") : Double.NaN;
        double low = Double.NaN;
        double high = Double.NaN;
        final JsonNode ci = node.get("scoreConfidence");
        if (ci != null && ci.isArray() && ci.size() == 2)
        {
            low = number(ci.get(0), where + ".scoreConfidence");
            high = number(ci.get(1), where + ".scoreConfidence");
        }
        final JsonNode unit = node.get("scoreUnit");
        if (unit == null || !unit.isTextual())
        {
            throw new ReportException(where + ": no \"scoreUnit\"");
        }
        final List<List<Double>> raw = new ArrayList<>();
        final JsonNode rawNode = node.get("rawData");
        if (rawNode != null && rawNode.isArray())
        {
            for (final JsonNode fork : rawNode)
            {
                final List<Double> values = new ArrayList<>();
                for (final JsonNode value : fork)
                {
                    values.add(number(value, where + ".rawData"));
                }
                raw.add(values);
            }
        }
        return new Metric(score, error, low, high, unit.asText(), raw);
    }

    /** JMH writes numbers, or strings for NaN and infinities. */
    private static double number(final JsonNode node, final String where) throws ReportException
    {
        if (node != null && node.isNumber())
        {
            return node.asDouble();
        }
        if (node != null && node.isTextual())
        {
            switch (node.asText())
            {
                case "NaN": return Double.NaN;
                case "Infinity": return Double.POSITIVE_INFINITY;
                case "-Infinity": return Double.NEGATIVE_INFINITY;
                default: break;
            }
        }
        throw new ReportException(where + ": not a number: " + node);
    }
}
