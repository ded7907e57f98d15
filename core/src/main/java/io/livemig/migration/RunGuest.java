package io.livemig.migration;

import io.livemig.memory.GuestMemory;
import io.livemig.migration.result.MigrationResult;
import io.livemig.workload.AccessPattern;
import io.livemig.workload.GuestWorkload;
import io.livemig.workload.Patterns;
import io.livemig.workload.SweepCheck;

import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * The guest side of a run: its seeded contents, the writers' rate over a span, the access patterns by name,
 * and the page-by-page verification at the end. Stateless and thread-safe.
 */
final class RunGuest
{
    private RunGuest()
    {
    }

    /** @return the pattern named {@code name} over {@code pages} pages. */
    static AccessPattern pattern(final String name, final long pages)
    {
        return Patterns.of(name, pages);
    }

    static void fill(final GuestMemory src, final long seed, final double fill)
    {
        final long pages = src.pageCount();
        final int ps = src.pageSize();
        final byte[] page = new byte[ps];
        final SplittableRandom random = new SplittableRandom(seed);
        for (long p = 0; p < pages; p++)
        {
            if (random.nextDouble() < fill)
            {
                // Bytes [64, ps/2) random, the rest zero: the first bytes stay 0 for the sweep's invariant.
                for (int i = 64; i < ps / 2; i += 8)
                {
                    final long v = random.nextLong();
                    for (int b = 0; b < 8; b++)
                    {
                        page[i + b] = (byte)(v >>> (8 * b));
                    }
                }
                src.writePage(p, page, 0);
            }
        }
    }

    /** @return writes per second over {@code ms}, with each vCPU's own rate put in {@code vcpuRates}. */
    static double rate(final GuestWorkload workload, final long ms, final double[] vcpuRates)
        throws InterruptedException
    {
        if (ms == 0)
        {
            return Double.NaN;
        }
        final long[] v0 = new long[vcpuRates.length];
        for (int i = 0; i < v0.length; i++)
        {
            v0[i] = workload.progress(i).getAcquire();
        }
        final long w0 = workload.writes();
        final long t0 = System.nanoTime();
        TimeUnit.MILLISECONDS.sleep(ms);
        final long nanos = System.nanoTime() - t0;
        final long w1 = workload.writes();
        for (int i = 0; i < v0.length; i++)
        {
            vcpuRates[i] = (workload.progress(i).getAcquire() - v0[i]) / (nanos / 1e9);
        }
        return (w1 - w0) / (nanos / 1e9);
    }

    /** Compares every page; for the sweep also checks its invariant on the destination. */
    static void verify(final GuestMemory src, final GuestMemory dst, final GuestWorkload workload, final MigrationResult result)
    {
        final byte[] a = new byte[src.pageSize()];
        final byte[] b = new byte[dst.pageSize()];
        for (long p = 0, n = src.pageCount(); p < n; p++)
        {
            src.readPage(p, a, 0);
            dst.readPage(p, b, 0);
            if (!Arrays.equals(a, b))
            {
                result.mismatchPages.add(p);
                if (result.mismatchPages.size() == MigrationResult.MAX_MISMATCHES)
                {
                    break;
                }
            }
        }
        if (workload != null && workload.isSweep())
        {
            result.sweepViolation = SweepCheck.firstViolation(dst, workload.pattern().pageCount(), workload.writerCount());
        }
        result.verified = result.mismatchPages.isEmpty() && result.sweepViolation < 0;
    }
}
