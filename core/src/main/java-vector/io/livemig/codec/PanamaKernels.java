package io.livemig.codec;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The SIMD kernels on the incubating Vector API, loaded by {@link Simd} only when the module is readable.
 * Compiled with {@code -source/-target 17} against whichever JDK builds the project, and using only API that
 * exists unchanged from JDK 17 to 25 ({@code fromArray}, {@code compare}, {@code or}, {@code VectorMask.toLong}
 * and {@code anyTrue}), so the same class file links on every supported JDK.
 *
 * <h2>XBZRLE encoder</h2>
 * Walks the page in blocks of one preferred vector (64 bytes with AVX-512, 32 with AVX2), aligned to the
 * page start. Each block is loaded once and turned into a bit mask of its differing bytes ({@code compare(NE)}
 * then {@code toLong}); the ends of unchanged and changed runs are then found in that mask with
 * {@code numberOfTrailingZeros}, so a block holding many short runs is not reloaded per run, and an unchanged
 * stretch costs one compare per block. The lengths and the capacity checks are the scalar encoder's, in the same
 * order, so the output and the -1/0 answers are identical. The lengths are written without a branch (two bytes,
 * the second overwritten or past the end); a changed run of at most 64 bytes is copied as eight whole words
 * with no loop (see {@link #copyRun}), a long one with {@link RawBytes#copy}: the length's branch and a copy loop
 * whose exit depends on the random run length mispredicted on most runs (JMH, JDK 25, 2026-11-28: removing them
 * took DENSE_50 from about 0.5 to about 1.6 times the speed of the AVX-512 C encoder).
 * A final partial block is compared byte by byte.
 *
 * <h2>Zero detection</h2>
 * First the first and last word (so a page that is non-zero at its start or end costs two loads, not a scan),
 * then four vectors ORed per step and tested for any non-zero lane, then one vector per step, then the scalar
 * kernel for the last bytes. The scalar loop reads only the last word first, since the separate check of the
 * first word halved its rate in DRAM on JDK 17 ({@link ZeroPage}); in the off-heap kernel on JDK 25, the path
 * the migration takes there, dropping it measured the same (191 against 192 ns per all-zero page over 64 MiB,
 * 2026-12-08), so the vector kernels keep it.
 *
 * <p>Stateless, thread-safe, allocation-free once compiled (the vectors are scalar-replaced by C2).
 */
final class PanamaKernels implements VectorKernels, Simd.Wide
{
    private static final VectorSpecies<Byte> SPECIES = ByteVector.SPECIES_PREFERRED;
    private static final int LANES = SPECIES.length();
    /** The mask bits that stand for lanes (all 64 with 64 lanes). */
    private static final long LANE_BITS = LANES >= 64 ? -1L : (1L << LANES) - 1;
    /** Longest run that {@link #copyRun} copies as this many bytes of whole words, past its end. */
    private static final int SHORT_COPY = 64;

    PanamaKernels()
    {
    }

    @Override
    public boolean wideEnough()
    {
        return SPECIES.vectorByteSize() >= Simd.MIN_VECTOR_BYTES && LANES <= 64;
    }

    @Override
    public String species()
    {
        return SPECIES.vectorBitSize() + "-bit (" + LANES + " byte lanes)";
    }

    @Override
    public int encode(
        final byte[] old, final int oldIndex, final byte[] now, final int newIndex, final int pageSize,
        final Object dstBase, final long dstAddress, final int capacity)
    {
        int i = 0;
        int d = 0;
        int block = 0;
        long diff = diff(old, oldIndex, now, newIndex, 0, pageSize); // bit k: byte block + k differs
        while (i < pageSize)
        {
            if (d + 2 > capacity)
            {
                return -1;
            }
            final int zrunStart = i;
            long bits = diff & (-1L << (i - block));
            while (bits == 0)
            {
                block += LANES;
                if (block >= pageSize)
                {
                    return zrunStart == 0 ? 0 : d; // the final unchanged run is not written
                }
                diff = diff(old, oldIndex, now, newIndex, block, pageSize);
                bits = diff;
            }
            i = block + Long.numberOfTrailingZeros(bits);
            d = putLength(dstBase, dstAddress, d, i - zrunStart);
            if (d + 2 > capacity)
            {
                return -1;
            }
            final int nzrunStart = i;
            bits = ~diff & LANE_BITS & (-1L << (i - block));
            while (bits == 0)
            {
                block += LANES;
                if (block >= pageSize)
                {
                    break;
                }
                diff = diff(old, oldIndex, now, newIndex, block, pageSize);
                bits = ~diff & LANE_BITS;
            }
            // bits == 0 only past the page; lanes past the end of a partial block count as equal
            i = Math.min(block + Long.numberOfTrailingZeros(bits), pageSize);
            final int nzrun = i - nzrunStart;
            if (nzrun > Xbzrle.MAX_LENGTH)
            {
                return -1;
            }
            d = putLength(dstBase, dstAddress, d, nzrun);
            if (d + nzrun > capacity)
            {
                return -1;
            }
            copyRun(now, newIndex + nzrunStart, dstBase, dstAddress + d, nzrun, capacity - d);
            d += nzrun;
        }
        return d;
    }

    /**
     * Writes {@code value} (at most {@code Xbzrle.MAX_LENGTH}) as {@code Xbzrle.putLength} does, without a
     * branch: always two bytes, the second past the returned position for a one-byte length. The caller has
     * checked that two bytes fit.
     */
    private static int putLength(final Object base, final long address, final int d, final int value)
    {
        final int twoBytes = (0x7f - value) >>> 31;
        RawBytes.putShortLE(base, address + d, (value & 0x7f) | (twoBytes << 7) | ((value << 1) & 0x7f00));
        return d + 1 + twoBytes;
    }

    /**
     * Copies a changed run to the destination. A run of at most {@value #SHORT_COPY} bytes (the common case) is
     * copied as {@value #SHORT_COPY} bytes of whole words, straight-line, when both the array and the
     * destination's capacity ({@code room}) have them: the extra bytes lie past the returned length, where the
     * contract allows writes.
     */
    private static void copyRun(
        final byte[] now, final int from, final Object dstBase, final long dst, final int length, final int room)
    {
        if (length <= SHORT_COPY && room >= SHORT_COPY && from <= now.length - SHORT_COPY)
        {
            // straight-line: no loop whose exit depends on the (random) run length
            final long src = RawBytes.ARRAY_BASE_OFFSET + from;
            for (int k = 0; k < SHORT_COPY; k += Long.BYTES)
            {
                RawBytes.putLongNative(dstBase, dst + k, RawBytes.getLongNative(now, src + k));
            }
            return;
        }
        RawBytes.copy(now, RawBytes.ARRAY_BASE_OFFSET + from, dstBase, dst, length);
    }

    /** @return the mask of differing bytes of the block at page position {@code block}; none past the page. */
    private static long diff(
        final byte[] old, final int oldIndex, final byte[] now, final int newIndex, final int block, final int pageSize)
    {
        if (block <= pageSize - LANES)
        {
            return ByteVector.fromArray(SPECIES, old, oldIndex + block)
                .compare(VectorOperators.NE, ByteVector.fromArray(SPECIES, now, newIndex + block))
                .toLong();
        }
        long mask = 0;
        for (int k = block; k < pageSize; k++)
        {
            if (old[oldIndex + k] != now[newIndex + k])
            {
                mask |= 1L << (k - block);
            }
        }
        return mask;
    }

    @Override
    public boolean isZero(final byte[] array, final int index, final int length)
    {
        final long address = RawBytes.ARRAY_BASE_OFFSET + index;
        if (length >= Long.BYTES &&
            (RawBytes.getLongNative(array, address) | RawBytes.getLongNative(array, address + length - Long.BYTES)) != 0)
        {
            return false; // a non-zero page is most often non-zero at its start or end
        }
        int i = 0;
        for (; i <= length - 4 * LANES; i += 4 * LANES)
        {
            final int at = index + i;
            final ByteVector any = ByteVector.fromArray(SPECIES, array, at)
                .or(ByteVector.fromArray(SPECIES, array, at + LANES))
                .or(ByteVector.fromArray(SPECIES, array, at + 2 * LANES))
                .or(ByteVector.fromArray(SPECIES, array, at + 3 * LANES));
            if (any.compare(VectorOperators.NE, (byte)0).anyTrue())
            {
                return false;
            }
        }
        for (; i <= length - LANES; i += LANES)
        {
            if (ByteVector.fromArray(SPECIES, array, index + i).compare(VectorOperators.NE, (byte)0).anyTrue())
            {
                return false;
            }
        }
        return ZeroPage.isZeroScalar(array, RawBytes.ARRAY_BASE_OFFSET + index + i, length - i);
    }
}
