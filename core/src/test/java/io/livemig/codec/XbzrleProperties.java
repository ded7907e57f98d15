package io.livemig.codec;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.Arrays;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Properties of the fast XBZRLE codec against the plain model of the spec ({@link ReferenceXbzrle}):
 * the two encoders agree byte for byte (including -1 and 0) at every capacity; decode(encode(old, new)) onto
 * old gives new; the array and buffer paths agree; and arbitrary or mutated deltas never make the decoder
 * throw, write outside the page, or disagree with the model decoder.
 */
class XbzrleProperties
{
    private static final int GUARD = 16;

    @Property(tries = 400)
    void encoderAgreesWithModelAndRoundTrips(
        @ForAll final PagePairs.Shape shape,
        @ForAll @IntRange(min = 0, max = Xbzrle.MAX_PAGE_SIZE) final int size,
        @ForAll final long seed)
    {
        final PagePairs pair = PagePairs.of(shape, size, seed);
        final byte[] expected = ReferenceXbzrle.encode(pair.old, pair.now, size);
        final byte[] dst = new byte[size];
        final int length = Xbzrle.encode(pair.old, pair.now, dst);
        assertEquals(expected == null ? -1 : expected.length, length, "encode result");
        if (length > 0)
        {
            assertArrayEquals(expected, Arrays.copyOf(dst, length));
            final byte[] page = pair.old.clone();
            final int end = Xbzrle.decode(dst, length, page);
            assertArrayEquals(pair.now, page, "decode(encode(old, new), old) == new");
            assertEquals(lastChange(pair.old, pair.now) + 1, end, "position after the last changed run");
        }
        else if (length == 0)
        {
            assertArrayEquals(pair.old, pair.now, "0 only for an unchanged page");
        }
    }

    @Property(tries = 300)
    void everyCapacityGivesTheModelsAnswerAndStaysInside(
        @ForAll final PagePairs.Shape shape,
        @ForAll @IntRange(min = 0, max = 4096) final int size,
        @ForAll @IntRange(min = 0, max = 6000) final int capacity,
        @ForAll final long seed)
    {
        final PagePairs pair = PagePairs.of(shape, size, seed);
        final byte[] expected = ReferenceXbzrle.encode(pair.old, pair.now, capacity);
        final UnsafeBuffer old = TestPages.offHeap(pair.old);
        final UnsafeBuffer now = new UnsafeBuffer(pair.now);
        final UnsafeBuffer dst = TestPages.guarded(new byte[capacity], GUARD);
        final int length = Xbzrle.encode(old, 0, now, 0, size, dst, GUARD, capacity);
        assertEquals(expected == null ? -1 : expected.length, length, "encode result at capacity " + capacity);
        if (length > 0)
        {
            assertArrayEquals(expected, TestPages.bytes(dst, GUARD, length));
        }
        assertTrue(TestPages.guardsIntact(dst, GUARD, capacity), "nothing written outside [dstOffset, +capacity)");
    }

    @Property(tries = 400)
    void arbitraryDeltasNeverEscapeThePage(
        @ForAll @IntRange(min = 0, max = 300) final int srcLength,
        @ForAll @IntRange(min = 0, max = 600) final int size,
        @ForAll final long seed)
    {
        final SplittableRandom random = new SplittableRandom(seed);
        final byte[] src = new byte[srcLength];
        random.nextBytes(src);
        if (srcLength > 0 && random.nextBoolean())
        {
            src[0] = (byte)random.nextInt(8); // small first zrun: more deltas get past the first pair
        }
        final byte[] page = new byte[size];
        random.nextBytes(page);
        checkDecodeAgainstModel(src, page);
    }

