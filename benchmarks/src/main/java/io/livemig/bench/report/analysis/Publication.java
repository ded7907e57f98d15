package io.livemig.bench.report.analysis;

import io.livemig.bench.report.result.JmhResult;
import io.livemig.bench.run.preset.BenchKind;
import io.livemig.bench.run.preset.Preset;
import org.openjdk.jmh.annotations.Mode;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Whether a run's figures may be published: only a {@code full} run in which every result ran at least the forks
 * the full preset gives its class ({@link Preset#FULL}), since the variance that moves rows between runs lives
 * between forks. The runner refuses a {@code full} run with a smaller {@code -f}; this check reads the results
 * themselves, so it also marks runs made before that rule (the runs published with {@code -f 3}) and results
 * gathered by hand. A run whose plan had more benchmark runs than it left results (a fork that failed, hung and
 * was killed, or a batch that JMH gave up) is not publishable either: the report would be silent on the rows it
 * lacks.
 *
 * <p>Stateless; thread-safe.
 */
public final class Publication
{
    private Publication()
    {
    }

    /**
     * @param results a run's results.
     * @param preset  its preset as env.json names it, or null.
     * @return one line for the report's head: publishable, or why not.
     */
    public static String verdict(final List<JmhResult> results, final String preset)
    {
        return verdict(results, preset, -1);
    }

    /**
     * @param results a run's results.
     * @param preset  its preset as env.json names it, or null.
     * @param planned the benchmark runs its plan held (env.json's {@code plannedRuns}), or -1 if unknown (runs made
     *                before the runner recorded it).
     * @return one line for the report's head: publishable, or why not.
     */
    public static String verdict(final List<JmhResult> results, final String preset, final long planned)
    {
        if (!Preset.FULL.id().equals(preset))
        {
            return "**Not for publication**: the " + (preset == null ? "(unknown)" : preset) + " preset runs one " +
                "fork per benchmark; publish figures from a `full` run.";
        }
        if (planned > results.size())
        {
            return "**Not publishable**: " + (planned - results.size()) + " of " + planned + " planned benchmark " +
                "runs left no result (a fork failed, or hung and was killed; the runner's log names it), so this " +
                "report is silent on those rows; its verdicts are for development, not for quoting.";
        }
        final Map<String, int[]> short_ = shortOfForks(results);
        if (short_.isEmpty())
        {
            return "**Publishable**: every result ran at least the forks the full preset gives its class.";
        }
        final long count = results.stream().filter(r -> r.forks() < presetForks(r)).count();
        final StringBuilder classes = new StringBuilder();
        short_.forEach((c, f) -> classes.append(classes.length() == 0 ? "" : ", ").append(c).append(' ')
            .append(f[0]).append(" of ").append(f[1]));
        return "**Not publishable**: " + count + " of " + results.size() + " results ran fewer forks than the full " +
            "preset gives their class (" + classes + " forks); its verdicts are for development, not for quoting.";
    }

    /** @return per class whose results ran fewer forks than {@link Preset#FULL} gives it: {ran, preset}. */
    static Map<String, int[]> shortOfForks(final List<JmhResult> results)
    {
        final Map<String, int[]> classes = new LinkedHashMap<>();
        for (final JmhResult r : results)
        {
            final int preset = presetForks(r);
            if (r.forks() < preset)
            {
                classes.merge(r.simpleClassName(), new int[] {r.forks(), preset},
                    (a, b) -> new int[] {Math.min(a[0], b[0]), Math.max(a[1], b[1])});
            }
        }
        return classes;
    }

    /** @return the forks {@link Preset#FULL} gives {@code r}'s class in {@code r}'s mode. */
    static int presetForks(final JmhResult r)
    {
        Mode mode;
        try
        {
            mode = Mode.deepValueOf(r.mode());
        }
        catch (final IllegalStateException | IllegalArgumentException ex)
        {
            mode = Mode.AverageTime;
        }
        return Preset.FULL.sizing(BenchKind.of(r.benchmark(), mode), r.benchmark()).forks();
    }
}
