package io.livemig.bench.anchor;

import org.agrona.concurrent.UnsafeBuffer;

import java.nio.file.Path;

/**
 * JNI binding of livemig's C anchors ({@code benchmarks/src/main/native}, header {@code anchors.h}): own C
 * implementations, in the shape of QEMU's code, of the cores the report compares with. Each call runs a
 * whole batch (every page of a JMH invocation, or a whole bitmap), so the JNI transition is paid once per
 * batch, the way each Java benchmark loops over its pages.
 *
 * <p>The library is built by {@link AnchorBuild} and loaded once per JVM with {@link #load(Path)}, or by
 * {@link #require()} from the system property {@value #LIBRARY_PROPERTY}.
 *
 * <p>Every public method checks its arguments once per call against the buffers' capacities, then passes raw
 * addresses to C: buffers must be off-heap (an {@link UnsafeBuffer} over raw memory or a direct
 * {@code ByteBuffer}), since C cannot see a heap array that the GC may move. Bitmaps are 64-bit words in
 * native (little-endian) order, bit {@code i} in word {@code i / 64} at bit {@code i % 64}, 8-byte aligned.
 *
 * <p>Thread-safety: loading is synchronised; the anchors themselves are stateless (the zero-detection loops
 * are chosen once when the library loads), so calls may run from any threads on disjoint buffers. Only
 * {@link #syncBitmap} is meant to race, with writers of its source bitmap: it takes each non-zero source word
 * with an atomic exchange, as QEMU's sync does; the destination must have a single writer.
 */
public final class QemuAnchors
{
    /** System property that names the built library for {@link #require()}. */
    public static final String LIBRARY_PROPERTY = "livemig.anchors.lib";

    /** {@link #cpuFeatures()} bit: AVX2. */
    public static final int CPU_AVX2 = 1;
    /** {@link #cpuFeatures()} bit: AVX-512F. */
    public static final int CPU_AVX512F = 2;
    /** {@link #cpuFeatures()} bit: AVX-512BW. */
    public static final int CPU_AVX512BW = 4;

    /** {@code anchors.h}'s {@code LM_ZERO_QEMU9} and {@code LM_ZERO_QEMU8}: which zero check to run. */
    private static final int ZERO_QEMU9 = 9;
    private static final int ZERO_QEMU8 = 8;

    /** Largest page XBZRLE describes (two-byte lengths), as {@code io.livemig.codec.Xbzrle.MAX_PAGE_SIZE}. */
    public static final int MAX_XBZRLE_PAGE_SIZE = 16384;

    private static final String NOT_BUILT = "C anchors not built: run through the bench runner " +
        "(mvn -B verify -Pbench) or pass -D" + LIBRARY_PROPERTY + "=PATH";

    private static volatile Path loadedFrom;

    private QemuAnchors()
    {
    }

    // ---------------------------------------------------------------- loading

    /**
     * Loads the library at {@code library}; a second call is a no-op (the first library stays).
     *
     * @throws UnsatisfiedLinkError if the file cannot be loaded.
     */
    public static synchronized void load(final Path library)
    {
        if (loadedFrom == null)
        {
            final Path absolute = library.toAbsolutePath();
            System.load(absolute.toString());
            loadedFrom = absolute;
        }
    }

    /** @return whether the library is loaded in this JVM. */
    public static boolean isLoaded()
    {
        return loadedFrom != null;
    }

    /** @return the file the library was loaded from, or {@code null}. */
    public static Path loadedFrom()
    {
        return loadedFrom;
    }

    /**
     * Makes sure the library is loaded, from {@value #LIBRARY_PROPERTY} if it is not yet.
     *
     * @throws IllegalStateException with a one-line reason if the property is unset or the file does not load.
     */
    public static void require()
    {
        if (loadedFrom != null)
        {
            return;
        }
        loadFrom(System.getProperty(LIBRARY_PROPERTY));
    }

