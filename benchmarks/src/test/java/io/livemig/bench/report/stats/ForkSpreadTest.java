package io.livemig.bench.report.stats;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Fork means and the bimodality test, on fixtures shaped like the published runs' rawData. */
class ForkSpreadTest
{
    private static ForkSpread spread(final List<List<Double>> raw)
    {
        return ForkSpread.of(new Metric(0, 0, 0, 0, "ns/op", raw));
    }

    @Test
    void forksThatAgreeFormOneGroup()
    {
        final ForkSpread s = spread(List.of(List.of(100.0, 101.0), List.of(100.5, 99.5), List.of(101.0, 100.0)));
        assertEquals(List.of(100.5, 100.0, 100.5), s.means());
        assertEquals(2, s.iterations());
        assertEquals(Math.sqrt(1.5 / 3), s.within(), 1e-12); // (0.25+0.25) + (0.25+0.25) + (0.25+0.25) over 3 df
        assertFalse(s.bimodal());
        assertEquals("100.5, 100.0, 100.5", s.meansText(1));
    }

    @Test
    void twoLevelsFarApartAreTwoGroups()
    {
        // qemuEncodeAvx512 ONE_RUN_64, JDK 25 full run: fork means 218.2, 276.0, 219.4, each fork steady
        final ForkSpread s = spread(List.of(List.of(218.0, 218.4), List.of(275.0, 277.0), List.of(219.0, 219.8)));
        assertTrue(s.bimodal());
        assertEquals("{218.2, 219.4} {276.0}", s.groupsText(1));
        assertEquals("3 forks x 2: {218.2, 219.4} {276.0}", s.toString());
    }

    @Test
    void aSplitNeedsBothBoundsAndThreeLevelsAreThreeGroups()
    {
        // gap of 3 %: far beyond the forks' own noise, but under 5 % of the mean: one group
        assertFalse(spread(List.of(List.of(100.0, 100.01), List.of(103.0, 103.01))).bimodal());
        // gap of 10 %, but iterations that vary by 14 (s = 14.1): within 4 s, one group
        assertFalse(spread(List.of(List.of(90.0, 110.0), List.of(100.0, 120.0))).bimodal());
        // just over both bounds: 5.2 % and far over 4 s
        assertTrue(spread(List.of(List.of(100.0, 100.1), List.of(105.3, 105.4))).bimodal());
        final ForkSpread three = spread(List.of(List.of(1.74, 1.75), List.of(3.9, 3.92), List.of(4.89, 4.9)));
        assertEquals(3, three.groups().size(), three.toString());
    }

    @Test
    void whatCannotBeTestedIsNotBimodal()
    {
        final ForkSpread one = spread(List.of(List.of(100.0, 300.0, 200.0)));
        assertFalse(one.bimodal(), "a single fork");
        final ForkSpread shots = spread(List.of(List.of(100.0), List.of(300.0), List.of(200.0)));
        assertTrue(Double.isNaN(shots.within()));
        assertFalse(shots.bimodal(), "no fork has two iterations");
        assertEquals(List.of(100.0, 300.0, 200.0), shots.means());
        final ForkSpread none = spread(List.of());
        assertEquals(0, none.forks());
        assertFalse(none.bimodal());
    }
}
