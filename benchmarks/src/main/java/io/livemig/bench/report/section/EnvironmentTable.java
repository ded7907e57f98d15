package io.livemig.bench.report.section;

import java.util.Map;

import static io.livemig.bench.report.stats.Fmt.cell;

/**
 * The report's "Environment" section: every fact of the run's env.json, flattened ({@code machine.cpu}), one row
 * each, or that the run's environment is unknown.
 *
 * <p>Stateless; thread-safe.
 */
public final class EnvironmentTable
{
    private EnvironmentTable()
    {
    }

    /** Appends the section. */
    public static void section(final StringBuilder md, final Map<String, Object> env)
    {
        md.append("## Environment\n\n");
        if (env.isEmpty())
        {
            md.append("_No env.json in this directory: the environment of the run is unknown._\n\n");
            return;
        }
        md.append("| | |\n|---|---|\n");
        env.forEach((k, v) -> md.append("| ").append(k).append(" | ").append(cell(String.valueOf(v))).append(" |\n"));
        md.append('\n');
    }
}