    /** {@link #require()}'s slow path: loads from {@code path}, the property's value (may be {@code null}). */
    static void loadFrom(final String path)
    {
        if (path == null || path.isBlank())
        {
            throw new IllegalStateException(NOT_BUILT);
        }
        try
        {
            load(Path.of(path));
        }
        catch (final UnsatisfiedLinkError | RuntimeException ex)
        {
            throw new IllegalStateException("C anchors failed to load from " + path + ": " + ex.getMessage(), ex);
        }
    }

    // ---------------------------------------------------------------- platform

    /** @return the CPU flags the library sees: {@link #CPU_AVX2}, {@link #CPU_AVX512F}, {@link #CPU_AVX512BW}. */
    public static int cpuFeatures()
    {
        require();
        return cpuFeatures0();
    }

    /** @return whether {@link #xbzrleEncodePagesAvx512} can run on this CPU. */
    public static boolean hasAvx512bw()
    {
        return (cpuFeatures() & CPU_AVX512BW) != 0;
    }

    /** @return whether the zero-detection anchors ({@link #bufferIsZeroPagesQemu9}, {@link #bufferIsZeroPagesQemu8}) can run. */
    public static boolean hasAvx2()
    {
        return (cpuFeatures() & CPU_AVX2) != 0;
    }

    // ---------------------------------------------------------------- XBZRLE

    /**
     * Encodes page {@code p} of {@code pages} (old at {@code oldOffset + p * pageSize}, new at {@code newOffset +
     * p * pageSize}) into {@code dst[dstOffset, +dstCapacity)}, reused for every page, with QEMU's scalar
     * encoder shape ({@code xbzrle.c}, {@code lm_xbzrle_encode}).
     *
     * @return the sum of the per-page results (a -1 overflow counts as -1), as the Java benchmark sums them.
     * @throws IllegalArgumentException  if a count or the page size is out of range, or a buffer is on-heap.
     * @throws IndexOutOfBoundsException if a range is outside its buffer.
     */
    public static long xbzrleEncodePages(
        final UnsafeBuffer oldPages, final int oldOffset,
        final UnsafeBuffer newPages, final int newOffset,
        final int pages, final int pageSize,
        final UnsafeBuffer dst, final int dstOffset, final int dstCapacity)
    {
        require();
        return encodePages(false, oldPages, oldOffset, newPages, newOffset, pages, pageSize, dst, dstOffset,
            dstCapacity);
    }

    /**
     * As {@link #xbzrleEncodePages}, with the AVX-512BW encoder in the shape of QEMU 8.1+'s
     * {@code xbzrle_encode_buffer_avx512}; same bytes and results as the scalar one.
     *
     * @throws IllegalStateException if the CPU lacks AVX-512BW ({@link #hasAvx512bw()}).
     */
    public static long xbzrleEncodePagesAvx512(
        final UnsafeBuffer oldPages, final int oldOffset,
        final UnsafeBuffer newPages, final int newOffset,
        final int pages, final int pageSize,
        final UnsafeBuffer dst, final int dstOffset, final int dstCapacity)
    {
        if (!hasAvx512bw())
        {
            throw new IllegalStateException("AVX-512 XBZRLE anchor: this CPU has no AVX-512BW");
        }
        return encodePages(true, oldPages, oldOffset, newPages, newOffset, pages, pageSize, dst, dstOffset,
            dstCapacity);
    }

    /** Checks the ranges once, then runs the scalar or the AVX-512BW encoder over every page. */
    private static long encodePages(
        final boolean avx512,
        final UnsafeBuffer oldPages, final int oldOffset,
        final UnsafeBuffer newPages, final int newOffset,
        final int pages, final int pageSize,
        final UnsafeBuffer dst, final int dstOffset, final int dstCapacity)
    {
        checkXbzrlePages(pages, pageSize);
        final long span = (long)pages * pageSize;
        final long oldAddress = address("oldPages", oldPages, oldOffset, span);
        final long newAddress = address("newPages", newPages, newOffset, span);
        final long dstAddress = address("dst", dst, dstOffset, dstCapacity);
        return avx512 ?
            xbzrleEncodePagesAvx5120(oldAddress, newAddress, pages, pageSize, dstAddress, dstCapacity) :
            xbzrleEncodePages0(oldAddress, newAddress, pages, pageSize, dstAddress, dstCapacity);
    }

