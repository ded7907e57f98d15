package io.livemig.bench.dirty;

import java.util.Arrays;

import io.livemig.bench.state.DirtyBitmapInputs;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The {@code bench.dirty} benchmarks compute the same answers as their baselines and models, on shrunken
 * inputs, and their steady state holds: a second invocation does the same work as the first.
 */
class DirtyBenchmarksTest
{
    private static final long UNITS = (1 << 16) + 37;

    @ParameterizedTest
    @ValueSource(doubles = {0.00001, 0.001, 0.01, 0.1, 0.5, 0.9, 1.0, 0.0})
    void inputsHaveTheExactDensityAndNoBitPastTheEnd(final double density)
    {
        final long[] words = DirtyBitmapInputs.words(UNITS, density, 1);
        assertEquals(Math.round(density * UNITS), DirtyBitmapInputs.count(words));
        assertEquals(0, words[words.length - 1] >>> (UNITS & 63), "bits past the last unit");
        assertArrayEquals(words, DirtyBitmapInputs.words(UNITS, density, 1), "seeded");
        long sum = 0;
        for (final long w : words)
        {
            sum += w;
        }
        assertEquals(sum, DirtyBitmapInputs.sumWords(words), "baseline read sums every word");
        assertEquals(sum + 5, DirtyBitmapInputs.sumWords(Arrays.copyOf(words, words.length + 1)) + 5);
    }

    @Test
    void inputsRejectBadArguments()
    {
        assertThrows(IllegalArgumentException.class, () -> DirtyBitmapInputs.words(0, 0.1, 1));
        assertThrows(IllegalArgumentException.class, () -> DirtyBitmapInputs.words(10, 1.5, 1));
        assertThrows(IllegalArgumentException.class, () -> DirtyBitmapInputs.words(10, Double.NaN, 1));
    }

    @ParameterizedTest
    @ValueSource(doubles = {0.00001, 0.001, 0.01, 0.1, 0.5})
    void nextDirtyVariantsEnumerateTheSameUnits(final double density)
    {
        final NextDirtyBenchmark b = new NextDirtyBenchmark();
        b.units = UNITS;
        b.density = density;
        b.setup();
        final long expected = Math.round(density * UNITS);
        assertEquals(expected, b.baselineBitSet());
        assertEquals(expected, b.flat());
        assertEquals(expected, b.summary());
        assertEquals(expected, b.flat(), "read-only: the same answer again");
        assertEquals(DirtyBitmapInputs.sumWords(b.words), b.baselineMemoryRead());
    }

    @ParameterizedTest
    @ValueSource(doubles = {0.00001, 0.001, 0.01, 0.1, 0.5})
    void drainVariantsHandOutEveryUnitOnEveryRestoredRound(final double density)
    {
        final DrainBenchmark b = new DrainBenchmark();
        b.units = UNITS;
        b.density = density;
        b.setup();
        try
        {
            final long expected = Math.round(density * UNITS);
            for (int round = 0; round < 2; round++)
            {
                assertEquals(expected, b.flat(), "flat drain " + round);
                assertEquals(expected, b.summary(), "summary drain " + round);
                assertEquals(expected, b.baselineScanAndClear(), "scan and clear " + round);
                assertEquals(expected, b.baselineExchangePerWord(), "exchange per word " + round);
                assertEquals(0, b.baselineExchangePerWord(), "exchanged words are clean");
                assertEquals(0, b.flat(), "a drained bitmap is clean");
                assertEquals(0, b.summary(), "a drained summary bitmap is clean");
                b.redirtyAll();
            }
        }
        finally
        {
            b.tearDown();
        }
    }

    @ParameterizedTest
    @ValueSource(doubles = {0.00001, 0.001, 0.01, 0.1, 0.5})
    void harvestVariantsMoveEveryBitOnEveryInvocation(final double density)
    {
        final HarvestBenchmark b = new HarvestBenchmark();
        b.units = UNITS;
        b.density = density;
        b.setup();
        final long expected = Math.round(density * UNITS);
        for (int i = 0; i < 3; i++)
        {
            assertEquals(expected, b.flat(), "flat harvest " + i);
            assertEquals(expected, b.summary(), "summary harvest " + i);
            assertEquals(expected, b.baselineExchangePerWord(), "exchange per word " + i);
        }
    }

    @Test
    void scalingVariantsAgreeAndScansAreReloaded()
    {
        assertEquals(1L << 18, ScalingBenchmark.unitsOf("1g"));
        assertEquals(1L << 28, ScalingBenchmark.unitsOf("1t"));
        assertThrows(IllegalArgumentException.class, () -> ScalingBenchmark.unitsOf("2t"));
        final ScalingBenchmark b = new ScalingBenchmark();
        b.guest = "1g";
        b.density = 0.01;
        b.setup();
        final long expected = Math.round(0.01 * (1 << 18));
        final ScalingBenchmark.FlatScan flat = new ScalingBenchmark.FlatScan();
        final ScalingBenchmark.SummaryScan summary = new ScalingBenchmark.SummaryScan();
        for (int i = 0; i < 2; i++)
        {
            assertEquals(expected, b.harvestFlat());
            assertEquals(expected, b.harvestSummary());
            flat.reload(b);
            summary.reload(b);
            assertEquals(expected, b.scanFlat(flat));
            assertEquals(expected, b.scanSummary(summary));
        }
        assertEquals(0, b.scanFlat(flat), "without the reload a scan finds nothing: the reload is needed");
        assertEquals(DirtyBitmapInputs.sumWords(b.words), b.baselineMemoryRead());
    }

