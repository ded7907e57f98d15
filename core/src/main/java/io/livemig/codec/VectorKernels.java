package io.livemig.codec;

/**
 * The codec kernels that have a SIMD implementation (in {@code src/main/java-vector}, on the incubating Vector
 * API), reached only through {@link Simd#KERNELS}. They take heap arrays: the Vector API offers no way to
 * load from a raw off-heap address that exists in every JDK this project supports ({@code fromByteBuffer}
 * left in JDK 19, {@code fromMemorySegment} arrived with it), so off-heap inputs go to {@link OffHeapKernels}
 * on JDK 22+ and to the scalar path elsewhere.
 *
 * <p>Implementations are stateless, thread-safe and allocation-free, and give exactly the scalar kernels'
 * results; ranges must have been checked by the caller.
 */
interface VectorKernels
{
    /** @return a description of the vector shape in use, e.g. {@code "512-bit (64 byte lanes)"}. */
    String species();

    /**
     * {@link Xbzrle}'s encoder with heap pages at {@code old[oldIndex, +pageSize)} and {@code now[newIndex,
     * +pageSize)}; the destination may be anywhere ({@code (base, address)} as {@link RawBytes} takes it).
     *
     * @return exactly what the scalar encoder returns, with the same bytes written.
     */
    int encode(
        byte[] old, int oldIndex, byte[] now, int newIndex, int pageSize,
        Object dstBase, long dstAddress, int capacity);

    /** @return whether {@code array[index, +length)} is all zero. */
    boolean isZero(byte[] array, int index, int length);
}
