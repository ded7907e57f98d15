package io.livemig.codec;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.Arrays;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Each path forced: the scalar and the vector encoder, called directly, both encode QEMU's vectors byte for
 * byte and agree with the model ({@link ReferenceXbzrle}) at every capacity, at any array offset, writing
 * nothing outside the destination's capacity; both zero detectors agree with a byte loop. Also checks what
 * {@link Simd} chose for this JVM against its documented policy.
 */
class CodecPathTest
{
    private static final int GUARD = 16;

    static Stream<Arguments> casesOnEachPath()
    {
        return XbzrleVectorsTest.cases().stream()
            .flatMap(c -> Arrays.stream(CodecPath.values()).map(path -> Arguments.of(path, c)));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("casesOnEachPath")
    void encodesQemuVectorsOnEachPath(final CodecPath path, final XbzrleVectorsTest.Case c)
    {
        final int page = XbzrleVectorsTest.PAGE;
        final byte[] old = new byte[page + 5];
        final byte[] now = new byte[page + 3];
        System.arraycopy(c.old(), 0, old, 5, page);
        System.arraycopy(c.now(), 0, now, 3, page);
        final UnsafeBuffer dst = TestPages.guarded(new byte[page], GUARD);
        final int length = path.encode(old, 5, now, 3, page, RawBytes.base(dst), RawBytes.address(dst, GUARD), page);
        assertEquals(c.encoderReturn(), length, "encoder return");
        if (length > 0)
        {
            assertArrayEquals(c.enc(), TestPages.bytes(dst, GUARD, length));
        }
        assertTrue(TestPages.guardsIntact(dst, GUARD, page), "nothing written outside dst's capacity");
    }

    @Property(tries = 600)
    void encoderAgreesWithModelOnEachPathAtEveryCapacity(
        @ForAll final CodecPath path,
        @ForAll final PagePairs.Shape shape,
        @ForAll @IntRange(min = 0, max = Xbzrle.MAX_PAGE_SIZE) final int size,
        @ForAll @IntRange(min = 0, max = 130) final int offset,
        @ForAll @IntRange(min = -1, max = 3000) final int capacityOrPage,
        @ForAll final boolean heapDst,
        @ForAll final long seed)
    {
        final PagePairs pair = PagePairs.of(shape, size, seed);
        final int capacity = capacityOrPage < 0 ? size : capacityOrPage;
        final byte[] expected = ReferenceXbzrle.encode(pair.old, pair.now, capacity);
        final byte[] old = new byte[offset + size];
        final byte[] now = new byte[offset + size + 7];
        System.arraycopy(pair.old, 0, old, offset, size);
        System.arraycopy(pair.now, 0, now, offset + 7, size);
        final byte[] guardedArray = new byte[capacity + 2 * GUARD];
        Arrays.fill(guardedArray, TestPages.GUARD);
        final UnsafeBuffer dst = heapDst ? new UnsafeBuffer(guardedArray) : TestPages.guarded(new byte[capacity], GUARD);
        dst.setMemory(GUARD, capacity, (byte)0);
        final int length = path.encode(old, offset, now, offset + 7, size,
            RawBytes.base(dst), RawBytes.address(dst, GUARD), capacity);
        assertEquals(expected == null ? -1 : expected.length, length, "encode result at capacity " + capacity);
        if (length > 0)
        {
            assertArrayEquals(expected, TestPages.bytes(dst, GUARD, length));
        }
        assertTrue(TestPages.guardsIntact(dst, GUARD, capacity), "nothing written outside [dstOffset, +capacity)");
    }

    @Property(tries = 400)
    void zeroDetectionAgreesWithByteLoopOnEachPath(
        @ForAll final CodecPath path,
        @ForAll @IntRange(min = 0, max = 16384) final int length,
        @ForAll @IntRange(min = 0, max = 70) final int offset,
        @ForAll @IntRange(min = -1, max = 16383) final int nonZeroAt,
        @ForAll final byte value)
    {
        final byte[] memory = new byte[offset + length + 1];
        memory[offset + length] = 1; // just past the range: must not count
        if (offset > 0)
        {
            memory[offset - 1] = 1;
        }
        if (nonZeroAt >= 0 && nonZeroAt < length)
        {
            memory[offset + nonZeroAt] = value;
        }
        final boolean expected = nonZeroAt < 0 || nonZeroAt >= length || value == 0;
        assertEquals(expected, path.isZero(memory, offset, length), "offset " + offset + ", length " + length);
    }

    @Test
    void everyPositionOfOneNonZeroByteIsFoundOnEachPath()
    {
        for (final CodecPath path : CodecPath.values())
        {
            for (int length = 0; length <= 600; length += length < 140 ? 1 : 61)
            {
                final byte[] memory = new byte[length + 3];
                for (int at = 0; at < length; at++)
                {
                    memory[at + 3] = (byte)0x80;
                    assertEquals(false, path.isZero(memory, 3, length), path + " length " + length + " at " + at);
                    memory[at + 3] = 0;
                }
                assertEquals(true, path.isZero(memory, 3, length), path + " length " + length);
            }
        }
    }

    @Test
    void simdFollowsItsPolicy()
    {
        final String mode = System.getProperty(Simd.PROPERTY, "auto");
        final boolean expectVector = !mode.equals("off") && Simd.loadVectorKernels() != null &&
            (mode.equals("on") || Runtime.version().feature() >= Simd.MIN_AUTO_FEATURE);
        assertEquals(expectVector, Simd.vector(), Simd.description());
        assertTrue(Simd.description().startsWith(Simd.path() + " path"), Simd.description());
        assertEquals(expectVector ? CodecPath.vector().species() : "none", Simd.species());
    }
}
