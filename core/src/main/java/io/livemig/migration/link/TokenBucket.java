package io.livemig.migration.link;

import java.util.concurrent.locks.LockSupport;
import java.util.function.LongSupplier;

/**
 * A token bucket that limits a byte stream to {@code bytesPerSecond}: tokens accrue at that rate up to a
 * burst of {@link #burstBytes()}, and {@link #acquire} takes one token per byte, sleeping while there are
 * too few. The same bucket shapes the in-memory and the TCP link, so both obey one bandwidth setting.
 *
 * <p>Urgent bytes ({@link #acquireUrgent}, post-copy's requested pages on the preempt connection) never wait
 * behind other writers: they take their tokens at once, into debt if need be (at most one burst), and the
 * other writers pay the debt back by waiting longer. The rate over time holds; only the order changes, as
 * a wire interleaves a small urgent packet between a bulk sender's packets.
 *
 * <p>Thread-safety: the arithmetic is guarded by this object's lock, which is never held while sleeping, so
 * several writers (page channels, the preempt connection) may share one bucket. A rate of 0 means unlimited
 * and never sleeps.
 */
public final class TokenBucket
{
    /** Burst: 10 ms of traffic, at least 64 KiB, so one page record always fits. */
    private static final long BURST_NS = 10_000_000L;
    private static final long MIN_BURST = 64 << 10;

    private final long bytesPerSecond;
    private final long burst;
    private final LongSupplier clock;
    private long tokens;
    private long lastRefillNs;

    /** @param bytesPerSecond the rate, or 0 for unlimited. */
    public TokenBucket(final long bytesPerSecond)
    {
        this(bytesPerSecond, System::nanoTime);
    }

    /** @param clock nanoseconds, as {@link System#nanoTime()}; tests pass their own. */
    TokenBucket(final long bytesPerSecond, final LongSupplier clock)
    {
        if (bytesPerSecond < 0)
        {
            throw new IllegalArgumentException("bandwidth must be 0 (unlimited) or positive: " + bytesPerSecond);
        }
        this.bytesPerSecond = bytesPerSecond;
        this.burst = Math.max(MIN_BURST, (long)(bytesPerSecond * (BURST_NS / 1e9)));
        this.clock = clock;
        this.tokens = burst;
        this.lastRefillNs = clock.getAsLong();
    }

    /** @return the rate in bytes per second, 0 if unlimited. */
    public long bytesPerSecond()
    {
        return bytesPerSecond;
    }

    /** @return the most bytes one {@link #acquire} may ask for. */
    public long burstBytes()
    {
        return burst;
    }

    /**
     * Takes {@code bytes} tokens, sleeping until they have accrued.
     *
     * @param bytes 0 to {@link #burstBytes()}.
     */
    public void acquire(final int bytes)
    {
        acquire(bytes, false);
    }

    /**
     * Takes {@code bytes} tokens at once, ahead of every waiting {@link #acquire}: the balance may fall to one
     * burst below zero. Sleeps only when even that debt would be exceeded.
     *
     * @param bytes 0 to {@link #burstBytes()}.
     */
    public void acquireUrgent(final int bytes)
    {
        acquire(bytes, true);
    }

    private void acquire(final int bytes, final boolean urgent)
    {
        check(bytes);
        if (bytesPerSecond == 0 || bytes == 0)
        {
            return;
        }
        long waitNs;
        while ((waitNs = take(bytes, urgent)) > 0)
        {
            LockSupport.parkNanos(waitNs);
        }
    }

    private void check(final int bytes)
    {
        if (bytes < 0 || (bytesPerSecond != 0 && bytes > burst))
        {
            throw new IllegalArgumentException("acquire of " + bytes + " bytes outside [0, " + burst + "]");
        }
    }

    /** @return 0 if the tokens were taken, else how long to sleep before trying again (ns). */
    synchronized long take(final int bytes, final boolean urgent)
    {
        final long now = clock.getAsLong();
        final long accrued = (long)((now - lastRefillNs) * (bytesPerSecond / 1e9));
        if (accrued > 0)
        {
            tokens = Math.min(burst, tokens + accrued);
            lastRefillNs = now;
        }
        final long floor = urgent ? bytes - burst : bytes;
        if (tokens >= floor)
        {
            tokens -= bytes;
            return 0;
        }
        return (long)((floor - tokens) * 1e9 / bytesPerSecond) + 1;
    }

    /** @return the balance now: negative while urgent bytes are being paid back. */
    synchronized long tokens()
    {
        return tokens;
    }
}
