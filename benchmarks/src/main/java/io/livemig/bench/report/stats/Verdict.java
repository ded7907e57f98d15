package io.livemig.bench.report.stats;

import org.apache.commons.math3.distribution.TDistribution;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalInt;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What a row's 99.9 % interval says about a goal ({@code ≥ goal} or {@code ≤ goal}):
 * <ul>
 *   <li><b>met</b>: the whole interval is on the goal's side (for {@code ≥}: its lower end reaches the goal);</li>
 *   <li><b>short</b>: the whole interval misses it (for {@code ≥}: its upper end stays below the goal);</li>
 *   <li><b>unresolved</b>: the goal lies inside the interval; the verdict says how many more forks would
 *       resolve it at the observed spread (below), or that none can (the estimate sits on the goal);</li>
 *   <li><b>bimodal</b>: a side's forks fall into separate groups ({@link ForkSpread}), so its pooled mean is an
 *       average of levels: no verdict;</li>
 *   <li><b>call-bound</b>: the C side's time is within {@value #CALL_BOUND_FACTOR} x of the least a call of the
 *       anchor costs ({@code CallFloorBenchmark}): the row times the call, not the work: no verdict.</li>
 * </ul>
 * The last two are checked first: they say the interval cannot be read as the row's answer.
 *
 * <p><b>How many more forks.</b> A side's JMH interval has half-width {@code h = t(n - 1) s / sqrt(n)}, where
 * {@code n = f k} is its iterations ({@code f} forks of {@code k}), {@code s} their standard deviation and
 * {@code t(df)} Student's 0.9995 quantile (JMH's own: it is a two-sided 99.9 % interval over all iterations).
 * Run with {@code f'} forks of the same {@code k} and the same spread {@code s}, it would have
 * <pre>
 *   h' = h * (t(f' k - 1) / t(f k - 1)) * sqrt(f / f')
 * </pre>
 * around the same estimate (each end moves toward it in proportion: JMH's intervals are symmetric). A ratio's
 * interval is recomputed from both sides so narrowed, each side with its own {@code f} and {@code k} and both
 * given the same number of extra forks ({@link Interval#ratio}). The answer is the least {@code f' - f} for which
 * the interval leaves the goal on the side of the estimate, searched up to {@value #MAX_MORE_FORKS} more. It
 * assumes that the estimate stays where it is and that the spread is what the run saw: it says how far the row
 * is from an answer, not what the answer will be.
 *
 * <p>Immutable; thread-safe (the t quantiles are cached in a concurrent map).
 *
 * @param kind      the verdict.
 * @param detail    a short reason: the interval's end against the goal, the groups, the call floor.
 * @param moreForks for {@link Kind#UNRESOLVED}: the extra forks that would resolve it, if some number would.
 */
public record Verdict(Kind kind, String detail, OptionalInt moreForks)
{
    /** A C time within this factor of the call floor is call-bound. */
    public static final double CALL_BOUND_FACTOR = 3;
    /** The largest number of extra forks the search tries. */
    public static final int MAX_MORE_FORKS = 1000;
    /** The confidence of JMH's intervals. */
    static final double CONFIDENCE = 0.999;
    /** Student's t quantiles by degrees of freedom, computed once each (JMH's: commons-math's). */
    private static final Map<Integer, Double> QUANTILES = new ConcurrentHashMap<>();

    /** The verdicts. */
    public enum Kind
    {
        /** The interval clears the goal. */
        MET,
        /** The interval misses the goal. */
        SHORT,
        /** The goal lies inside the interval. */
        UNRESOLVED,
        /** A side's forks split into groups. */
        BIMODAL,
        /** The C side times its call. */
        CALL_BOUND
    }

    /**
     * One measured quantity that forks narrow: its interval as measured, with the forks and iterations per fork
     * that gave it.
     *
     * @param interval   the interval.
     * @param forks      forks measured.
     * @param iterations measured iterations per fork.
     */
    public record Side(Interval interval, int forks, int iterations)
    {
        /** @return a result's metric in its own unit. */
        public static Side of(final Metric metric)
        {
            return of(metric, 1);
        }

        /** @return a result's metric multiplied by {@code factor} (a unit change). */
        public static Side of(final Metric metric, final double factor)
        {
            final ForkSpread spread = ForkSpread.of(metric);
            return new Side(Interval.of(metric).times(factor), Math.max(1, spread.forks()),
                Math.max(1, spread.iterations()));
        }

        /**
         * @return a counter recorded once per iteration (a single shot's aux counter), with the interval JMH would
         *         give a score of its iterations ({@link Interval#ofIterations}).
         */
        public static Side ofIterations(final Metric metric)
        {
            final ForkSpread spread = ForkSpread.of(metric);
            return new Side(Interval.ofIterations(metric), Math.max(1, spread.forks()),
                Math.max(1, spread.iterations()));
        }

        /** @return the interval this side would have with {@code more} extra forks at the same spread. */
        Interval withMoreForks(final int more)
        {
            if (more == 0 || !interval.known())
            {
                return interval;
            }
            final int n = forks * iterations;
            final int later = (forks + more) * iterations;
            if (n < 2)
            {
                return new Interval(interval.value(), Double.NaN, Double.NaN);
            }
            final double g = quantile(later - 1) / quantile(n - 1) * Math.sqrt((double)n / later);
            final double v = interval.value();
            return new Interval(v, v - g * (v - interval.low()), v + g * (interval.high() - v));
        }
    }

    /**
     * A row's quantity: one side (a time), or the ratio of two ({@code numerator / denominator}).
     *
     * @param numerator   the side, or a ratio's numerator.
     * @param denominator a ratio's denominator, or null.
     */
    public record Measure(Side numerator, Side denominator)
    {
        /** @return a single side. */
        public static Measure of(final Side side)
        {
            return new Measure(side, null);
        }

        /** @return the ratio {@code numerator / denominator}. */
        public static Measure ratio(final Side numerator, final Side denominator)
        {
            return new Measure(numerator, denominator);
        }

        /** @return the interval as measured. */
        public Interval interval()
        {
            return withMoreForks(0);
        }

        /** @return the interval with {@code more} extra forks on every side. */
        Interval withMoreForks(final int more)
        {
            final Interval a = numerator.withMoreForks(more);
            return denominator == null ? a : Interval.ratio(a, denominator.withMoreForks(more));
        }
    }

    /**
     * @param measure  the row's quantity.
     * @param goal     the goal.
     * @param atLeast  whether the goal is {@code ≥ goal} (else {@code ≤ goal}).
     * @param bimodal  the sides' fork spreads; any bimodal one makes the row bimodal (null entries are skipped).
     * @param callBound a call-bound reason, or null.
     * @return the verdict.
     */
    public static Verdict judge(final Measure measure, final double goal, final boolean atLeast,
                                final List<ForkSpread> bimodal, final String callBound)
    {
        if (callBound != null)
        {
            return new Verdict(Kind.CALL_BOUND, callBound, OptionalInt.empty());
        }
        for (final ForkSpread spread : bimodal)
        {
            if (spread != null && spread.bimodal())
            {
                return new Verdict(Kind.BIMODAL, "fork means " + spread.groupsText(1), OptionalInt.empty());
            }
        }
        final Interval interval = measure.interval();
        if (!interval.known())
        {
            return new Verdict(Kind.UNRESOLVED, "no interval (a single iteration)", OptionalInt.empty());
        }
        final String g = Fmt.plain(goal);
        if (atLeast ? interval.low() >= goal : interval.high() <= goal)
        {
            return new Verdict(Kind.MET, (atLeast ? "lower end " + Fmt.num(interval.low()) + " ≥ " :
                "upper end " + Fmt.num(interval.high()) + " ≤ ") + g, OptionalInt.empty());
        }
        if (atLeast ? interval.high() < goal : interval.low() > goal)
        {
            return new Verdict(Kind.SHORT, (atLeast ? "upper end " + Fmt.num(interval.high()) + " < " :
                "lower end " + Fmt.num(interval.low()) + " > ") + g, OptionalInt.empty());
        }
        final OptionalInt more = moreForks(measure, goal);
        final String detail;
        if (interval.value() == goal)
        {
            detail = "the estimate sits on the goal: no number of forks resolves it";
        }
        else if (more.isEmpty())
        {
            detail = "more than " + MAX_MORE_FORKS + " more forks at this spread";
        }
        else
        {
            final boolean towardMet = interval.value() > goal == atLeast;
            detail = String.format(Locale.ROOT, "%d more fork%s at this spread would resolve it (as %s, if the " +
                "estimate holds)", more.getAsInt(), more.getAsInt() == 1 ? "" : "s", towardMet ? "met" : "short");
        }
        return new Verdict(Kind.UNRESOLVED, detail, more);
    }

    /**
     * @return the least number of extra forks whose narrowed interval leaves {@code goal} on the far side from
     *         the estimate (see the class comment), or empty if the estimate is the goal or none up to
     *         {@value #MAX_MORE_FORKS} does.
     */
    static OptionalInt moreForks(final Measure measure, final double goal)
    {
        final double value = measure.interval().value();
        if (value == goal || Double.isNaN(value))
        {
            return OptionalInt.empty();
        }
        for (int more = 1; more <= MAX_MORE_FORKS; more++)
        {
            final Interval later = measure.withMoreForks(more);
            if (later.known() && (value > goal ? later.low() > goal : later.high() < goal))
            {
                return OptionalInt.of(more);
            }
        }
        return OptionalInt.empty();
    }

    /** @return Student's t quantile of JMH's two-sided 99.9 % interval at {@code df} degrees of freedom. */
    static double quantile(final int df)
    {
        return QUANTILES.computeIfAbsent(df,
            d -> new TDistribution(d).inverseCumulativeProbability(1 - (1 - CONFIDENCE) / 2));
    }


    /** @return whether the row has a verdict on the goal (met, short or unresolved). */
    public boolean judged()
    {
        return kind == Kind.MET || kind == Kind.SHORT || kind == Kind.UNRESOLVED;
    }

    /** @return the verdict's word: {@code met}, {@code short}, {@code unresolved}, {@code bimodal}, {@code call-bound}. */
    public String word()
    {
        return kind.name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
}
