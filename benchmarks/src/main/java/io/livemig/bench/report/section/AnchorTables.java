package io.livemig.bench.report.section;

import io.livemig.bench.report.analysis.AnchorComparison;
import io.livemig.bench.report.analysis.CallFloor;
import io.livemig.bench.report.analysis.Goals;
import io.livemig.bench.report.chart.AnchorChart;
import io.livemig.bench.report.result.EnvJson;
import io.livemig.bench.report.result.JmhResult;
import io.livemig.bench.report.stats.Estimate;
import io.livemig.bench.report.stats.Fmt;
import io.livemig.bench.report.stats.ForkSpread;
import io.livemig.bench.report.stats.Units;
import io.livemig.bench.report.stats.Verdict;
import org.jfree.chart.JFreeChart;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import static io.livemig.bench.report.stats.Fmt.cell;

/**
 * The report's "Against QEMU's C cores, measured in this run" section ({@link AnchorComparison}): how the
 * comparison is made, the goals table ({@link Goals}; also where no anchor ran, for the goals that need none), the page-codec and dirty-bitmap tables with each pair's
 * verdict against parity, and the chart of every core's panel ({@value #CHART}).
 *
 * <p>Stateless; thread-safe as long as two calls do not write the same directory.
 */
public final class AnchorTables
{
    /** The chart of livemig's speed relative to the C anchors. */
    public static final String CHART = "qemu-anchors";

    private AnchorTables()
    {
    }

    /** Appends the section. */
    public static void section(final StringBuilder md, final Path charts, final List<JmhResult> results,
                               final Map<String, Object> env, final Map<String, Set<String>> digests,
                               final Map<String, Set<AnchorComparison.Layout>> layouts)
        throws IOException
    {
        md.append("## Against QEMU's C cores, measured in this run\n\n");
        final Path chartFile = charts.resolve(CHART + ".png");
        final List<AnchorComparison.Row> rows = AnchorComparison.rows(results, digests, layouts);
        final CallFloor floor = CallFloor.of(results);
        if (rows.isEmpty())
        {
            Files.deleteIfExists(chartFile);
            if ("false".equals(String.valueOf(env.get("anchors.built"))))
            {
                md.append("_The C anchors were not measured in this run: ").append(env.get("anchors.reason"))
                    .append("; so there is no comparison with QEMU's C code._\n\n");
            }
            else
            {
                md.append("_No C anchor results beside their livemig benchmarks in this run (the `qemu...` methods of ")
                    .append("the codec and dirty-bitmap classes), so there is no comparison with QEMU's C code._\n\n");
            }
            goals(md, Goals.evaluate(results, rows, env)); // the goals that need no anchor (times, ratios within livemig)
            return;
        }
        md.append("QEMU's algorithms written in C by livemig (`benchmarks/src/main/native/`, whose README says what ")
            .append("each file mirrors), compiled in this run by ")
            .append(env.getOrDefault("anchors.compilerVersion", "the system C compiler"))
            .append(" with QEMU's flags (`").append(env.getOrDefault("anchors.command", "?")).append("`), ")
            .append("and measured by JMH in the same run, preset and forks as livemig, each on the very bytes ")
            .append("livemig reads, at the same alignment: both sides digest their inputs (in Java and in C) and ")
            .append("record where they sit, and a pair whose digests or page offsets differ is refused. ")
            .append("**livemig ÷ C** is C's time ÷ livemig's time (above 1 livemig is faster) with its 99.9 % interval ")
            .append("in brackets, computed on the log scale from both sides' JMH intervals (asymmetric; unbounded ")
            .append("where a side's interval reaches zero). **Verdict** reads that interval against parity: ")
            .append("*faster* or *slower* when it lies wholly above or below 1, *unresolved* when it holds 1 (with ")
            .append("the forks that would resolve it at this spread), *bimodal* when a side's forks fall into ")
            .append("separate groups (a gap between sorted fork means above ").append(Fmt.plain(ForkSpread.GAP_SPREADS))
            .append(" within-fork standard deviations and ").append(Fmt.plain(ForkSpread.GAP_PERCENT))
            .append(" % of the mean), *call-bound* when C's time is within ").append(Fmt.plain(Verdict.CALL_BOUND_FACTOR))
            .append("x of an empty call of its kind (").append(callFloorText(floor)).append("); the last two get no ")
            .append("verdict. Per-fork means are livemig's, then C's.\n\n");
        final String skipped = EnvJson.text(env, "anchors.skipped", "");
        if (!skipped.isEmpty())
        {
            md.append("Not measured: ").append(skipped).append(".\n\n");
        }
        goals(md, Goals.evaluate(results, rows, env));
        pageAnchors(md, rows, env, floor);
        bitmapAnchors(md, rows, floor);
        final Optional<List<JFreeChart>> panels = AnchorChart.panels(rows, floor);
        if (panels.isPresent())
        {
            AnchorChart.saveGrid(panels.get(), "livemig against QEMU's algorithms in C, same run, same inputs", chartFile);
            md.append("![livemig ÷ C](").append(Figures.DIR).append('/').append(CHART).append(".png)\n\n");
        }
        else
        {
            Files.deleteIfExists(chartFile);
        }
    }

