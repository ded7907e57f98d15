package io.livemig.migration.link;

import java.io.IOException;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;

/**
 * The connection between a migration's source and destination: a forward stream (envelope and page stream,
 * limited to the link's bandwidth) and a return path (destination to source: post-copy page requests and
 * the final status). {@link MemoryLink} and {@link TcpLink} hold both ends in this process and carry the
 * same bytes; a {@link SocketLink} is one process's end of a connection to another process, and its other
 * role's channels throw.
 *
 * <p>Thread-safety: each of the four channels is used by one thread at a time; {@link #close()} may be
 * called from any thread and unblocks every blocked read and write.
 */
public interface MigrationLink extends AutoCloseable
{
    /** Most page channels a migration opens (QEMU accepts up to 255; beyond the cores it only adds threads). */
    int MAX_CHANNELS = 64;

    /** @return a short name for results, e.g. {@code memory} or {@code tcp}. */
    String name();

    /** @return the source's end of the forward stream, limited to the link's bandwidth. */
    WritableByteChannel sourceOut();

    /** @return the destination's end of the forward stream. */
    ReadableByteChannel destinationIn();

    /** @return the destination's end of the return path. */
    WritableByteChannel destinationOut();

    /** @return the source's end of the return path. */
    ReadableByteChannel sourceIn();

    /**
     * @return the page channels of this link: 1 when the pages travel inside the forward stream (the main
     * channel); N above 1 when pre-copy rounds go over N further forward streams, each written by its own
     * sender thread (QEMU's multifd channels), while the forward stream keeps the control sections.
     */
    default int channels()
    {
        return 1;
    }

    /** @return the source's end of page channel {@code channel} (0 to {@link #channels()} - 1), when channels &gt; 1. */
    default WritableByteChannel sourceOut(final int channel)
    {
        throw new UnsupportedOperationException(name() + " link has no page channels");
    }

    /** @return the destination's end of page channel {@code channel}, when channels &gt; 1. */
    default ReadableByteChannel destinationIn(final int channel)
    {
        throw new UnsupportedOperationException(name() + " link has no page channels");
    }

    /**
     * @return whether this link has a post-copy preempt connection: one more forward stream that carries only
     * the pages the destination asked for (QEMU's postcopy-preempt channel), so a request never waits behind
     * the push on the forward stream. Its bytes count against the link's bandwidth but go ahead of the others
     * ({@link TokenBucket#acquireUrgent}).
     */
    default boolean preempt()
    {
        return false;
    }

    /** @return the source's end of the preempt connection, when {@link #preempt()}. */
    default WritableByteChannel sourcePreempt()
    {
        throw new UnsupportedOperationException(name() + " link has no preempt connection");
    }

    /** @return the destination's end of the preempt connection, when {@link #preempt()}. */
    default ReadableByteChannel destinationPreempt()
    {
        throw new UnsupportedOperationException(name() + " link has no preempt connection");
    }

    /**
     * Closes the preempt connection alone, both ends, as a network that breaks that one connection would: a fault
     * injector's {@code cut-preempt}. The rest of the link stays; nothing without a preempt connection.
     */
    default void closePreempt()
    {
    }

    /**
     * The source has sent everything: the destination's reads then end cleanly (-1) after the last byte, on
     * the forward stream, on every page channel and on the preempt connection.
     */
    void finishSource() throws IOException;

    /** The destination has sent everything on the return path. */
    void finishDestination() throws IOException;

    /**
     * The source enters {@code phase} ({@code setup}, {@code precopy} at {@code round}, {@code stop-and-copy},
     * {@code postcopy}): a link that injects faults at phases ({@link io.livemig.migration.fault.FaultyLink}) acts on it; others ignore it.
     */
    default void phase(final String phase, final long round)
    {
    }

    /** Closes every channel; idempotent. */
    @Override
    void close();

    /**
     * Opens a link.
     *
     * @param kind           {@code memory} or {@code tcp}.
     * @param bytesPerSecond forward bandwidth, 0 for unlimited.
     * @param latencyNs      one-way latency of the in-memory link (the TCP link has loopback's own).
     */
    static MigrationLink open(final String kind, final long bytesPerSecond, final long latencyNs) throws IOException
    {
        return open(kind, bytesPerSecond, latencyNs, 1);
    }

    /**
     * Opens a link with {@code channels} page channels (1: pages inside the forward stream), all sharing the
     * one bandwidth limit.
     */
    static MigrationLink open(final String kind, final long bytesPerSecond, final long latencyNs, final int channels)
        throws IOException
    {
        return open(kind, bytesPerSecond, latencyNs, channels, false);
    }

    /** Opens a link with {@code channels} page channels and, with {@code preempt}, a preempt connection. */
    static MigrationLink open(final String kind, final long bytesPerSecond, final long latencyNs, final int channels,
        final boolean preempt) throws IOException
    {
        switch (kind)
        {
            case "memory":
                return new MemoryLink(bytesPerSecond, latencyNs, channels, preempt);
            case "tcp":
                return new TcpLink(bytesPerSecond, channels, preempt, null, null);
            default:
                throw new IllegalArgumentException("link must be memory or tcp: " + kind);
        }
    }
}
