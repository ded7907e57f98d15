package io.livemig.snapshot.save;

import io.livemig.dirty.AtomicDirtyBitmap;
import io.livemig.kernel.TrackedGuest;
import io.livemig.memory.GuestMemory;
import io.livemig.snapshot.file.SnapshotWriter;

import java.io.IOException;

/**
 * A background snapshot's write fault: before a vCPU's first store to a page after the instant, the fault
 * thread of the write-protect tracker calls {@link #beforeWrite} with the vCPU still blocked. A page that no
 * saver thread has claimed yet ({@code unsaved}'s atomic test-and-clear) is copied here, as it still is, into
 * its slot; a page a saver has claimed is waited for until the saver has staged its bytes ({@code captured}).
 * Either way the old bytes reach the file before the store lands, so the file holds the guest at the instant.
 *
 * <p>The pages copied here are this object's: their bits of {@link #present} and their digests are written
 * by the fault thread only, never by a saver (a saver's word never holds a page this object claimed). A
 * failure is recorded, never thrown: throwing would stop the tracker's fault thread.
 *
 * <p>Thread-safety: {@link #beforeWrite} on the fault thread only; {@link #drain()} by the save's thread once the
 * hook is removed, which takes the hook's lock and so sees every copy made before.
 */
final class CopyBeforeWrite implements TrackedGuest.WriteHook
{
    private final GuestMemory memory;
    private final SnapshotWriter file;
    private final AtomicDirtyBitmap unsaved;
    private final AtomicDirtyBitmap captured;
    private final long[] present;
    private final PageStage stage;
    private long copied;
    private long waited;
    private IOException failure;

    CopyBeforeWrite(final GuestMemory memory, final SnapshotWriter file, final AtomicDirtyBitmap unsaved,
        final AtomicDirtyBitmap captured, final long[] digests)
    {
        this.memory = memory;
        this.file = file;
        this.unsaved = unsaved;
        this.captured = captured;
        this.present = new long[(int)((memory.pageCount() + 63) >>> 6)];
        this.stage = new PageStage(memory, digests, 1);
    }

    @Override
    public synchronized void beforeWrite(final long page)
    {
        if (unsaved.testAndClear(page))
        {
            copy(page);
            return;
        }
        if (!captured.isDirty(page))
        {
            waited++;
            while (!captured.isDirty(page))
            {
                Thread.onSpinWait(); // a saver has claimed it and is staging its bytes: a copy of one page
            }
        }
    }

    private void copy(final long page)
    {
        copied++;
        try
        {
            if (stage.stage(page, 0, true)) // else a hole: nothing to write
            {
                present[(int)(page >>> 6)] |= 1L << page;
                file.writePages(page, stage.staging.clear().limit(memory.pageSize()));
            }
        }
        catch (final IOException | RuntimeException ex)
        {
            if (failure == null)
            {
                failure = ex instanceof IOException ? (IOException)ex : new IOException("copy before write: " + ex, ex);
            }
        }
        finally
        {
            captured.mark(page);
        }
    }

    /**
     * ORs the pages copied here into {@code into} (the savers' bitmap).
     *
     * @return pages this hook copied.
     * @throws IOException the first copy that failed.
     */
    synchronized long drain(final long[] into) throws IOException
    {
        if (failure != null)
        {
            throw failure;
        }
        for (int w = 0; w < present.length; w++)
        {
            into[w] |= present[w];
        }
        return copied;
    }

    /** @return faults on a page a saver had claimed and not yet staged. */
    synchronized long waited()
    {
        return waited;
    }
}