    /** @return the call floor as the section's text names it. */
    private static String callFloorText(final CallFloor floor)
    {
        if (!floor.measured())
        {
            return "not measured in this run, so no row is marked call-bound";
        }
        return "an empty per-page call " + Fmt.num(floor.pageCallNs()) + " ns, an empty JNI call " +
            Fmt.num(floor.jniCallNs()) + " ns, both measured in this run by CallFloorBenchmark";
    }

    private static void goals(final StringBuilder md, final List<Goals.Row> goals)
    {
        if (goals.isEmpty())
        {
            return;
        }
        md.append("### Where each core stands against its goal\n\n");
        md.append("Each goal read from this run: a speed relative to the C anchor or to another variant (above 1: ")
            .append("faster), or a time, with its 99.9 % interval in brackets. **met**: the whole interval is on the ")
            .append("goal's side; **short**: the whole interval misses it; **unresolved**: the goal lies inside it ")
            .append("(the verdict says how many more forks of the same spread would resolve it); **bimodal** and ")
            .append("**call-bound** rows have no verdict (see above). The reason given for a shortfall cites this ")
            .append("run's figures where it has them, and otherwise what the code does per unit of work (an ")
            .append("analysis, not a measurement).\n\n");
        md.append(verdictCounts(goals.stream().map(Goals.Row::verdict).toList(), false)).append("\n\n");
        md.append("| core | input | path | goal | measured [99.9 % interval] | per-fork means | verdict | why |\n")
            .append("|---|---|---|---|---|---|---|---|\n");
        for (final Goals.Row g : goals)
        {
            md.append("| ").append(g.core()).append(" | ").append(cell(g.input())).append(" | ").append(g.path())
                .append(" | ").append(g.goal()).append(" | ").append(g.measured()).append(" | ")
                .append(cell(g.forkMeans())).append(" | ").append(verdictCell(g.verdict(), false)).append(" | ")
                .append(g.why().isEmpty() ? "–" : cell(g.why())).append(" |\n");
        }
        md.append('\n');
    }

    /**
     * @return e.g. {@code Verdicts: 4 met, 2 short, 5 unresolved, 3 bimodal, 1 call-bound (of 15).}, or against
     *         parity {@code Verdicts: 3 livemig faster, 1 C faster (of 4), against parity.}
     */
    static String verdictCounts(final List<Verdict> verdicts, final boolean parity)
    {
        final StringBuilder text = new StringBuilder("Verdicts: ");
        final List<String> parts = new ArrayList<>();
        for (final Verdict.Kind kind : Verdict.Kind.values())
        {
            final long n = verdicts.stream().filter(v -> v.kind() == kind).count();
            if (n > 0)
            {
                parts.add(n + " " + word(kind, parity));
            }
        }
        return text.append(String.join(", ", parts)).append(" (of ").append(verdicts.size())
            .append(parity ? "), against parity." : ").").toString();
    }