    /**
     * Decodes, in place, page {@code p} of {@code pages} onto {@code target[targetOffset + p * pageSize, +pageSize)}
     * from the delta {@code deltas[offset, +length)}, where {@code (offset, length)} is the {@code p}-th pair of
     * native-order int32s in {@code index} (byte {@code 8 * p}). A length of 0 decodes to 0 and leaves the page
     * (an unchanged page); a negative length (the encoder's -1) is refused, as the Java decoder refuses it.
     *
     * @return the sum of the per-page results (QEMU's {@code xbzrle_decode_buffer}: the position after the
     *         last run, or -1 for a malformed delta).
     * @throws IndexOutOfBoundsException if a range, or a delta named by the index, is outside its buffer
     *                                   (pages before it have been decoded).
     * @throws IllegalArgumentException  if a count or the page size is out of range, or a buffer is on-heap.
     */
    public static long xbzrleDecodePages(
        final UnsafeBuffer deltas, final UnsafeBuffer index, final int pages,
        final UnsafeBuffer target, final int targetOffset, final int pageSize)
    {
        require();
        checkXbzrlePages(pages, pageSize);
        final long deltasAddress = address("deltas", deltas, 0, deltas == null ? 0 : deltas.capacity());
        return xbzrleDecodePages0(
            deltasAddress, deltas.capacity(), address("index", index, 0, 8L * pages), pages,
            address("target", target, targetOffset, (long)pages * pageSize), pageSize);
    }

    // ---------------------------------------------------------------- zero pages

    /**
     * Counts the pages {@code i} in {@code [0, count)} for which {@code pages[offset + (i & pageMask) * pageSize,
     * +pageSize)} is all zero, with QEMU 9.0+'s {@code buffer_is_zero} on an AVX2 CPU ({@code bufferiszero.c}: the
     * first, last and middle byte sampled, then 9.0's {@code buffer_zero_avx2}, eight 32-byte vectors per step in
     * two accumulators): the same loop as {@code ZeroPageBenchmark.isZero}.
     *
     * @throws IllegalStateException     if the CPU lacks AVX2 ({@link #hasAvx2()}).
     * @throws IllegalArgumentException  if a count, the mask or the page size is negative, or the buffer is
     *                                   on-heap.
     * @throws IndexOutOfBoundsException if a page read is outside the buffer.
     */
    public static int bufferIsZeroPagesQemu9(
        final UnsafeBuffer pages, final int offset, final int count, final int pageMask, final int pageSize)
    {
        return zeroPages(ZERO_QEMU9, pages, offset, count, pageMask, pageSize);
    }

    /**
     * As {@link #bufferIsZeroPagesQemu9}, with QEMU 8.x's {@code buffer_is_zero} on an AVX2 CPU: no byte sampling,
     * 8.x's {@code buffer_zero_avx2} (four 32-byte vectors per step, tested with PTEST).
     *
     * @throws IllegalStateException if the CPU lacks AVX2 ({@link #hasAvx2()}).
     */
    public static int bufferIsZeroPagesQemu8(
        final UnsafeBuffer pages, final int offset, final int count, final int pageMask, final int pageSize)
    {
        return zeroPages(ZERO_QEMU8, pages, offset, count, pageMask, pageSize);
    }

    private static int zeroPages(
        final int shape, final UnsafeBuffer pages, final int offset, final int count, final int pageMask,
        final int pageSize)
    {
        if (!hasAvx2())
        {
            throw new IllegalStateException("zero-detection anchors: this CPU has no AVX2");
        }
        if (count < 0 || pageMask < 0 || pageSize < 0)
        {
            throw new IllegalArgumentException(
                "count, pageMask and pageSize must be >= 0: " + count + ", " + pageMask + ", " + pageSize);
        }
        // (i & pageMask) never exceeds min(count - 1, pageMask)
        final long pagesRead = count == 0 ? 0 : Math.min(count - 1, pageMask) + 1L;
        return bufferIsZeroPages0(address("pages", pages, offset, pagesRead * pageSize), count, pageMask, pageSize,
            shape);
    }

