package io.livemig.codec;

/**
 * The SIMD kernels for off-heap memory (guest RAM), reached only through {@link Simd#OFF_HEAP}. They live in
 * {@code src/main/java22-vector}, built only by a JDK 22 or newer: they load vectors from a raw address through
 * {@code ByteVector.fromMemorySegment}, which exists from JDK 20 on, over one segment that spans every address.
 * Making that segment is a restricted method, so they run only where the JVM enables native access for this
 * code ({@code --enable-native-access=ALL-UNNAMED}).
 *
 * <p>Implementations are stateless, thread-safe and allocation-free, and give exactly the scalar kernels'
 * answers; ranges must have been checked by the caller.
 */
interface OffHeapKernels
{
    /** @return why the kernels cannot run in this JVM, or {@code null} if they can. */
    String unavailable();

    /** @return the vectors' width, e.g. {@code 256-bit (32 byte lanes)}. */
    String species();

    /** @return whether the {@code length} bytes at off-heap {@code address} are all zero. */
    boolean isZero(long address, int length);
}
