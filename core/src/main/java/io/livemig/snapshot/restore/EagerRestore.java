package io.livemig.snapshot.restore;

import io.livemig.memory.GuestMemory;
import io.livemig.snapshot.file.FileThreads;
import io.livemig.snapshot.file.SnapshotPages;

import java.io.IOException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Fills a guest from a snapshot before its vCPUs resume: {@code threads} threads (the caller's and {@code
 * threads - 1} started here) claim a few words of the file's bitmap at a time and load each run of
 * consecutive present pages with one read ({@link PageLoader}). Pages the file holds as holes stay as the
 * fresh guest has them: zero.
 *
 * <p>Stateless; {@link #fill} is safe to call from any thread, on a guest nothing else touches meanwhile. The
 * started threads are joined before it returns, which publishes the pages to the caller.
 */
public final class EagerRestore
{
    /** Words of the bitmap a thread claims at once: 256 pages. */
    private static final int CHUNK_WORDS = 4;

    private EagerRestore()
    {
    }

    /**
     * Loads every present page of {@code file} into {@code memory} (of the file's shape, zero).
     *
     * @param verify check every page against its digest.
     * @throws IOException the first failure of any thread: a read, or a page that does not match its digest.
     */
    public static void fill(final SnapshotPages file, final GuestMemory memory, final int threads,
        final boolean verify) throws IOException, InterruptedException
    {
        final int words = file.header().bitmapWords();
        final AtomicInteger cursor = new AtomicInteger();
        final long bytes = file.presentPages() * file.header().pageSize();
        FileThreads.run("snapshot-restore", threads, FileThreads.deadlineMs(bytes), (thread, stop) ->
        {
            final PageLoader loader = new PageLoader(file, memory, verify);
            final PresentRuns.Run load = loader::load; // each run of consecutive pages in one read
            for (int c = cursor.getAndAdd(CHUNK_WORDS); c < words && !stop.getAsBoolean();
                 c = cursor.getAndAdd(CHUNK_WORDS))
            {
                PresentRuns.forEach(file, c, Math.min(words, c + CHUNK_WORDS), loader.capacity, load);
            }
        });
    }
}
