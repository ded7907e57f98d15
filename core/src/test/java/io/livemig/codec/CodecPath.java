package io.livemig.codec;

import static org.junit.jupiter.api.Assertions.assertNotNull;

/**
 * The two implementations of the SIMD-capable kernels, called directly whatever {@link Simd} chose for this
 * JVM, so that tests force each path. Surefire adds {@code jdk.incubator.vector} on every JDK, so the vector
 * kernels must load.
 */
enum CodecPath
{
    SCALAR
    {
        @Override
        int encode(final byte[] old, final int oldIndex, final byte[] now, final int newIndex, final int pageSize,
            final Object dstBase, final long dstAddress, final int capacity)
        {
            return Xbzrle.encodeScalar(old, RawBytes.ARRAY_BASE_OFFSET + oldIndex, now,
                RawBytes.ARRAY_BASE_OFFSET + newIndex, pageSize, dstBase, dstAddress, capacity);
        }

        @Override
        boolean isZero(final byte[] array, final int index, final int length)
        {
            return ZeroPage.isZeroScalar(array, RawBytes.ARRAY_BASE_OFFSET + index, length);
        }
    },
    VECTOR
    {
        @Override
        int encode(final byte[] old, final int oldIndex, final byte[] now, final int newIndex, final int pageSize,
            final Object dstBase, final long dstAddress, final int capacity)
        {
            return vector().encode(old, oldIndex, now, newIndex, pageSize, dstBase, dstAddress, capacity);
        }

        @Override
        boolean isZero(final byte[] array, final int index, final int length)
        {
            return vector().isZero(array, index, length);
        }
    };

    private static VectorKernels vectorKernels;

    abstract int encode(byte[] old, int oldIndex, byte[] now, int newIndex, int pageSize,
        Object dstBase, long dstAddress, int capacity);

    abstract boolean isZero(byte[] array, int index, int length);

    static synchronized VectorKernels vector()
    {
        if (vectorKernels == null)
        {
            vectorKernels = Simd.loadVectorKernels();
            assertNotNull(vectorKernels, "vector kernels (surefire runs with --add-modules jdk.incubator.vector)");
        }
        return vectorKernels;
    }
}
