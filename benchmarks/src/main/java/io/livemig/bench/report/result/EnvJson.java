package io.livemig.bench.report.result;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads a run's {@code env.json} (what {@code io.livemig.bench.run.env.Environment} recorded) flattened to dotted
 * keys, {@code machine.cpu -> value}, in file order; an array becomes its items joined by {@code "; "}.
 *
 * <p>Stateless; thread-safe.
 */
public final class EnvJson
{
    private EnvJson()
    {
    }

    /**
     * @param env      a flattened env.json ({@link #read}).
     * @param fallback what to say where {@code key} is absent or blank.
     * @return the fact at {@code key} as text, or {@code fallback}.
     */
    public static String text(final Map<String, Object> env, final String key, final String fallback)
    {
        final Object value = env.get(key);
        return value != null && !String.valueOf(value).isBlank() ? String.valueOf(value) : fallback;
    }

    /** @return env.json flattened to {@code a.b -> value}, empty if the file is absent. */
    public static Map<String, Object> read(final Path file) throws ReportException
    {
        final Map<String, Object> flat = new LinkedHashMap<>();
        if (!Files.exists(file))
        {
            return flat;
        }
        try
        {
            flatten("", new ObjectMapper().readTree(file.toFile()), flat);
        }
        catch (final IOException ex)
        {
            throw new ReportException(
                file + ": not valid JSON (" + ex.getMessage().lines().findFirst().orElse("") + ")", ex);
        }
        return flat;
    }

    private static void flatten(final String prefix, final JsonNode node, final Map<String, Object> flat)
    {
        if (node.isObject())
        {
            final Iterator<Map.Entry<String, JsonNode>> it = node.fields();
            while (it.hasNext())
            {
                final Map.Entry<String, JsonNode> e = it.next();
                flatten(prefix.isEmpty() ? e.getKey() : prefix + "." + e.getKey(), e.getValue(), flat);
            }
        }
        else if (node.isArray())
        {
            final List<String> items = new ArrayList<>();
            node.forEach(n -> items.add(n.isValueNode() ? n.asText() : n.toString()));
            flat.put(prefix, String.join("; ", items));
        }
        else
        {
            flat.put(prefix, node.asText());
        }
    }
}