    @Test
    void collectVariantsMoveTheSameDirtyPagesEveryCall()
    {
        final CollectBenchmark b = new CollectBenchmark();
        b.guest = "1g";
        b.dirtyPages = 4096;
        b.setup();
        assertEquals(4096, Arrays.stream(b.pages).distinct().count(), "distinct pages");
        final CollectBenchmark.RingDirt dirt = new CollectBenchmark.RingDirt();
        for (int call = 0; call < 3; call++)
        {
            dirt.redirty(b);
            assertEquals(4096, b.collectRing(dirt), "call " + call);
            assertEquals(4096, b.ringTarget.cardinality());
            assertEquals(4096, b.harvestFlat());
            assertEquals(4096, b.harvestSummary());
        }
        assertEquals(0, b.collectRing(dirt), "without the re-dirtying a sync finds nothing: the setup is needed");
    }

    @ParameterizedTest
    @ValueSource(strings = {"atomic", "summary", "ring"})
    void markVariantsSetTheSameBits(final String impl)
    {
        final MarkBenchmark b = new MarkBenchmark();
        final MarkBenchmark.Single s = new MarkBenchmark.Single();
        s.impl = impl;
        s.setup();
        final int[] sorted = s.order.clone();
        Arrays.sort(sorted);
        for (int i = 0; i < sorted.length; i++)
        {
            assertEquals(i, sorted[i], "order is a permutation");
        }
        for (int round = 0; round < 2; round++)
        {
            s.clear();
            assertEquals(0, s.fresh.cardinality(), "fresh marks find every bit clear");
            b.markFresh(s);
            b.markDirty(s);
            b.baselinePlainStore(s);
            b.baselineAtomicLongArray(s);
            assertEquals(MarkBenchmark.BATCH, s.fresh.cardinality());
            assertEquals(MarkBenchmark.BATCH, s.dirty.cardinality());
            assertEquals(MarkBenchmark.BATCH, DirtyBitmapInputs.enumerate(s.fresh));
            assertTrue(Arrays.stream(s.plain).allMatch(w -> w == -1L));
            for (int i = 0; i < s.atomic.length(); i++)
            {
                assertEquals(-1L, s.atomic.get(i));
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"atomic", "summary"})
    void contendedGroupsMarkAndClearTheirOwnBits(final String impl)
    {
        final MarkBenchmark b = new MarkBenchmark();
        final MarkBenchmark.Shared shared = new MarkBenchmark.Shared();
        shared.impl = impl;
        shared.setup();
        final MarkBenchmark.Mine first = new MarkBenchmark.Mine();
        final MarkBenchmark.Mine second = new MarkBenchmark.Mine();
        first.sameWordPage = 0;
        second.sameWordPage = 1;
        first.ownWordPage = 64L * MarkBenchmark.SPREAD;
        second.ownWordPage = 128L * MarkBenchmark.SPREAD;
        for (final MarkBenchmark.Mine mine : new MarkBenchmark.Mine[] {first, second})
        {
            assertTrue(b.sameWord(shared, mine));
            assertTrue(b.differentWords(shared, mine));
            assertEquals(1L << mine.sameWordPage, b.baselineAtomicSameWord(shared, mine), "the word held just its bit");
        }
        assertEquals(0, shared.log.cardinality(), "every op leaves its bit clear");
        assertFalse(shared.log.isDirty(0));
        assertThrows(IllegalArgumentException.class, () -> MarkBenchmark.create("plain", 64));
    }

    @Test
    void collectSweepMovesItsDirtyPagesEveryCall()
    {
        final CollectSweepBenchmark b = new CollectSweepBenchmark();
        b.guest = "1g";
        b.dirtyPages = 1024;
        b.setup();
        final CollectSweepBenchmark.RingDirt dirt = new CollectSweepBenchmark.RingDirt();
        for (int call = 0; call < 2; call++)
        {
            dirt.redirty(b);
            assertEquals(1024, b.collectRing(dirt), "call " + call);
            assertEquals(1024, b.harvestFlat());
            assertEquals(1024, b.harvestSummary());
        }
        assertEquals(0, b.collectRing(dirt), "without the re-dirtying a sync finds nothing");
    }

    @ParameterizedTest
    @ValueSource(strings = {"atomic", "summary", "ring"})
    void twoWritersEachMarkTheirOwnHalf(final String impl)
    {
        final MarkBenchmark b = new MarkBenchmark();
        final MarkBenchmark.Pair pair = new MarkBenchmark.Pair();
        pair.impl = impl;
        pair.setup();
        final MarkBenchmark.Half first = new MarkBenchmark.Half();
        final MarkBenchmark.Half second = new MarkBenchmark.Half();
        first.of(0);
        second.of(1);
        for (int round = 0; round < 2; round++)
        {
            for (final MarkBenchmark.Half half : new MarkBenchmark.Half[] {first, second})
            {
                half.clear(pair);
                assertEquals(0, pair.fresh.cardinality(), "this half clear, the other not yet marked this round");
                b.markFreshX2(pair, half);
                assertEquals(MarkBenchmark.BATCH, pair.fresh.cardinality(), "one half marked");
                assertFalse(pair.fresh.isDirty(half == first ? MarkBenchmark.BATCH : 0), "the other half untouched");
                half.clear(pair);
                b.markDirtyX2(pair, half);
            }
            assertEquals(2L * MarkBenchmark.BATCH, pair.dirty.cardinality());
        }
    }
}
