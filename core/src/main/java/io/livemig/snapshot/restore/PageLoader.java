package io.livemig.snapshot.restore;

import io.livemig.memory.GuestMemory;
import io.livemig.memory.PagePlacer;
import io.livemig.snapshot.file.SnapshotHeader;
import io.livemig.snapshot.file.SnapshotPages;
import org.agrona.BufferUtil;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * One thread's way from the file to the guest: reads a run of consecutive pages from their slots into an
 * aligned staging buffer with one positional read, checks each against its digest when asked, and puts it into
 * guest memory: with plain stores, or through the memory's {@link PagePlacer} ({@code UFFDIO_COPY}) where the
 * memory is registered with a userfaultfd.
 *
 * <p>Not thread-safe: each loading thread has its own.
 */
final class PageLoader
{
    /** Bytes of the staging buffer: the longest read. */
    static final int STAGING_BYTES = 1 << 20;

    private final SnapshotPages file;
    private final GuestMemory memory;
    private final PagePlacer placer;
    private final boolean verify;
    private final ByteBuffer staging;
    private final UnsafeBuffer stage;
    private final long stagingAddress;
    private final int pageSize;
    /** Most pages one {@link #load} takes. */
    final int capacity;

    /**
     * A loader of runs of up to {@link #STAGING_BYTES} (at least one page).
     *
     * @param file   the snapshot.
     * @param memory the guest, of the snapshot's shape.
     * @param verify check every page against its digest.
     */
    PageLoader(final SnapshotPages file, final GuestMemory memory, final boolean verify)
    {
        this(file, memory, verify, Math.max(1, STAGING_BYTES / memory.pageSize()));
    }

    /**
     * A loader of runs of up to {@code pages} pages: one for a fault's loader, whose staging buffer is then
     * made in microseconds on the resume's path rather than a megabyte's half millisecond.
     */
    PageLoader(final SnapshotPages file, final GuestMemory memory, final boolean verify, final int pages)
    {
        this.file = file;
        this.memory = memory;
        this.placer = memory.placer();
        this.verify = verify;
        this.pageSize = memory.pageSize();
        this.capacity = pages;
        this.staging = ByteBuffer.allocateDirect(capacity * pageSize + SnapshotHeader.ALIGN)
            .alignedSlice(SnapshotHeader.ALIGN);
        this.stage = new UnsafeBuffer(staging);
        this.stagingAddress = BufferUtil.address(staging);
    }

    /**
     * Loads pages {@code [first, first + count)}, every one present in the file, into the guest.
     *
     * @throws IOException if the file cannot be read or, when verifying, a page does not match its digest.
     */
    void load(final long first, final int count) throws IOException
    {
        staging.clear().limit(count * pageSize);
        file.readPages(first, staging);
        for (int i = 0; i < count; i++)
        {
            final int at = i * pageSize;
            if (verify)
            {
                file.check(first + i, staging, at);
            }
            if (placer != null)
            {
                placer.place(first + i, stagingAddress + at); // false: a racing placement got there first
            }
            else
            {
                memory.writePage(first + i, stage, at);
            }
        }
    }
}
