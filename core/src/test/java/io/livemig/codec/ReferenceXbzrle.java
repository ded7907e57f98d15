package io.livemig.codec;

import java.io.ByteArrayOutputStream;

/**
 * XBZRLE written plainly from the spec (xbzrle.md), one byte at a time with no tricks, as the model the
 * fast codec is checked against.
 */
final class ReferenceXbzrle
{
    private ReferenceXbzrle()
    {
    }

    /** @return the encoding, or {@code null} for -1; an empty array for an unchanged page. */
    static byte[] encode(final byte[] old, final byte[] now, final int capacity)
    {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        final int n = now.length;
        int i = 0;
        while (i < n)
        {
            if (out.size() + 2 > capacity)
            {
                return null; // check 1: top of each pair
            }
            int zrun = 0;
            while (i < n && old[i] == now[i])
            {
                zrun++;
                i++;
            }
            if (zrun == n)
            {
                return new byte[0];
            }
            if (i == n)
            {
                break; // the final unchanged run is not written
            }
            writeLength(out, zrun);
            if (out.size() + 2 > capacity)
            {
                return null; // check 2: after the zrun length
            }
            final int start = i;
            while (i < n && old[i] != now[i])
            {
                i++;
            }
            final int nzrun = i - start;
            if (nzrun > 0x3fff)
            {
                return null;
            }
            writeLength(out, nzrun);
            if (out.size() + nzrun > capacity)
            {
                return null; // check 3: after the nzrun length
            }
            out.write(now, start, nzrun);
        }
        return out.toByteArray();
    }

    private static void writeLength(final ByteArrayOutputStream out, final int value)
    {
        if (value < 0x80)
        {
            out.write(value);
        }
        else
        {
            out.write((value & 0x7f) | 0x80);
            out.write(value >> 7);
        }
    }

    /** @return the page position after the last run, or -1; applies runs to {@code page} as it goes. */
    static int decode(final byte[] src, final int srcLength, final byte[] page)
    {
        final int[] at = new int[1];
        int d = 0;
        while (at[0] < srcLength)
        {
            final boolean first = at[0] == 0;
            final int zrun = readLength(src, srcLength, at);
            if (zrun < 0 || (zrun == 0 && !first))
            {
                return -1;
            }
            d += zrun;
            if (d > page.length)
            {
                return -1;
            }
            final int count = readLength(src, srcLength, at);
            if (count <= 0 || d + count > page.length || at[0] + count > srcLength)
            {
                return -1;
            }
            for (int k = 0; k < count; k++)
            {
                page[d++] = src[at[0]++];
            }
        }
        return d;
    }

    /**
     * Reads one length at {@code at[0]} and moves past it.
     *
     * @return the length, or -1 if fewer than 2 bytes remain or its second byte has the top bit set.
     */
    private static int readLength(final byte[] src, final int srcLength, final int[] at)
    {
        final int i = at[0];
        if (srcLength - i < 2)
        {
            return -1;
        }
        final int b0 = src[i] & 0xff;
        if (b0 < 0x80)
        {
            at[0] = i + 1;
            return b0;
        }
        final int b1 = src[i + 1] & 0xff;
        if (b1 >= 0x80)
        {
            return -1;
        }
        at[0] = i + 2;
        return (b0 & 0x7f) | (b1 << 7);
    }
}
