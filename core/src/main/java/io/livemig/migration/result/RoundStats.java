package io.livemig.migration.result;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * What one pre-copy round did and what the dirty-log sync after it found: QEMU's per-iteration figures
 * (pages sent, wire bytes, the dirty rate of the period, the remainder) plus the stop decision's inputs.
 *
 * <p>Immutable; safe to share.
 */
public final class RoundStats
{
    private final long round;
    private final long pagesSent;
    private final long wireBytes;
    private final double ms;
    private final double dirtyPagesPerSecond;
    private final long remainingPages;
    private final int throttlePercent;
    private final double bandwidthBytesPerSecond;
    private final double estimateBytes;
    private final double thresholdBytes;

    public RoundStats(
        final long round, final long pagesSent, final long wireBytes, final double ms, final double dirtyPagesPerSecond,
        final long remainingPages, final int throttlePercent, final double bandwidthBytesPerSecond,
        final double estimateBytes, final double thresholdBytes)
    {
        this.round = round;
        this.pagesSent = pagesSent;
        this.wireBytes = wireBytes;
        this.ms = ms;
        this.dirtyPagesPerSecond = dirtyPagesPerSecond;
        this.remainingPages = remainingPages;
        this.throttlePercent = throttlePercent;
        this.bandwidthBytesPerSecond = bandwidthBytesPerSecond;
        this.estimateBytes = estimateBytes;
        this.thresholdBytes = thresholdBytes;
    }

    /** @return the round number, 0 for the first full pass. */
    public long round()
    {
        return round;
    }

    /** @return dirty pages processed in the round (sent, or found unchanged by XBZRLE). */
    public long pagesSent()
    {
        return pagesSent;
    }

    /** @return bytes the round put on the wire. */
    public long wireBytes()
    {
        return wireBytes;
    }

    /** @return the round's duration in milliseconds. */
    public double ms()
    {
        return ms;
    }

    /** @return pages newly dirtied per second over the period the following sync covered. */
    public double dirtyPagesPerSecond()
    {
        return dirtyPagesPerSecond;
    }

    /** @return dirty pages after the sync that ended the round. */
    public long remainingPages()
    {
        return remainingPages;
    }

    /** @return the throttle in force at the end of the round, percent. */
    public int throttlePercent()
    {
        return throttlePercent;
    }

    /** @return the bandwidth the round achieved (capped at the link's limit), bytes per second. */
    public double bandwidthBytesPerSecond()
    {
        return bandwidthBytesPerSecond;
    }

    /** @return the stop policy's estimate of the remainder, bytes. */
    public double estimateBytes()
    {
        return estimateBytes;
    }

    /** @return bandwidth times downtime limit, bytes. */
    public double thresholdBytes()
    {
        return thresholdBytes;
    }

    void toJson(final ObjectNode o)
    {
        o.put("round", round);
        o.put("pagesSent", pagesSent);
        o.put("wireBytes", wireBytes);
        ResultJson.num(o, "ms", ms);
        ResultJson.num(o, "dirtyPagesPerSec", dirtyPagesPerSecond);
        o.put("remainingPages", remainingPages);
        o.put("throttlePct", throttlePercent);
        ResultJson.num(o, "bandwidthBytesPerSec", bandwidthBytesPerSecond);
        ResultJson.num(o, "estimateBytes", estimateBytes);
        ResultJson.num(o, "thresholdBytes", thresholdBytes);
    }
}
