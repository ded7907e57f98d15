package io.livemig.memory;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import io.livemig.dirty.DirtyLog;
import io.livemig.dirty.DirtyLogKind;
import io.livemig.dirty.DirtyScanner;

/**
 * A miniature pre-copy migration for the no-lost-write tests. Writer threads store a per-page, ever-increasing
 * sequence number in each page they write (through {@link GuestMemory}, which marks after the store); the
 * migration thread sends dirty units with a {@link Sender} into a destination copy, optionally harvesting a
 * writers' dirty log into its own migration bitmap first, as QEMU's sync does. {@link #run} stops the
 * writers, drains what is left, and returns every page whose destination copy differs from the source: a
 * lost write. Each writer owns the pages {@code p % writers == id}, so the source value of a page is the last
 * sequence number its writer stored.
 */
final class MigrationRace implements AutoCloseable
{
    /** Sends one unit: reads its pages into {@code destination}; returns false when it found no unit. */
    interface Sender
    {
        boolean sendNext(MigrationRace race);
    }

    /** The correct order: {@link DirtyScanner#next()} clears the unit, then its pages are read. */
    static Sender clearThenRead()
    {
        return new Sender()
        {
            private DirtyScanner scanner;

            @Override
            public boolean sendNext(final MigrationRace race)
            {
                if (scanner == null)
                {
                    scanner = new DirtyScanner(race.scanned);
                }
                final long unit = scanner.next();
                if (unit < 0)
                {
                    return false;
                }
                race.copyUnit(unit);
                return true;
            }
        };
    }

    /**
     * Test double with the forbidden order: reads a unit's pages, runs {@code window} (a stand-in for the
     * vCPU that writes in between), and only then clears the unit's bit.
     */
    static Sender readThenClear(final Runnable window)
    {
        return race ->
        {
            final long unit = race.scanned.nextDirty(0);
            if (unit < 0)
            {
                return false;
            }
            race.copyUnit(unit);
            window.run();
            race.scanned.testAndClear(unit);
            return true;
        };
    }

    static final int PAGE_SIZE = 4096;

    final GuestMemory memory;
    /** What the migration thread scans and clears: the writers' log itself, or a migration bitmap. */
    final DirtyLog scanned;
    private final DirtyLog writersLog;
    private final long[] destination;
    private final int pages;

    /**
     * @param viaHarvest writers mark their own log, harvested into a separate migration bitmap before each
     *                   pass; otherwise writers mark the scanned bitmap directly.
     */
    MigrationRace(final DirtyLogKind kind, final int pages, final int shift, final boolean viaHarvest)
    {
        this(viaHarvest ? kind.create(pages, shift) : null, kind.create(pages, shift));
    }

    /**
     * @param writersLog the log the writers mark, harvested into {@code scanned} before each pass; {@code null}
     *                   to have them mark {@code scanned} directly.
     * @param scanned    the migration bitmap.
     */
    MigrationRace(final DirtyLog writersLog, final DirtyLog scanned)
    {
        final int pages = Math.toIntExact(scanned.pageCount());
        this.pages = pages;
        this.scanned = scanned;
        this.writersLog = writersLog == null ? scanned : writersLog;
        // Small regions, so that pages spread over several off-heap regions.
        this.memory = new GuestMemory("race", (long)pages * PAGE_SIZE, PAGE_SIZE, 4 * PAGE_SIZE, this.writersLog);
        this.destination = new long[pages];
        scanned.setAll(); // the first pass sends every page, as pre-copy's does
    }

    /** One guest write: the next sequence number of {@code page}, stored at its start, then marked. */
    void write(final long page, final long sequence)
    {
        memory.putLong(page * PAGE_SIZE, sequence);
    }

    void copyUnit(final long unit)
    {
        final long first = scanned.firstPageOf(unit);
        for (long p = first, end = first + scanned.pagesIn(unit); p < end; p++)
        {
            destination[(int)p] = memory.getLong(p * PAGE_SIZE);
        }
    }

    /** One migration pass: harvest if there is a separate bitmap, then send until the sender finds nothing. */
    void pass(final Sender sender)
    {
        if (writersLog != scanned)
        {
            writersLog.harvestInto(scanned);
        }
        while (sender.sendNext(this))
        {
            // keep sending
        }
    }

    /**
     * Runs {@code rounds} rounds: in each, {@code writers} threads write for {@code roundMillis} while the
     * migration loop runs, then a final pass once they have stopped, then the check. Writers stop on their own
     * deadline, not between two passes, so their last writes land wherever the migration thread happens to
     * be, as a vCPU's do; several rounds give a lost write several chances to be the last one of its page.
     *
     * @return the pages found lost in the first round that lost any, or an empty list.
     */
    List<Long> run(final int writers, final int rounds, final long roundMillis, final long seed, final Sender sender)
        throws InterruptedException
    {
        final long[][] sequences = new long[writers][pages];
        final Random[] randoms = new Random[writers];
        for (int w = 0; w < writers; w++)
        {
            randoms[w] = new Random(seed + w);
        }
        for (int round = 0; round < rounds; round++)
        {
            final long end = System.nanoTime() + roundMillis * 1_000_000L;
            final List<Thread> threads = new ArrayList<>();
            for (int w = 0; w < writers; w++)
            {
                final int id = w;
                threads.add(new Thread(() -> writeUntil(end, id, writers, randoms[id], sequences[id]), "writer-" + w));
            }
            threads.forEach(Thread::start);
            while (threads.stream().anyMatch(Thread::isAlive))
            {
                pass(sender);
            }
            for (final Thread t : threads)
            {
                t.join();
            }
            pass(sender);
            final List<Long> lost = lostPages();
            if (!lost.isEmpty())
            {
                return lost;
            }
        }
        return List.of();
    }

    /** One writer: a few hot pages take three writes in four, so writes keep racing the scanner. */
    private void writeUntil(final long end, final int id, final int writers, final Random random, final long[] sequence)
    {
        final int owned = (pages - id + writers - 1) / writers;
        while (System.nanoTime() < end)
        {
            final int k = random.nextInt(4) == 0 ? random.nextInt(owned) : random.nextInt(Math.min(owned, 8));
            final int page = k * writers + id;
            write(page, ++sequence[page]);
        }
    }

    /** @return the pages whose destination copy differs from the source. */
    List<Long> lostPages()
    {
        final List<Long> lost = new ArrayList<>();
        for (int p = 0; p < pages; p++)
        {
            if (destination[p] != memory.getLong((long)p * PAGE_SIZE))
            {
                lost.add((long)p);
            }
        }
        return lost;
    }

    @Override
    public void close()
    {
        memory.close();
    }
}
