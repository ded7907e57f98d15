package io.livemig.dirty;

import java.util.BitSet;

import org.jetbrains.lincheck.datastructures.ModelCheckingOptions;
import org.jetbrains.lincheck.datastructures.StressOptions;

/** Shared plumbing of the Lincheck tests: which implementation a concrete class tests, and checks. */
final class LincheckSupport
{
    /**
     * Sized so that each class runs in a few seconds; at this size the model checker still finds the summary
     * race that {@code SummaryDirtyBitmap.mark}'s fast path once had (checked by reverting that fix).
     */
    static final int ITERATIONS = 6;
    static final int INVOCATIONS = 200;

    private LincheckSupport()
    {
    }

    /** The implementation is named by the concrete class: {@code Atomic...} or {@code Summary...}. */
    static DirtyLog newLog(final Class<?> testClass, final long pages)
    {
        final String name = testClass.getSimpleName();
        if (name.startsWith("Atomic"))
        {
            return DirtyLogKind.ATOMIC.create(pages, 0);
        }
        if (name.startsWith("Summary"))
        {
            return DirtyLogKind.SUMMARY.create(pages, 0);
        }
        throw new IllegalStateException("no DirtyLogKind for " + name);
    }

    /** With no thread running: nextDirty must find exactly the bits isDirty reads. */
    static void checkQuiescent(final DirtyLog log)
    {
        final BitSet bits = DirtyLogKind.bits(log);
        final BitSet enumerated = DirtyLogKind.enumerate(log);
        if (!bits.equals(enumerated) || bits.cardinality() != log.cardinality())
        {
            throw new IllegalStateException(
                "quiescent " + log + ": isDirty " + bits + " but nextDirty " + enumerated);
        }
    }

    /** Lincheck's model checker over {@code testClass}, sized to run in a few seconds. */
    static void modelChecking(final Class<?> testClass, final Class<?> spec)
    {
        new ModelCheckingOptions()
            .iterations(ITERATIONS)
            .invocationsPerIteration(INVOCATIONS)
            .threads(3)
            .actorsPerThread(3)
            .sequentialSpecification(spec)
            .check(testClass);
    }

    /** Lincheck's stress strategy over {@code testClass}: real threads, so it can see missing fences. */
    static void stress(final Class<?> testClass, final Class<?> spec)
    {
        new StressOptions()
            .iterations(ITERATIONS)
            .invocationsPerIteration(INVOCATIONS)
            .threads(3)
            .actorsPerThread(3)
            .sequentialSpecification(spec)
            .check(testClass);
    }

}