    private static String word(final Verdict.Kind kind, final boolean parity)
    {
        if (parity && kind == Verdict.Kind.MET)
        {
            return "livemig faster";
        }
        if (parity && kind == Verdict.Kind.SHORT)
        {
            return "C faster";
        }
        return kind.name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /** @return the verdict's cell: its word (or, against parity, faster / slower) in bold unless met, and why. */
    static String verdictCell(final Verdict v, final boolean parity)
    {
        final String word = word(v.kind(), parity);
        final String shown = v.kind() == Verdict.Kind.MET && !parity ? word : "**" + word + "**";
        return cell(shown + ": " + v.detail());
    }

    private static void pageAnchors(final StringBuilder md, final List<AnchorComparison.Row> rows,
                                    final Map<String, Object> env, final CallFloor floor)
    {
        final List<AnchorComparison.Row> pages = rows.stream()
            .filter(r -> r.pair().kind() == AnchorComparison.Kind.PAGE).toList();
        if (pages.isEmpty())
        {
            return;
        }
        md.append("### Page codecs (GB/s of page input = 4096 B ÷ ns per page)\n\n");
        md.append("Codec path of the forks (`io.livemig.codec.Simd`): ")
            .append(env.getOrDefault("simd.description", "unknown (no simd in env.json)"))
            .append(". Rows of `...OffHeapVector` methods ran the JDK 22+ SIMD kernels on the off-heap pages ")
            .append("themselves (as the migration's zero check on guest memory does there), rows of the other ")
            .append("`...Vector` methods ran the SIMD kernels on heap copies of the pages, and the others ran the ")
            .append("scalar code.\n\n");
        md.append(verdictCounts(pages.stream().filter(r -> r.refusal().isEmpty()).map(r -> r.parity(floor))
            .toList(), true)).append("\n\n");
        md.append("| operation | path | input | livemig ns/page | livemig GB/s | C ns/page | C GB/s | livemig ÷ C | ")
            .append("verdict | per-fork means (ns/page) | C code | inputs |\n")
            .append("|---|---|---|---|---|---|---|---|---|---|---|---|\n");
        for (final AnchorComparison.Row r : pages)
        {
            md.append("| `").append(r.pair().simpleClass()).append('.').append(r.pair().livemig()).append("` | ")
                .append(!r.pair().vectorPath() ? "scalar" : r.pair().livemig().endsWith("OffHeapVector") ?
                    "SIMD, " + env.getOrDefault("simd.offHeapSpecies", env.getOrDefault("simd.species", "?")) +
                    ", off-heap" : "SIMD, " + env.getOrDefault("simd.species", "?"))
                .append(" | ")
                .append(cell(r.livemig().paramsText())).append(" | ")
                .append(r.livemig().primary().estimate()).append(" | ").append(r.livemigGigabytes()).append(" | ")
                .append(r.anchor().primary().estimate()).append(" | ").append(r.anchorGigabytes()).append(" | ")
                .append(speedCell(r)).append(" | ").append(parityCell(r, floor)).append(" | ")
                .append(forkMeansCell(r)).append(" | `").append(r.pair().anchor()).append("`: ")
                .append(r.pair().what()).append(" | ").append(digestCell(r)).append(" |\n");
        }
        md.append('\n');
    }

    private static void bitmapAnchors(final StringBuilder md, final List<AnchorComparison.Row> rows,
                                      final CallFloor floor)
    {
        for (final AnchorComparison.Kind kind : List.of(AnchorComparison.Kind.ENUMERATION,
            AnchorComparison.Kind.HARVEST))
        {
            final List<AnchorComparison.Row> of = rows.stream().filter(r -> r.pair().kind() == kind).toList();
            if (of.isEmpty())
            {
                continue;
            }
            final boolean enumeration = kind == AnchorComparison.Kind.ENUMERATION;
            md.append(enumeration ?
                "### Dirty bitmap: one enumeration of a 2^28-unit bitmap (ms, and ns per set bit)\n\n" :
                "### Dirty bitmap: one harvest (sync) of a 2^28-unit bitmap into an empty one (ms)\n\n");
            md.append(verdictCounts(of.stream().filter(r -> r.refusal().isEmpty()).map(r -> r.parity(floor))
                .toList(), true)).append("\n\n");
            md.append("| livemig | density | set bits | livemig ms | C ms |")
                .append(enumeration ? " livemig ns/bit | C ns/bit |" : "")
                .append(" livemig ÷ C | verdict | per-fork means | C code | inputs |\n|---|---|---|---|---|")
                .append(enumeration ? "---|---|" : "").append("---|---|---|---|---|\n");
            for (final AnchorComparison.Row r : of)
            {
                final double bits = AnchorComparison.setUnits(r.livemig());
                md.append("| `").append(r.pair().livemig()).append("` | ").append(r.livemig().param("density")
                    .orElse("?")).append(" | ").append(Fmt.num(bits)).append(" | ")
                    .append(millis(r.livemig())).append(" | ").append(millis(r.anchor())).append(" |");
                if (enumeration)
                {
                    md.append(' ').append(perBit(r.livemig(), bits)).append(" | ").append(perBit(r.anchor(), bits))
                        .append(" |");
                }
                md.append(' ').append(speedCell(r)).append(" | ").append(parityCell(r, floor)).append(" | ")
                    .append(forkMeansCell(r)).append(" | `").append(r.pair().anchor()).append("`: ")
                    .append(r.pair().what()).append(" | ").append(digestCell(r)).append(" |\n");
            }
            md.append('\n');
        }
    }

    private static String parityCell(final AnchorComparison.Row r, final CallFloor floor)
    {
        return r.refusal().isPresent() ? "–" : verdictCell(r.parity(floor), true);
    }

    /** @return both sides' fork means in livemig's unit: {@code 512, 530 / 525, 521}. */
    private static String forkMeansCell(final AnchorComparison.Row r)
    {
        final double toLivemigUnit = Units.secondsPerOp(1, r.anchor().primary().unit()) /
            Units.secondsPerOp(1, r.livemig().primary().unit());
        return ForkSpread.of(r.livemig().primary()).meansText(1) + " / " +
            ForkSpread.of(r.anchor().primary()).meansText(toLivemigUnit);
    }

    private static String speedCell(final AnchorComparison.Row r)
    {
        return r.refusal().orElseGet(() -> "**" + r.speedInterval() + "**");
    }

    private static String digestCell(final AnchorComparison.Row r)
    {
        return r.digest().map(d -> "`" + d + "` (both); " + r.layout()).orElse("–");
    }

    private static Estimate millis(final JmhResult r)
    {
        final double factor = Units.secondsPerOp(1, r.primary().unit()) * 1e3;
        return new Estimate(r.primary().score() * factor, r.primary().error() * factor);
    }

    private static String perBit(final JmhResult r, final double bits)
    {
        if (bits <= 0)
        {
            return "–";
        }
        final double factor = Units.secondsPerOp(1, r.primary().unit()) * 1e9 / bits;
        return new Estimate(r.primary().score() * factor, r.primary().error() * factor).toString();
    }
}
