package io.livemig.workload;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;

/**
 * Makes an {@link AccessPattern} from its name on a command line: {@code uniform}, {@code hotset} (10 % of the
 * pages take 90 % of the writes), {@code zipf} (exponent 0.99), {@code sequential}, or {@code trace:FILE} (a
 * {@link DirtyTrace} replayed by {@link TracePattern}). Stateless; thread-safe.
 */
public final class Patterns
{
    /** The prefix of a trace pattern's name. */
    public static final String TRACE = "trace:";

    private Patterns()
    {
    }

    /**
     * @return null if {@code name} names a pattern (for a trace, a readable trace file), else what is wrong, in
     *         one line.
     */
    public static String problem(final String name)
    {
        try
        {
            of(name, 1);
            return null;
        }
        catch (final IllegalArgumentException | UncheckedIOException ex)
        {
            return ex.getMessage();
        }
    }

    /**
     * @return the pattern named {@code name} over {@code pages} pages.
     * @throws IllegalArgumentException if the name is none of these, or the trace file is not a trace.
     * @throws UncheckedIOException     if the trace file cannot be read.
     */
    public static AccessPattern of(final String name, final long pages)
    {
        switch (name)
        {
            case "uniform": return AccessPattern.uniform(pages);
            case "hotset": return AccessPattern.hotSet(pages, 0.1, 0.9);
            case "zipf": return AccessPattern.zipf(pages, 0.99);
            case "sequential": return AccessPattern.sequential(pages);
            default:
                if (name.startsWith(TRACE) && name.length() > TRACE.length())
                {
                    final Path file = Path.of(name.substring(TRACE.length()));
                    try
                    {
                        return new TracePattern(file.getFileName().toString(), DirtyTrace.read(file), pages);
                    }
                    catch (final IOException ex)
                    {
                        throw new UncheckedIOException("cannot read trace " + file + ": " + ex, ex);
                    }
                }
                throw new IllegalArgumentException("pattern must be uniform, hotset, zipf, sequential or trace:FILE: " +
                    name);
        }
    }
}
