package io.livemig.codec;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jpountz.lz4.LZ4Factory;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link Lz4PageCodec}: round trips on and off the heap, the raw fallback for incompressible pages, and bad
 * blocks (corrupt, truncated, of another page size, of bad length) refused with {@code false}, no exception,
 * and no write outside the page (guard bytes on both sides, in an off-heap buffer and in a shared array).
 */
class Lz4PageCodecTest
{
    private static final int PAGE = 4096;
    private static final int GUARD = 32;

    private final Lz4PageCodec codec = new Lz4PageCodec(PAGE);

    static byte[] textPage(final long seed)
    {
        final String[] words = {"migration", "page", "dirty", "the", "of", "guest", "memory", "round", "a", "copy"};
        final SplittableRandom random = new SplittableRandom(seed);
        final StringBuilder text = new StringBuilder();
        while (text.length() < PAGE)
        {
            text.append(words[random.nextInt(words.length)]).append(random.nextInt(9) == 0 ? ". " : " ");
        }
        return Arrays.copyOf(text.toString().getBytes(StandardCharsets.US_ASCII), PAGE);
    }

    private static byte[] randomPage(final long seed)
    {
        final byte[] page = new byte[PAGE];
        new SplittableRandom(seed).nextBytes(page);
        return page;
    }

    /** Compresses {@code page} (off-heap source) and returns the block, asserting it is smaller. */
    private byte[] block(final byte[] page)
    {
        final UnsafeBuffer dst = new UnsafeBuffer(new byte[codec.maxCompressedLength()]);
        final int length = codec.compress(TestPages.offHeap(page), 0, dst, 0);
        assertTrue(length > 0 && length < PAGE, "compressible: " + length);
        return Arrays.copyOf(dst.byteArray(), length);
    }

    @Test
    void roundTripsOnAndOffTheHeap()
    {
        final byte[] mostlyZero = new byte[PAGE];
        System.arraycopy(randomPage(5), 0, mostlyZero, 1000, 200);
        for (final byte[] page : new byte[][] {textPage(1), new byte[PAGE], mostlyZero})
        {
            // heap source at an offset, heap destination
            final byte[] source = new byte[PAGE + 9];
            System.arraycopy(page, 0, source, 9, PAGE);
            final UnsafeBuffer heapDst = new UnsafeBuffer(new byte[PAGE + 3]);
            final int length = codec.compress(new UnsafeBuffer(source), 9, heapDst, 3);
            assertTrue(length > 0 && length < PAGE);
            final byte[] block = Arrays.copyOfRange(heapDst.byteArray(), 3, 3 + length);
            assertArrayEquals(block, block(page), "same block from an off-heap source");

            final UnsafeBuffer offHeapPage = TestPages.guarded(new byte[PAGE], GUARD);
            assertTrue(codec.decompress(TestPages.offHeap(block), 0, length, offHeapPage, GUARD));
            assertArrayEquals(page, TestPages.bytes(offHeapPage, GUARD, PAGE));
            assertTrue(TestPages.guardsIntact(offHeapPage, GUARD, PAGE));

            final UnsafeBuffer heapPage = heapGuarded();
            assertTrue(codec.decompress(new UnsafeBuffer(block), 0, length, heapPage, GUARD));
            assertArrayEquals(page, TestPages.bytes(heapPage, GUARD, PAGE));
            assertTrue(TestPages.guardsIntact(heapPage, GUARD, PAGE));
        }
    }

    @Test
    void incompressiblePageIsLeftForRawSending()
    {
        final UnsafeBuffer dst = TestPages.guarded(new byte[PAGE - 1], GUARD);
        assertEquals(-1, codec.compress(TestPages.offHeap(randomPage(2)), 0, dst, GUARD));
        assertArrayEquals(new byte[PAGE - 1], TestPages.bytes(dst, GUARD, PAGE - 1), "nothing written");
        assertTrue(TestPages.guardsIntact(dst, GUARD, PAGE - 1));
    }

