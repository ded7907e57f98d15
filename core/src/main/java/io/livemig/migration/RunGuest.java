package io.livemig.migration;

import io.livemig.memory.GuestMemory;
import io.livemig.migration.result.MigrationResult;
import io.livemig.workload.AccessPattern;
import io.livemig.workload.GuestWorkload;
import io.livemig.workload.Patterns;
import io.livemig.workload.SweepCheck;

import java.util.Arrays;

/**
 * The guest side of a run: the access patterns by name and the page-by-page verification at the end (the
 * seeded contents are {@link io.livemig.workload.GuestContents}'s, the writers' rate {@link
 * io.livemig.workload.WriteRate}'s). Stateless and thread-safe.
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
