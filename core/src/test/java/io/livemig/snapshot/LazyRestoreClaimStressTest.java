package io.livemig.snapshot;

import io.livemig.dirty.DirtyLog;
import io.livemig.dirty.DirtyMarker;
import io.livemig.memory.GuestMemory;
import io.livemig.snapshot.file.SnapshotFormatException;
import io.livemig.snapshot.file.SnapshotHeader;
import io.livemig.snapshot.file.SnapshotPages;
import io.livemig.snapshot.file.SnapshotReader;
import io.livemig.snapshot.restore.LazyRestore;
import io.livemig.workload.PageGate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Stress of {@link LazyRestore}'s claims: four vCPUs touch random pages through the software gate while the
 * prefetch thread loads the rest, restore after restore. Whatever the interleaving, each present page is read from
 * the file exactly once (a fault and the prefetch claim it with one atomic test-and-clear, so a double placement,
 * which could overwrite a vCPU's write made after the first, fails the count), and a vCPU that passes the gate
 * sees the page's saved bytes (the claim's publication). Both are invariants of every run, not outcomes of a race.
 */
@Timeout(120)
class LazyRestoreClaimStressTest
{
    private static final int VCPUS = 4;
    private static final int RESTORES = 40;
    private static final long PAGES = 1500;

    @TempDir
    Path dir;

    @Test
    void everyPageIsReadOnceAndSeenWhole() throws Exception
    {
        final Path path = dir.resolve("claims.snap");
        final DirtyLog log = SnapshotGuests.log(PAGES);
        try (GuestMemory source = SnapshotGuests.guest(PAGES, 4096, log, 0.9, 33))
        {
            SnapshotGuests.save(source, log, path, 2, new byte[0]);
            try (SnapshotReader file = SnapshotReader.open(path, 1L << 30);
                 GuestMemory m = new GuestMemory(file.header().memoryBytes(), 4096, DirtyMarker.NONE))
            {
                for (int round = 0; round < RESTORES; round++)
                {
                    m.fill(0, m.size(), (byte)0);
                    restoreOnce(new CountingPages(file), source, m, round);
                }
            }
        }
    }

    private static void restoreOnce(final CountingPages file, final GuestMemory source, final GuestMemory m,
        final int round) throws Exception
    {
        final LazyRestore lazy = new LazyRestore(file, m, null, VCPUS, true);
        final PageGate gate = lazy.gate();
        final CountDownLatch go = new CountDownLatch(1);
        final AtomicReference<String> wrong = new AtomicReference<>();
        final Thread[] vcpus = new Thread[VCPUS];
        for (int v = 0; v < VCPUS; v++)
        {
            final int index = v;
            vcpus[v] = new Thread(() ->
            {
                final SplittableRandom random = new SplittableRandom(round * 31L + index);
                try
                {
                    go.await();
                    for (int i = 0; i < 2000 && wrong.get() == null; i++)
                    {
                        // Half the touches near the others' (a hot range): faults on the same page meet.
                        final long p = i % 2 == 0 ? random.nextLong(64) : random.nextLong(PAGES);
                        gate.awaitPresent(p, index);
                        final long at = p * 4096 + random.nextInt(4096 / 8) * 8;
                        if (m.getLong(at) != source.getLong(at))
                        {
                            wrong.compareAndSet(null, "round " + round + ": page " + p + " seen without its saved bytes");
                        }
                    }
                }
                catch (final InterruptedException ex)
                {
                    Thread.currentThread().interrupt();
                }
            }, "stress-vcpu-" + v);
            vcpus[v].start();
        }
        lazy.start();
        go.countDown();
        for (final Thread t : vcpus)
        {
            t.join(TimeUnit.SECONDS.toMillis(30));
            assertTrue(!t.isAlive(), t.getName() + " still touching pages after 30 s");
        }
        assertTrue(lazy.awaitComplete(30_000), "round " + round + ": every page in");
        lazy.close();
        assertNull(lazy.failure());
        assertNull(wrong.get());
        for (long p = 0; p < PAGES; p++)
        {
            final int want = file.isPresent(p) ? 1 : 0;
            if (file.reads.get((int)p) != want)
            {
                fail("round " + round + ": page " + p + " read " + file.reads.get((int)p) + " times, want " + want);
            }
        }
        assertEquals(-1, SnapshotGuests.firstDifference(source, m), "round " + round);
    }

    /** The file, counting each page's reads. */
    private static final class CountingPages implements SnapshotPages
    {
        final SnapshotPages file;
        final AtomicIntegerArray reads = new AtomicIntegerArray((int)PAGES);

        CountingPages(final SnapshotPages file)
        {
            this.file = file;
        }

        @Override
        public SnapshotHeader header()
        {
            return file.header();
        }

        @Override
        public boolean isPresent(final long page)
        {
            return file.isPresent(page);
        }

        @Override
        public long presentWord(final int w)
        {
            return file.presentWord(w);
        }

        @Override
        public long presentPages()
        {
            return file.presentPages();
        }

        @Override
        public void readPages(final long first, final ByteBuffer dst) throws IOException
        {
            for (long p = first, n = dst.remaining() / 4096; p < first + n; p++)
            {
                reads.incrementAndGet((int)p);
            }
            file.readPages(first, dst);
        }

        @Override
        public void check(final long page, final ByteBuffer src, final int offset) throws SnapshotFormatException
        {
            file.check(page, src, offset);
        }
    }
}
