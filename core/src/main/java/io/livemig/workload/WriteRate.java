package io.livemig.workload;

import java.util.concurrent.TimeUnit;

/**
 * The guest's write rate over a span: all vCPUs' and each one's, from their progress counters. Stateless and
 * thread-safe; the caller's thread sleeps through the span while the vCPUs run.
 */
public final class WriteRate
{
    private WriteRate()
    {
    }

    /** @return writes per second over {@code ms}, with each vCPU's own rate put in {@code vcpuRates}. */
    public static double measure(final GuestWorkload workload, final long ms, final double[] vcpuRates)
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

}
