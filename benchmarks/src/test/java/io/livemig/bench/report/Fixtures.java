package io.livemig.bench.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Predicate;

/**
 * Synthetic result directories for the report tools' tests: {@code fixtures/full-run} (a jmh.json with
 * every fixed benchmark name the report looks up, and an env.json), copied or edited into a temp dir.
 */
public final class Fixtures
{
    static final ObjectMapper MAPPER = new ObjectMapper();

    private Fixtures()
    {
    }

    /** Copies {@code fixtures/full-run} into {@code dir} (without env.json unless asked). */
    static Path fullRun(final Path dir, final boolean withEnv) throws IOException
    {
        Files.createDirectories(dir);
        copy("jmh.json", dir);
        if (withEnv)
        {
            copy("env.json", dir);
        }
        return dir;
    }

    private static void copy(final String name, final Path dir) throws IOException
    {
        try (InputStream in = Fixtures.class.getResourceAsStream("/fixtures/full-run/" + name))
        {
            Files.copy(in, dir.resolve(name));
        }
    }

    /** @return the full run's results as editable JSON. */
    public static ArrayNode fullRunJson() throws IOException
    {
        try (InputStream in = Fixtures.class.getResourceAsStream("/fixtures/full-run/jmh.json"))
        {
            return (ArrayNode)MAPPER.readTree(in);
        }
    }

    /** Writes {@code results} as {@code dir/jmh.json}. */
    public static Path write(final Path dir, final JsonNode results) throws IOException
    {
        Files.createDirectories(dir);
        MAPPER.writeValue(dir.resolve("jmh.json").toFile(), results);
        return dir;
    }

    /** @return a copy of {@code results} holding only the entries that pass {@code keep}. */
    static ArrayNode only(final ArrayNode results, final Predicate<JsonNode> keep)
    {
        final ArrayNode kept = MAPPER.createArrayNode();
        results.forEach(e -> { if (keep.test(e)) kept.add(e.deepCopy()); });
        return kept;
    }

    /** @return the entry of {@code benchmark} (suffix of the full name) whose params contain {@code param=value}. */
    public static ObjectNode entry(final ArrayNode results, final String benchmark, final String param, final String value)
    {
        for (final JsonNode e : results)
        {
            if (e.get("benchmark").asText().endsWith(benchmark) && value.equals(e.path("params").path(param).asText()))
            {
                return (ObjectNode)e;
            }
        }
        throw new IllegalArgumentException("no fixture entry " + benchmark + " " + param + "=" + value);
    }

    /** Sets a metric's score and error (and the interval JMH would give). */
    static void score(final ObjectNode entry, final double score, final double error)
    {
        final ObjectNode m = (ObjectNode)entry.get("primaryMetric");
        m.put("score", score);
        m.put("scoreError", error);
        m.putArray("scoreConfidence").add(score - error).add(score + error);
    }

    /**
     * Adds to {@code results} a copy of {@code entry} (same class and params) renamed to method {@code method} of
     * its class and scored {@code score ± error}: a C anchor or another path beside a fixture row.
     *
     * @return the added entry.
     */
    static ObjectNode sibling(final ArrayNode results, final ObjectNode entry, final String method,
                              final double score, final double error)
    {
        final ObjectNode copy = entry.deepCopy();
        final String benchmark = entry.get("benchmark").asText();
        copy.put("benchmark", benchmark.substring(0, benchmark.lastIndexOf('.') + 1) + method);
        score(copy, score, error);
        results.add(copy);
        return copy;
    }
}
