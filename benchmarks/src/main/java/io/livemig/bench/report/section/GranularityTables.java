package io.livemig.bench.report.section;


import io.livemig.bench.report.analysis.GranularityAnalysis;
import io.livemig.bench.report.result.JmhResult;

import java.util.List;
import java.util.Optional;

/**
 * The report's "Dirty-bit granularity" section: the recommended pages per dirty bit of each access pattern
 * ({@link GranularityAnalysis}) for the bitmap trackers, the dirty ring and the kernel's faults, each with its
 * model, its sweep and its reasoning.
 *
 * <p>Stateless; thread-safe.
 */
public final class GranularityTables
{
    private GranularityTables()
    {
    }

    /** Appends the section. */
    public static void section(final StringBuilder md, final GranularityAnalysis analysis,
                               final List<JmhResult> results)
    {
        md.append("## Dirty-bit granularity\n\n");
        if (analysis.sweeps().isEmpty())
        {
            md.append("_Skipped: no GranularityBenchmark.harvestAndScan results with counters in this run._\n\n");
            return;
        }
        md.append("Model: ").append(analysis.modelText()).append(". Each round the guest writes 2 % of a 4 GiB ")
            .append("guest's pages (seeded; see GranularityBenchmark); amplification = pages sent ÷ distinct pages ")
            .append("written. `scripts/tune-granularity --bandwidth B` recomputes for another link.\n\n");
        md.append(analysis.recommendationTable()).append(analysis.detail()).append('\n');
        perDirtyUnit(md, "Dirty ring", GranularityAnalysis.ofRing(results, analysis.bandwidth()),
            "the ring's per-unit costs need MarkBenchmark.markFresh (ring and atomic) and " +
                "CollectSweepBenchmark.collectRing in this run");
        perDirtyUnit(md, "Kernel faults", GranularityAnalysis.ofFaults(results, analysis.bandwidth()),
            "the kernel's per-unit costs need KernelTrackingBenchmark.firstWrite (uffd-wp) and its harvests of the " +
                "256 MiB guest in this run (JDK 22+)");
    }

    /**
     * Appends the recommendation of a tracker that pays per dirty unit (the dirty ring, the kernel's faults), or
     * why the run has none.
     *
     * @param needs what the model needs that the run lacks, as the skipped line says it.
     */
    private static void perDirtyUnit(final StringBuilder md, final String heading,
                                     final Optional<GranularityAnalysis> model, final String needs)
    {
        md.append("### ").append(heading).append("\n\n");
        if (model.isEmpty())
        {
            md.append("_Skipped: ").append(needs).append("._\n\n");
            return;
        }
        md.append("Model: ").append(model.get().modelText()).append(". Same rounds and amplification as above.\n\n")
            .append(model.get().recommendationTable()).append(model.get().detail()).append('\n');
    }
}
