package io.livemig.bench.run.setup;

import io.livemig.codec.Simd;

/**
 * Run by {@link SimdSetup} in the forks' JVM, with the forks' module options: prints which codec path
 * ({@link Simd}) that JVM chooses, as {@code path TAB species TAB off-heap path TAB off-heap species TAB
 * description} on one line.
 */
public final class SimdProbe
{
    private SimdProbe()
    {
    }

    /** @param args ignored. */
    public static void main(final String[] args)
    {
        System.out.println(Simd.path() + "\t" + Simd.species() + "\t" + (Simd.vectorOffHeap() ? "vector" : "scalar") +
            "\t" + Simd.offHeapSpecies() + "\t" + Simd.description());
    }
}
