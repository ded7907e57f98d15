package io.livemig.codec;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;

/**
 * The off-heap SIMD kernels on the incubating Vector API and FFM's {@link MemorySegment}, loaded by {@link Simd}
 * only on JDK 22 or newer, with the vector module readable and the vector path chosen for heap arrays. Compiled
 * with {@code -source/-target 22} by a JDK 22+ build only (the {@code jdk22-plus} profile of core's pom).
 *
 * <p>Loads go through {@link #ALL}, one native segment over addresses {@code [0, Long.MAX_VALUE)} in the global
 * scope: its bounds check always passes and needs no liveness check, so C2 reduces each load to the vector
 * instruction. The caller has checked the range against its buffer, as for every unchecked kernel of this
 * package. Creating {@link #ALL} ({@code reinterpret}) is restricted: where native access is not enabled for
 * this module the segment is not made, no warning is printed, and {@link #unavailable()} says so.
 *
 * <h2>Zero detection</h2>
 * As {@code PanamaKernels} does on heap arrays: the first and last word first, then four vectors ORed per step
 * and tested for any non-zero lane, then one vector per step, then the scalar kernel for the last bytes. The
 * vectors are 256-bit wherever the preferred species is at least that wide, not the preferred 512-bit of an
 * AVX-512 CPU: guest RAM streams from memory, and there, on a Zen 4 EPYC, 512-bit vectors lost to the scalar loop
 * (191 against 146 ns a zero page over 64 MiB) and cost a cold 1 GiB idle migration about 27 ms (100 against 74 ms,
 * with the scalar loop at 72), while 256-bit ones kept pace with it; QEMU's own zero check is 256-bit AVX2, and
 * streamed fastest of all on the Zen 5 of the published runs. They give up only the in-cache speed of 512-bit
 * vectors (33 against 51-61 ns a page on the Zen 4), which a scan of guest RAM rarely has (docs/simd.md).
 *
 * <p>Stateless, thread-safe, allocation-free once compiled.
 */
final class SegmentKernels implements OffHeapKernels
{
    /** 256-bit vectors: see the class comment. */
    private static final VectorSpecies<Byte> SPECIES = ByteVector.SPECIES_256;
    private static final int LANES = SPECIES.length();
    private static final ByteOrder ORDER = ByteOrder.nativeOrder();
    /** Every address, or {@code null} where native access is not enabled. */
    private static final MemorySegment ALL = SegmentKernels.class.getModule().isNativeAccessEnabled() ?
        MemorySegment.NULL.reinterpret(Long.MAX_VALUE) : null;

    SegmentKernels()
    {
    }

    @Override
    public String unavailable()
    {
        if (ALL == null)
        {
            return "native access is not enabled (start Java with --enable-native-access=ALL-UNNAMED)";
        }
        return ByteVector.SPECIES_PREFERRED.vectorByteSize() < Simd.MIN_VECTOR_BYTES ? "the preferred vector " +
            "species is narrower than " + Simd.MIN_VECTOR_BYTES + " bytes" : null;
    }

    @Override
    public String species()
    {
        return SPECIES.vectorBitSize() + "-bit (" + LANES + " byte lanes)";
    }

    @Override
    public boolean isZero(final long address, final int length)
    {
        if (length >= Long.BYTES &&
            (RawBytes.getLongNative(null, address) | RawBytes.getLongNative(null, address + length - Long.BYTES)) != 0)
        {
            return false; // as PanamaKernels: a non-zero page is most often non-zero at its start or end
        }
        final MemorySegment all = ALL;
        int i = 0;
        for (; i <= length - 4 * LANES; i += 4 * LANES)
        {
            final long at = address + i;
            final ByteVector any = ByteVector.fromMemorySegment(SPECIES, all, at, ORDER)
                .or(ByteVector.fromMemorySegment(SPECIES, all, at + LANES, ORDER))
                .or(ByteVector.fromMemorySegment(SPECIES, all, at + 2 * LANES, ORDER))
                .or(ByteVector.fromMemorySegment(SPECIES, all, at + 3 * LANES, ORDER));
            if (any.compare(VectorOperators.NE, (byte)0).anyTrue())
            {
                return false;
            }
        }
        for (; i <= length - LANES; i += LANES)
        {
            if (ByteVector.fromMemorySegment(SPECIES, all, address + i, ORDER).compare(VectorOperators.NE, (byte)0)
                .anyTrue())
            {
                return false;
            }
        }
        return ZeroPage.isZeroScalar(null, address + i, length - i);
    }
}
