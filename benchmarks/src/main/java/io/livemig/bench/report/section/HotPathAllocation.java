package io.livemig.bench.report.section;


import io.livemig.bench.report.analysis.Allocation;
import io.livemig.bench.report.result.JmhResult;
import io.livemig.bench.report.stats.Fmt;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The report's "Allocation on hot paths" section: how many hot-path results carry the gc profiler's B/op, and
 * each that allocates beyond its allowance ({@link Allocation}).
 *
 * <p>Stateless; thread-safe.
 */
public final class HotPathAllocation
{
    private HotPathAllocation()
    {
    }

    /** Appends the section. */
    public static void section(final StringBuilder md, final List<JmhResult> results)
    {
        md.append("## Allocation on hot paths\n\n");
        int checked = 0;
        final List<String> flagged = new ArrayList<>();
        for (final JmhResult r : results)
        {
            final Optional<Allocation.Verdict> v = Allocation.check(r);
            if (v.isPresent())
            {
                checked++;
                if (v.get().allocates())
                {
                    flagged.add("- ⚠ `" + r.simpleClassName() + "." + r.method() + "` " +
                        (r.params().isEmpty() ? "" : "(" + r.paramsText() + ") ") + "allocates " +
                        v.get().bytesPerOp() + " B/op (allowance " + Fmt.num(v.get().allowance()) + ")");
                }
            }
        }
        if (checked == 0)
        {
            md.append("_No hot-path result carries gc.alloc.rate.norm ")
                .append("(the gc profiler runs in the quick and full presets)._\n\n");
        }
        else if (flagged.isEmpty())
        {
            md.append("All ").append(checked)
                .append(" hot-path results are within the allocation allowance (0 B/op).\n\n");
        }
        else
        {
            md.append(flagged.size()).append(" of ").append(checked).append(" hot-path results allocate:\n\n");
            flagged.forEach(line -> md.append(line).append('\n'));
            md.append('\n');
        }
    }
}
