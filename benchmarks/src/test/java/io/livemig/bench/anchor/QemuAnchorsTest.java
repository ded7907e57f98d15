package io.livemig.bench.anchor;

import io.livemig.bench.state.OffHeapPages;
import io.livemig.bench.state.XbzrleInputs;
import io.livemig.codec.Xbzrle;
import io.livemig.codec.ZeroPage;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The C anchors compute exactly what livemig's Java cores compute (and what QEMU's test vectors say), so that
 * a benchmark comparing the two measures the same work. Builds the library once per JVM ({@link TestAnchors});
 * skipped only where no C compiler is installed.
 */
class QemuAnchorsTest
{
    private static final int PAGE = OffHeapPages.PAGE_SIZE;
    private static final long SEED = 0x414E43484F52L;

    @BeforeAll
    static void load()
    {
        TestAnchors.load();
    }

    // ---------------------------------------------------------------- platform

    @Test
    void theCpuFlagsAreCpuidsAndTheCallFloorDoesNothing()
    {
        final int features = QemuAnchors.cpuFeatures();
        assertTrue((features & ~(QemuAnchors.CPU_AVX2 | QemuAnchors.CPU_AVX512F | QemuAnchors.CPU_AVX512BW)) == 0,
            "only the three flags: " + features);
        assertTrue((features & QemuAnchors.CPU_AVX512BW) == 0 || (features & QemuAnchors.CPU_AVX512F) != 0,
            "AVX-512BW implies AVX-512F");
        System.out.println("C anchors: cpuFeatures=" + features);
        assertEquals(0, QemuAnchors.emptyCall());
        final UnsafeBuffer page = TestAnchors.offHeap(PAGE);
        assertEquals(0, QemuAnchors.emptyPageCalls(page, 1000, 0));
        assertThrows(IndexOutOfBoundsException.class, () -> QemuAnchors.emptyPageCalls(page, 2, PAGE));
        assertThrows(IllegalArgumentException.class, () -> QemuAnchors.emptyPageCalls(page, -1, 0));
    }

    @Test
    void arrayAddressesAreWhereUnsafeReadsTheArray()
    {
        final byte[] bytes = new byte[4 << 20]; // humongous in G1 with regions up to 8 MiB: does not move
        bytes[12345] = 42;
        final long address = QemuAnchors.arrayAddress(bytes);
        assertEquals(42, new UnsafeBuffer(address, bytes.length).getByte(12345), "the address is the array's");
        final long[] words = new long[1 << 20];
        words[7] = 0x1234_5678_9abc_def0L;
        assertEquals(words[7], new UnsafeBuffer(QemuAnchors.arrayAddress(words), 64).getLong(56,
            ByteOrder.nativeOrder()));
        assertThrows(IllegalArgumentException.class, () -> QemuAnchors.arrayAddress(new Object[1]));
        assertThrows(IllegalArgumentException.class, () -> QemuAnchors.arrayAddress("not an array"));
    }

    // ---------------------------------------------------------------- XBZRLE: QEMU's vectors

    record Case(String name, int encoderReturn, int decodeReturn, byte[] old, byte[] now, byte[] enc)
    {
        @Override
        public String toString()
        {
            return name;
        }
    }

