package io.livemig.codec;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * XBZRLE page delta, byte for byte as QEMU encodes and decodes it (spec: {@code xbzrle.md}): a
 * sequence of {@code zrun-length, nzrun-length, nzrun-bytes} with two-byte-limited ULEB128 lengths, the
 * final unchanged run left out. Defined for pages of at most {@link #MAX_PAGE_SIZE} bytes.
 *
 * <h2>Encoder</h2>
 * Compares the pages 8 bytes at a time, four words per loop step with an exit at the first word that
 * decides. An unchanged run ends at the lowest set byte of the first non-zero {@code old ^ new} word; a
 * changed run ends at the first zero byte of the XOR, found with {@code (x - 0x01..01) & ~x & 0x80..80},
 * whose lowest set bit is exact. A short changed run (under 72 bytes, the common case) is stored to the
 * destination word by word in the same pass that finds its end, behind its one-byte length; longer runs are
 * copied after their end is found. The encoder refuses, returning {@code -1}, exactly where QEMU's does (the
 * three capacity checks of the spec), so that the same pages take the same path in both. It writes only
 * within {@code [0, capacity)} of the destination, but bytes past the returned length may be overwritten.
 *
 * <h2>Decoder</h2>
 * Accepts exactly what QEMU accepts (including non-canonical two-byte lengths such as {@code 85 00}) and
 * returns the same position. It checks every length against the page and the source before it copies, so
 * hostile input can neither make it write outside the page nor read outside the source. Like QEMU's, it
 * applies the runs as it reads them: when it returns {@code -1}, runs before the bad one have already been
 * written to the page.
 *
 * <p>Where {@link Simd} chose the vector path, heap pages are encoded by the SIMD kernel instead (64-byte
 * compare masks, identical output); off-heap pages and the decoder run the scalar code.
 *
 * <p>One implementation serves byte arrays, heap buffers and off-heap buffers. Stateless, thread-safe and
 * allocation-free. The pages and the destination must not overlap; a page that another thread writes while
 * it is encoded gives an encoding of some mix of its bytes, which is why callers encode a private snapshot
 * ({@link XbzrleCache}).
 */
public final class Xbzrle
{
    /** Largest page the format can describe: lengths are limited to 16383, a whole changed run fits below. */
    public static final int MAX_PAGE_SIZE = 16384;

    /** Largest value of a two-byte ULEB128 length. */
    static final int MAX_LENGTH = 0x3fff;

    /** Changed runs shorter than this are stored while they are scanned (see encode). */
    private static final int SHORT_RUN_WINDOW = 72;
    private static final long ONES = 0x0101010101010101L;
    private static final long HIGHS = 0x8080808080808080L;

    private Xbzrle()
    {
    }

    /**
     * Encodes the change from {@code oldPage} to {@code newPage} into {@code dst}, with {@code dst.length} as
     * the capacity (QEMU passes the page size).
     *
     * @return the number of bytes written; 0 if the pages are equal (nothing written); -1 if the encoding
     *         does not fit (QEMU's three checks: a capacity below 2 gives -1 even for equal pages).
     * @throws IllegalArgumentException if the pages differ in length or exceed {@link #MAX_PAGE_SIZE}.
     */
    public static int encode(final byte[] oldPage, final byte[] newPage, final byte[] dst)
    {
        checkArray("oldPage", oldPage);
        checkArray("newPage", newPage);
        checkArray("dst", dst);
        if (oldPage.length != newPage.length)
        {
            throw new IllegalArgumentException(
                "pages differ in length: old " + oldPage.length + ", new " + newPage.length);
        }
        Bounds.checkPageSize(newPage.length, MAX_PAGE_SIZE);
        final long base = RawBytes.ARRAY_BASE_OFFSET;
        return encode(oldPage, base, newPage, base, newPage.length, dst, base, dst.length);
    }

