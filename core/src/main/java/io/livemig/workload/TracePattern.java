package io.livemig.workload;

import java.util.Locale;

/**
 * Replays a {@link DirtyTrace}: the vCPUs write the trace's pages, interval by interval and in its order, for
 * ever (the trace repeats). Where the trace is timed and the workload has no dirty rate of its own, the writes
 * of each interval are spread evenly over that interval's length, so the guest dirties at the trace's rate
 * ({@link PageSequence#intervalNanos()}); otherwise they go at the workload's rate, or flat out. With several
 * writers, writer {@code w} of {@code n} takes every {@code n}-th page of each interval from its {@code w}-th.
 *
 * <p>A trace of another guest size is scaled: page {@code p} of a trace of {@code T} pages is page {@code p *
 * pageCount / T} here (so a smaller guest folds neighbours together, a larger one spreads them).
 *
 * <p>Immutable; its sequences are not thread-safe (one per writer).
 */
public final class TracePattern extends AccessPattern
{
    private final DirtyTrace trace;
    /** Each interval's pages, scaled to this guest; intervals without pages left out. */
    private final long[][] pages;
    /** Nanoseconds between two writes of one interval over all writers; 0 where unpaced. */
    private final long[] intervals;

    TracePattern(final String source, final DirtyTrace trace, final long pageCount)
    {
        super(String.format(Locale.ROOT, "trace(%s: %d intervals, %d pages%s)", source, trace.entries().size(),
            trace.totalPages(), trace.timed() ? String.format(Locale.ROOT, " at %.0f pages/s",
                trace.pagesPerSecond()) : ", untimed"), pageCount);
        if (trace.totalPages() == 0)
        {
            throw new IllegalArgumentException("trace " + source + " dirties no page");
        }
        this.trace = trace;
        final double[] durations = trace.durationsMs();
        final long n = (int)trace.entries().stream().filter(e -> e.pages().length > 0).count();
        this.pages = new long[(int)n][];
        this.intervals = new long[(int)n];
        int i = 0;
        for (int e = 0; e < trace.entries().size(); e++)
        {
            final long[] traced = trace.entries().get(e).pages();
            if (traced.length == 0)
            {
                continue;
            }
            final long[] scaled = new long[traced.length];
            for (int j = 0; j < traced.length; j++)
            {
                scaled[j] = pageCount == trace.pageCount() ? traced[j] :
                    Math.min(pageCount - 1, (long)((double)traced[j] * pageCount / trace.pageCount()));
            }
            pages[i] = scaled;
            intervals[i] = durations == null ? 0 : (long)(durations[e] * 1e6 / traced.length);
            i++;
        }
    }

    /** @return the trace replayed. */
    public DirtyTrace trace()
    {
        return trace;
    }

    @Override
    public boolean isPaced()
    {
        return trace.timed();
    }

    @Override
    public PageSequence sequence(final long seed, final int writerIndex, final int writerCount)
    {
        if (writerIndex < 0 || writerIndex >= writerCount)
        {
            throw new IllegalArgumentException("writer " + writerIndex + " of " + writerCount);
        }
        return new PageSequence()
        {
            private int entry;
            private int next = writerIndex;
            private long interval;

            @Override
            public long nextPage()
            {
                // each writer takes every writerCount-th page of an interval; an interval with fewer pages than
                // writers gives some writers none, and one that is never long enough its page at writerIndex mod
                // its length
                int skipped = 0;
                while (next >= pages[entry].length)
                {
                    entry = entry + 1 == pages.length ? 0 : entry + 1;
                    next = writerIndex;
                    if (++skipped > pages.length)
                    {
                        next = writerIndex % pages[entry].length;
                    }
                }
                final long page = pages[entry][next];
                interval = intervals[entry] * writerCount;
                next += writerCount;
                return page;
            }

            @Override
            public long intervalNanos()
            {
                return interval;
            }
        };
    }
}
