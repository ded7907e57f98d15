package io.livemig.dirty;

import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;

import org.jetbrains.kotlinx.lincheck.Actor;
import org.jetbrains.kotlinx.lincheck.execution.ExecutionScenario;

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

    /** The implementation is named by the concrete class: {@code Atomic...}, {@code Summary...} or {@code Ring...}. */
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
        if (name.startsWith("Ring"))
        {
            return DirtyLogKind.RING.create(pages, 0);
        }
        throw new IllegalStateException("no DirtyLogKind for " + name);
    }

    /**
     * With no thread running: {@code nextDirty} must find exactly the bits {@code isDirty} reads, and a harvest
     * (which in the summary bitmap reaches every word, the first one included, only through the summary)
     * must move all of them. The harvested bits are put back, so the log's contents are unchanged.
     */
    static void checkQuiescent(final Class<?> testClass, final DirtyLog log)
    {
        final BitSet bits = DirtyLogKind.bits(log);
        final BitSet enumerated = DirtyLogKind.enumerate(log);
        if (!bits.equals(enumerated) || bits.cardinality() != log.cardinality())
        {
            throw new IllegalStateException("quiescent " + log + ": isDirty " + bits + " but nextDirty " + enumerated);
        }
        final DirtyLog copy = newLog(testClass, log.pageCount());
        final long moved = log.harvestInto(copy);
        copy.harvestInto(log);
        if (moved != bits.cardinality())
        {
            throw new IllegalStateException("quiescent " + log + ": isDirty " + bits + " but harvest moved " + moved);
        }
    }

    /**
     * Lincheck's model checker over {@code testClass}, sized to run in a few seconds: random scenarios plus
     * {@code custom} ones, whose every interleaving is explored.
     */
    static void modelChecking(final Class<?> testClass, final Class<?> spec, final ExecutionScenario... custom)
    {
        final ModelCheckingOptions options = new ModelCheckingOptions()
            .iterations(ITERATIONS)
            .invocationsPerIteration(INVOCATIONS)
            .threads(3)
            .actorsPerThread(3)
            .sequentialSpecification(spec);
        for (final ExecutionScenario scenario : custom)
        {
            options.addCustomScenario(scenario);
        }
        options.check(testClass);
    }

    /**
     * A hand-written scenario (Lincheck's Java-facing scenario DSL needs Kotlin function references, so this
     * builds the same thing from reflection). Each call is {@code "name"} or {@code "name:argument"} with a
     * {@code long} argument; the scenario ends with the class's {@code quiescent} validation.
     *
     * @param parallel one array of calls per thread.
     */
    static ExecutionScenario scenario(final Class<?> testClass, final String[] initial, final String[]... parallel)
    {
        final List<List<Actor>> threads = new ArrayList<>();
        for (final String[] thread : parallel)
        {
            threads.add(actors(testClass, thread));
        }
        return new ExecutionScenario(actors(testClass, initial), threads, List.of(),
            new Actor(method(testClass, "quiescent"), List.of(), false, false));
    }

    private static List<Actor> actors(final Class<?> testClass, final String[] calls)
    {
        final List<Actor> actors = new ArrayList<>();
        for (final String call : calls)
        {
            final int colon = call.indexOf(':');
            actors.add(colon < 0 ?
                new Actor(method(testClass, call), List.of(), false, false) :
                new Actor(method(testClass, call.substring(0, colon), long.class),
                    List.of(Long.parseLong(call.substring(colon + 1))), false, false));
        }
        return actors;
    }

    private static Method method(final Class<?> testClass, final String name, final Class<?>... parameters)
    {
        try
        {
            return testClass.getMethod(name, parameters);
        }
        catch (final NoSuchMethodException e)
        {
            throw new IllegalStateException(e);
        }
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