    /**
     * Applies the delta {@code src[0, srcLength)} to {@code page} in place.
     *
     * @return the page position after the last run (not always the page length; 0 for an empty delta), or
     *         -1 if the delta is malformed (the page may then be partly updated).
     * @throws IndexOutOfBoundsException if {@code srcLength} is outside {@code [0, src.length]}.
     * @throws IllegalArgumentException  if the page exceeds {@link #MAX_PAGE_SIZE}.
     */
    public static int decode(final byte[] src, final int srcLength, final byte[] page)
    {
        Bounds.checkRange("src", src, 0, srcLength);
        checkArray("page", page);
        Bounds.checkPageSize(page.length, MAX_PAGE_SIZE);
        final long base = RawBytes.ARRAY_BASE_OFFSET;
        return decode(src, base, srcLength, page, base, page.length);
    }

    /**
     * Encodes the change from {@code oldPage[oldOffset, +pageSize)} to {@code newPage[newOffset, +pageSize)}
     * into {@code dst[dstOffset, +capacity)}. Bytes of that range past the returned length may have been
     * overwritten.
     *
     * @return the number of bytes written; 0 if the pages are equal; -1 if the encoding does not fit in
     *         {@code capacity} (see {@link #encode(byte[], byte[], byte[])}).
     * @throws IndexOutOfBoundsException if a range is outside its buffer.
     * @throws IllegalArgumentException  if {@code pageSize} is outside {@code [0, MAX_PAGE_SIZE]}.
     */
    public static int encode(
        final DirectBuffer oldPage, final int oldOffset,
        final DirectBuffer newPage, final int newOffset,
        final int pageSize,
        final MutableDirectBuffer dst, final int dstOffset, final int capacity)
    {
        Bounds.checkPageSize(pageSize, MAX_PAGE_SIZE);
        Bounds.checkRange("oldPage", oldPage, oldOffset, pageSize);
        Bounds.checkRange("newPage", newPage, newOffset, pageSize);
        Bounds.checkRange("dst", dst, dstOffset, capacity);
        return encode(
            RawBytes.base(oldPage), RawBytes.address(oldPage, oldOffset),
            RawBytes.base(newPage), RawBytes.address(newPage, newOffset),
            pageSize,
            RawBytes.base(dst), RawBytes.address(dst, dstOffset), capacity);
    }

    /**
     * Applies the delta {@code src[srcOffset, +srcLength)} in place to {@code page[pageOffset, +pageSize)}.
     *
     * @return the page position after the last run, or -1 if the delta is malformed (see {@link
     *         #decode(byte[], int, byte[])}); nothing outside the page is ever written.
     * @throws IndexOutOfBoundsException if a range is outside its buffer.
     * @throws IllegalArgumentException  if {@code pageSize} is outside {@code [0, MAX_PAGE_SIZE]}.
     */
    public static int decode(
        final DirectBuffer src, final int srcOffset, final int srcLength,
        final MutableDirectBuffer page, final int pageOffset, final int pageSize)
    {
        Bounds.checkPageSize(pageSize, MAX_PAGE_SIZE);
        Bounds.checkRange("src", src, srcOffset, srcLength);
        Bounds.checkRange("page", page, pageOffset, pageSize);
        return decode(
            RawBytes.base(src), RawBytes.address(src, srcOffset), srcLength,
            RawBytes.base(page), RawBytes.address(page, pageOffset), pageSize);
    }

    // ---------------------------------------------------------------- unchecked core, (base, address) pairs

    /**
     * The encoder on raw memory; every range must have been checked. Heap pages go to the vector kernels when
     * {@link Simd} chose them (same output), everything else to {@link #encodeScalar}.
     */
    static int encode(
        final Object oldBase, final long oldAddress,
        final Object newBase, final long newAddress,
        final int pageSize,
        final Object dstBase, final long dstAddress, final int capacity)
    {
        final VectorKernels simd = Simd.KERNELS;
        if (simd != null && oldBase instanceof byte[] && newBase instanceof byte[])
        {
            return simd.encode(
                (byte[])oldBase, (int)(oldAddress - RawBytes.ARRAY_BASE_OFFSET),
                (byte[])newBase, (int)(newAddress - RawBytes.ARRAY_BASE_OFFSET),
                pageSize, dstBase, dstAddress, capacity);
        }
        return encodeScalar(oldBase, oldAddress, newBase, newAddress, pageSize, dstBase, dstAddress, capacity);
    }

