package io.livemig.snapshot.restore;

import io.livemig.snapshot.file.SnapshotFormatException;
import io.livemig.snapshot.file.SnapshotReader;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * Checks a whole snapshot file without building a guest: every present page's bytes against its digest, and
 * every page's digest against the digests a saver took of the guest's memory at the snapshot's instant. This
 * is what a verifying save runs on the file it has just written, reading each run of present pages (up to a
 * MiB) with one read.
 *
 * <p>Stateless; thread-safe.
 */
public final class FileCheck
{
    private FileCheck()
    {
    }

    /**
     * @param expected each page's digest as the guest held it at the instant.
     * @return pages whose digest in the file differs from {@code expected}.
     * @throws SnapshotFormatException if a present page's bytes do not match the file's own digest.
     */
    public static long mismatches(final SnapshotReader file, final long[] expected) throws IOException
    {
        final int ps = file.header().pageSize();
        final long pages = file.header().pages();
        if (expected.length != pages)
        {
            throw new IllegalArgumentException(expected.length + " digests for " + pages + " pages");
        }
        final int capacity = Math.max(1, PageLoader.STAGING_BYTES / ps);
        final ByteBuffer run = ByteBuffer.allocateDirect(capacity * ps);
        PresentRuns.forEach(file, 0, file.header().bitmapWords(), capacity, (first, count) ->
        {
            file.readPages(first, run.clear().limit(count * ps)); // a run of present pages in one read
            for (int i = 0; i < count; i++)
            {
                file.check(first + i, run, i * ps);
            }
        });
        long mismatches = 0;
        for (long p = 0; p < pages; p++)
        {
            if (file.digest(p) != expected[(int)p])
            {
                mismatches++;
            }
        }
        return mismatches;
    }
}
