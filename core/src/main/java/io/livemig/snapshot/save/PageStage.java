package io.livemig.snapshot.save;

import io.livemig.codec.ZeroPage;
import io.livemig.memory.GuestMemory;
import io.livemig.snapshot.file.PageDigest;
import io.livemig.snapshot.file.SnapshotHeader;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteBuffer;

/**
 * One thread's step of a save for each page, shared by the savers ({@link SavePass}) and a background save's
 * write faults ({@link CopyBeforeWrite}): a zero page (when zero pages are holes) is recorded with the zero page's
 * digest and nothing staged; any other page is copied into a slot of the aligned staging buffer and its digest
 * taken from that copy, so the digest is of exactly the bytes that go to the file.
 *
 * <p>Not thread-safe: one thread's; the digests it writes are the caller's to publish.
 */
final class PageStage
{
    /** The staging buffer, 4 KiB aligned, {@link #capacity} pages. */
    final ByteBuffer staging;
    /** Pages the staging buffer holds. */
    final int capacity;
    private final UnsafeBuffer stage;
    private final UnsafeBuffer view = new UnsafeBuffer(0, 0);
    private final GuestMemory memory;
    private final long[] digests;
    private final long zeroDigest;
    private final int ps;

    /**
     * @param memory  the guest.
     * @param digests one per page of the guest, written here.
     * @param pages   the staging buffer's pages, at least 1.
     */
    PageStage(final GuestMemory memory, final long[] digests, final int pages)
    {
        this.memory = memory;
        this.digests = digests;
        this.ps = memory.pageSize();
        this.capacity = pages;
        this.zeroDigest = PageDigest.zero(ps);
        this.staging = ByteBuffer.allocateDirect(pages * ps + SnapshotHeader.ALIGN).alignedSlice(SnapshotHeader.ALIGN);
        this.stage = new UnsafeBuffer(staging);
    }

    /**
     * Stages page {@code page} in slot {@code slot}, or finds it zero.
     *
     * @param holes whether a zero page is a hole (a full snapshot); else it is staged as any other.
     * @return true if the page's bytes are staged and its digest recorded; false if it is a hole (its digest the
     * zero page's, nothing staged).
     */
    boolean stage(final long page, final int slot, final boolean holes)
    {
        if (holes && ZeroPage.isZero(memory.wrapPage(page, view), 0, ps))
        {
            digests[(int)page] = zeroDigest;
            return false;
        }
        final int at = slot * ps;
        memory.readPage(page, stage, at);
        digests[(int)page] = PageDigest.of(staging, at, ps);
        return true;
    }
}
