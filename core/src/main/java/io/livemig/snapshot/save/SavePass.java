package io.livemig.snapshot.save;

import io.livemig.dirty.AtomicDirtyBitmap;
import io.livemig.dirty.DirtyLog;
import io.livemig.memory.GuestMemory;
import io.livemig.snapshot.file.FileThreads;
import io.livemig.snapshot.file.SnapshotWriter;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

/**
 * One pass of a save: every page dirty in the log goes to its slot in the file, on {@code threads} threads
 * started for the pass ({@link FileThreads}). A thread claims a few words of the log at a
 * time and takes each word (atomic exchange with zero), so every dirty bit is cleared <em>before</em> its page
 * is read: a vCPU write that races with the save marks the page again, and the next pass writes it again.
 * Runs of consecutive non-zero pages are copied into the thread's aligned staging buffer ({@link PageStage})
 * and written with one positional write; a zero page is a hole: it breaks the run, its bit in {@code present} is
 * cleared and its digest is the zero page's.
 *
 * <p>The log must have one bit per page. A word of the log is taken by one thread, which alone writes the
 * same word of {@code present} and the digests of its 64 pages in this pass; the pass's threads are joined
 * before {@link #run} returns, which publishes both arrays to the caller.
 *
 * <p>Not thread-safe: one {@link #run} at a time, from the save's thread.
 */
final class SavePass
{
    /** Words of the log a thread claims at once: 256 pages. */
    private static final int CHUNK_WORDS = 4;
    /** Bytes of a thread's staging buffer: the longest write. */
    private static final int STAGING_BYTES = 1 << 20;

    private final GuestMemory memory;
    private final DirtyLog log;
    private final SnapshotWriter file;
    private final long[] present;
    private final long[] digests;
    private final int threads;
    private final Worker[] workers;
    private AtomicDirtyBitmap captured;
    private boolean holes = true;

    /** Pages the last pass wrote (not zero). */
    long written;
    /** Pages the last pass found zero. */
    long zero;

    /**
     * @param memory  the guest.
     * @param log     the guest's dirty log, one bit per page.
     * @param file    the file the pages go to.
     * @param present one bit per page, kept across passes.
     * @param digests one per page, kept across passes.
     * @param threads threads per pass, at least 1.
     */
    SavePass(final GuestMemory memory, final DirtyLog log, final SnapshotWriter file, final long[] present,
        final long[] digests, final int threads)
    {
        if (log.granularityShift() != 0 || log.pageCount() != memory.pageCount())
        {
            throw new IllegalArgumentException("a save needs a log of one bit per page of the guest");
        }
        this.memory = memory;
        this.log = log;
        this.file = file;
        this.present = present;
        this.digests = digests;
        this.threads = threads;
        this.workers = new Worker[threads];
        for (int i = 0; i < threads; i++)
        {
            workers[i] = new Worker(Math.max(1, STAGING_BYTES / memory.pageSize()));
        }
    }

    /**
     * A background save: each page's bit is set in {@code bitmap} once the page's bytes are in a staging buffer
     * (or it was found zero), the moment from which a vCPU may write it; null for none.
     */
    void captured(final AtomicDirtyBitmap bitmap)
    {
        this.captured = bitmap;
    }

    /**
     * A diff snapshot's pass: a zero page is written as data, for a page absent from a diff is its parent's, not
     * zero.
     */
    void zeroPagesAsData()
    {
        this.holes = false;
    }

    /** Writes every page dirty in the log now; @return the pages handled (written or zero). */
    long run() throws IOException, InterruptedException
    {
        final AtomicInteger cursor = new AtomicInteger();
        FileThreads.run("snapshot-save", threads, FileThreads.deadlineMs(memory.size()),
            (thread, stop) -> workers[thread].run(cursor, stop));
        written = 0;
        zero = 0;
        for (final Worker w : workers)
        {
            written += w.written;
            zero += w.zero;
        }
        return written + zero;
    }

    /** One thread's staging buffer and counts. */
    private final class Worker
    {
        private final PageStage stage;
        private long runFirst = -1;
        private int runPages;
        long written;
        long zero;

        Worker(final int pages)
        {
            stage = new PageStage(memory, digests, pages);
        }

        void run(final AtomicInteger cursor, final BooleanSupplier stop) throws IOException
        {
            written = 0;
            zero = 0;
            final int words = log.wordCount();
            for (int c = cursor.getAndAdd(CHUNK_WORDS); c < words && !stop.getAsBoolean();
                 c = cursor.getAndAdd(CHUNK_WORDS))
            {
                for (int w = c, end = Math.min(words, c + CHUNK_WORDS); w < end; w++)
                {
                    long bits = log.takeWord(w); // cleared before any of its pages is read
                    while (bits != 0)
                    {
                        save(((long)w << 6) + Long.numberOfTrailingZeros(bits));
                        bits &= bits - 1;
                    }
                }
                flush();
            }
            flush();
        }

        private void save(final long p) throws IOException
        {
            final int w = (int)(p >>> 6);
            final long bit = 1L << p;
            if (runPages > 0 && (p != runFirst + runPages || runPages == stage.capacity))
            {
                flush();
            }
            final boolean staged = stage.stage(p, runPages, holes);
            if (captured != null)
            {
                captured.mark(p); // its bytes are staged, or it is zero: a vCPU blocked on it may go on
            }
            if (!staged)
            {
                present[w] &= ~bit; // a hole
                zero++;
                return;
            }
            if (runPages == 0)
            {
                runFirst = p;
            }
            present[w] |= bit;
            runPages++;
            written++;
        }

        private void flush() throws IOException
        {
            if (runPages == 0)
            {
                return;
            }
            final ByteBuffer staging = stage.staging;
            staging.clear().limit(runPages * memory.pageSize());
            file.writePages(runFirst, staging);
            staging.clear(); // the digests of the next run read up to the capacity
            runPages = 0;
            runFirst = -1;
        }
    }
}