    /** The scalar encoder on raw memory; every range must have been checked. */
    static int encodeScalar(
        final Object oldBase, final long oldAddress,
        final Object newBase, final long newAddress,
        final int pageSize,
        final Object dstBase, final long dstAddress, final int capacity)
    {
        int i = 0;
        int d = 0;
        while (i < pageSize)
        {
            if (d + 2 > capacity)
            {
                return -1;
            }
            final int zrunStart = i;
            i = skipUnchanged(oldBase, oldAddress, newBase, newAddress, i, pageSize);
            if (i == pageSize)
            {
                return zrunStart == 0 ? 0 : d; // the final unchanged run is not written
            }
            d = putLength(dstBase, dstAddress, d, i - zrunStart);
            if (d + 2 > capacity)
            {
                return -1;
            }
            // The changed run. While it is short, scan it a word at a time and store each new word straight
            // behind a one-byte length (never past capacity): most runs are then written in the same pass
            // that finds their end. A longer run (or one near the end of the page or of dst) is finished
            // by skipChanged and copied afterwards.
            final int nzrunStart = i;
            final long out = dstAddress + d + 1 - nzrunStart; // where page position p goes: out + p
            final int limit = Math.min(pageSize, nzrunStart + Math.min(capacity - d - 1, SHORT_RUN_WINDOW)) - 8;
            long equalBytes = 0;
            int p = nzrunStart;
            for (; p <= limit; p += 8)
            {
                final long newWord = RawBytes.getLongNative(newBase, newAddress + p);
                final long x = RawBytes.littleEndian(newWord ^ RawBytes.getLongNative(oldBase, oldAddress + p));
                RawBytes.putLongNative(dstBase, out + p, newWord);
                equalBytes = runEnds(x, true);
                if (equalBytes != 0)
                {
                    break;
                }
            }
            if (equalBytes != 0)
            {
                // found within the window, so nzrun < SHORT_RUN_WINDOW < 0x80 (a one-byte length), every byte
                // of it is stored, and d + 1 + nzrun <= capacity (QEMU's check 3 passes)
                i = p + RawBytes.firstByte(equalBytes);
                RawBytes.putByte(dstBase, dstAddress + d, (byte)(i - nzrunStart));
                d += 1 + i - nzrunStart;
                continue;
            }
            i = skipChanged(oldBase, oldAddress, newBase, newAddress, p, pageSize);
            final int nzrun = i - nzrunStart;
            if (nzrun > MAX_LENGTH)
            {
                return -1; // a wholly changed 16 KiB page: no length can say so
            }
            d = putLength(dstBase, dstAddress, d, nzrun);
            if (d + nzrun > capacity)
            {
                return -1;
            }
            RawBytes.copy(newBase, newAddress + nzrunStart, dstBase, dstAddress + d, nzrun);
            d += nzrun;
        }
        return d;
    }

    /** @return the first position from {@code from} where the pages differ, or {@code end}. */
    static int skipUnchanged(
        final Object oldBase, final long oldAddress, final Object newBase, final long newAddress,
        final int from, final int end)
    {
        return skip(oldBase, oldAddress, newBase, newAddress, from, end, false);
    }

    /** @return the first position from {@code from} where the pages are equal, or {@code end}. */
    static int skipChanged(
        final Object oldBase, final long oldAddress, final Object newBase, final long newAddress,
        final int from, final int end)
    {
        return skip(oldBase, oldAddress, newBase, newAddress, from, end, true);
    }

