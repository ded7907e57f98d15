package io.livemig.bench.migration;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** ThrottleBenchmark's loss figure and scenario choice (a whole scenario takes seconds: the bench run does it). */
class ThrottleBenchmarkTest
{
    @Test
    void lossIsTheMeanShareOfWritesPerSecondLostOverTheGivenVcpus()
    {
        final double[] before = {100, 200, 50};
        final double[] during = {50, 200, 75};
        assertEquals(25, ThrottleBenchmark.lossPct(before, during, 0, 2), 1e-9, "50 % and 0 %");
        assertEquals(-50, ThrottleBenchmark.lossPct(before, during, 2, 3), 1e-9, "faster during: negative");
        assertTrue(Double.isNaN(ThrottleBenchmark.lossPct(null, during, 0, 2)));
        assertTrue(Double.isNaN(ThrottleBenchmark.lossPct(before, new double[1], 0, 2)));
    }

    @Test
    void unknownThrottleIsRefused()
    {
        assertThrows(IllegalArgumentException.class, () -> ThrottleBenchmark.scenario("both", 1000));
    }
}
