package io.livemig.stream.returnpath;

import io.livemig.stream.PageStreamDescriptor;

/**
 * One return-path message, as {@link ReturnPathReader#read()} decoded it. The reader reuses a single instance,
 * overwriting it on every read: copy what you keep. Not thread-safe.
 */
public final class ReturnPathMessage
{
    int type;
    String block;
    long offset;
    int byteLength;
    int errorCode;
    long streamOffset;

    /**
     * @return {@link PageStreamDescriptor#RP_REQ_PAGES_ID}, {@link PageStreamDescriptor#RP_REQ_PAGES} or
     * {@link PageStreamDescriptor#RP_SHUT}.
     */
    public int type()
    {
        return type;
    }

    /** @return whether this is a page request (either kind); then {@link #block()} names its block. */
    public boolean isPageRequest()
    {
        return type == PageStreamDescriptor.RP_REQ_PAGES_ID || type == PageStreamDescriptor.RP_REQ_PAGES;
    }

    /**
     * @return for a page request, its block: named by this message or, for REQ_PAGES, by the latest
     * REQ_PAGES_ID. For SHUT, the block of the latest request, or null.
     */
    public String block()
    {
        return block;
    }

    /** @return for a page request, the first byte requested in the block (not negative). */
    public long offset()
    {
        return offset;
    }

    /** @return for a page request, the number of bytes requested (at least 1). */
    public int byteLength()
    {
        return byteLength;
    }

    /** @return for SHUT, the error code: 0 means the destination is done. */
    public int errorCode()
    {
        return errorCode;
    }

    /** @return the stream offset of this message's first byte. */
    public long streamOffset()
    {
        return streamOffset;
    }

    @Override
    public String toString()
    {
        switch (type)
        {
            case PageStreamDescriptor.RP_REQ_PAGES_ID:
            case PageStreamDescriptor.RP_REQ_PAGES:
                return "ReturnPathMessage[" +
                    (type == PageStreamDescriptor.RP_REQ_PAGES_ID ? "REQ_PAGES_ID" : "REQ_PAGES") +
                    " " + block + " offset=" + offset + " length=" + byteLength + " @" + streamOffset + "]";
            case PageStreamDescriptor.RP_SHUT:
                return "ReturnPathMessage[SHUT " + errorCode + " @" + streamOffset + "]";
            default:
                return "ReturnPathMessage[none]";
        }
    }
}
