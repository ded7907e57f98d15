package io.livemig.bench.dirty;

import java.util.Arrays;

import io.livemig.kernel.KernelTracker;
import io.livemig.kernel.KernelAssume;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * KernelTrackingBenchmark's variants compute the same answers: the kernel harvest and the bitmap's find the
 * same dirty pages, and a first write is recorded. Skipped with the probe's reason where the kernel trackers
 * cannot run (JDK 17, kernel, permissions), and only there ({@link KernelAssume}).
 */
class KernelTrackingBenchmarkTest
{
    private static void assumeKernel()
    {
        for (final KernelTracker kind : KernelTracker.values())
        {
            KernelAssume.tracker(kind);
        }
    }

    @Test
    void kernelAndBitmapHarvestsFindTheSameDirtyPages()
    {
        assumeKernel();
        final KernelTrackingBenchmark bench = new KernelTrackingBenchmark();
        for (final boolean huge : new boolean[] {false})
        {
            final KernelTrackingBenchmark.KernelHarvest kernel = new KernelTrackingBenchmark.KernelHarvest();
            kernel.guestSize = "256m";
            kernel.dirty = 256;
            kernel.huge = huge;
            kernel.open();
            final KernelTrackingBenchmark.BitmapHarvest bitmap = new KernelTrackingBenchmark.BitmapHarvest();
            bitmap.guestSize = "256m";
            bitmap.dirty = 256;
            bitmap.open();
            try
            {
                final long distinct = Arrays.stream(bitmap.dirtyPages).distinct().count();
                kernel.guest.log().harvestInto(kernel.target); // the setup's protection is the starting point
                for (int round = 0; round < 2; round++)
                {
                    kernel.dirty();
                    bitmap.dirty();
                    assertEquals(distinct, bench.harvest(kernel));
                    assertEquals(distinct, bench.baselineBitmapHarvest(bitmap));
                }
            }
            finally
            {
                kernel.close();
            }
        }
    }

    @Test
    void firstWritesAreRecordedAndEveryWriteVariantStoresTheSame()
    {
        assumeKernel();
        final KernelTrackingBenchmark bench = new KernelTrackingBenchmark();
        for (final String tracker : new String[] {"uffd-wp-async", "uffd-wp"})
        {
            final KernelTrackingBenchmark.ProtectedWrites s = new KernelTrackingBenchmark.ProtectedWrites();
            s.tracker = tracker;
            s.open();
            try
            {
                s.protectAgain();
                bench.firstWrite(s);
                assertEquals(KernelTrackingBenchmark.WRITES, s.guest.log().harvestInto(s.scratch), tracker);
                assertEquals(s.value, s.memory.getLong(KernelTrackingBenchmark.writePage(3) * KernelTrackingBenchmark.PAGE));
            }
            finally
            {
                s.close();
            }
        }
        final KernelTrackingBenchmark.SoftwareWrites sw = new KernelTrackingBenchmark.SoftwareWrites();
        sw.open();
        try
        {
            sw.clear();
            bench.baselineSoftwareMark(sw);
            assertEquals(KernelTrackingBenchmark.WRITES, sw.bitmap.cardinality());
        }
        finally
        {
            sw.close();
        }
    }
}
