package io.livemig.stream;

import java.io.IOException;

/**
 * A page stream or return-path message that cannot be read: it is malformed, contradicts the destination,
 * ends inside a record, or the channel under it failed. The message always names the stream offset (bytes
 * from the start of the stream) and the reason, e.g. {@code "page stream offset 4113: ZERO fill byte is 0x07,
 * must be 0"}.
 *
 * <p>Immutable, so safe to share between threads once thrown.
 */
public class PageStreamException extends IOException
{
    private static final long serialVersionUID = 1L;

    private final long streamOffset;
    private final String reason;

    /**
     * @param streamOffset where the problem is, in bytes from the start of the stream.
     * @param reason       what is wrong, without the offset.
     */
    public PageStreamException(final long streamOffset, final String reason)
    {
        super("page stream offset " + streamOffset + ": " + reason);
        this.streamOffset = streamOffset;
        this.reason = reason;
    }

    /**
     * @param streamOffset where the problem is, in bytes from the start of the stream.
     * @param reason       what is wrong, without the offset.
     * @param cause        the underlying failure (a channel's {@link IOException}, a codec's exception).
     */
    public PageStreamException(final long streamOffset, final String reason, final Throwable cause)
    {
        super("page stream offset " + streamOffset + ": " + reason, cause);
        this.streamOffset = streamOffset;
        this.reason = reason;
    }

    /** @return the offset of the problem, in bytes from the start of the stream. */
    public long streamOffset()
    {
        return streamOffset;
    }

    /** @return the reason alone, without the offset. */
    public String reason()
    {
        return reason;
    }
}
