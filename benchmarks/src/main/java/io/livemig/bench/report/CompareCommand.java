package io.livemig.bench.report;

import io.livemig.bench.report.result.JmhResult;
import io.livemig.bench.report.result.JmhResults;
import io.livemig.bench.report.result.ReportException;
import io.livemig.bench.report.result.EnvJson;
import io.livemig.bench.report.analysis.AnchorComparison;
import io.livemig.bench.report.analysis.Goals;
import io.livemig.bench.report.analysis.Comparison;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code scripts/compare OLD_DIR NEW_DIR [--threshold 10%] [--agreement]}: first a line saying whether the two
 * runs come from the same CPU and JDK (from their {@code env.json}); then (unless {@code --agreement}) each
 * matched benchmark's old and new score, the change and whether it is significant (see {@link Comparison});
 * then how many benchmarks agree (overlapping 99.9 % intervals, {@link Comparison#agreement}: in all, and
 * livemig, C anchors and baselines apart) and which do not; how many livemig ÷ C ratios agree
 * ({@link Comparison#ratioAgreement}, where both directories hold their input digests); and how many goal rows
 * have the same verdict ({@link Comparison#verdictAgreement}). Exit 1 when a significant regression exceeds the
 * threshold, 0 otherwise, 2 with one line on stderr for missing or malformed inputs.
 *
 * <p>Not thread-safe; one command per object.
 */
@Command(name = "compare", mixinStandardHelpOptions = true,
    description = {"Compares two benchmark runs (result directories or jmh.json files).",
        "Exit status: 0 no significant regression beyond the threshold, 1 at least one, 2 bad input."})
public final class CompareCommand extends Cli.Tool
{
    @Parameters(index = "0", paramLabel = "OLD_DIR", description = "the earlier run")
    Path old;

    @Parameters(index = "1", paramLabel = "NEW_DIR", description = "the later run")
    Path now;

    @Option(names = "--threshold", paramLabel = "T", defaultValue = "10%",
        description = "smallest significant worsening that fails, in percent: 10%% or 10; default 10%%")
    String threshold;

    @Option(names = "--agreement", description = "print only the environment line and the agreement of the two " +
        "runs (benchmarks, livemig ÷ C ratios, goal verdicts), not the table")
    boolean agreementOnly;


    @Override
    public Integer call() throws ReportException
    {
        final double fraction = parseThreshold(threshold);
        final List<JmhResult> before = JmhResults.read(old);
        final List<JmhResult> after = JmhResults.read(now);
        final Comparison comparison = Comparison.of(before, after, fraction);
        if (comparison.rows().isEmpty())
        {
            throw new ReportException("no benchmark of " + now + " matches one of " + old +
                " (same benchmark, mode, threads and params)");
        }
        final Map<String, Object> oldEnv = readEnv(old);
        final Map<String, Object> newEnv = readEnv(now);
        out.println(environment(oldEnv, newEnv));
        final List<Comparison.Row> regressions = comparison.regressions();
        if (!agreementOnly)
        {
            out.print(comparison.table());
            out.printf(Locale.ROOT, "compare: %d matched, %d significant, %d regressions beyond %s%n",
                comparison.rows().size(), comparison.rows().stream().filter(Comparison.Row::significant).count(),
                regressions.size(), threshold);
        }
        out.print(comparison.agreement());
        final List<AnchorComparison.Row> oldAnchors = anchors(old, before);
        final List<AnchorComparison.Row> newAnchors = anchors(now, after);
        out.print(Comparison.ratioAgreement(oldAnchors, newAnchors));
        out.print(Comparison.verdictAgreement(Goals.evaluate(before, oldAnchors, oldEnv),
            Goals.evaluate(after, newAnchors, newEnv)));
        return regressions.isEmpty() ? 0 : 1;
    }

    /** env.json's CPU identity, as {@link io.livemig.bench.run.env.Environment} records it (older runs: cpu only). */
    static final List<String> CPU_FIELDS = List.of("machine.cpu", "machine.microarchitecture", "machine.family",
        "machine.model", "machine.stepping");
    /** env.json's JDK identity. */
    static final List<String> JDK_FIELDS = List.of("jdk.java.vendor", "jdk.java.version");

    /**
     * @return the run's livemig/C pairs, with its digests and layouts where its directory has them (a bare
     *         jmh.json, or one without inputs.tsv, gives pairs refused for want of digests: they are left out).
     */
    private static List<AnchorComparison.Row> anchors(final Path run, final List<JmhResult> results)
        throws ReportException
    {
        final Path dir = Files.isDirectory(run) ? run : run.toAbsolutePath().getParent();
        return dir == null ? List.of() : AnchorComparison.rows(results, AnchorComparison.readDigests(dir),
            AnchorComparison.readLayouts(dir));
    }

    /** @return the env.json beside a run's jmh.json, flattened; empty if absent or unreadable (it is optional). */
    private static Map<String, Object> readEnv(final Path run)
    {
        final Path dir = Files.isDirectory(run) ? run : run.toAbsolutePath().getParent();
        try
        {
            return EnvJson.read(dir == null ? Path.of("env.json") : dir.resolve("env.json"));
        }
        catch (final ReportException ex)
        {
            return Map.of();
        }
    }

    /**
     * @param old the old run's env.json, flattened ({@link EnvJson#read}); empty if absent.
     * @param now the new run's.
     * @return one line: a warning when the runs come from different CPUs or JDKs (fields either run does not
     *         record, or records as unknown, are left out), or that they cannot be checked, or that they match.
     */
    static String environment(final Map<String, Object> old, final Map<String, Object> now)
    {
        if (old.isEmpty() || now.isEmpty())
        {
            return "warning: " + (old.isEmpty() && now.isEmpty() ? "neither run has a" : old.isEmpty() ?
                "the old run has no" : "the new run has no") +
                " readable env.json: whether the runs come from the same CPU and JDK cannot be checked";
        }
        final String oldCpu = describe(old, CPU_FIELDS);
        final String newCpu = describe(now, CPU_FIELDS);
        final String oldJdk = describe(old, JDK_FIELDS);
        final String newJdk = describe(now, JDK_FIELDS);
        final boolean cpuDiffers = differs(old, now, CPU_FIELDS);
        final boolean jdkDiffers = differs(old, now, JDK_FIELDS);
        final boolean partial = CPU_FIELDS.stream().anyMatch(f -> known(old, f) != known(now, f));
        final String note = partial ? " (one env.json names the CPU by model name only)" : "";
        if (!cpuDiffers && !jdkDiffers)
        {
            return "environment: same CPU (" + newCpu + ") and JDK (" + newJdk + ")" + note;
        }
        final List<String> what = new ArrayList<>();
        if (cpuDiffers)
        {
            what.add("different CPUs (" + oldCpu + " vs " + newCpu + ")");
        }
        if (jdkDiffers)
        {
            what.add("different JDKs (" + oldJdk + " vs " + newJdk + ")");
        }
        return "warning: the runs come from " + String.join(" and ", what) + ": compare ratios, not times" + note;
    }

    private static boolean known(final Map<String, Object> env, final String field)
    {
        final Object value = env.get(field);
        return value != null && !String.valueOf(value).isBlank() && !"unknown".equals(String.valueOf(value));
    }

    private static boolean differs(final Map<String, Object> old, final Map<String, Object> now,
                                   final List<String> fields)
    {
        return fields.stream().anyMatch(f -> known(old, f) && known(now, f) &&
            !String.valueOf(old.get(f)).equals(String.valueOf(now.get(f))));
    }

    private static String describe(final Map<String, Object> env, final List<String> fields)
    {
        final List<String> parts = new ArrayList<>();
        for (final String field : fields)
        {
            if (known(env, field))
            {
                final String name = field.substring(field.lastIndexOf('.') + 1);
                final String value = String.valueOf(env.get(field));
                parts.add(List.of("family", "model", "stepping").contains(name) ? name + " " + value : value);
            }
        }
        return parts.isEmpty() ? "unknown" : String.join(" ", parts);
    }

    /**
     * @param text a percentage, {@code 10%} or {@code 10}.
     * @return the fraction, e.g. 0.1.
     * @throws IllegalArgumentException if it is not a non-negative number.
     */
    static double parseThreshold(final String text)
    {
        final String trimmed = text.trim();
        final String t = trimmed.endsWith("%") ? trimmed.substring(0, trimmed.length() - 1).trim() : trimmed;
        try
        {
            final double percent = Double.parseDouble(t);
            if (percent >= 0 && !Double.isInfinite(percent))
            {
                return percent / 100;
            }
        }
        catch (final NumberFormatException ex)
        {
            // reported below
        }
        throw new IllegalArgumentException("bad --threshold '" + text + "' (expected a percentage such as 10%)");
    }

    /** Entry point. */
    public static void main(final String[] args)
    {
        Cli.main("compare", new CompareCommand(), args);
    }

    /** @return the exit status of running with {@code args}. */
    static int run(final String[] args, final PrintWriter out, final PrintWriter err)
    {
        return Cli.run("compare", new CompareCommand(), args, out, err);
    }
}
