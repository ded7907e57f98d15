package io.livemig.migration.wire;

import io.livemig.stream.PageStreamException;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.security.SecureRandom;

/**
 * How the page channels of a two-process migration join it. After the destination accepted the {@link
 * Handshake} (which names N channels), the source sends a random 64-bit migration id on the main connection,
 * then opens N more connections to the same address, each opening with a hello:
 *
 * <pre>
 *  main connection, after the accepting reply (only when N &gt; 1 or with a preempt connection):
 *   0      8      migration id
 *  each page-channel connection, first:
 *   0      4      magic "LMCH"
 *   4      8      migration id
 *  12      2      channel index, 0 to N - 1 (N: the preempt connection)
 *  14             end: the channel's page stream follows
 * </pre>
 *
 * A post-copy preempt connection ({@link Handshake#preempt()}) joins the same way, after the page channels: its
 * hello carries index N (0 without page channels), and the migration id is sent on the main connection for it
 * too. The destination refuses (closes) a connection whose hello has another magic, another migration id, an
 * index out of range or one already taken, and keeps waiting for the right ones until its deadline: a stray
 * connection, or one of another migration, never joins. Both reads take exactly their bytes from the socket,
 * so nothing of the stream that follows is read ahead.
 *
 * <p>Inside TLS the destination answers each hello it admits with one byte, and the source reads it before it
 * opens the next connection ({@link io.livemig.migration.tls.SessionTicket}): the read takes in the session
 * ticket, so the next connection's handshake resumes the session, and says that the channel was admitted. In
 * clear there is no answer: nothing would be resumed.
 *
 * <p>Stateless; thread-safe.
 */
public final class ChannelHello
{
    /** "LMCH". */
    public static final int MAGIC = 0x4C4D4348;
    /** Bytes of a hello. */
    public static final int LENGTH = 14;

    private static final SecureRandom RANDOM = new SecureRandom();

    private ChannelHello()
    {
    }

    /** @return a fresh migration id. */
    public static long newMigrationId()
    {
        return RANDOM.nextLong();
    }

    /** Writes the migration id on the main connection. */
    public static void writeId(final WritableByteChannel out, final long id) throws IOException
    {
        write(out, ByteBuffer.allocate(8).putLong(0, id));
    }

    /** @return the migration id read from the main connection. */
    public static long readId(final ReadableByteChannel in) throws IOException
    {
        return readExactly(in, 8).getLong(0);
    }

    /** Writes channel {@code channel}'s hello. */
    public static void write(final WritableByteChannel out, final long id, final int channel) throws IOException
    {
        write(out, ByteBuffer.allocate(LENGTH).putInt(0, MAGIC).putLong(4, id).putShort(12, (short)channel));
    }

    /**
     * Reads a hello.
     *
     * @param taken the channels joined so far; the one this hello names is not among them.
     * @return the channel index.
     * @throws PageStreamException naming what is wrong and its offset in the hello, if the hello does not belong
     *                             to this migration or the connection ends inside it.
     * @throws IOException         if the connection fails.
     */
    public static int read(final ReadableByteChannel in, final long id, final boolean[] taken) throws IOException
    {
        final ByteBuffer b = readExactly(in, LENGTH);
        if (b.getInt(0) != MAGIC)
        {
            throw new PageStreamException(0, "not a page channel: magic 0x" + Integer.toHexString(b.getInt(0)));
        }
        if (b.getLong(4) != id)
        {
            throw new PageStreamException(4, "a page channel of another migration");
        }
        final int channel = b.getShort(12) & 0xFFFF;
        if (channel >= taken.length || taken[channel])
        {
            throw new PageStreamException(12, "page channel " + channel + (channel >= taken.length ? " of " +
                taken.length : " twice"));
        }
        return channel;
    }

    private static void write(final WritableByteChannel out, final ByteBuffer b) throws IOException
    {
        while (b.hasRemaining())
        {
            out.write(b);
        }
    }

    private static ByteBuffer readExactly(final ReadableByteChannel in, final int length) throws IOException
    {
        final ByteBuffer b = ByteBuffer.allocate(length);
        while (b.hasRemaining())
        {
            if (in.read(b) < 0)
            {
                throw new PageStreamException(b.position(), "connection ended after " + b.position() + " of " +
                    length + " bytes");
            }
        }
        return b;
    }
}
