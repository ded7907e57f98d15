package io.livemig.stream.returnpath;

import io.livemig.stream.ChannelOutput;
import io.livemig.stream.PageStreamDescriptor;

import java.io.IOException;

import static io.livemig.stream.PageStreamDescriptor.RP_REQ_PAGES;
import static io.livemig.stream.PageStreamDescriptor.RP_REQ_PAGES_ID;
import static io.livemig.stream.PageStreamDescriptor.RP_REQ_PAGES_LENGTH;
import static io.livemig.stream.PageStreamDescriptor.RP_SHUT;
import static io.livemig.stream.PageStreamDescriptor.RP_SHUT_LENGTH;

/**
 * Writes return-path messages (destination to source, see {@link PageStreamDescriptor}) and flushes each one
 * at once: a post-copy page request is waited for by a stalled vCPU. No allocation per message.
 *
 * <p>Not thread-safe: one thread writes (the destination's fault handler serialises its requests).
 */
public final class ReturnPathWriter
{
    private final ChannelOutput out;
    private boolean named;

    /** @param out where the messages go; this writer flushes it after every message. */
    public ReturnPathWriter(final ChannelOutput out)
    {
        if (out == null)
        {
            throw new NullPointerException("out");
        }
        this.out = out;
    }

    /**
     * Sends REQ_PAGES_ID: the pages covering {@code [offset, offset + byteLength)} of {@code block} are needed.
     *
     * @param block      1-255 printable ASCII characters.
     * @param offset     first byte, not negative.
     * @param byteLength at least 1.
     */
    public void requestPages(final String block, final long offset, final int byteLength) throws IOException
    {
        checkRequest(offset, byteLength);
        final int nameLength = block.length();
        if (nameLength == 0 || nameLength > PageStreamDescriptor.MAX_NAME_LENGTH)
        {
            throw new IllegalArgumentException("block name must have 1-255 characters: \"" + block + "\"");
        }
        for (int i = 0; i < nameLength; i++)
        {
            final char c = block.charAt(i);
            if (c <= 0x20 || c >= 0x7f)
            {
                throw new IllegalArgumentException("block name must be printable ASCII: \"" + block + "\"");
            }
        }
        out.putShort(RP_REQ_PAGES_ID);
        out.putShort(RP_REQ_PAGES_LENGTH + 1 + nameLength);
        out.putLong(offset);
        out.putInt(byteLength);
        out.putByte(nameLength);
        for (int i = 0; i < nameLength; i++)
        {
            out.putByte(block.charAt(i));
        }
        out.flush();
        named = true;
    }

    /**
     * Sends REQ_PAGES: like {@link #requestPages(String, long, int)} in the block of the previous request.
     *
     * @throws IllegalStateException if no request has named a block yet.
     */
    public void requestPages(final long offset, final int byteLength) throws IOException
    {
        checkRequest(offset, byteLength);
        if (!named)
        {
            throw new IllegalStateException("REQ_PAGES needs an earlier request that names the block");
        }
        out.putShort(RP_REQ_PAGES);
        out.putShort(RP_REQ_PAGES_LENGTH);
        out.putLong(offset);
        out.putInt(byteLength);
        out.flush();
    }

    /** Sends SHUT: the destination is done ({@code errorCode} 0) or failed. */
    public void shut(final int errorCode) throws IOException
    {
        out.putShort(RP_SHUT);
        out.putShort(RP_SHUT_LENGTH);
        out.putInt(errorCode);
        out.flush();
    }

    private static void checkRequest(final long offset, final int byteLength)
    {
        if (offset < 0 || byteLength <= 0)
        {
            throw new IllegalArgumentException(
                "page request needs offset >= 0 and byteLength >= 1: offset " + offset + ", byteLength " + byteLength);
        }
    }
}
