package io.livemig.bench.report.result;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * QEMU's C figures that livemig's codec and dirty-bitmap results are compared with, read from the resource
 * {@code io/livemig/bench/report/reference-figures.csv}, the report's own (copied from the project's spec
 * reference-figures.md; the resource says where each number comes from).
 *
 * <p>Immutable; thread-safe.
 */
public final class ReferenceFigures
{
    /** The resource holding the figures. */
    public static final String RESOURCE = "/io/livemig/bench/report/reference-figures.csv";

    /**
     * One reference row.
     *
     * @param className simple class name of the livemig benchmark.
     * @param method    its method.
     * @param params    params a result must have (all of them).
     * @param baseline  the baseline method its ratio is taken against.
     * @param absoluteNs whether low/high are absolute ns per page rather than ratios.
     * @param low       lower end of the reference.
     * @param high      upper end of the reference.
     * @param what      the spec's row, in words.
     */
    public record Row(String className, String method, Map<String, String> params, String baseline,
                      boolean absoluteNs, double low, double high, String what)
    {
        /** @return whether {@code result} is the livemig run this row describes. */
        public boolean matches(final JmhResult result)
        {
            return result.simpleClassName().equals(className) && result.method().equals(method) &&
                params.entrySet().stream().allMatch(e -> e.getValue().equals(result.params().get(e.getKey())));
        }

        /** @return the reference's middle. */
        public double mid()
        {
            return (low + high) / 2;
        }
    }

    private ReferenceFigures()
    {
    }

    /** @return every row of the resource, in file order. */
    public static List<Row> load()
    {
        try (InputStream in = ReferenceFigures.class.getResourceAsStream(RESOURCE))
        {
            if (in == null)
            {
                throw new IllegalStateException("resource " + RESOURCE + " is missing from the jar");
            }
            return parse(new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8)));
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    static List<Row> parse(final BufferedReader reader) throws IOException
    {
        final List<Row> rows = new ArrayList<>();
        int lineNumber = 0;
        for (String line = reader.readLine(); line != null; line = reader.readLine())
        {
            lineNumber++;
            if (line.isBlank() || line.startsWith("#"))
            {
                continue;
            }
            final String[] f = line.split("\\|", -1);
            if (f.length != 8)
            {
                throw new IllegalStateException(
                    RESOURCE + " line " + lineNumber + ": expected 8 fields, got " + f.length);
            }
            final Map<String, String> params = new LinkedHashMap<>();
            for (final String pair : f[2].split(","))
            {
                final int eq = pair.indexOf('=');
                params.put(pair.substring(0, eq), pair.substring(eq + 1));
            }
            rows.add(new Row(f[0], f[1], params, f[3], f[4].equals("ns"), Double.parseDouble(f[5]),
                Double.parseDouble(f[6]), f[7]));
        }
        return rows;
    }
}