    // ---------------------------------------------------------------- the call floor

    /** One JNI call into a C function that does nothing: what any anchor pays once per call. */
    public static int emptyCall()
    {
        require();
        return emptyCall0();
    }

    /**
     * One JNI call that calls, for each of {@code count} pages of {@code pages}, a C function that does nothing,
     * through a function pointer, as the page anchors call their per-page function: the least any page anchor
     * can cost per page. Reads no page.
     *
     * @return 0.
     * @throws IllegalArgumentException  if {@code count} or {@code pageSize} is negative, or the buffer is on-heap.
     * @throws IndexOutOfBoundsException if the pages are outside the buffer.
     */
    public static long emptyPageCalls(final UnsafeBuffer pages, final int count, final int pageSize)
    {
        require();
        if (count < 0 || pageSize < 0)
        {
            throw new IllegalArgumentException("count and pageSize must be >= 0: " + count + ", " + pageSize);
        }
        return emptyPageCalls0(address("pages", pages, 0, (long)count * pageSize), count, pageSize);
    }

    // ---------------------------------------------------------------- heap addresses

    /**
     * @return the address of element 0 of a primitive array, as the JVM holds it at the moment of the call
     *         (JNI's critical access, which HotSpot serves with the array itself); the GC may move the array
     *         later, except a G1 humongous array (at least half a region), which stays where it was allocated.
     * @throws IllegalArgumentException if {@code array} is not a primitive array.
     */
    public static long arrayAddress(final Object array)
    {
        require();
        if (array == null || !array.getClass().isArray() || !array.getClass().getComponentType().isPrimitive())
        {
            throw new IllegalArgumentException("not a primitive array: " + array);
        }
        return arrayAddress0(array);
    }

    // ---------------------------------------------------------------- dirty bitmaps

    /**
     * Counts the set bits among the first {@code nbits} bits of {@code words} by QEMU's loop {@code for (i =
     * find_next_bit(bm, n, 0); i < n; i = find_next_bit(bm, n, i + 1)) count++} ({@code bitmap.c}).
     *
     * @throws IllegalArgumentException  if {@code nbits} is negative, or the buffer is on-heap or not 8-byte
     *                                   aligned.
     * @throws IndexOutOfBoundsException if the words holding {@code nbits} bits exceed the buffer.
     */
    public static long findNextBitCount(final UnsafeBuffer words, final long nbits)
    {
        require();
        if (nbits < 0)
        {
            throw new IllegalArgumentException("nbits must be >= 0: " + nbits);
        }
        final long bytes = ((nbits + 63) >>> 6) * Long.BYTES;
        return findNextBitCount0(aligned("words", address("words", words, 0, bytes)), nbits);
    }

    /**
     * Clears and counts the set bits among the first {@code nbits} bits of {@code words} as a QEMU migration
     * round does: the {@code find_next_bit} loop of {@link #findNextBitCount}, each found bit cleared with
     * QEMU's plain {@code test_and_clear_bit} ({@code bitmap.c}). Leaves those bits of {@code words} clear.
     *
     * @throws IllegalArgumentException  if {@code nbits} is negative, or the buffer is on-heap or not 8-byte
     *                                   aligned.
     * @throws IndexOutOfBoundsException if the words holding {@code nbits} bits exceed the buffer.
     */
    public static long findNextBitClearCount(final UnsafeBuffer words, final long nbits)
    {
        require();
        if (nbits < 0)
        {
            throw new IllegalArgumentException("nbits must be >= 0: " + nbits);
        }
        final long bytes = ((nbits + 63) >>> 6) * Long.BYTES;
        return findNextBitClearCount0(aligned("words", address("words", words, 0, bytes)), nbits);
    }

