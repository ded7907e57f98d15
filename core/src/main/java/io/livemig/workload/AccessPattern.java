package io.livemig.workload;

import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Which pages a guest's vCPUs write, as a factory of per-writer {@link PageSequence}s: the workloads of the
 * dirty-rate literature, each with a seed so that a run can be repeated.
 *
 * <ul>
 *   <li>{@link #uniform}: every page equally likely;</li>
 *   <li>{@link #hotSet}: a contiguous hot range of a fraction {@code h} of the pages takes a fraction
 *       {@code p} of the writes, the rest fall uniformly on the cold pages;</li>
 *   <li>{@link #zipf}: page popularity follows Zipf's law with exponent {@code s}; ranks are scattered over
 *       memory by a fixed permutation, so hot pages are not neighbours;</li>
 *   <li>{@link #sequential}: QEMU's migration test guest, which sweeps its range for ever touching every
 *       page in order; with several writers each sweeps its own slice;</li>
 *   <li>{@link TracePattern}: a real guest's dirty pattern, recorded from a QEMU stream ({@link DirtyTrace}),
 *       replayed at its own rate ({@link #isPaced()}). {@link Patterns#of} makes any of them from its name.</li>
 * </ul>
 *
 * <p>Thread-safety: patterns are immutable and may be shared; sequences are not.
 */
public abstract class AccessPattern
{
    private final String name;
    final long pageCount;

    AccessPattern(final String name, final long pageCount)
    {
        if (pageCount <= 0)
        {
            throw new IllegalArgumentException("pageCount must be positive: " + pageCount);
        }
        this.name = name;
        this.pageCount = pageCount;
    }

    /** @return the pattern's name and parameters, e.g. {@code zipf(s=0.99)}. */
    public final String name()
    {
        return name;
    }

    /** @return the number of pages the pattern draws from. */
    public final long pageCount()
    {
        return pageCount;
    }

    /**
     * @param seed        seed of this writer's random choices.
     * @param writerIndex which writer, {@code [0, writerCount)}; patterns that split memory use it.
     * @param writerCount how many writers share the pattern.
     * @return a new sequence owned by one writer.
     */
    public abstract PageSequence sequence(long seed, int writerIndex, int writerCount);

    /**
     * @return whether the pattern sets its own pace: its sequences say how long each write takes ({@link
     *         PageSequence#intervalNanos()}), which a workload without a dirty rate of its own follows.
     */
    public boolean isPaced()
    {
        return false;
    }

    @Override
    public String toString()
    {
        return name;
    }

    /** Every page equally likely. */
    public static AccessPattern uniform(final long pageCount)
    {
        return new AccessPattern("uniform", pageCount)
        {
            @Override
            public PageSequence sequence(final long seed, final int writerIndex, final int writerCount)
            {
                final SplittableRandom random = new SplittableRandom(seed);
                final long n = this.pageCount;
                return () -> random.nextLong(n);
            }
        };
    }

    /**
     * A contiguous hot range of {@code hotFraction} of the pages, starting at page 0, takes {@code
     * hotProbability} of the writes.
     */
    public static AccessPattern hotSet(final long pageCount, final double hotFraction, final double hotProbability)
    {
        if (!(hotFraction > 0 && hotFraction <= 1) || !(hotProbability >= 0 && hotProbability <= 1))
        {
            throw new IllegalArgumentException(
                "hot set needs 0 < fraction <= 1 and 0 <= probability <= 1: " + hotFraction + ", " + hotProbability);
        }
        final long hot = Math.max(1, (long)(pageCount * hotFraction));
        final String name = String.format(Locale.ROOT, "hotset(h=%s,p=%s)", hotFraction, hotProbability);
        return new AccessPattern(name, pageCount)
        {
            @Override
            public PageSequence sequence(final long seed, final int writerIndex, final int writerCount)
            {
                final SplittableRandom random = new SplittableRandom(seed);
                final long cold = this.pageCount - hot;
                return () -> cold == 0 || random.nextDouble() < hotProbability ?
                    random.nextLong(hot) : hot + random.nextLong(cold);
            }
        };
    }

    /** Zipf's law with exponent {@code exponent} over the pages, ranks scattered over memory. */
    public static AccessPattern zipf(final long pageCount, final double exponent)
    {
        final ZipfSampler sampler = new ZipfSampler(pageCount, exponent);
        return new AccessPattern(String.format(Locale.ROOT, "zipf(s=%s)", exponent), pageCount)
        {
            @Override
            public PageSequence sequence(final long seed, final int writerIndex, final int writerCount)
            {
                final SplittableRandom random = new SplittableRandom(seed);
                return () -> sampler.scatter(sampler.sample(random) - 1);
            }
        };
    }

    /** QEMU's migration test guest: each writer sweeps its slice of the pages in order, for ever. */
    public static AccessPattern sequential(final long pageCount)
    {
        return new AccessPattern("sequential", pageCount)
        {
            @Override
            public PageSequence sequence(final long seed, final int writerIndex, final int writerCount)
            {
                if (writerIndex < 0 || writerIndex >= writerCount)
                {
                    throw new IllegalArgumentException("writer " + writerIndex + " of " + writerCount);
                }
                final long n = this.pageCount;
                final long first = sliceFirst(n, writerIndex, writerCount);
                final long end = sliceEnd(n, writerIndex, writerCount);
                final long[] next = {first};
                return () ->
                {
                    final long page = next[0];
                    next[0] = page + 1 == end ? first : page + 1;
                    return Math.min(page, n - 1);
                };
            }
        };
    }

    /** @return the first page of writer {@code i}'s slice of {@code n} pages shared by {@code w} sweeping writers. */
    static long sliceFirst(final long n, final int i, final int w)
    {
        return n * i / w;
    }

    /** @return one past the last page of writer {@code i}'s slice (at least one page, clamped at use). */
    static long sliceEnd(final long n, final int i, final int w)
    {
        return Math.max(sliceFirst(n, i, w) + 1, n * (i + 1) / w);
    }
}
