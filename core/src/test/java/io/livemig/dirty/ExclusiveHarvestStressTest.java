package io.livemig.dirty;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLongArray;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * No write is lost to {@link DirtyLog#harvestIntoExclusive}: two writers store a new version of a page, then mark
 * it, while the migration thread harvests the log into its private bitmap, clears each unit there and only then
 * copies the page's version, round after round as pre-copy does. Each phase ends when both writers have made
 * their writes; one last round follows and then every page's copy must hold its last version: a mark that a
 * harvest dropped leaves its page behind unless the page was written again in the same phase. The target is
 * updated with plain writes, which is allowed because only the migration thread ever touches it.
 */
class ExclusiveHarvestStressTest
{
    private static final int PAGES = 512;
    private static final int PHASES = 150;
    private static final int WRITES_PER_PHASE = 2000;

    @ParameterizedTest
    @EnumSource(DirtyLogKind.class)
    void noWriteIsLostToAnExclusiveHarvest(final DirtyLogKind kind) throws Exception
    {
        for (final DirtyLogKind targetKind : new DirtyLogKind[] {DirtyLogKind.ATOMIC, DirtyLogKind.SUMMARY})
        {
            final DirtyLog log = kind.create(PAGES, 0);
            final DirtyLog bitmap = targetKind.create(PAGES, 0);
            final AtomicLongArray source = new AtomicLongArray(PAGES);
            final long[] copy = new long[PAGES];
            long moved = 0;
            for (int phase = 0; phase < PHASES; phase++)
            {
                final CountDownLatch written = new CountDownLatch(2);
                final Thread[] writers = new Thread[2];
                for (int w = 0; w < writers.length; w++)
                {
                    final long seed = 0x5EEDL * (phase + 1) + w;
                    writers[w] = new Thread(() -> {
                        final SplittableRandom random = new SplittableRandom(seed);
                        for (int k = 0; k < WRITES_PER_PHASE; k++)
                        {
                            final int page = random.nextInt(random.nextBoolean() ? 64 : PAGES);
                            source.incrementAndGet(page);
                            log.mark(page);
                        }
                        written.countDown();
                    }, "writer-" + w);
                    writers[w].start();
                }
                // rounds while the writers write (bounded: the writers' fixed work, or 10 s)
                final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                do
                {
                    moved += log.harvestIntoExclusive(bitmap);
                    send(bitmap, source, copy);
                }
                while (!written.await(0, TimeUnit.NANOSECONDS) && System.nanoTime() < deadline);
                for (final Thread t : writers)
                {
                    t.join(10_000);
                }
                moved += log.harvestIntoExclusive(bitmap);
                send(bitmap, source, copy);
                for (int p = 0; p < PAGES; p++)
                {
                    assertEquals(source.get(p), copy[p],
                        kind + " into " + targetKind + ", phase " + phase + ": page " + p + " lost a write");
                }
            }
            assertTrue(moved > 0, "the harvests moved marks");
        }
    }

    /** Clears each dirty unit of the migration bitmap, then reads the page: the clear-before-read rule. */
    private static void send(final DirtyLog bitmap, final AtomicLongArray source, final long[] copy)
    {
        for (long u = bitmap.nextDirty(0); u >= 0; u = bitmap.nextDirty(u + 1))
        {
            if (bitmap.testAndClear(u))
            {
                copy[(int)u] = source.get((int)u);
            }
        }
    }
}
