package io.livemig.migration.link;

import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;

/**
 * A {@link MigrationLink} inside the process: two {@link MemoryPipe}s, one more forward pipe per page channel when
 * there are several, and one for the preempt connection; the forward ones behind one {@link TokenBucket} for the
 * bandwidth limit (the preempt pipe's bytes urgent), all with the same optional one-way latency.
 *
 * <p>Thread-safety: as {@link MigrationLink}.
 */
public final class MemoryLink implements MigrationLink
{
    private static final int PIPE_BYTES = 4 << 20;

    private final MemoryPipe forward;
    private final MemoryPipe back;
    private final WritableByteChannel sourceOut;
    private final MemoryPipe[] pages;
    private final WritableByteChannel[] pagesOut;
    /** The preempt connection's pipe, or null. */
    private final MemoryPipe preempt;
    private final WritableByteChannel preemptOut;

    /**
     * @param bytesPerSecond forward bandwidth, 0 for unlimited.
     * @param latencyNs      one-way latency in each direction, 0 for none.
     */
    public MemoryLink(final long bytesPerSecond, final long latencyNs)
    {
        this(bytesPerSecond, latencyNs, 1);
    }

    /**
     * @param bytesPerSecond forward bandwidth of all forward pipes together, 0 for unlimited.
     * @param latencyNs      one-way latency in each direction, 0 for none.
     * @param channels       page channels: above 1, that many more forward pipes of their own.
     */
    public MemoryLink(final long bytesPerSecond, final long latencyNs, final int channels)
    {
        this(bytesPerSecond, latencyNs, channels, false);
    }

    /**
     * @param bytesPerSecond forward bandwidth of all forward pipes together, 0 for unlimited.
     * @param latencyNs      one-way latency in each direction, 0 for none.
     * @param channels       page channels: above 1, that many more forward pipes of their own.
     * @param preempt        one more forward pipe for post-copy's requested pages, ahead in the bandwidth.
     */
    public MemoryLink(final long bytesPerSecond, final long latencyNs, final int channels, final boolean preempt)
    {
        // Room for what the link carries during one latency, so latency does not throttle the bandwidth.
        final long inFlight = bytesPerSecond == 0 ? 0 : (long)(bytesPerSecond * (latencyNs / 1e9));
        this.forward = new MemoryPipe((int)Math.min(1 << 30, Math.max(PIPE_BYTES, 2 * inFlight)), latencyNs);
        this.back = new MemoryPipe(256 << 10, latencyNs);
        final TokenBucket bucket = new TokenBucket(bytesPerSecond);
        this.sourceOut = new ThrottledChannel(forward.sink(), bucket);
        if (channels < 1)
        {
            throw new IllegalArgumentException("channels must be at least 1: " + channels);
        }
        this.pages = new MemoryPipe[channels == 1 ? 0 : channels];
        this.pagesOut = new WritableByteChannel[pages.length];
        for (int c = 0; c < pages.length; c++)
        {
            pages[c] = new MemoryPipe((int)Math.min(1 << 30, Math.max(PIPE_BYTES, 2 * inFlight / channels)), latencyNs);
            pagesOut[c] = new ThrottledChannel(pages[c].sink(), bucket);
        }
        this.preempt = preempt ? new MemoryPipe(PIPE_BYTES, latencyNs) : null;
        this.preemptOut = preempt ? new ThrottledChannel(this.preempt.sink(), bucket, true) : null;
    }

    @Override
    public boolean preempt()
    {
        return preempt != null;
    }

    @Override
    public void closePreempt()
    {
        if (preempt != null)
        {
            preempt.closeSink();
            preempt.closeSource();
        }
    }

    @Override
    public WritableByteChannel sourcePreempt()
    {
        if (preempt == null)
        {
            return MigrationLink.super.sourcePreempt();
        }
        return preemptOut;
    }

    @Override
    public ReadableByteChannel destinationPreempt()
    {
        if (preempt == null)
        {
            return MigrationLink.super.destinationPreempt();
        }
        return preempt.source();
    }

    @Override
    public int channels()
    {
        return Math.max(1, pages.length);
    }

    @Override
    public WritableByteChannel sourceOut(final int channel)
    {
        return pagesOut[channel];
    }

    @Override
    public ReadableByteChannel destinationIn(final int channel)
    {
        return pages[channel].source();
    }

    @Override
    public String name()
    {
        return "memory";
    }

    @Override
    public WritableByteChannel sourceOut()
    {
        return sourceOut;
    }

    @Override
    public ReadableByteChannel destinationIn()
    {
        return forward.source();
    }

    @Override
    public WritableByteChannel destinationOut()
    {
        return back.sink();
    }

    @Override
    public ReadableByteChannel sourceIn()
    {
        return back.source();
    }

    @Override
    public void finishSource()
    {
        for (final MemoryPipe pipe : pages)
        {
            pipe.closeSink();
        }
        if (preempt != null)
        {
            preempt.closeSink();
        }
        forward.closeSink();
    }

    @Override
    public void finishDestination()
    {
        back.closeSink();
    }

    @Override
    public void close()
    {
        for (final MemoryPipe pipe : pages)
        {
            pipe.closeSink();
            pipe.closeSource();
        }
        if (preempt != null)
        {
            preempt.closeSink();
            preempt.closeSource();
        }
        forward.closeSink();
        forward.closeSource();
        back.closeSink();
        back.closeSource();
    }
}
