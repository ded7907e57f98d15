package io.livemig.bench.report.stats;

import org.apache.commons.math3.distribution.TDistribution;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.OptionalInt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The verdict rules, their edges, and the arithmetic of the forks that would resolve an unresolved row. */
class VerdictTest
{
    private static Verdict.Measure one(final double value, final double low, final double high, final int forks,
                                       final int iterations)
    {
        return Verdict.Measure.of(new Verdict.Side(new Interval(value, low, high), forks, iterations));
    }

    private static Verdict judge(final Verdict.Measure m, final double goal, final boolean atLeast)
    {
        return Verdict.judge(m, goal, atLeast, List.of(), null);
    }

    @Test
    void metShortAndUnresolvedFollowTheIntervalsEnds()
    {
        final Verdict.Measure m = one(1.2, 1.1, 1.3, 3, 2);
        assertEquals(Verdict.Kind.MET, judge(m, 1.0, true).kind());
        assertEquals(Verdict.Kind.MET, judge(m, 1.1, true).kind(), "a lower end at the goal reaches it");
        assertEquals(Verdict.Kind.UNRESOLVED, judge(m, 1.15, true).kind());
        assertEquals(Verdict.Kind.UNRESOLVED, judge(m, 1.3, true).kind(), "an upper end at the goal is not below it");
        assertEquals(Verdict.Kind.SHORT, judge(m, 1.31, true).kind());
        // ≤ goals mirror it
        assertEquals(Verdict.Kind.MET, judge(m, 1.3, false).kind());
        assertEquals(Verdict.Kind.UNRESOLVED, judge(m, 1.25, false).kind());
        assertEquals(Verdict.Kind.SHORT, judge(m, 1.05, false).kind());
        assertEquals("lower end 1.100 ≥ 1", judge(m, 1.0, true).detail());
        assertEquals("upper end 1.300 < 1.31", judge(m, 1.31, true).detail());
        assertEquals("lower end 1.100 > 1.05", judge(m, 1.05, false).detail());
        assertTrue(judge(m, 1.0, true).judged() && !Verdict.judge(m, 1, true, List.of(), "x").judged());
    }

    @Test
    void anEstimateOnTheGoalOrWithoutAnIntervalCannotBeResolved()
    {
        final Verdict on = judge(one(1.0, 0.9, 1.1, 3, 2), 1.0, true);
        assertEquals(Verdict.Kind.UNRESOLVED, on.kind());
        assertEquals(OptionalInt.empty(), on.moreForks());
        assertEquals("the estimate sits on the goal: no number of forks resolves it", on.detail());
        final Verdict none = judge(one(1.5, Double.NaN, Double.NaN, 1, 1), 1.0, true);
        assertEquals(Verdict.Kind.UNRESOLVED, none.kind());
        assertEquals("no interval (a single iteration)", none.detail());
        final Verdict far = judge(one(1.0001, 0.5, 1.5, 3, 2), 1.0, true);
        assertEquals("more than 1000 more forks at this spread", far.detail());
    }

    @Test
    void callBoundComesFirstThenBimodal()
    {
        final Verdict.Measure m = one(2, 1.9, 2.1, 3, 2);
        final ForkSpread split = ForkSpread.of(new Metric(0, 0, 0, 0, "ns/op",
            List.of(List.of(218.0, 218.4), List.of(275.0, 277.0))));
        final ForkSpread steady = ForkSpread.of(new Metric(0, 0, 0, 0, "ns/op",
            List.of(List.of(218.0, 218.4), List.of(218.0, 218.4))));
        assertEquals(Verdict.Kind.CALL_BOUND, Verdict.judge(m, 1, true, List.of(split), "call").kind());
        assertEquals(Verdict.Kind.BIMODAL, Verdict.judge(m, 1, true, List.of(steady, split), null).kind());
        assertEquals(Verdict.Kind.MET, Verdict.judge(m, 1, true, java.util.Arrays.asList(steady, null), null).kind());
        assertEquals("bimodal", Verdict.judge(m, 1, true, List.of(split), null).word());
        assertEquals("call-bound", Verdict.judge(m, 1, true, List.of(), "call").word());
    }

    /**
     * The forks that resolve a row: recomputed here from JMH's t quantile, independently of the code. 1.05 with an
     * interval of ±0.1 from 3 forks x 2 iterations against 1.0: with f forks the half-width is
     * 0.1 * t(2f - 1) / t(5) * sqrt(6 / 2f); the least f with a half-width under 0.05 is the answer.
     */
    @Test
    void moreForksIsTheLeastThatNarrowsTheIntervalPastTheGoal()
    {
        final Verdict.Measure m = one(1.05, 0.95, 1.15, 3, 2);
        final Verdict v = judge(m, 1.0, true);
        assertEquals(Verdict.Kind.UNRESOLVED, v.kind());
        int expected = -1;
        for (int f = 4; f < 1000 && expected < 0; f++)
        {
            final double h = 0.1 * t(2 * f - 1) / t(5) * Math.sqrt(6.0 / (2 * f));
            if (1.05 - h > 1.0)
            {
                expected = f - 3;
            }
        }
        assertEquals(OptionalInt.of(expected), v.moreForks());
        assertTrue(expected > 1, "several forks: " + expected);
        assertTrue(v.detail().startsWith(expected + " more forks at this spread would resolve it (as met"),
            v.detail());
        // one fork fewer leaves it unresolved; the count found resolves it
        assertTrue(m.withMoreForks(expected - 1).low() <= 1.0);
        assertTrue(m.withMoreForks(expected).low() > 1.0);
        // a ≤ goal resolved toward short says so
        assertTrue(judge(m, 1.0, false).detail().contains("(as short, if the estimate holds)"));
    }

    @Test
    void aRatioNarrowsOnBothSides()
    {
        final Verdict.Side a = new Verdict.Side(new Interval(1100, 1000, 1200), 3, 2);
        final Verdict.Side b = new Verdict.Side(new Interval(1000, 950, 1050), 5, 2);
        final Verdict.Measure ratio = Verdict.Measure.ratio(a, b);
        assertEquals(Interval.ratio(a.interval(), b.interval()), ratio.interval());
        final Verdict v = judge(ratio, 1.0, true);
        assertEquals(Verdict.Kind.UNRESOLVED, v.kind());
        final int more = v.moreForks().orElseThrow();
        assertEquals(Interval.ratio(a.withMoreForks(more), b.withMoreForks(more)), ratio.withMoreForks(more));
        assertTrue(ratio.withMoreForks(more).low() > 1.0);
        assertFalse(ratio.withMoreForks(more - 1).low() > 1.0);
        // a side whose interval reaches zero leaves the ratio unbounded: unresolved
        final Verdict.Measure open = Verdict.Measure.ratio(new Verdict.Side(new Interval(2.7, 2.6, 2.8), 4, 2),
            new Verdict.Side(new Interval(3.5, -0.5, 7.5), 4, 2));
        assertEquals(Verdict.Kind.UNRESOLVED, judge(open, 1.0, true).kind());
    }

    private static double t(final int df)
    {
        return new TDistribution(df).inverseCumulativeProbability(0.9995);
    }
}