    static List<Case> cases() throws IOException
    {
        final List<Case> cases = new ArrayList<>();
        for (final String line : new String(resource("manifest.tsv"), StandardCharsets.US_ASCII).split("\n"))
        {
            final String[] f = line.split("\t");
            if (f.length >= 5 && f[0].matches("case\\d+"))
            {
                final byte[] enc = resourceOrNull(f[0] + "/enc.bin");
                cases.add(new Case(f[0], Integer.parseInt(f[2]), Integer.parseInt(f[4]),
                    resource(f[0] + "/old.bin"), resource(f[0] + "/new.bin"), enc == null ? new byte[0] : enc));
            }
        }
        assertEquals(24, cases.size(), "cases in manifest.tsv");
        return cases;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void encodesAndDecodesAsQemuDoes(final Case c)
    {
        final UnsafeBuffer old = TestAnchors.offHeap(c.old);
        final UnsafeBuffer now = TestAnchors.offHeap(c.now);
        final UnsafeBuffer dst = TestAnchors.offHeap(PAGE);
        assertEquals(c.encoderReturn, QemuAnchors.xbzrleEncodePages(old, 0, now, 0, 1, PAGE, dst, 0, PAGE), "scalar");
        assertEncoding(c.enc, c.encoderReturn, dst);
        if (QemuAnchors.hasAvx512bw())
        {
            dst.setMemory(0, PAGE, (byte)0);
            assertEquals(c.encoderReturn, QemuAnchors.xbzrleEncodePagesAvx512(old, 0, now, 0, 1, PAGE, dst, 0, PAGE),
                "avx512");
            assertEncoding(c.enc, c.encoderReturn, dst);
        }
        if (c.encoderReturn >= 0)
        {
            final UnsafeBuffer deltas = TestAnchors.offHeap(Math.max(8, c.enc.length));
            deltas.putBytes(0, c.enc);
            final UnsafeBuffer index = index(new int[] {0}, new int[] {c.enc.length});
            assertEquals(c.decodeReturn, QemuAnchors.xbzrleDecodePages(deltas, index, 1, old, 0, PAGE), "decode");
            assertArrayEquals(c.now, bytes(old, 0, PAGE), "decoded page");
        }
    }

    private static void assertEncoding(final byte[] expected, final int result, final UnsafeBuffer dst)
    {
        if (result >= 0)
        {
            assertArrayEquals(expected, bytes(dst, 0, result));
        }
    }

    // ---------------------------------------------------------------- XBZRLE: the benchmark inputs

    @ParameterizedTest
    @EnumSource(XbzrleInputs.Pattern.class)
    void encodeSumsAndBytesMatchJavaOnTheBenchmarkPatterns(final XbzrleInputs.Pattern pattern)
    {
        final int pages = 64;
        try (XbzrleInputs inputs = new XbzrleInputs(pattern, pages))
        {
            final UnsafeBuffer old = inputs.oldPages();
            final UnsafeBuffer now = inputs.newPages();
            final UnsafeBuffer javaDst = TestAnchors.offHeap(PAGE);
            final UnsafeBuffer cDst = TestAnchors.offHeap(PAGE);
            long javaTotal = 0;
            for (int p = 0; p < pages; p++)
            {
                final int offset = OffHeapPages.offset(p);
                final int expected = Xbzrle.encode(old, offset, now, offset, PAGE, javaDst, 0, PAGE);
                javaTotal += expected;
                assertEquals(expected, QemuAnchors.xbzrleEncodePages(old, offset, now, offset, 1, PAGE, cDst, 0, PAGE));
                assertSameEncoding(expected, javaDst, cDst, pattern + " page " + p);
                if (QemuAnchors.hasAvx512bw())
                {
                    assertEquals(expected,
                        QemuAnchors.xbzrleEncodePagesAvx512(old, offset, now, offset, 1, PAGE, cDst, 0, PAGE));
                    assertSameEncoding(expected, javaDst, cDst, pattern + " page " + p + " avx512");
                }
            }
            assertEquals(javaTotal, QemuAnchors.xbzrleEncodePages(old, 0, now, 0, pages, PAGE, cDst, 0, PAGE));
            if (QemuAnchors.hasAvx512bw())
            {
                assertEquals(javaTotal,
                    QemuAnchors.xbzrleEncodePagesAvx512(old, 0, now, 0, pages, PAGE, cDst, 0, PAGE));
            }
        }
    }

    @ParameterizedTest
    @EnumSource(value = XbzrleInputs.Pattern.class, names = "RANDOM", mode = EnumSource.Mode.EXCLUDE)
    void decodeSumAndPagesMatchTheJavaBenchmarkLoop(final XbzrleInputs.Pattern pattern)
    {
        final int pages = 64;
        try (XbzrleInputs inputs = new XbzrleInputs(pattern, pages);
            OffHeapPages javaTarget = new OffHeapPages(pages))
        {
            final int[] offsets = inputs.deltaOffsets();
            final int[] lengths = inputs.deltaLengths();
            final UnsafeBuffer target = inputs.oldPages();
            javaTarget.buffer().putBytes(0, target, 0, OffHeapPages.offset(pages));
            long javaTotal = 0;
            for (int p = 0; p < pages; p++)
            {
                javaTotal += Xbzrle.decode(inputs.deltas(), offsets[p], lengths[p],
                    javaTarget.buffer(), OffHeapPages.offset(p), PAGE);
            }
            final long cTotal = QemuAnchors.xbzrleDecodePages(
                inputs.deltas(), index(offsets, lengths), pages, target, 0, PAGE);
            assertEquals(javaTotal, cTotal);
            assertArrayEquals(bytes(inputs.newPages(), 0, OffHeapPages.offset(pages)),
                bytes(target, 0, OffHeapPages.offset(pages)), "decoded pages");
            assertArrayEquals(bytes(javaTarget.buffer(), 0, OffHeapPages.offset(pages)),
                bytes(target, 0, OffHeapPages.offset(pages)));
        }
    }

    @Test
    void decodeRefusesAnOverflowLengthAsJavaDoes()
    {
        try (XbzrleInputs inputs = new XbzrleInputs(XbzrleInputs.Pattern.RANDOM, 2))
        {
            final int[] lengths = inputs.deltaLengths();
            assertEquals(-1, lengths[0]);
            assertThrows(IndexOutOfBoundsException.class, () -> Xbzrle.decode(inputs.deltas(), 0, lengths[0],
                inputs.oldPages(), 0, PAGE));
            final IndexOutOfBoundsException ex = assertThrows(IndexOutOfBoundsException.class,
                () -> QemuAnchors.xbzrleDecodePages(
                    inputs.deltas(), index(inputs.deltaOffsets(), lengths), 2, inputs.oldPages(), 0, PAGE));
            assertTrue(ex.getMessage().contains("page 0"), ex.getMessage());
        }
    }

    /**
     * Random page pairs in many shapes (sizes that are not multiples of 8, up to a wholly changed 16 KiB page;
     * capacities around the encoding's size; odd offsets): both C encoders give Java's result and bytes.
     */
    @Test
    void encodersAgreeWithJavaOnRandomPairs()
    {
        final SplittableRandom random = new SplittableRandom(SEED);
        final UnsafeBuffer old = TestAnchors.offHeap(Xbzrle.MAX_PAGE_SIZE + 16);
        final UnsafeBuffer now = TestAnchors.offHeap(Xbzrle.MAX_PAGE_SIZE + 16);
        final UnsafeBuffer javaDst = TestAnchors.offHeap(Xbzrle.MAX_PAGE_SIZE + 16);
        final UnsafeBuffer cDst = TestAnchors.offHeap(Xbzrle.MAX_PAGE_SIZE + 16);
        for (int trial = 0; trial < 3000; trial++)
        {
            final int pageSize = switch (trial % 5)
            {
                case 0 -> PAGE;
                case 1 -> random.nextInt(0, 200);
                case 2 -> Xbzrle.MAX_PAGE_SIZE;
                default -> random.nextInt(0, Xbzrle.MAX_PAGE_SIZE + 1);
            };
            final int oldOffset = random.nextInt(0, 9);
            final int newOffset = random.nextInt(0, 9);
            final byte[] a = randomPage(random, pageSize);
            final byte[] b = mutate(random, a);
            old.putBytes(oldOffset, a);
            now.putBytes(newOffset, b);
            final int full = Xbzrle.encode(old, oldOffset, now, newOffset, pageSize, javaDst, 0, pageSize + 16);
            final int capacity = random.nextBoolean() || full <= 0
                ? Math.min(pageSize, Xbzrle.MAX_PAGE_SIZE)
                : Math.max(0, full + random.nextInt(-3, 4));
            final int dstOffset = random.nextInt(0, 9);
            final int expected = Xbzrle.encode(old, oldOffset, now, newOffset, pageSize, javaDst, 0, capacity);
            final String what = "trial " + trial + " size " + pageSize + " capacity " + capacity;
            assertEquals(expected, QemuAnchors.xbzrleEncodePages(
                old, oldOffset, now, newOffset, 1, pageSize, cDst, dstOffset, capacity), what);
            assertSameEncoding(expected, javaDst, 0, cDst, dstOffset, what);
            if (QemuAnchors.hasAvx512bw())
            {
                assertEquals(expected, QemuAnchors.xbzrleEncodePagesAvx512(
                    old, oldOffset, now, newOffset, 1, pageSize, cDst, dstOffset, capacity), what + " avx512");
                assertSameEncoding(expected, javaDst, 0, cDst, dstOffset, what + " avx512");
            }
            if (expected > 0)
            {
                // and the C decoder undoes it, as Java's does
                final UnsafeBuffer page = TestAnchors.offHeap(Math.max(8, pageSize));
                page.putBytes(0, a);
                final UnsafeBuffer deltas = TestAnchors.offHeap(expected);
                deltas.putBytes(0, javaDst, 0, expected);
                final int javaDecode = Xbzrle.decode(deltas, 0, expected, old, oldOffset, pageSize);
                assertEquals(javaDecode, QemuAnchors.xbzrleDecodePages(
                    deltas, index(new int[] {0}, new int[] {expected}), 1, page, 0, pageSize), what);
                assertArrayEquals(b, bytes(page, 0, pageSize), what);
            }
        }
    }

    /** Malformed and random deltas: the C decoder gives Java's result and leaves the page as Java's does. */
    @Test
    void decoderAgreesWithJavaOnHostileDeltas()
    {
        final SplittableRandom random = new SplittableRandom(SEED + 1);
        final UnsafeBuffer deltas = TestAnchors.offHeap(512);
        final UnsafeBuffer cPage = TestAnchors.offHeap(PAGE);
        final UnsafeBuffer javaPage = TestAnchors.offHeap(PAGE);
        int errors = 0;
        for (int trial = 0; trial < 20000; trial++)
        {
            final int pageSize = random.nextBoolean() ? PAGE : random.nextInt(0, 300);
            final int length = random.nextInt(0, 40);
            for (int i = 0; i < length; i++)
            {
                // small values make plausible lengths; some top bits make two-byte and invalid lengths
                deltas.putByte(i, (byte)(random.nextInt(8) == 0 ? random.nextInt(256) : random.nextInt(1, 40)));
            }
            final byte[] start = randomPage(random, pageSize);
            cPage.putBytes(0, start);
            javaPage.putBytes(0, start);
            final int expected = Xbzrle.decode(deltas, 0, length, javaPage, 0, pageSize);
            errors += expected < 0 ? 1 : 0;
            assertEquals(expected, QemuAnchors.xbzrleDecodePages(
                deltas, index(new int[] {0}, new int[] {length}), 1, cPage, 0, pageSize), "trial " + trial);
            assertArrayEquals(bytes(javaPage, 0, pageSize), bytes(cPage, 0, pageSize), "trial " + trial);
        }
        assertTrue(errors > 1000 && errors < 19000, "both valid and malformed deltas were tried: " + errors);
    }

    // ---------------------------------------------------------------- zero pages

    @Test
    void zeroCountsMatchJavaForEveryPlaceOfTheNonZeroByte()
    {
        assumeTrue(QemuAnchors.hasAvx2(), "the zero-detection anchors need AVX2");
        final SplittableRandom random = new SplittableRandom(SEED + 2);
        final int[] places = {-1, 0, PAGE / 2, PAGE - 1, 3600, 1, 7, 8, 63, 64, 255, 256, 4032, 4088,
            random.nextInt(PAGE), random.nextInt(PAGE), random.nextInt(PAGE)};
        for (final int place : places)
        {
            for (final int pages : new int[] {1, 16})
            {
                try (OffHeapPages memory = new OffHeapPages(pages))
                {
                    final UnsafeBuffer buffer = memory.buffer();
                    if (place >= 0)
                    {
                        for (int p = 0; p < pages; p++)
                        {
                            buffer.putByte(OffHeapPages.offset(p) + place, (byte)(1 + random.nextInt(255)));
                        }
                    }
                    final int operations = 64;
                    int expected = 0;
                    for (int i = 0; i < operations; i++)
                    {
                        expected += ZeroPage.isZero(buffer, OffHeapPages.offset(i & (pages - 1)), PAGE) ? 1 : 0;
                    }
                    assertEquals(place < 0 ? operations : 0, expected);
                    assertEquals(expected, QemuAnchors.bufferIsZeroPagesQemu9(buffer, 0, operations, pages - 1,
                        PAGE), "QEMU 9.0+: non-zero byte at " + place + ", pages " + pages);
                    assertEquals(expected, QemuAnchors.bufferIsZeroPagesQemu8(buffer, 0, operations, pages - 1,
                        PAGE), "QEMU 8.x: non-zero byte at " + place + ", pages " + pages);
                }
            }
        }
    }

    /**
     * Every length (0 to a page and a bit: each side of 8.x's 128-byte and 9.0's 256-byte switch to the vector
     * loop) at every alignment, one non-zero byte anywhere or none, bytes set just outside the range.
     */
    @Test
    void zeroAnswersMatchJavaForEveryLengthAndAlignment()
    {
        assumeTrue(QemuAnchors.hasAvx2(), "the zero-detection anchors need AVX2");
        final SplittableRandom random = new SplittableRandom(SEED + 3);
        final UnsafeBuffer buffer = TestAnchors.offHeap(2 * PAGE);
        for (int trial = 0; trial < 20000; trial++)
        {
            final int offset = random.nextInt(0, 128);
            final int length = trial % 4 == 0 ? random.nextInt(0, PAGE + 1) : random.nextInt(0, 700);
            buffer.setMemory(0, buffer.capacity(), (byte)0);
            if (length > 0 && random.nextInt(3) != 0)
            {
                buffer.putByte(offset + random.nextInt(length), (byte)(1 + random.nextInt(255)));
            }
            if (random.nextInt(4) == 0)
            {
                // bytes just outside the range must not count
                buffer.putByte(offset + length, (byte)1);
                if (offset > 0)
                {
                    buffer.putByte(offset - 1, (byte)1);
                }
            }
            final int expected = ZeroPage.isZero(buffer, offset, length) ? 1 : 0;
            assertEquals(expected, QemuAnchors.bufferIsZeroPagesQemu9(buffer, offset, 1, 0, length),
                "QEMU 9.0+: offset " + offset + " length " + length);
            assertEquals(expected, QemuAnchors.bufferIsZeroPagesQemu8(buffer, offset, 1, 0, length),
                "QEMU 8.x: offset " + offset + " length " + length);
        }
    }

    // ---------------------------------------------------------------- bitmaps

    @Test
    void findNextBitCountsTheSetBitsBelowNbits()
    {
        final SplittableRandom random = new SplittableRandom(SEED + 4);
        for (int trial = 0; trial < 400; trial++)
        {
            final int words = random.nextInt(1, 300);
            final UnsafeBuffer bitmap = TestAnchors.offHeap(words * Long.BYTES);
            final double density = new double[] {0, 0.00001, 0.001, 0.01, 0.1, 0.5, 1}[trial % 7];
            for (int w = 0; w < words; w++)
            {
                long word = 0;
                for (int b = 0; b < 64; b++)
                {
                    word |= random.nextDouble() < density ? 1L << b : 0;
                }
                bitmap.putLong(w * Long.BYTES, word, ByteOrder.nativeOrder());
            }
            final long nbits = random.nextBoolean() ? 64L * words : random.nextLong(0, 64L * words + 1);
            long expected = 0;
            for (long i = 0; i < nbits; i++)
            {
                expected += (bitmap.getLong((int)(i >>> 6) * Long.BYTES, ByteOrder.nativeOrder()) >>> (i & 63)) & 1;
            }
            if (nbits == 64L * words)
            {
                long bitCount = 0;
                for (int w = 0; w < words; w++)
                {
                    bitCount += Long.bitCount(bitmap.getLong(w * Long.BYTES, ByteOrder.nativeOrder()));
                }
                assertEquals(bitCount, expected);
            }
            assertEquals(expected, QemuAnchors.findNextBitCount(bitmap, nbits), "words " + words + " nbits " + nbits);
        }
    }

    @Test
    void syncMovesTheBitsCountsTheNewOnesAndClearsTheSource()
    {
        final SplittableRandom random = new SplittableRandom(SEED + 5);
        for (int trial = 0; trial < 200; trial++)
        {
            final int words = random.nextInt(0, 500);
            final UnsafeBuffer src = TestAnchors.offHeap(Math.max(8, words * Long.BYTES));
            final UnsafeBuffer dst = TestAnchors.offHeap(Math.max(8, words * Long.BYTES));
            final long[] expectedDst = new long[words];
            long expectedCount = 0;
            for (int w = 0; w < words; w++)
            {
                final long s = random.nextInt(3) == 0 ? 0 : random.nextLong() & random.nextLong();
                final long d = random.nextInt(3) == 0 ? 0 : random.nextLong() & random.nextLong();
                src.putLong(w * Long.BYTES, s, ByteOrder.nativeOrder());
                dst.putLong(w * Long.BYTES, d, ByteOrder.nativeOrder());
                expectedDst[w] = d | s;
                expectedCount += Long.bitCount(s & ~d);
            }
            assertEquals(expectedCount, QemuAnchors.syncBitmap(src, dst, words), "trial " + trial);
            for (int w = 0; w < words; w++)
            {
                assertEquals(0, src.getLong(w * Long.BYTES), "source word " + w + " cleared");
                assertEquals(expectedDst[w], dst.getLong(w * Long.BYTES, ByteOrder.nativeOrder()), "dst word " + w);
            }
            assertEquals(0, QemuAnchors.syncBitmap(src, dst, words), "a second sync finds nothing");
        }
    }

    // ---------------------------------------------------------------- digest

    @Test
    void digestsAgreeWithJava()
    {
        final SplittableRandom random = new SplittableRandom(SEED + 6);
        final UnsafeBuffer buffer = TestAnchors.offHeap(PAGE);
        for (int i = 0; i < PAGE; i += 8)
        {
            buffer.putLong(i, random.nextLong());
        }
        for (int trial = 0; trial < 500; trial++)
        {
            final int offset = random.nextInt(0, 64);
            final int length = random.nextInt(0, (PAGE - offset) / 8 + 1) * 8;
            final long seed = random.nextLong();
            final long expected = InputDigest.of(buffer, offset, length, seed);
            assertEquals(expected, QemuAnchors.digest(buffer, offset, length, seed));
            final long[] words = new long[length / 8];
            for (int w = 0; w < words.length; w++)
            {
                words[w] = buffer.getLong(offset + 8 * w, ByteOrder.LITTLE_ENDIAN);
            }
            assertEquals(expected, InputDigest.of(words, seed));
        }
        // pinned: an empty range is the seed xor 0, one zero word is seed * prime xor 8
        assertEquals(42L, InputDigest.of(new long[0], 42L));
        assertEquals((42L * InputDigest.PRIME) ^ 8, InputDigest.of(new long[] {0}, 42L));
    }

    // ---------------------------------------------------------------- argument checks

    @Test
    void wrappersRefuseBadArgumentsBeforeCallingC()
    {
        final UnsafeBuffer pages = TestAnchors.offHeap(2 * PAGE);
        final UnsafeBuffer dst = TestAnchors.offHeap(PAGE);
        final UnsafeBuffer heap = new UnsafeBuffer(new byte[2 * PAGE]);
        assertThrows(IndexOutOfBoundsException.class,
            () -> QemuAnchors.xbzrleEncodePages(pages, 0, pages, 0, 3, PAGE, dst, 0, PAGE));
        assertThrows(IndexOutOfBoundsException.class,
            () -> QemuAnchors.xbzrleEncodePages(pages, 1, pages, 0, 2, PAGE, dst, 0, PAGE));
        assertThrows(IndexOutOfBoundsException.class,
            () -> QemuAnchors.xbzrleEncodePages(pages, 0, pages, 0, 1, PAGE, dst, 1, PAGE));
        assertThrows(IllegalArgumentException.class,
            () -> QemuAnchors.xbzrleEncodePages(pages, 0, pages, 0, 1, Xbzrle.MAX_PAGE_SIZE + 1, dst, 0, PAGE));
        assertThrows(IllegalArgumentException.class,
            () -> QemuAnchors.xbzrleEncodePages(pages, 0, pages, 0, -1, PAGE, dst, 0, PAGE));
        final IllegalArgumentException onHeap = assertThrows(IllegalArgumentException.class,
            () -> QemuAnchors.xbzrleEncodePages(heap, 0, pages, 0, 1, PAGE, dst, 0, PAGE));
        assertTrue(onHeap.getMessage().startsWith("oldPages"), onHeap.getMessage());
        assertThrows(IndexOutOfBoundsException.class,
            () -> QemuAnchors.xbzrleDecodePages(dst, index(new int[] {0}, new int[] {0}), 2, pages, 0, PAGE));
        assertThrows(IndexOutOfBoundsException.class,
            () -> QemuAnchors.xbzrleDecodePages(dst, index(new int[] {PAGE - 2}, new int[] {3}), 1, pages, 0, PAGE));
        assertThrows(IndexOutOfBoundsException.class,
            () -> QemuAnchors.xbzrleDecodePages(dst, index(new int[] {0}, new int[] {0}), 1, pages, PAGE + 1, PAGE));
        if (QemuAnchors.hasAvx2())
        {
            assertThrows(IndexOutOfBoundsException.class,
                () -> QemuAnchors.bufferIsZeroPagesQemu9(pages, 0, 3, 3, PAGE));
            assertThrows(IndexOutOfBoundsException.class,
                () -> QemuAnchors.bufferIsZeroPagesQemu8(pages, 1, 2, 1, PAGE));
            assertEquals(4, QemuAnchors.bufferIsZeroPagesQemu9(pages, 0, 4, 1, PAGE), "the mask bounds the pages read");
            assertThrows(IllegalArgumentException.class,
                () -> QemuAnchors.bufferIsZeroPagesQemu8(pages, 0, 1, -1, PAGE));
        }
        else
        {
            assertThrows(IllegalStateException.class, () -> QemuAnchors.bufferIsZeroPagesQemu9(pages, 0, 1, 0, PAGE));
        }
        assertThrows(IndexOutOfBoundsException.class, () -> QemuAnchors.findNextBitCount(dst, 8L * PAGE + 1));
        assertThrows(IllegalArgumentException.class,
            () -> QemuAnchors.findNextBitCount(new UnsafeBuffer(pages, 4, 64), 64));
        assertThrows(IndexOutOfBoundsException.class, () -> QemuAnchors.syncBitmap(pages, dst, PAGE / 8 + 1));
        assertThrows(IllegalArgumentException.class, () -> QemuAnchors.syncBitmap(pages, heap, 1));
        assertThrows(IllegalArgumentException.class, () -> QemuAnchors.digest(pages, 0, 12, 0));
        assertThrows(IndexOutOfBoundsException.class, () -> QemuAnchors.digest(pages, 8, 2 * PAGE, 0));
        if (!QemuAnchors.hasAvx512bw())
        {
            assertThrows(IllegalStateException.class,
                () -> QemuAnchors.xbzrleEncodePagesAvx512(pages, 0, pages, 0, 1, PAGE, dst, 0, PAGE));
        }
    }

    // ---------------------------------------------------------------- helpers

    private static void assertSameEncoding(
        final int result, final UnsafeBuffer javaDst, final UnsafeBuffer cDst, final String what)
    {
        assertSameEncoding(result, javaDst, 0, cDst, 0, what);
    }

    private static void assertSameEncoding(
        final int result, final UnsafeBuffer javaDst, final int javaOffset, final UnsafeBuffer cDst,
        final int cOffset, final String what)
    {
        if (result > 0)
        {
            assertArrayEquals(bytes(javaDst, javaOffset, result), bytes(cDst, cOffset, result), what);
        }
    }

    /** @return an off-heap decode index: native-order int32 (offset, length) pairs. */
    static UnsafeBuffer index(final int[] offsets, final int[] lengths)
    {
        final UnsafeBuffer index = TestAnchors.offHeap(Math.max(8, 8 * offsets.length));
        for (int p = 0; p < offsets.length; p++)
        {
            index.putInt(8 * p, offsets[p], ByteOrder.nativeOrder());
            index.putInt(8 * p + 4, lengths[p], ByteOrder.nativeOrder());
        }
        return index;
    }

    private static byte[] bytes(final UnsafeBuffer buffer, final int offset, final int length)
    {
        final byte[] bytes = new byte[length];
        buffer.getBytes(offset, bytes);
        return bytes;
    }

    private static byte[] randomPage(final SplittableRandom random, final int size)
    {
        final byte[] page = new byte[size];
        if (random.nextInt(4) != 0)
        {
            random.nextBytes(page);
        }
        return page;
    }

    /** A copy of {@code page} changed in one of several shapes: none, runs, every k-th byte, all, edges. */
    static byte[] mutate(final SplittableRandom random, final byte[] page)
    {
        final byte[] b = page.clone();
        final int n = b.length;
        if (n == 0)
        {
            return b;
        }
        switch (random.nextInt(7))
        {
            case 0 -> { }
            case 1 ->
            {
                final int runs = random.nextInt(1, 40);
                for (int r = 0; r < runs; r++)
                {
                    final int at = random.nextInt(n);
                    final int length = Math.min(n - at, random.nextInt(1, 200));
                    flip(random, b, at, length);
                }
            }
            case 2 ->
            {
                final int k = random.nextInt(1, 20);
                for (int i = random.nextInt(k); i < n; i += k)
                {
                    flip(random, b, i, 1);
                }
            }
            case 3 -> flip(random, b, 0, n);
            case 4 ->
            {
                flip(random, b, 0, Math.min(n, random.nextInt(1, 70)));
                final int tail = Math.min(n, random.nextInt(1, 70));
                flip(random, b, n - tail, tail);
            }
            case 5 ->
            {
                final int at = random.nextInt(n);
                flip(random, b, at, n - at);
            }
            default ->
            {
                for (int i = 0; i < n; i++)
                {
                    if (random.nextInt(3) == 0)
                    {
                        flip(random, b, i, 1);
                    }
                }
            }
        }
        return b;
    }

    private static void flip(final SplittableRandom random, final byte[] b, final int at, final int length)
    {
        for (int i = at; i < at + length; i++)
        {
            b[i] ^= (byte)random.nextInt(1, 256);
        }
    }

    private static byte[] resource(final String name) throws IOException
    {
        final byte[] bytes = resourceOrNull(name);
        assertNotNull(bytes, "test resource xbzrle/" + name);
        return bytes;
    }

    private static byte[] resourceOrNull(final String name) throws IOException
    {
        try (InputStream in = QemuAnchorsTest.class.getResourceAsStream("/xbzrle/" + name))
        {
            return in == null ? null : in.readAllBytes();
        }
    }
}
