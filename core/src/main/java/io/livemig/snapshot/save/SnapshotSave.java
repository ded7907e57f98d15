package io.livemig.snapshot.save;

import io.livemig.dirty.AtomicDirtyBitmap;
import io.livemig.dirty.DirtyLog;
import io.livemig.kernel.TrackedGuest;
import io.livemig.memory.GuestMemory;
import io.livemig.snapshot.file.PageDigest;
import io.livemig.snapshot.file.SnapshotHeader;
import io.livemig.snapshot.file.SnapshotId;
import io.livemig.snapshot.file.SnapshotMode;
import io.livemig.snapshot.file.SnapshotWriter;
import io.livemig.workload.GuestWorkload;
import io.livemig.workload.VcpuTarget;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Saves a guest to a snapshot file, QEMU's mapped-ram in spirit: every page has a fixed slot, so the writer
 * threads write in parallel and a page written again overwrites its slot.
 * <ul>
 *   <li>{@link SnapshotMode#STOPPED}: the vCPUs pause, one pass writes every page, they resume.</li>
 *   <li>{@link SnapshotMode#LIVE}: pre-copy into the file. The first pass writes every page while the vCPUs
 *   run, each later pass the pages they dirtied meanwhile, until the pages left would take no longer than the
 *   downtime limit at the last pass's rate (or the round limit); then the vCPUs pause for one last pass and
 *   resume.</li>
 *   <li>{@link SnapshotMode#BACKGROUND}: the vCPUs pause only to arm write protection on every page, then
 *   run on while the savers write every page; a vCPU's first store to a page not yet saved first has the
 *   page's old bytes copied into the file ({@link CopyBeforeWrite}), QEMU's background-snapshot.</li>
 * </ul>
 * The snapshot's instant is the pause: the file holds every page as it was then, because each pass clears a
 * page's dirty bit before reading it ({@link SavePass}) and the last pass runs with the vCPUs stopped. The
 * bitmap, digests, device state and header are written after the vCPUs resume (the pages are in the file by
 * then), and the header last of all.
 *
 * <p>Not thread-safe: {@link #save} once, from one thread; the vCPUs ({@code workload}) run meanwhile.
 */
public final class SnapshotSave
{
    private final GuestMemory memory;
    private final DirtyLog log;
    private final GuestWorkload workload;
    private final SnapshotHeader.Vcpus vcpus;
    private final byte[] device;
    private Consumer<GuestMemory> atInstant = m -> { };
    private TrackedGuest tracked;
    private Runnable beforeSavers = () -> { };
    private Parent parent;

    /**
     * The snapshot a diff snapshot is taken against: its id, its path as the diff names it (relative to the
     * diff's directory, or absolute), and its digests of every page (the guest at its instant).
     *
     * @param id      the parent's id.
     * @param path    the parent's path as the diff's header records it.
     * @param digests the parent's digest of every page.
     */
    public record Parent(SnapshotId id, String path, long[] digests)
    {
    }

    /**
     * @param memory   the guest's memory, marking {@code log}.
     * @param log      the guest's dirty log: one bit per page, marked by every write.
     * @param workload the vCPUs writing {@code memory}, or null for an idle guest.
     * @param vcpus    the vCPUs as the file records them, for a restore to resume.
     * @param device   the device state at the instant.
     */
    public SnapshotSave(final GuestMemory memory, final DirtyLog log, final GuestWorkload workload,
        final SnapshotHeader.Vcpus vcpus, final byte[] device)
    {
        this.memory = memory;
        this.log = log;
        this.workload = workload;
        this.vcpus = vcpus;
        this.device = device.clone();
    }

    /**
     * {@code hook} sees the memory with the vCPUs stopped at the snapshot's instant, after the last pass and
     * before they resume (a verifying save takes its digests there); its time is left out of the downtime and
     * the total.
     *
     * @return this.
     */
    public SnapshotSave atInstant(final Consumer<GuestMemory> hook)
    {
        this.atInstant = hook;
        return this;
    }

    /**
     * Makes this a diff snapshot of {@code of}: the log must hold exactly the pages written since {@code of}'s
     * instant (the guest restored from it, its log cleared, then resumed). Only those pages go to the file, zero
     * pages as data (a page absent from a diff is its parent's); the digests of the others are the parent's.
     *
     * @return this.
     */
    public SnapshotSave diffOf(final Parent of)
    {
        if (of.digests().length != memory.pageCount())
        {
            throw new IllegalArgumentException("the parent's digests do not cover this guest's pages");
        }
        this.parent = of;
        return this;
    }

    /**
     * A background save runs {@code hook} after the vCPUs resumed from the instant and before the savers start,
     * so a test can make a copy before write certain (a vCPU's store to a page no saver has reached).
     *
     * @return this.
     */
    public SnapshotSave beforeSavers(final Runnable hook)
    {
        this.beforeSavers = hook;
        return this;
    }

    /**
     * A background save's guest: {@code guest}'s memory and log must be this save's, tracked by synchronous
     * write protection ({@link io.livemig.kernel.KernelTracker#UFFD_WP}), whose fault thread copies a page
     * before a vCPU's first store to it after the instant.
     *
     * @return this.
     */
    public SnapshotSave tracked(final TrackedGuest guest)
    {
        if (guest.memory() != memory || guest.log() != log)
        {
            throw new IllegalArgumentException("the tracked guest is not this save's memory and log");
        }
        this.tracked = guest;
        return this;
    }

    /**
     * Writes the snapshot to {@code path} (created or truncated; deleted again if the save fails).
     *
     * @throws IOException if the file cannot be written; the vCPUs run on.
     */
    public SaveFigures save(final Path path, final SaveSettings settings) throws IOException, InterruptedException
    {
        if (settings.mode() == SnapshotMode.BACKGROUND && parent != null)
        {
            throw new IllegalArgumentException("a diff snapshot is stopped or live");
        }
        if (settings.mode() == SnapshotMode.BACKGROUND && tracked == null)
        {
            throw new IllegalArgumentException("a background snapshot needs userfaultfd write protection (tracked)");
        }
        final long start = System.nanoTime();
        final long pages = memory.pageCount();
        final SnapshotId id = SnapshotId.random();
        final long[] present = new long[(int)((pages + 63) >>> 6)];
        final long[] digests = parent != null ? parent.digests().clone() : new long[(int)pages];
        final List<Long> perPass = new ArrayList<>();
        long writes = 0;
        boolean converged = true;
        long pauseNs = 0;
        long resumeNs = 0;
        long lastPassNs;
        long hookNs = 0;
        boolean paused = false;
        try (SnapshotWriter file = SnapshotWriter.create(path, memory.pageSize(), pages, device.length,
            settings.directIo()))
        {
            if (settings.mode() == SnapshotMode.BACKGROUND)
            {
                return background(file, settings, start, id, present, digests);
            }
            final SavePass pass = new SavePass(memory, log, file, present, digests, settings.threads());
            if (parent != null)
            {
                pass.zeroPagesAsData();
            }
            try
            {
                if (settings.mode() == SnapshotMode.STOPPED)
                {
                    pauseNs = pause();
                    paused = true;
                }
                if (parent == null)
                {
                    log.setAll(); // the first pass: every page; a diff's: those written since its parent
                }
                if (settings.mode() == SnapshotMode.LIVE)
                {
                    while (true)
                    {
                        final long t0 = System.nanoTime();
                        perPass.add(pass.run());
                        writes += pass.written;
                        final long passNs = Math.max(1, System.nanoTime() - t0);
                        final double pagesPerNs = (double)perPass.get(perPass.size() - 1) / passNs;
                        final long left = log.cardinality();
                        if (left <= pagesPerNs * settings.downtimeLimitMs() * 1e6)
                        {
                            break;
                        }
                        if (perPass.size() >= settings.maxRounds())
                        {
                            converged = false;
                            break;
                        }
                    }
                    pauseNs = pause();
                    paused = true;
                }
                final long t0 = System.nanoTime();
                perPass.add(pass.run()); // the vCPUs are stopped: the file now holds the instant
                writes += pass.written;
                lastPassNs = System.nanoTime() - t0;
                final long h0 = System.nanoTime();
                atInstant.accept(memory);
                hookNs = System.nanoTime() - h0;
            }
            finally
            {
                if (paused)
                {
                    resumeNs = resume();
                }
            }
            final long f0 = System.nanoTime();
            final long count = finish(file, settings.mode(), id,
                System.currentTimeMillis() - (System.nanoTime() - pauseNs) / 1_000_000, present, digests);
            final long end = System.nanoTime();
            return new SaveFigures(id, settings.mode(), List.copyOf(perPass), writes, count, pages - count, converged,
                end - start - hookNs, workload == null ? 0 : resumeNs - pauseNs - hookNs, lastPassNs, end - f0, file.directIo(),
                file.directIoRefusal(), 0);
        }
    }

    /**
     * The background save: the vCPUs pause for the instant only, long enough to protect every page again (a
     * harvest of the tracker's log) and to arm the copy before write; then the savers write every page while
     * the vCPUs run, and a vCPU's first store to a page not yet saved waits for its copy.
     */
    private SaveFigures background(final SnapshotWriter file, final SaveSettings settings, final long start,
        final SnapshotId id, final long[] present, final long[] digests) throws IOException, InterruptedException
    {
        final long pages = memory.pageCount();
        final AtomicDirtyBitmap unsaved = new AtomicDirtyBitmap(pages, 0);
        final AtomicDirtyBitmap captured = new AtomicDirtyBitmap(pages, 0);
        final CopyBeforeWrite hook = new CopyBeforeWrite(memory, file, unsaved, captured, digests);
        final SavePass pass = new SavePass(memory, unsaved, file, present, digests, settings.threads());
        pass.captured(captured);
        final long pauseNs = pause();
        long hookNs = 0;
        final long resumeNs;
        try
        {
            log.harvestInto(new AtomicDirtyBitmap(pages, 0)); // the log starts empty at the instant
            tracked.protectAll(true); // every page, those an earlier background save left writable too
            unsaved.setAll();
            tracked.beforeWrite(hook);
            final long h0 = System.nanoTime();
            atInstant.accept(memory);
            hookNs = System.nanoTime() - h0;
        }
        finally
        {
            resumeNs = resume();
        }
        final long instantMs = System.currentTimeMillis() - (System.nanoTime() - pauseNs) / 1_000_000;
        final long t0 = System.nanoTime();
        final long handled;
        final long copiedByFaults;
        try
        {
            beforeSavers.run();
            handled = pass.run();
        }
        finally
        {
            tracked.beforeWrite(null);
            tracked.protectAll(false); // every page is in the file: the vCPUs write at full speed again
        }
        copiedByFaults = hook.drain(present);
        final long passNs = System.nanoTime() - t0;
        final long f0 = System.nanoTime();
        final long count = finish(file, SnapshotMode.BACKGROUND, id, instantMs, present, digests);
        final long end = System.nanoTime();
        return new SaveFigures(id, SnapshotMode.BACKGROUND, List.of(handled + copiedByFaults), pass.written +
            copiedByFaults, count, pages - count, true, end - start - hookNs,
            workload == null ? 0 : resumeNs - pauseNs - hookNs, passNs, end - f0, file.directIo(),
            file.directIoRefusal(), copiedByFaults);
    }

    /**
     * Ends the file: the header (naming the parent of a diff) after the bitmap, the digests and the device state.
     *
     * @return the pages the file holds.
     */
    private long finish(final SnapshotWriter file, final SnapshotMode mode, final SnapshotId id, final long instantMs,
        final long[] present, final long[] digests) throws IOException
    {
        long count = 0;
        for (final long w : present)
        {
            count += Long.bitCount(w);
        }
        file.finish(new SnapshotHeader(mode, memory.pageSize(), memory.pageCount(), device.length,
            PageDigest.of(device, 0, device.length), id, parent == null ? SnapshotId.NONE : parent.id(), instantMs,
            vcpus, memory.blockName(), parent == null ? "" : parent.path()), present, digests, device);
        return count;
    }

    private long pause()
    {
        if (workload != null)
        {
            workload.pause();
        }
        return System.nanoTime();
    }

    private long resume()
    {
        if (workload != null)
        {
            workload.resume(VcpuTarget.of(memory));
        }
        return System.nanoTime();
    }
}
