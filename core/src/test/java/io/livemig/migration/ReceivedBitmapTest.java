package io.livemig.migration;

import io.livemig.migration.wire.ReceivedBitmap;
import io.livemig.stream.PageStreamException;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.Arrays;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The received bitmap round-trips for guests whose page count is and is not a multiple of 64, and every kind of
 * bad message is refused with its offset and reason: magic, page count, a bit past the last page, CRC, a cut.
 */
class ReceivedBitmapTest
{
    private static long[] random(final long pages, final long seed)
    {
        final SplittableRandom r = new SplittableRandom(seed);
        final long[] held = new long[ReceivedBitmap.words(pages)];
        for (int i = 0; i < held.length; i++)
        {
            held[i] = r.nextLong();
        }
        if ((pages & 63) != 0)
        {
            held[held.length - 1] &= (1L << (pages & 63)) - 1;
        }
        return held;
    }

    private static byte[] message(final long pages, final long[] held) throws IOException
    {
        return HandshakeMutationProperties.bytes(out -> ReceivedBitmap.write(out, pages, held));
    }

    private static PageStreamException refusal(final byte[] bytes, final long pages)
    {
        return assertThrows(PageStreamException.class,
            () -> ReceivedBitmap.read(HandshakeMutationProperties.input(bytes), pages));
    }

    @Test
    void roundTripsWholeAndPartialLastWords() throws IOException
    {
        for (final long pages : new long[] {1, 63, 64, 65, 100, 4096, 4097})
        {
            final long[] held = random(pages, pages);
            final byte[] bytes = message(pages, held);
            assertEquals(ReceivedBitmap.HEADER_LENGTH + 8L * held.length + 4, bytes.length);
            assertArrayEquals(held, ReceivedBitmap.read(HandshakeMutationProperties.input(bytes), pages), "pages " + pages);
        }
    }

    @Test
    void refusesEachBadFieldWithItsOffset() throws IOException
    {
        final long pages = 100;
        final byte[] good = message(pages, random(pages, 1));

        final byte[] magic = good.clone();
        magic[0] ^= 1;
        final PageStreamException m = refusal(magic, pages);
        assertEquals(0, m.streamOffset());
        assertTrue(m.reason().startsWith("not a received bitmap"), m.getMessage());

        final PageStreamException count = refusal(good, 101);
        assertEquals(4, count.streamOffset());
        assertTrue(count.reason().contains("100 pages, this guest has 101"), count.getMessage());

        final long[] past = random(pages, 1);
        past[1] |= 1L << 40; // page 104 of a 100-page guest
        final byte[] pastBytes = message(104, Arrays.copyOf(past, 2)); // a valid CRC over the bad bits
        pastBytes[11] = 100; // claim 100 pages
        final PageStreamException p = refusal(pastBytes, pages);
        assertEquals(ReceivedBitmap.HEADER_LENGTH + 8, p.streamOffset());
        assertTrue(p.reason().contains("past the guest's last"), p.getMessage());

        final byte[] crc = good.clone();
        crc[ReceivedBitmap.HEADER_LENGTH + 3] ^= 0x10;
        final PageStreamException c = refusal(crc, pages);
        assertEquals(good.length - 4, c.streamOffset());
        assertTrue(c.reason().contains("CRC-32C"), c.getMessage());

        for (final int cutAt : new int[] {0, 3, 11, 12, 20, good.length - 1})
        {
            final PageStreamException cut = refusal(Arrays.copyOf(good, cutAt), pages);
            assertTrue(cut.streamOffset() <= cutAt, cut.getMessage());
        }
    }
}
