package io.livemig.bench.report.section;

import io.livemig.bench.report.result.EnvJson;
import io.livemig.bench.report.result.JmhResult;
import io.livemig.bench.report.stats.Fmt;
import io.livemig.bench.report.stats.Metric;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The report's "Software vs kernel tracking" section, from {@code KernelTrackingBenchmark}: what a guest write
 * costs under each kernel tracker (first write after protection, re-write) beside the software bitmap's mark
 * and a plain store, and what a {@code PAGEMAP_SCAN} harvest costs per GiB and per dirty page, with and
 * without transparent huge pages, beside the flat bitmap's harvest. Where the class was not measured, the
 * section says why (env.json's {@code kernel.skipped}, the runner's probe).
 *
 * <p>Stateless; thread-safe.
 */
public final class KernelTrackingReport
{
    static final String CLASS = "KernelTrackingBenchmark";
    /** Dirty pages of the harvest rows that carry the per-dirty-page cost. */
    static final int DIRTY = 256;

    private KernelTrackingReport()
    {
    }

    /** Appends the section. */
    public static void section(final StringBuilder md, final List<JmhResult> results, final Map<String, Object> env)
    {
        md.append("## Software vs kernel tracking\n\n");
        final boolean any = results.stream().anyMatch(r -> r.simpleClassName().equals(CLASS));
        if (!any)
        {
            md.append("_Not measured in this run: ")
                .append(EnvJson.text(env, "kernel.skipped", "no " + CLASS + " results")).append("._\n\n");
            return;
        }
        md.append("Userfaultfd write-protection through FFM (JDK 22+; `--tracker uffd-wp-async|uffd-wp`). ")
            .append("Write cost in ns per store (").append(CLASS).append(", 16 pages per invocation; a first write ")
            .append("follows a harvest that protected the page again):\n\n")
            .append("| tracker | first write after protection | re-write | first write ÷ software mark |\n")
            .append("|---|---|---|---|\n");
        final Optional<JmhResult> mark = find(results, "baselineSoftwareMark", Map.of());
        for (final String tracker : List.of("uffd-wp-async", "uffd-wp"))
        {
            final Optional<JmhResult> first = find(results, "firstWrite", Map.of("tracker", tracker));
            md.append("| ").append(tracker).append(" | ").append(first.map(KernelTrackingReport::time).orElse("–"))
                .append(" | ").append(find(results, "rewrite", Map.of("tracker", tracker))
                    .map(KernelTrackingReport::time).orElse("–"))
                .append(" | ").append(first.isPresent() && mark.isPresent() ?
                    Fmt.num(first.get().primary().score() / mark.get().primary().score()) + "×" : "–")
                .append(" |\n");
        }
        md.append("| software flat bitmap (mark on every store) | ").append(mark.map(KernelTrackingReport::time)
            .orElse("–")).append(" | | |\n");
        md.append("| plain store (no tracking) | ").append(find(results, "baselinePlainStore", Map.of())
            .map(KernelTrackingReport::time).orElse("–")).append(" | | |\n\n");

        md.append("Harvest cost: one `PAGEMAP_SCAN` that reports the written pages and protects them again ")
            .append("(`uffd-wp-async`), against the flat bitmap's harvest; per GiB from the clean guest, per dirty ")
            .append("page from the difference with ").append(DIRTY).append(" dirty pages at random places. With ")
            .append("huge pages (`MADV_HUGEPAGE`) a write reports its whole 2 MiB.\n\n")
            .append("| harvest | guest | clean | ").append(DIRTY).append(" dirty | per GiB (clean) | per dirty page |\n")
            .append("|---|---|---|---|---|---|\n");
        for (final String size : List.of("256m", "1g"))
        {
            harvestRow(md, results, "PAGEMAP_SCAN, 4 KiB pages", "harvest", size, Map.of("huge", "false"));
            harvestRow(md, results, "PAGEMAP_SCAN, huge pages", "harvest", size, Map.of("huge", "true"));
            harvestRow(md, results, "flat bitmap", "baselineBitmapHarvest", size, Map.of());
        }
        md.append('\n');
    }

    private static void harvestRow(final StringBuilder md, final List<JmhResult> results, final String name,
                                   final String method, final String size, final Map<String, String> more)
    {
        final Optional<JmhResult> clean = find(results, method, with(more, size, "0"));
        final Optional<JmhResult> dirty = find(results, method, with(more, size, Integer.toString(DIRTY)));
        if (clean.isEmpty() && dirty.isEmpty())
        {
            return;
        }
        final double gib = size.equals("1g") ? 1 : 0.25;
        md.append("| ").append(name).append(" | ").append(size).append(" | ")
            .append(clean.map(KernelTrackingReport::time).orElse("–")).append(" | ")
            .append(dirty.map(KernelTrackingReport::time).orElse("–")).append(" | ")
            .append(clean.map(r -> ns(r.primary().score() / gib)).orElse("–")).append(" | ")
            .append(clean.isPresent() && dirty.isPresent() ?
                ns((dirty.get().primary().score() - clean.get().primary().score()) / DIRTY) : "–")
            .append(" |\n");
    }

    private static Map<String, String> with(final Map<String, String> more, final String size, final String dirty)
    {
        final java.util.HashMap<String, String> params = new java.util.HashMap<>(more);
        params.put("guestSize", size);
        params.put("dirty", dirty);
        return params;
    }

    private static Optional<JmhResult> find(final List<JmhResult> results, final String method,
                                            final Map<String, String> params)
    {
        return results.stream().filter(r -> r.simpleClassName().equals(CLASS) && r.method().equals(method) &&
            params.entrySet().stream().allMatch(e -> r.param(e.getKey()).map(e.getValue()::equals).orElse(false)))
            .findFirst();
    }

    /** @return the score with its error, in ns, µs or ms (the class measures ns/op). */
    private static String time(final JmhResult r)
    {
        final Metric m = r.primary();
        final double scale = m.score() >= 1e6 ? 1e6 : m.score() >= 1e3 ? 1e3 : 1;
        final String unit = scale == 1e6 ? " ms" : scale == 1e3 ? " µs" : " ns";
        return Fmt.withError(m.score() / scale, m.error() / scale) + unit;
    }

    private static String ns(final double value)
    {
        final double scale = Math.abs(value) >= 1e6 ? 1e6 : Math.abs(value) >= 1e3 ? 1e3 : 1;
        return Fmt.num(value / scale) + (scale == 1e6 ? " ms" : scale == 1e3 ? " µs" : " ns");
    }
}
