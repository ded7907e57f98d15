package io.livemig.codec;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The decoder's accept/reject rules one by one, the encoder's edges, and the public API's argument checks. */
class XbzrleTest
{
    private static int decode(final int pageSize, final int... delta)
    {
        final byte[] src = new byte[delta.length];
        for (int i = 0; i < delta.length; i++)
        {
            src[i] = (byte)delta[i];
        }
        return Xbzrle.decode(src, src.length, new byte[pageSize]);
    }

    /** zrun, nzrun and that many bytes of 7, in canonical ULEB128. */
    private static int[] encoded(final int zrun, final int nzrun)
    {
        final int[] out = new int[4 + nzrun];
        int at = 0;
        for (final int length : new int[] {zrun, nzrun})
        {
            if (length < 0x80)
            {
                out[at++] = length;
            }
            else
            {
                out[at++] = (length & 0x7f) | 0x80;
                out[at++] = length >>> 7;
            }
        }
        java.util.Arrays.fill(out, at, at + nzrun, 7);
        return java.util.Arrays.copyOf(out, at + nzrun);
    }

    @Test
    void decodeAcceptsWhatQemuAccepts()
    {
        assertEquals(0, decode(16), "empty delta: position 0");
        assertEquals(3, decode(16, 2, 1, 9), "zrun 2, nzrun 1");
        assertEquals(1, decode(16, 0, 1, 9), "zrun 0 in the first pair");
        assertEquals(6, decode(16, 0x85, 0x00, 1, 9), "non-canonical two-byte zrun 5");
        assertEquals(16, decode(16, 15, 1, 9), "a run ending exactly at the page end");
        assertEquals(5, decode(16, 1, 1, 9, 2, 1, 8), "two pairs");
        assertEquals(200, decode(256, 0xc6, 0x01, 2, 7, 7), "two-byte zrun 198, one-byte nzrun");
        assertEquals(326, decode(512, encoded(198, 128)), "two-byte zrun and nzrun");
        assertEquals(70, decode(512, encoded(5, 65)), "one-byte zrun and nzrun");
        final byte[] page = new byte[16];
        Xbzrle.decode(new byte[] {3, 2, 7, 8}, 4, page);
        assertArrayEquals(new byte[] {0, 0, 0, 7, 8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}, page);
    }

    @Test
    void decodeRejectsWhatQemuRejects()
    {
        assertEquals(-1, decode(16, 3), "one byte left for a zrun");
        assertEquals(-1, decode(16, 1, 1, 9, 0, 1, 9), "zrun 0 after the first pair");
        assertEquals(-1, decode(16, 0x80, 0x00, 1, 9, 0x80, 0x00, 1, 9), "two-byte zrun 0 after the first pair");
        assertEquals(-1, decode(16, 0x81, 0x80, 1, 9), "second length byte with its top bit set");
        assertEquals(-1, decode(16, 17, 1, 9), "zrun past the page end");
        assertEquals(-1, decode(16, 2, 1), "one byte left for an nzrun");
        assertEquals(-1, decode(16, 2, 0, 9), "nzrun 0");
        assertEquals(-1, decode(16, 2, 0x80, 0x00, 9), "two-byte nzrun 0");
        assertEquals(-1, decode(16, 15, 2, 9, 9), "nzrun past the page end");
        assertEquals(-1, decode(16, 2, 3, 9, 9), "nzrun past the end of the delta");
        assertEquals(-1, decode(16, 2, 1, 9, 5), "trailing byte");
        assertEquals(-1, decode(16, 0x85, 0x00), "two-byte zrun, nothing after it");
        assertEquals(-1, decode(16, 0x85, 0x00, 1), "two-byte zrun, nzrun without its byte");
        assertEquals(-1, decode(16, 0x85, 0x00, 0), "two-byte zrun, nzrun 0");
        assertEquals(-1, decode(16, 0x85, 0x00, 12, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1), "two-byte zrun, run past the end");
        assertEquals(-1, decode(16, 1, 1, 9, 0x80, 0x00, 1, 9), "two-byte zrun 0 after the first pair");
        final int[] wideFirst = encoded(0, 128); // zrun 0 (one byte), nzrun 128 (two bytes)
        final int[] widePair = new int[wideFirst.length + 1];
        widePair[0] = 0x80; // zrun 0 in two bytes
        System.arraycopy(wideFirst, 1, widePair, 2, wideFirst.length - 1);
        assertEquals(128, decode(512, widePair), "a two-byte zrun 0 is fine in the first pair");
        final int[] twoPairs = new int[3 + widePair.length];
        twoPairs[0] = 1;
        twoPairs[1] = 1;
        twoPairs[2] = 9;
        System.arraycopy(widePair, 0, twoPairs, 3, widePair.length);
        assertEquals(-1, decode(512, twoPairs), "two-byte zrun 0 before a two-byte nzrun, after the first pair");
    }

