package io.livemig.migration.wire;

import io.livemig.stream.ChannelInput;
import io.livemig.stream.ChannelOutput;
import io.livemig.stream.PageStreamException;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * A destination's answer to a {@link Handshake}: accept, or refuse with a one-line reason that both sides
 * print.
 *
 * <pre>
 *  offset  bytes  field (big-endian)
 *   0      4      magic "LMHR"
 *   4      1      status: 0 accepted, 1 refused
 *   5      2      reason length: 0 when accepted, 1 to 1024 when refused
 *   7      n      reason, UTF-8
 * </pre>
 *
 * {@link #read} is the one entry point for these bytes from the network: it checks the length before it
 * sizes anything, and refuses with a {@link PageStreamException} (offset and reason) a wrong magic or
 * status, a length out of range or a reply cut short. Control characters in a reason become {@code ?}, so
 * a reason stays one line.
 *
 * <p>Immutable; thread-safe.
 *
 * @param accepted whether the destination takes the stream.
 * @param reason   why not; empty when accepted.
 */
public record HandshakeReply(boolean accepted, String reason)
{
    /** "LMHR". */
    public static final int MAGIC = 0x4C4D4852;
    /** Longest reason, bytes. */
    public static final int MAX_REASON = 1024;

    /** @return an acceptance. */
    public static HandshakeReply accept()
    {
        return new HandshakeReply(true, "");
    }

    /** @return a refusal with {@code reason} cut to {@link #MAX_REASON} bytes and to one line. */
    public static HandshakeReply refuse(final String reason)
    {
        String r = oneLine(reason.isEmpty() ? "refused" : reason);
        while (r.getBytes(StandardCharsets.UTF_8).length > MAX_REASON)
        {
            r = r.substring(0, r.length() - 1);
        }
        return new HandshakeReply(false, r);
    }

    /** Writes the reply (not flushed). */
    public void write(final ChannelOutput out) throws IOException
    {
        final byte[] bytes = reason.getBytes(StandardCharsets.UTF_8);
        out.putInt(MAGIC);
        out.putByte(accepted ? 0 : 1);
        out.putShort(bytes.length);
        out.putBytes(bytes, 0, bytes.length);
    }

    /**
     * Reads one reply.
     *
     * @throws PageStreamException anything but a well-formed reply, with offset and reason.
     */
    public static HandshakeReply read(final ChannelInput in) throws PageStreamException
    {
        final long at = in.position();
        final int magic = in.readInt();
        if (magic != MAGIC)
        {
            throw new PageStreamException(at, (magic >>> 16) == 0x1503 ? "handshake reply: a TLS alert: the " +
                "destination listens with TLS (--tls-creds), this source migrates in clear" :
                "handshake reply: not a livemig destination: magic 0x" +
                Integer.toHexString(magic) + ", expected 0x" + Integer.toHexString(MAGIC));
        }
        final int status = in.readUnsignedByte();
        if (status > 1)
        {
            throw new PageStreamException(at + 4, "handshake reply: status " + status + " is neither 0 accepted nor 1 refused");
        }
        final int length = in.readUnsignedShort();
        if (status == 0 ? length != 0 : length < 1 || length > MAX_REASON)
        {
            throw new PageStreamException(at + 5, "handshake reply: reason of " + length + " bytes " +
                (status == 0 ? "with an acceptance" : "is not 1 to " + MAX_REASON));
        }
        final byte[] bytes = new byte[length];
        in.readFully(new UnsafeBuffer(bytes), 0, length);
        return new HandshakeReply(status == 0, oneLine(new String(bytes, StandardCharsets.UTF_8)));
    }

    private static String oneLine(final String s)
    {
        final StringBuilder sb = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++)
        {
            final char c = s.charAt(i);
            sb.append(Character.isISOControl(c) ? '?' : c);
        }
        return sb.toString();
    }
}
