package io.livemig.codec;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Zero detection on off-heap memory (guest RAM): the JDK 22+ SIMD kernel ({@link OffHeapKernels}), called
 * directly where this JVM has it, agrees with a byte loop at any length and alignment and never reads a
 * neighbour's byte as its own; the public entry point and the scalar loop agree too, on every JDK. Also checks that {@link Simd} takes the
 * off-heap vector path exactly where its documented conditions hold.
 */
class OffHeapZeroPathTest
{
    private static final int MAX = 16384 + 140;
    private static final UnsafeBuffer MEMORY = new UnsafeBuffer(ByteBuffer.allocateDirect(MAX + 2));

    @Property(tries = 400)
    void offHeapKernelAgreesWithByteLoop(
        @ForAll @IntRange(min = 0, max = 16384) final int length,
        @ForAll @IntRange(min = 1, max = 70) final int offset,
        @ForAll @IntRange(min = -1, max = 16383) final int nonZeroAt,
        @ForAll final byte value)
    {
        MEMORY.setMemory(0, MAX + 2, (byte)0);
        MEMORY.putByte(offset - 1, (byte)1); // just before the range: must not count
        MEMORY.putByte(offset + length, (byte)1); // just past it
        if (nonZeroAt >= 0 && nonZeroAt < length)
        {
            MEMORY.putByte(offset + nonZeroAt, value);
        }
        final boolean expected = nonZeroAt < 0 || nonZeroAt >= length || value == 0;
        final OffHeapKernels kernels = Simd.loadOffHeapKernels(); // where this JVM has them (JDK 22+)
        if (kernels != null && kernels.unavailable() == null)
        {
            assertEquals(expected, kernels.isZero(MEMORY.addressOffset() + offset, length),
                "offset " + offset + ", length " + length + ", byte at " + nonZeroAt);
        }
        assertEquals(expected, ZeroPage.isZero(MEMORY, offset, length), "public entry, path " + Simd.description());
        assertEquals(expected, ZeroPage.isZeroScalar(null, MEMORY.addressOffset() + offset, length), "scalar");
    }

    @Test
    void everyPositionOfOneNonZeroByteIsFoundOffHeap()
    {
        final OffHeapKernels kernels = Simd.loadOffHeapKernels();
        assumeTrue(kernels != null && kernels.unavailable() == null, "no off-heap SIMD kernels in this JVM");
        MEMORY.setMemory(0, MAX + 2, (byte)0);
        for (int length = 0; length <= 700; length += length < 300 ? 1 : 67)
        {
            for (int at = 0; at < length; at++)
            {
                MEMORY.putByte(3 + at, (byte)0x80);
                assertFalse(kernels.isZero(MEMORY.addressOffset() + 3, length), "length " + length + " at " + at);
                MEMORY.putByte(3 + at, (byte)0);
            }
            assertTrue(kernels.isZero(MEMORY.addressOffset() + 3, length), "length " + length);
        }
    }

    @Test
    void offHeapVectorPathRunsExactlyWhereItsConditionsHold()
    {
        final OffHeapKernels kernels = Simd.loadOffHeapKernels();
        final boolean expected = Simd.vector() && Runtime.version().feature() >= Simd.MIN_OFF_HEAP_FEATURE &&
            kernels != null && kernels.unavailable() == null;
        assertEquals(expected, Simd.vectorOffHeap(), Simd.description());
        if (Simd.vector())
        {
            assertTrue(Simd.description().contains(expected ? "and off-heap memory" : "scalar for off-heap memory ("),
                Simd.description());
        }
        if (Runtime.version().feature() >= Simd.MIN_OFF_HEAP_FEATURE && Simd.vector())
        {
            // The build JDK is this JDK in the test run: a JDK 22+ build has the kernels, and surefire enables
            // native access on JDK 21+ (livemig.jvm.extra), so the off-heap path must run here.
            assertTrue(Simd.vectorOffHeap(), Simd.description());
            // Guest RAM streams from memory, where 256-bit vectors beat the preferred 512 (SegmentKernels).
            assertEquals("256-bit (32 byte lanes)", Simd.offHeapSpecies());
            assertTrue(Simd.description().contains("and off-heap memory (256-bit (32 byte lanes) there"),
                Simd.description());
        }
        else
        {
            assertEquals("none", Simd.offHeapSpecies());
        }
    }
}
