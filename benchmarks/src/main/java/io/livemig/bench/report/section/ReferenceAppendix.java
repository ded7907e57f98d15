package io.livemig.bench.report.section;


import io.livemig.bench.report.result.Baselines;
import io.livemig.bench.report.result.JmhResult;
import io.livemig.bench.report.result.ReferenceFigures;
import io.livemig.bench.report.stats.Estimate;
import io.livemig.bench.report.stats.Fmt;
import io.livemig.bench.report.stats.Units;

import java.util.List;
import java.util.Optional;

/**
 * The report's appendix: QEMU's ratios from the reference-figures spec ({@link ReferenceFigures}), measured on
 * another CPU, beside livemig's ratio to its own baseline in this run; history, not a comparison.
 *
 * <p>Stateless; thread-safe.
 */
public final class ReferenceAppendix
{
    private ReferenceAppendix()
    {
    }

    /** Appends the section. */
    public static void section(final StringBuilder md, final List<JmhResult> results)
    {
        md.append("\n## Appendix: QEMU's ratios from another machine (history)\n\n");
        md.append("**Not a comparison with this run.** These are QEMU's C figures from the project's reference-figures ")
            .append("spec, measured on a 2-vCPU AMD EPYC **Zen 3 (AVX2, no AVX-512)**, as speed relative to a plain ")
            .append("read of the same memory (copied to `benchmarks/src/main/resources/")
            .append("io/livemig/bench/report/reference-figures.csv`, which cites each row). Ratios to a memory read ")
            .append("do not carry between CPUs for compute-bound code (the read gets faster, the code does not), so ")
            .append("use the section *Against QEMU's C cores, measured in this run* for any verdict; this table is ")
            .append("kept to show how this CPU differs from that one. livemig's ")
            .append("ratio is against its own baseline in this run, so a weak baseline would flatter it. livemig ÷ C ")
            .append("above 1 means livemig is closer to its read limit than QEMU is to its own. ")
            .append("QEMU's bitmap figures are for a flat bitmap: livemig's `summary` rows skip clean regions ")
            .append("and may beat the read of the whole ")
            .append("bitmap by design, so compare `flat` with QEMU and `summary` with `flat`.\n\n");
        final StringBuilder rows = new StringBuilder();
        for (final ReferenceFigures.Row ref : ReferenceFigures.load())
        {
            for (final JmhResult r : results)
            {
                if (!ref.matches(r))
                {
                    continue;
                }
                final String name = "`" + r.simpleClassName() + "." + r.method() + "` " + r.paramsText();
                if (ref.absoluteNs())
                {
                    final double ns = Units.secondsPerOp(r.primary().score(), r.primary().unit()) * 1e9;
                    rows.append("| ").append(name).append(" | ").append(Fmt.num(ns)).append(" ns/page | ~")
                        .append(Fmt.plain(ref.mid())).append(" ns/page | (absolute; not portable) | ")
                        .append(ref.what()).append(" |\n");
                    continue;
                }
                final Optional<JmhResult> base = Baselines.find(results, r, ref.baseline());
                final Optional<Estimate> ratio = base.flatMap(b -> Baselines.speedup(r, b));
                rows.append("| ").append(name).append(" | ")
                    .append(ratio.map(Estimate::toString).orElse("no " + ref.baseline() + " in this run")).append(" | ")
                    .append(ref.low() == ref.high() ? Fmt.plain(ref.low()) :
                        Fmt.plain(ref.low()) + " – " + Fmt.plain(ref.high()))
                    .append(" | ").append(ratio.map(e -> Fmt.num(e.value() / ref.mid())).orElse("–")).append(" | ")
                    .append(ref.what()).append(" |\n");
            }
        }
        if (rows.length() == 0)
        {
            md.append("_Skipped: no codec or dirty-bitmap results with a reference figure in this run._\n\n");
            return;
        }
        md.append("| livemig benchmark | livemig speed vs read | QEMU C speed vs read | livemig ÷ C | QEMU row |\n");
        md.append("|---|---|---|---|---|\n").append(rows).append('\n');
    }
}