    /**
     * The run scanner: four XOR words per step, leaving at the first word that holds the run's end.
     * {@code changedRun} is a constant at each call site, so the JIT compiles two loops without the branch.
     */
    private static int skip(
        final Object oldBase, final long oldAddress, final Object newBase, final long newAddress,
        final int from, final int end, final boolean changedRun)
    {
        int i = from;
        for (; i <= end - 32; i += 32)
        {
            final long o = oldAddress + i;
            final long n = newAddress + i;
            final long m0 = runEnds(RawBytes.getLongLE(oldBase, o) ^ RawBytes.getLongLE(newBase, n), changedRun);
            if (m0 != 0)
            {
                return i + RawBytes.firstByte(m0);
            }
            final long m1 = runEnds(RawBytes.getLongLE(oldBase, o + 8) ^ RawBytes.getLongLE(newBase, n + 8), changedRun);
            if (m1 != 0)
            {
                return i + 8 + RawBytes.firstByte(m1);
            }
            final long m2 = runEnds(RawBytes.getLongLE(oldBase, o + 16) ^ RawBytes.getLongLE(newBase, n + 16), changedRun);
            if (m2 != 0)
            {
                return i + 16 + RawBytes.firstByte(m2);
            }
            final long m3 = runEnds(RawBytes.getLongLE(oldBase, o + 24) ^ RawBytes.getLongLE(newBase, n + 24), changedRun);
            if (m3 != 0)
            {
                return i + 24 + RawBytes.firstByte(m3);
            }
        }
        for (; i <= end - 8; i += 8)
        {
            final long m = runEnds(RawBytes.getLongLE(oldBase, oldAddress + i) ^ RawBytes.getLongLE(newBase, newAddress + i),
                changedRun);
            if (m != 0)
            {
                return i + RawBytes.firstByte(m);
            }
        }
        while (i < end &&
            (RawBytes.getByte(oldBase, oldAddress + i) != RawBytes.getByte(newBase, newAddress + i)) == changedRun)
        {
            i++;
        }
        return i;
    }

    /**
     * @return for an XOR word, a word whose lowest set bit lies in the first byte that ends the run: a
     *         differing byte ends an unchanged run (the word itself); an equal byte ends a changed run (the
     *         zero-byte test, exact in its lowest set bit).
     */
    private static long runEnds(final long xor, final boolean changedRun)
    {
        return changedRun ? (xor - ONES) & ~xor & HIGHS : xor;
    }

    /** Writes {@code value} (at most {@link #MAX_LENGTH}) as one or two ULEB128 bytes at {@code d}. */
    static int putLength(final Object base, final long address, final int d, final int value)
    {
        if (value < 0x80)
        {
            RawBytes.putByte(base, address + d, (byte)value);
            return d + 1;
        }
        RawBytes.putByte(base, address + d, (byte)(value | 0x80));
        RawBytes.putByte(base, address + d + 1, (byte)(value >>> 7));
        return d + 2;
    }

    /** The decoder on raw memory; every range must have been checked. */
    static int decode(
        final Object srcBase, final long srcAddress, final int srcLength,
        final Object pageBase, final long pageAddress, final int pageSize)
    {
        int i = 0;
        int d = 0;
        while (i < srcLength)
        {
            if (srcLength - i < 2)
            {
                return -1;
            }
            // Read the pair's two lengths; every check of the pair comes before its copy, so their order
            // does not change the result. Fast paths first: both lengths one byte (dense deltas), or a
            // two-byte zrun and a one-byte nzrun (sparse deltas).
            final int zrun;
            final int nzrun;
            final int header;
            final int lengths = RawBytes.getShortLE(srcBase, srcAddress + i);
            if ((lengths & 0x8080) == 0)
            {
                zrun = lengths & 0x7f;
                nzrun = lengths >>> 8;
                header = 2;
            }
            else if ((lengths & 0x8080) == 0x0080 && srcLength - i > 2 &&
                RawBytes.getByte(srcBase, srcAddress + i + 2) >= 0)
            {
                zrun = (lengths & 0x7f) | ((lengths >>> 1) & 0x3f80);
                nzrun = RawBytes.getByte(srcBase, srcAddress + i + 2);
                header = 3;
            }
            else
            {
                final int zrunLength = getLength(srcBase, srcAddress + i);
                if (zrunLength < 0 || srcLength - i - lengthSize(zrunLength) < 2)
                {
                    return -1;
                }
                final int nzrunLength = getLength(srcBase, srcAddress + i + lengthSize(zrunLength));
                if (nzrunLength < 0)
                {
                    return -1;
                }
                zrun = zrunLength & MAX_LENGTH;
                nzrun = nzrunLength & MAX_LENGTH;
                header = lengthSize(zrunLength) + lengthSize(nzrunLength);
            }
            if ((zrun == 0 && i != 0) || nzrun == 0)
            {
                return -1; // an empty run, other than the first pair's zrun
            }
            i += header;
            d += zrun;
            if (d > pageSize || nzrun > pageSize - d || nzrun > srcLength - i)
            {
                return -1; // past the page end or the end of the delta
            }
            RawBytes.copy(srcBase, srcAddress + i, pageBase, pageAddress + d, nzrun);
            i += nzrun;
            d += nzrun;
        }
        return d;
    }