    @Test
    void blocksOfAnotherPageSizeAreRefused()
    {
        final LZ4Factory lz4 = LZ4Factory.fastestInstance();
        final byte[] twoPages = new byte[2 * PAGE];
        System.arraycopy(textPage(3), 0, twoPages, 0, PAGE);
        System.arraycopy(textPage(4), 0, twoPages, PAGE, PAGE);
        for (final int size : new int[] {PAGE / 2, PAGE - 1, PAGE + 1, 2 * PAGE})
        {
            final byte[] block = lz4.fastCompressor().compress(twoPages, 0, size);
            final UnsafeBuffer offHeapPage = TestPages.guarded(new byte[PAGE], GUARD);
            final UnsafeBuffer heapPage = heapGuarded();
            final int length = Math.min(block.length, codec.maxCompressedLength());
            assertFalse(codec.decompress(new UnsafeBuffer(block), 0, length, offHeapPage, GUARD), "size " + size);
            assertFalse(codec.decompress(new UnsafeBuffer(block), 0, length, heapPage, GUARD), "size " + size);
            assertTrue(TestPages.guardsIntact(offHeapPage, GUARD, PAGE));
            assertTrue(TestPages.guardsIntact(heapPage, GUARD, PAGE));
        }
    }

    @Test
    void truncatedBlocksAndBadLengthsAreRefused()
    {
        final byte[] block = block(textPage(6));
        for (int length = 0; length < block.length; length++)
        {
            final UnsafeBuffer page = TestPages.guarded(new byte[PAGE], GUARD);
            assertFalse(codec.decompress(new UnsafeBuffer(block), 0, length, page, GUARD), "truncated to " + length);
            assertTrue(TestPages.guardsIntact(page, GUARD, PAGE));
        }
        final UnsafeBuffer big = new UnsafeBuffer(new byte[codec.maxCompressedLength() + 1]);
        assertFalse(codec.decompress(big, 0, big.capacity(), heapGuarded(), GUARD), "longer than LZ4's bound");
    }

    @Property(tries = 300)
    void corruptBlocksNeverThrowNorEscapeThePage(
        @ForAll final long seed, @ForAll @IntRange(min = 1, max = 4) final int mutations)
    {
        final SplittableRandom random = new SplittableRandom(seed);
        final byte[] block;
        if (random.nextInt(4) == 0)
        {
            block = new byte[1 + random.nextInt(codec.maxCompressedLength())];
            random.nextBytes(block);
        }
        else
        {
            block = block(random.nextBoolean() ? textPage(seed) : new byte[PAGE]);
            for (int m = 0; m < mutations; m++)
            {
                block[random.nextInt(block.length)] = (byte)random.nextInt(256);
            }
        }
        final UnsafeBuffer offHeapPage = TestPages.guarded(new byte[PAGE], GUARD);
        final UnsafeBuffer heapPage = heapGuarded();
        final boolean offHeap = codec.decompress(TestPages.offHeap(block), 0, block.length, offHeapPage, GUARD);
        final boolean heap = codec.decompress(new UnsafeBuffer(block), 0, block.length, heapPage, GUARD);
        assertEquals(offHeap, heap, "same answer on and off the heap");
        assertTrue(TestPages.guardsIntact(offHeapPage, GUARD, PAGE), "off-heap guards");
        assertTrue(TestPages.guardsIntact(heapPage, GUARD, PAGE), "heap guards");
    }

    @Test
    void argumentsAreChecked()
    {
        assertThrows(IllegalArgumentException.class, () -> new Lz4PageCodec(0));
        final UnsafeBuffer small = new UnsafeBuffer(new byte[PAGE - 2]);
        final UnsafeBuffer page = new UnsafeBuffer(new byte[PAGE]);
        assertThrows(IndexOutOfBoundsException.class, () -> codec.compress(small, 0, page, 0), "short page");
        assertThrows(IndexOutOfBoundsException.class, () -> codec.compress(page, 0, small, 0), "short dst");
        assertThrows(IndexOutOfBoundsException.class, () -> codec.decompress(page, 1, PAGE, page, 0), "src range");
        assertThrows(IndexOutOfBoundsException.class, () -> codec.decompress(page, 0, -1, page, 0), "negative");
        assertThrows(IndexOutOfBoundsException.class, () -> codec.decompress(page, 0, 8, small, 0), "short page");
    }

    /** An array-backed page buffer with guard bytes around the page in the same array. */
    private static UnsafeBuffer heapGuarded()
    {
        final byte[] memory = new byte[PAGE + 2 * GUARD];
        Arrays.fill(memory, TestPages.GUARD);
        Arrays.fill(memory, GUARD, GUARD + PAGE, (byte)0);
        return new UnsafeBuffer(memory);
    }
}
