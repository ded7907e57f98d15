package io.livemig.workload;

import java.util.SplittableRandom;

/**
 * Draws ranks {@code 1..n} with probability proportional to {@code 1 / k^s} in constant expected time, by
 * rejection-inversion (W. Hörmann and G. Derflinger, "Rejection-inversion to generate variates from
 * monotone discrete distributions", ACM TOMACS 6(3), 1996), so that a pattern over millions of pages needs
 * no table.
 *
 * <p>Thread-safety: immutable; safe to share, each caller bringing its own random source.
 */
final class ZipfSampler
{
    private final long n;
    private final double exponent;
    private final double hIntegralX1;
    private final double hIntegralN;
    private final double squeeze;
    private final long domainMask;
    private final int halfBits;

    ZipfSampler(final long n, final double exponent)
    {
        if (n <= 0 || !(exponent > 0) || Double.isInfinite(exponent))
        {
            throw new IllegalArgumentException("Zipf needs n > 0 and a finite exponent > 0: n=" + n + ", s=" + exponent);
        }
        this.n = n;
        this.exponent = exponent;
        this.hIntegralX1 = hIntegral(1.5) - 1.0;
        this.hIntegralN = hIntegral(n + 0.5);
        this.squeeze = 2.0 - hIntegralInverse(hIntegral(2.5) - h(2.0));
        final int bits = Math.max(1, 64 - Long.numberOfLeadingZeros(n - 1));
        this.domainMask = bits == 64 ? -1L : (1L << bits) - 1;
        this.halfBits = Math.max(1, bits / 2);
    }

    long sample(final SplittableRandom random)
    {
        while (true)
        {
            final double u = hIntegralN + random.nextDouble() * (hIntegralX1 - hIntegralN);
            final double x = hIntegralInverse(u);
            long k = (long)(x + 0.5);
            if (k < 1)
            {
                k = 1;
            }
            else if (k > n)
            {
                k = n;
            }
            if (k - x <= squeeze || u >= hIntegral(k + 0.5) - h(k))
            {
                return k;
            }
        }
    }

    /**
     * Maps rank {@code r - 1} in {@code [0, n)} to a page by a fixed permutation: an invertible mix (odd
     * multiply, xor-shift) on the smallest power-of-two domain holding {@code n}, walked until it falls
     * below {@code n}, so popular ranks land far apart.
     */
    long scatter(final long rankIndex)
    {
        long x = rankIndex;
        do
        {
            x = (x * 0x9E3779B97F4A7C15L) & domainMask;
            x ^= x >>> halfBits;
            x = (x * 0xBF58476D1CE4E5B9L) & domainMask;
        }
        while (x >= n);
        return x;
    }

    private double h(final double x)
    {
        return Math.exp(-exponent * Math.log(x));
    }

    private double hIntegral(final double x)
    {
        final double logX = Math.log(x);
        return expm1OverX((1.0 - exponent) * logX) * logX;
    }

    private double hIntegralInverse(final double x)
    {
        double t = x * (1.0 - exponent);
        if (t < -1.0)
        {
            t = -1.0;
        }
        return Math.exp(log1pOverX(t) * x);
    }

    private static double log1pOverX(final double x)
    {
        return Math.abs(x) > 1e-8 ? Math.log1p(x) / x : 1.0 - x * (0.5 - x * (1.0 / 3.0 - 0.25 * x));
    }

    private static double expm1OverX(final double x)
    {
        return Math.abs(x) > 1e-8 ? Math.expm1(x) / x : 1.0 + x * 0.5 * (1.0 + x / 3.0 * (1.0 + 0.25 * x));
    }
}