    @Test
    void encodeMatchesQemuAtTheEdges()
    {
        assertEquals(0, Xbzrle.encode(new byte[0], new byte[0], new byte[0]), "empty page");
        assertEquals(0, Xbzrle.encode(new byte[8], new byte[8], new byte[2]), "unchanged page");
        assertEquals(-1, Xbzrle.encode(new byte[8], new byte[8], new byte[1]), "QEMU's check 1 comes first");

        final byte[] old = new byte[Xbzrle.MAX_PAGE_SIZE];
        final byte[] now = new byte[Xbzrle.MAX_PAGE_SIZE];
        Arrays.fill(now, (byte)1);
        assertEquals(-1, Xbzrle.encode(old, now, new byte[2 * Xbzrle.MAX_PAGE_SIZE]),
            "a wholly changed 16 KiB page has no encoding, whatever the capacity");
        now[0] = 0;
        final byte[] dst = new byte[Xbzrle.MAX_PAGE_SIZE + 3];
        final int length = Xbzrle.encode(old, now, dst);
        assertEquals(Xbzrle.MAX_PAGE_SIZE + 2, length, "zrun 1, nzrun 16383 in two bytes, 16383 bytes");
        assertArrayEquals(new byte[] {1, (byte)0xff, 0x7f}, Arrays.copyOf(dst, 3));
        final byte[] page = old.clone();
        assertEquals(Xbzrle.MAX_PAGE_SIZE, Xbzrle.decode(dst, length, page));
        assertArrayEquals(now, page);
    }

    @Test
    void encodeHandlesOddSizesAndUnalignedBuffers()
    {
        for (int size = 0; size < 80; size++)
        {
            for (int at = 0; at < size; at++)
            {
                final byte[] old = new byte[size];
                final byte[] now = new byte[size];
                now[at] = 1;
                final byte[] memory = new byte[2 * size + 3];
                System.arraycopy(old, 0, memory, 1, size);
                System.arraycopy(now, 0, memory, size + 2, size);
                final UnsafeBuffer buffer = new UnsafeBuffer(memory);
                final UnsafeBuffer dst = new UnsafeBuffer(new byte[size + 8]);
                final int length = Xbzrle.encode(buffer, 1, buffer, size + 2, size, dst, 5, 3);
                final byte[] expected = ReferenceXbzrle.encode(old, now, 3);
                assertEquals(expected == null ? -1 : expected.length, length, "size " + size + ", change at " + at);
            }
        }
    }

    @Test
    void publicApiChecksItsArguments()
    {
        final byte[] page = new byte[64];
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[64]);
        assertThrows(IllegalArgumentException.class, () -> Xbzrle.encode(page, new byte[63], page));
        assertThrows(IllegalArgumentException.class,
            () -> Xbzrle.encode(new byte[16385], new byte[16385], new byte[16385]));
        assertThrows(NullPointerException.class, () -> Xbzrle.encode(null, page, page));
        assertThrows(IndexOutOfBoundsException.class, () -> Xbzrle.decode(page, 65, new byte[64]));
        assertThrows(IndexOutOfBoundsException.class, () -> Xbzrle.decode(page, -1, new byte[64]));
        assertThrows(IllegalArgumentException.class, () -> Xbzrle.decode(page, 0, new byte[16385]));
        assertThrows(IndexOutOfBoundsException.class, () -> Xbzrle.encode(buffer, 1, buffer, 0, 64, buffer, 0, 64));
        assertThrows(IndexOutOfBoundsException.class, () -> Xbzrle.encode(buffer, 0, buffer, 0, 64, buffer, 1, 64));
        assertThrows(IndexOutOfBoundsException.class, () -> Xbzrle.encode(buffer, 0, buffer, -1, 8, buffer, 0, 8));
        assertThrows(IllegalArgumentException.class, () -> Xbzrle.encode(buffer, 0, buffer, 0, -1, buffer, 0, 8));
        assertThrows(IndexOutOfBoundsException.class, () -> Xbzrle.decode(buffer, 60, 8, buffer, 0, 8));
        assertThrows(IndexOutOfBoundsException.class, () -> Xbzrle.decode(buffer, 0, 8, buffer, 57, 8));
        final IndexOutOfBoundsException ex = assertThrows(IndexOutOfBoundsException.class,
            () -> Xbzrle.decode(buffer, 0, 8, buffer, 60, 8));
        assertTrue(ex.getMessage().contains("page") && ex.getMessage().contains("64"), ex.getMessage());
    }
}
