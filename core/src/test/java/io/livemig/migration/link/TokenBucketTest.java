package io.livemig.migration.link;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The bucket on a clock the test moves: urgent bytes (the preempt connection's) go at once, into at most one
 * burst of debt that later bytes pay back, and over any sequence of takes the bytes handed out never exceed the
 * first burst plus the rate times the time that passed.
 */
class TokenBucketTest
{
    private static final long RATE = 1L << 20; // 1 MiB/s: a burst of 64 KiB (the floor), 1 ns per ~1e-3 byte

    private long now;
    private final TokenBucket bucket = new TokenBucket(RATE, () -> now);

    @Test
    void urgentBytesGoAtOnceWhereOthersWait()
    {
        final int burst = (int)bucket.burstBytes();
        assertEquals(0, bucket.take(burst, false), "a full bucket gives its burst");
        assertTrue(bucket.take(4096, false) > 0, "an empty bucket makes bulk bytes wait");
        assertEquals(0, bucket.take(4096, true), "urgent bytes do not wait");
        assertEquals(-4096, bucket.tokens());
    }

    @Test
    void debtIsAtMostOneBurstAndIsPaidBackByTheOthers()
    {
        final int burst = (int)bucket.burstBytes();
        assertEquals(0, bucket.take(burst, false));
        assertEquals(0, bucket.take(burst, true));
        assertEquals(-burst, bucket.tokens());
        assertTrue(bucket.take(1, true) > 0, "urgent bytes wait too beyond one burst of debt");
        // Bulk bytes now wait for the debt and their own tokens: 2 bursts at the rate.
        final long wait = bucket.take(burst, false);
        assertTrue(wait >= (long)(2.0 * burst * 1e9 / RATE) - 1, "waited " + wait + " ns");
        now += wait;
        assertEquals(0, bucket.take(burst, false), "after that wait the tokens are there");
    }

    /** Whatever the order of bulk and urgent takes, no more leaves than one burst (two with debt) plus the rate's. */
    @Property(tries = 200)
    void theRateHolds(@ForAll @Size(min = 1, max = 200) final List<@IntRange(min = -65536, max = 65536) Integer> takes)
    {
        now = 0;
        final TokenBucket b = new TokenBucket(RATE, () -> now);
        long handedOut = 0;
        for (final int take : takes)
        {
            final boolean urgent = take < 0;
            final int bytes = Math.abs(take);
            long wait;
            while ((wait = b.take(bytes, urgent)) > 0)
            {
                now += wait;
            }
            handedOut += bytes;
            final double allowed = 2 * b.burstBytes() + RATE * (now / 1e9) + 1;
            assertTrue(handedOut <= allowed, handedOut + " bytes by " + now + " ns");
            assertTrue(b.tokens() >= -b.burstBytes(), "debt beyond one burst: " + b.tokens());
        }
    }
}