    @Property(tries = 400)
    void mutatedEncodingsNeverEscapeThePage(
        @ForAll final PagePairs.Shape shape,
        @ForAll @IntRange(min = 1, max = 4096) final int size,
        @ForAll final long seed)
    {
        final PagePairs pair = PagePairs.of(shape, size, seed);
        final byte[] enc = new byte[size + 16];
        int length = Xbzrle.encode(pair.old, pair.now, enc);
        if (length <= 0)
        {
            return;
        }
        final SplittableRandom random = new SplittableRandom(seed ^ 0x5DEECE66DL);
        for (int m = 1 + random.nextInt(3); m > 0; m--)
        {
            switch (length == 0 ? 2 : random.nextInt(4))
            {
                case 0: enc[random.nextInt(length)] = (byte)random.nextInt(256); break;
                case 1: length = random.nextInt(length + 1); break; // truncate
                case 2: length = Math.min(enc.length, length + 1 + random.nextInt(8)); break; // trailing junk
                default: enc[random.nextInt(length)] ^= (byte)0x80; break; // flip a length's continuation bit
            }
        }
        checkDecodeAgainstModel(Arrays.copyOf(enc, length), pair.old.clone());
    }

    /**
     * The decoder's copy of a changed run, in each of its size classes (1, 2-3, 4-7, 8-32, 33-64 bytes, and the
     * longer ones), at every length up to 72 and every alignment of the run in the page and in the delta,
     * between unchanged bytes on both sides: the bytes land exactly where the byte-by-byte model puts them.
     */
    @Property(tries = 60)
    void everyShortRunLengthAndAlignmentDecodesAsTheModel(
        @ForAll @IntRange(min = 0, max = 15) final int zrun,
        @ForAll @IntRange(min = 0, max = 7) final int deltaAlignment,
        @ForAll final long seed)
    {
        final SplittableRandom random = new SplittableRandom(seed);
        for (int nzrun = 1; nzrun <= 72; nzrun++)
        {
            final byte[] page = new byte[zrun + nzrun + 9];
            random.nextBytes(page);
            final byte[] src = new byte[deltaAlignment + 2 + nzrun];
            src[deltaAlignment] = (byte)zrun;
            src[deltaAlignment + 1] = (byte)nzrun;
            for (int k = 0; k < nzrun; k++)
            {
                src[deltaAlignment + 2 + k] = (byte)random.nextInt(256);
            }
            final byte[] expected = page.clone();
            System.arraycopy(src, deltaAlignment + 2, expected, zrun, nzrun);
            final byte[] delta = Arrays.copyOfRange(src, deltaAlignment, src.length);
            checkDecodeAgainstModel(delta, page);
            final UnsafeBuffer offHeapSrc = TestPages.offHeap(src);
            final UnsafeBuffer guarded = TestPages.guarded(page, GUARD);
            assertEquals(zrun + nzrun, Xbzrle.decode(offHeapSrc, deltaAlignment, src.length - deltaAlignment,
                guarded, GUARD, page.length), "decode result, run of " + nzrun);
            assertArrayEquals(expected, TestPages.bytes(guarded, GUARD, page.length), "run of " + nzrun);
            assertTrue(TestPages.guardsIntact(guarded, GUARD, page.length), "nothing written outside the page");
        }
    }

    /** Fast and model decoders agree on result and page; the fast one writes nothing outside the page. */
    private static void checkDecodeAgainstModel(final byte[] src, final byte[] page)
    {
        final byte[] expectedPage = page.clone();
        final int expected = ReferenceXbzrle.decode(src, src.length, expectedPage);

        final byte[] arrayPage = page.clone();
        assertEquals(expected, Xbzrle.decode(src, src.length, arrayPage), "array decode result");
        assertArrayEquals(expectedPage, arrayPage, "array decode page");

        final UnsafeBuffer guarded = TestPages.guarded(page, GUARD);
        final int result = Xbzrle.decode(TestPages.offHeap(src), 0, src.length, guarded, GUARD, page.length);
        assertEquals(expected, result, "buffer decode result");
        assertTrue(result == -1 || (result >= 0 && result <= page.length), "result is -1 or a page position");
        assertArrayEquals(expectedPage, TestPages.bytes(guarded, GUARD, page.length), "buffer decode page");
        assertTrue(TestPages.guardsIntact(guarded, GUARD, page.length), "nothing written outside the page");
    }

    private static int lastChange(final byte[] old, final byte[] now)
    {
        for (int i = old.length - 1; i >= 0; i--)
        {
            if (old[i] != now[i])
            {
                return i;
            }
        }
        return -1;
    }
}
