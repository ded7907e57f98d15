package io.livemig.stream.returnpath;

import io.livemig.stream.ChannelInput;
import io.livemig.stream.PageStreamDescriptor;
import io.livemig.stream.PageStreamException;
import org.agrona.DirectBuffer;

import java.nio.ByteOrder;

import static io.livemig.stream.PageStreamDescriptor.RP_HEADER_LENGTH;
import static io.livemig.stream.PageStreamDescriptor.RP_REQ_PAGES;
import static io.livemig.stream.PageStreamDescriptor.RP_REQ_PAGES_ID;
import static io.livemig.stream.PageStreamDescriptor.RP_REQ_PAGES_LENGTH;
import static io.livemig.stream.PageStreamDescriptor.RP_SHUT;
import static io.livemig.stream.PageStreamDescriptor.RP_SHUT_LENGTH;

/**
 * Reads return-path messages on the source. Every message is checked whole before it is returned: an unknown
 * type, a length that is not the type's, a negative offset, a byte length below 1, a name that is empty or
 * not printable ASCII, REQ_PAGES before any REQ_PAGES_ID, or a stream ending inside a message is a {@link
 * PageStreamException} naming the offset. The caller checks the block and range against its guest.
 *
 * <p>Allocates only when a request names a block different from the previous one (its name string). Not
 * thread-safe: one thread reads.
 */
public final class ReturnPathReader
{
    private final ChannelInput in;
    private final ReturnPathMessage message = new ReturnPathMessage();
    private final byte[] nameBytes = new byte[PageStreamDescriptor.MAX_NAME_LENGTH];
    private int nameLength;

    /** @param in where the messages come from; its buffer must hold at least 272 bytes (one message). */
    public ReturnPathReader(final ChannelInput in)
    {
        if (in.capacity() < RP_HEADER_LENGTH + RP_REQ_PAGES_LENGTH + 1 + PageStreamDescriptor.MAX_NAME_LENGTH)
        {
            throw new IllegalArgumentException("return-path input buffer too small: " + in.capacity());
        }
        this.in = in;
    }

    /**
     * Reads the next message.
     *
     * @return the reader's reused message, or null if the stream ended cleanly before a message.
     * @throws PageStreamException if the message is malformed or the stream ends inside it.
     */
    public ReturnPathMessage read() throws PageStreamException
    {
        if (in.atEnd())
        {
            return null;
        }
        final long start = in.position();
        in.markRecord();
        final DirectBuffer buffer = in.buffer();
        int at = in.require(RP_HEADER_LENGTH);
        final int type = buffer.getShort(at, ByteOrder.BIG_ENDIAN) & 0xFFFF;
        final int length = buffer.getShort(at + 2, ByteOrder.BIG_ENDIAN) & 0xFFFF;
        final ReturnPathMessage m = message;
        switch (type)
        {
            case RP_REQ_PAGES_ID:
            {
                if (length < RP_REQ_PAGES_LENGTH + 2)
                {
                    throw new PageStreamException(start, "REQ_PAGES_ID length " + length + " is too short for a name");
                }
                at = in.require(RP_HEADER_LENGTH + RP_REQ_PAGES_LENGTH + 1);
                final int nameLen = buffer.getByte(at + RP_HEADER_LENGTH + RP_REQ_PAGES_LENGTH) & 0xFF;
                if (nameLen == 0)
                {
                    throw new PageStreamException(start, "REQ_PAGES_ID names a block of length 0");
                }
                if (length != RP_REQ_PAGES_LENGTH + 1 + nameLen)
                {
                    throw new PageStreamException(start, "REQ_PAGES_ID length " + length + " does not match its " +
                        nameLen + "-byte name (expected " + (RP_REQ_PAGES_LENGTH + 1 + nameLen) + ")");
                }
                at = in.require(RP_HEADER_LENGTH + length);
                checkRequest(start, buffer, at, "REQ_PAGES_ID");
                readName(start, buffer, at + RP_HEADER_LENGTH + RP_REQ_PAGES_LENGTH + 1, nameLen);
                break;
            }
            case RP_REQ_PAGES:
            {
                checkLength(start, "REQ_PAGES", length, RP_REQ_PAGES_LENGTH);
                if (m.block == null)
                {
                    throw new PageStreamException(start, "REQ_PAGES with no previous REQ_PAGES_ID to name its block");
                }
                at = in.require(RP_HEADER_LENGTH + length);
                checkRequest(start, buffer, at, "REQ_PAGES");
                break;
            }
            case RP_SHUT:
            {
                checkLength(start, "SHUT", length, RP_SHUT_LENGTH);
                at = in.require(RP_HEADER_LENGTH + length);
                m.errorCode = buffer.getInt(at + RP_HEADER_LENGTH, ByteOrder.BIG_ENDIAN);
                break;
            }
            default:
                throw new PageStreamException(start, "unknown return-path message type " + type);
        }
        in.skip(RP_HEADER_LENGTH + length);
        m.type = type;
        m.streamOffset = start;
        return m;
    }

    private void checkRequest(final long start, final DirectBuffer buffer, final int at, final String what)
        throws PageStreamException
    {
        final long offset = buffer.getLong(at + RP_HEADER_LENGTH, ByteOrder.BIG_ENDIAN);
        final int byteLength = buffer.getInt(at + RP_HEADER_LENGTH + 8, ByteOrder.BIG_ENDIAN);
        if (offset < 0)
        {
            throw new PageStreamException(
                start, what + " offset " + Long.toUnsignedString(offset) + " is out of range");
        }
        if (byteLength <= 0)
        {
            throw new PageStreamException(
                start, what + " byte length " + Integer.toUnsignedString(byteLength) + " must be from 1 to 2^31-1");
        }
        message.offset = offset;
        message.byteLength = byteLength;
    }

    private void readName(final long start, final DirectBuffer buffer, final int at, final int length)
        throws PageStreamException
    {
        boolean same = length == nameLength;
        for (int i = 0; i < length; i++)
        {
            final byte b = buffer.getByte(at + i);
            if (b <= 0x20 || b >= 0x7f)
            {
                throw new PageStreamException(start, "REQ_PAGES_ID block name has a non-printable byte 0x" +
                    Integer.toHexString(b & 0xFF) + " at index " + i);
            }
            same &= nameBytes[i] == b;
        }
        if (!same)
        {
            buffer.getBytes(at, nameBytes, 0, length);
            nameLength = length;
            message.block = new String(nameBytes, 0, length, java.nio.charset.StandardCharsets.US_ASCII);
        }
    }

    private static void checkLength(final long start, final String what, final int length, final int expected)
        throws PageStreamException
    {
        if (length != expected)
        {
            throw new PageStreamException(start, what + " length " + length + " must be " + expected);
        }
    }
}