    /**
     * QEMU's dirty-bitmap sync over {@code words} words: each non-zero source word is taken with an atomic
     * exchange with 0 and ORed into {@code dst}; the result counts the bits that were newly set in {@code dst}.
     * Writers may set source bits concurrently (a bit set after its word was taken stays for the next sync).
     *
     * @return the number of bits newly set in {@code dst}.
     * @throws IllegalArgumentException  if {@code words} is negative, or a buffer is on-heap or not 8-byte
     *                                   aligned.
     * @throws IndexOutOfBoundsException if {@code words} words exceed either buffer.
     */
    public static long syncBitmap(final UnsafeBuffer src, final UnsafeBuffer dst, final long words)
    {
        require();
        if (words < 0)
        {
            throw new IllegalArgumentException("words must be >= 0: " + words);
        }
        final long bytes = words * Long.BYTES;
        return syncBitmap0(
            aligned("src", address("src", src, 0, bytes)), aligned("dst", address("dst", dst, 0, bytes)), words);
    }

    // ---------------------------------------------------------------- digest

    /**
     * @return the C anchors' digest of {@code buffer[offset, +length)}, equal to {@link InputDigest#of(
     *         UnsafeBuffer, int, int, long)} on the same bytes.
     * @throws IllegalArgumentException  if {@code length} is not a multiple of 8, or the buffer is on-heap.
     * @throws IndexOutOfBoundsException if the range is outside the buffer.
     */
    public static long digest(final UnsafeBuffer buffer, final int offset, final int length, final long seed)
    {
        require();
        if ((length & 7) != 0)
        {
            throw new IllegalArgumentException("digest length must be a multiple of 8: " + length);
        }
        return digest0(address("buffer", buffer, offset, length), length, seed);
    }

    // ---------------------------------------------------------------- checks

    private static void checkXbzrlePages(final int pages, final int pageSize)
    {
        if (pages < 0)
        {
            throw new IllegalArgumentException("pages must be >= 0: " + pages);
        }
        if (pageSize < 0 || pageSize > MAX_XBZRLE_PAGE_SIZE)
        {
            throw new IllegalArgumentException("page size must be in [0, " + MAX_XBZRLE_PAGE_SIZE + "]: " + pageSize);
        }
    }

    /** @return the raw address of {@code buffer[offset]} once {@code [offset, +length)} is checked. */
    private static long address(final String what, final UnsafeBuffer buffer, final long offset, final long length)
    {
        if (buffer == null)
        {
            throw new NullPointerException(what + " is null");
        }
        if (buffer.byteArray() != null)
        {
            throw new IllegalArgumentException(what + " must be off-heap: C cannot read a heap array");
        }
        final int capacity = buffer.capacity();
        if (offset < 0 || length < 0 || offset > capacity - length)
        {
            throw new IndexOutOfBoundsException(
                what + ": range [" + offset + ", " + offset + " + " + length + ") is outside its capacity " + capacity);
        }
        return buffer.addressOffset() + offset;
    }

    private static long aligned(final String what, final long address)
    {
        if ((address & 7) != 0)
        {
            throw new IllegalArgumentException(what + " must be 8-byte aligned: address " + address);
        }
        return address;
    }

    // ---------------------------------------------------------------- natives (anchors_jni.c)

    private static native long xbzrleEncodePages0(
        long oldAddress, long newAddress, int pages, int pageSize, long dstAddress, int dstCapacity);

    private static native long xbzrleEncodePagesAvx5120(
        long oldAddress, long newAddress, int pages, int pageSize, long dstAddress, int dstCapacity);

    private static native long xbzrleDecodePages0(
        long deltasAddress, long deltasCapacity, long indexAddress, int pages, long targetAddress, int pageSize);

    private static native int bufferIsZeroPages0(long address, int count, int pageMask, int pageSize, int shape);

    private static native int emptyCall0();

    private static native long emptyPageCalls0(long address, int count, int pageSize);

    private static native long arrayAddress0(Object array);

    private static native long findNextBitCount0(long wordsAddress, long nbits);

    private static native long findNextBitClearCount0(long wordsAddress, long nbits);

    private static native long syncBitmap0(long srcAddress, long dstAddress, long words);

    private static native long digest0(long address, long bytes, long seed);

    private static native int cpuFeatures0();

}
