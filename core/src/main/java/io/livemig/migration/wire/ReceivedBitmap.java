package io.livemig.migration.wire;

import io.livemig.stream.ChannelInput;
import io.livemig.stream.ChannelOutput;
import io.livemig.stream.PageStreamException;

import java.io.IOException;
import java.util.zip.CRC32C;

/**
 * Post-copy recovery's first message: which pages the destination holds, sent by the destination on the
 * return path of the new link as soon as it is attached (QEMU's {@code MIG_RP_MSG_RECV_BITMAP}). The source
 * then sends exactly the pages whose bit is clear, so nothing a cut lost is missing and nothing the
 * destination holds (and its vCPUs may since have written) is sent again.
 *
 * <pre>
 *   0                   4                        12                            12 + 8w        16 + 8w
 *   +-------------------+------------------------+-----------------------------+--------------+
 *   | magic "LMRB" be32 | pages be64             | w = ceil(pages/64) words    | CRC-32C be32 |
 *   |                   |                        | be64, bit p%64 of word p/64 | of the words |
 *   |                   |                        | set: page p is held         |              |
 *   +-------------------+------------------------+-----------------------------+--------------+
 * </pre>
 *
 * {@link #read} is the one entry point for these bytes from the network: it refuses, with the offset and the
 * reason, a wrong magic, a page count other than the reader's own guest's (checked before anything is
 * allocated), a bit set past the last page, a CRC that does not match and a message cut short.
 *
 * <p>Stateless; thread-safe.
 */
public final class ReceivedBitmap
{
    /** "LMRB". */
    public static final int MAGIC = 0x4C4D5242;
    /** Bytes before the words. */
    public static final int HEADER_LENGTH = 12;

    private ReceivedBitmap()
    {
    }

    /** @return the words of a bitmap of {@code pages} pages. */
    public static int words(final long pages)
    {
        if (pages < 0 || pages > (long)(Integer.MAX_VALUE - 8) * 64)
        {
            throw new IllegalArgumentException("a received bitmap covers at most 2^37 pages, not " + pages);
        }
        return (int)((pages + 63) >>> 6);
    }

    /** Writes the message for {@code held} (one bit per page, {@link #words} long) and flushes {@code out}. */
    public static void write(final ChannelOutput out, final long pages, final long[] held) throws IOException
    {
        if (held.length != words(pages))
        {
            throw new IllegalArgumentException(held.length + " words for " + pages + " pages");
        }
        final CRC32C crc = new CRC32C();
        out.putInt(MAGIC);
        out.putLong(pages);
        for (final long w : held)
        {
            out.putLong(w);
            updateCrc(crc, w);
        }
        out.putInt((int)crc.getValue());
        out.flush();
    }

    /**
     * Reads one message.
     *
     * @param in    the return path of the new link.
     * @param pages this side's page count: the only length that sizes anything.
     * @return the pages the peer holds, one bit per page.
     * @throws PageStreamException anything but a well-formed message for this guest, with offset and reason.
     */
    public static long[] read(final ChannelInput in, final long pages) throws PageStreamException
    {
        final long at = in.position();
        final int magic = in.readInt();
        if (magic != MAGIC)
        {
            throw new PageStreamException(at, "not a received bitmap: magic 0x" + Integer.toHexString(magic) +
                ", expected 0x" + Integer.toHexString(MAGIC));
        }
        final long count = in.readLong();
        if (count != pages)
        {
            throw new PageStreamException(at + 4, "received bitmap of " + count + " pages, this guest has " + pages);
        }
        final long[] held = new long[words(pages)];
        final CRC32C crc = new CRC32C();
        for (int i = 0; i < held.length; i++)
        {
            held[i] = in.readLong();
            updateCrc(crc, held[i]);
        }
        final int tail = (int)(pages & 63);
        if (tail != 0 && (held[held.length - 1] >>> tail) != 0)
        {
            throw new PageStreamException(at + HEADER_LENGTH + 8L * (held.length - 1),
                "received bitmap holds a page past the guest's last, page " + (pages - 1));
        }
        final long crcAt = in.position();
        final int sent = in.readInt();
        if (sent != (int)crc.getValue())
        {
            throw new PageStreamException(crcAt, "received bitmap CRC-32C 0x" + Integer.toHexString((int)crc.getValue()) +
                " differs from the one sent, 0x" + Integer.toHexString(sent));
        }
        return held;
    }

    private static void updateCrc(final CRC32C crc, final long w)
    {
        for (int b = 56; b >= 0; b -= 8)
        {
            crc.update((int)(w >>> b));
        }
    }
}
