package io.livemig.migration;

import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;

/**
 * A {@link MigrationLink} inside the process: two {@link MemoryPipe}s, the forward one behind a {@link
 * TokenBucket} for the bandwidth limit, both with the same optional one-way latency.
 *
 * <p>Thread-safety: as {@link MigrationLink}.
 */
public final class MemoryLink implements MigrationLink
{
    private static final int PIPE_BYTES = 4 << 20;

    private final MemoryPipe forward;
    private final MemoryPipe back;
    private final WritableByteChannel sourceOut;

    /**
     * @param bytesPerSecond forward bandwidth, 0 for unlimited.
     * @param latencyNs      one-way latency in each direction, 0 for none.
     */
    public MemoryLink(final long bytesPerSecond, final long latencyNs)
    {
        // Room for what the link carries during one latency, so latency does not throttle the bandwidth.
        final long inFlight = bytesPerSecond == 0 ? 0 : (long)(bytesPerSecond * (latencyNs / 1e9));
        this.forward = new MemoryPipe((int)Math.min(1 << 30, Math.max(PIPE_BYTES, 2 * inFlight)), latencyNs);
        this.back = new MemoryPipe(256 << 10, latencyNs);
        this.sourceOut = new ThrottledChannel(forward.sink(), new TokenBucket(bytesPerSecond));
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
        forward.closeSink();
        forward.closeSource();
        back.closeSink();
        back.closeSource();
    }
}
