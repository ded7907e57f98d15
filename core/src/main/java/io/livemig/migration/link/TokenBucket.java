package io.livemig.migration.link;

import java.util.concurrent.locks.LockSupport;

/**
 * A token bucket that limits a byte stream to {@code bytesPerSecond}: tokens accrue at that rate up to a
 * burst of {@link #burstBytes()}, and {@link #acquire} takes one token per byte, sleeping while there are
 * too few. The same bucket shapes the in-memory and the TCP link, so both obey one bandwidth setting.
 *
 * <p>Thread-safety: {@link #acquire} is synchronized (one stream is written by one thread at a time; the
 * lock only guards the arithmetic). A rate of 0 means unlimited and never sleeps.
 */
public final class TokenBucket
{
    /** Burst: 10 ms of traffic, at least 64 KiB, so one page record always fits. */
    private static final long BURST_NS = 10_000_000L;
    private static final long MIN_BURST = 64 << 10;

    private final long bytesPerSecond;
    private final long burst;
    private long tokens;
    private long lastRefillNs;

    /** @param bytesPerSecond the rate, or 0 for unlimited. */
    public TokenBucket(final long bytesPerSecond)
    {
        if (bytesPerSecond < 0)
        {
            throw new IllegalArgumentException("bandwidth must be 0 (unlimited) or positive: " + bytesPerSecond);
        }
        this.bytesPerSecond = bytesPerSecond;
        this.burst = Math.max(MIN_BURST, (long)(bytesPerSecond * (BURST_NS / 1e9)));
        this.tokens = burst;
        this.lastRefillNs = System.nanoTime();
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
    public synchronized void acquire(final int bytes)
    {
        if (bytesPerSecond == 0 || bytes == 0)
        {
            return;
        }
        if (bytes < 0 || bytes > burst)
        {
            throw new IllegalArgumentException("acquire of " + bytes + " bytes outside [0, " + burst + "]");
        }
        while (true)
        {
            final long now = System.nanoTime();
            final long accrued = (long)((now - lastRefillNs) * (bytesPerSecond / 1e9));
            if (accrued > 0)
            {
                tokens = Math.min(burst, tokens + accrued);
                lastRefillNs = now;
            }
            if (tokens >= bytes)
            {
                tokens -= bytes;
                return;
            }
            LockSupport.parkNanos((long)((bytes - tokens) * 1e9 / bytesPerSecond) + 1);
        }
    }
}
