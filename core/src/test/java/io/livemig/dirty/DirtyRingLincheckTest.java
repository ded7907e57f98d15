package io.livemig.dirty;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

import org.jetbrains.lincheck.datastructures.LongGen;
import org.jetbrains.lincheck.datastructures.ModelCheckingOptions;
import org.jetbrains.lincheck.datastructures.Operation;
import org.jetbrains.lincheck.datastructures.Param;
import org.jetbrains.lincheck.datastructures.StressOptions;
import org.junit.jupiter.api.Test;

/**
 * Lincheck over one {@link DirtyRing}'s protocol: its owner pushes and checks soft-full (one Lincheck thread
 * at a time, group {@code "owner"}) while a collector collects and resets (group {@code "collector"}), on a
 * ring of 2 entries, soft-full at 1, so three pushes reach hard-full and scenarios wrap around. The {@link Spec} is a
 * bounded queue whose entries go dirty, collected, reset, in order: every pushed unit is collected exactly
 * once, in push order, and no slot is reused before its entry is reset.
 */
public class DirtyRingLincheckTest
{
    static final int SIZE = 2;
    static final int RESERVED = 1;

    private final DirtyRing ring = new DirtyRing(SIZE, RESERVED, Thread.currentThread());

    @Operation(nonParallelGroup = "owner")
    public boolean push(@Param(gen = LongGen.class, conf = "1:3") final long unit)
    {
        return ring.push(unit);
    }

    @Operation(nonParallelGroup = "owner")
    public boolean softFull()
    {
        return ring.softFull();
    }

    @Operation(nonParallelGroup = "collector")
    public List<Long> collect()
    {
        final long[] buffer = ring.collectBuffer();
        final int n = ring.collect(buffer);
        final List<Long> units = new ArrayList<>(n);
        for (int i = 0; i < n; i++)
        {
            units.add(buffer[i]);
        }
        return units;
    }

    @Operation(nonParallelGroup = "collector")
    public void reset()
    {
        ring.reset();
    }

    @Test
    void modelChecking()
    {
        new ModelCheckingOptions()
            .iterations(LincheckSupport.ITERATIONS)
            .invocationsPerIteration(LincheckSupport.INVOCATIONS)
            .threads(2)
            .actorsPerThread(3)
            .sequentialSpecification(Spec.class)
            .check(getClass());
    }

    @Test
    void stress()
    {
        new StressOptions()
            .iterations(LincheckSupport.ITERATIONS)
            .invocationsPerIteration(LincheckSupport.INVOCATIONS)
            .threads(2)
            .actorsPerThread(3)
            .sequentialSpecification(Spec.class)
            .check(getClass());
    }

    /** The sequential specification: dirty entries in a queue, a count of collected ones awaiting reset. */
    public static final class Spec
    {
        private final ArrayDeque<Long> dirty = new ArrayDeque<>();
        private int collected;

        public boolean push(final long unit)
        {
            if (dirty.size() + collected >= SIZE)
            {
                return false;
            }
            dirty.add(unit);
            return true;
        }

        public boolean softFull()
        {
            return dirty.size() + collected >= SIZE - RESERVED;
        }

        public List<Long> collect()
        {
            final List<Long> units = new ArrayList<>(dirty);
            collected += units.size();
            dirty.clear();
            return units;
        }

        public void reset()
        {
            collected = 0;
        }
    }
}