    /**
     * Reads a ULEB128 length of at most two bytes; two bytes must be readable.
     *
     * @return the value in the low 14 bits and, in bit 14, whether it took two bytes; or -1 if invalid.
     */
    private static int getLength(final Object base, final long address)
    {
        final int b0 = RawBytes.getByte(base, address) & 0xff;
        if (b0 < 0x80)
        {
            return b0;
        }
        final int b1 = RawBytes.getByte(base, address + 1) & 0xff;
        if (b1 >= 0x80)
        {
            return -1;
        }
        return (b0 & 0x7f) | (b1 << 7) | 0x4000;
    }

    private static int lengthSize(final int length)
    {
        return 1 + (length >>> 14);
    }

    private static void checkArray(final String what, final byte[] array)
    {
        if (array == null)
        {
            throw new NullPointerException(what + " is null");
        }
    }

    /**
     * Walks an XBZRLE delta as the decoder would, without writing, so that a reader of untrusted bytes refuses a
     * malformed delta before it touches the page (the decoder alone would have applied its first runs).
     *
     * @return null if it decodes within a page of {@code pageSize} bytes, else what is wrong.
     */
    public static String checkDelta(final DirectBuffer src, final int offset, final int length, final int pageSize)
    {
        int i = 0;
        int position = 0;
        while (i < length)
        {
            if (length - i < 2)
            {
                return "fewer than 2 bytes left for a zero-run length at delta byte " + i;
            }
            final int zrun = checkedLength(src, offset + i);
            if (zrun < 0)
            {
                return "invalid zero-run length at delta byte " + i;
            }
            if (zrun == 0 && i > 0)
            {
                return "zero-run length 0 after the first pair at delta byte " + i;
            }
            i += checkedLengthSize(src, offset + i);
            position += zrun;
            if (position > pageSize)
            {
                return "zero run passes the page end (position " + position + ")";
            }
            if (length - i < 2)
            {
                return "fewer than 2 bytes left for a changed-run length at delta byte " + i;
            }
            final int nzrun = checkedLength(src, offset + i);
            if (nzrun <= 0)
            {
                return (nzrun == 0 ? "changed-run length 0" : "invalid changed-run length") + " at delta byte " + i;
            }
            i += checkedLengthSize(src, offset + i);
            if (nzrun > pageSize - position || nzrun > length - i)
            {
                return "changed run of " + nzrun + " bytes at page position " + position + " passes the " +
                    (nzrun > pageSize - position ? "page end" : "delta end");
            }
            i += nzrun;
            position += nzrun;
        }
        return null;
    }

    /** @return the two-byte-limited ULEB128 value at {@code index}, or -1 if invalid. */
    private static int checkedLength(final DirectBuffer src, final int index)
    {
        final int b0 = src.getByte(index) & 0xFF;
        if (b0 < 0x80)
        {
            return b0;
        }
        final int b1 = src.getByte(index + 1) & 0xFF;
        return (b1 & 0x80) != 0 ? -1 : (b0 & 0x7F) | (b1 << 7);
    }

    private static int checkedLengthSize(final DirectBuffer src, final int index)
    {
        return (src.getByte(index) & 0x80) == 0 ? 1 : 2;
    }
}
