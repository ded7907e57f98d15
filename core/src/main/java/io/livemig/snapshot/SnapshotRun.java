package io.livemig.snapshot;

import io.livemig.dirty.DirtyLog;
import io.livemig.dirty.DirtyMarker;
import io.livemig.dirty.DirtyTracker;
import io.livemig.kernel.FaultingGuest;
import io.livemig.kernel.KernelTracker;
import io.livemig.kernel.KernelTracking;
import io.livemig.kernel.TrackedGuest;
import io.livemig.memory.GuestMemory;
import io.livemig.snapshot.file.PageDigest;
import io.livemig.snapshot.file.SnapshotChain;
import io.livemig.snapshot.file.SnapshotFormatException;
import io.livemig.snapshot.file.SnapshotHeader;
import io.livemig.snapshot.file.SnapshotMode;
import io.livemig.snapshot.file.SnapshotReader;
import io.livemig.snapshot.restore.EagerRestore;
import io.livemig.snapshot.restore.FileCheck;
import io.livemig.snapshot.restore.LazyRestore;
import io.livemig.snapshot.restore.RestoreMode;
import io.livemig.snapshot.save.SaveFigures;
import io.livemig.snapshot.save.SaveSettings;
import io.livemig.snapshot.save.SnapshotSave;
import io.livemig.workload.GuestContents;
import io.livemig.workload.GuestWorkload;
import io.livemig.workload.Patterns;
import io.livemig.workload.VcpuTarget;
import io.livemig.workload.WriteRate;

import java.io.IOException;
import java.nio.file.Path;

/**
 * What {@code scripts/migrate --to file:PATH} and {@code --from file:PATH} run: a simulated guest (built as a
 * migration's source builds it: seeded contents, vCPUs writing) saved to a snapshot file while its vCPUs run,
 * or a guest built from a snapshot file and resumed, its vCPUs those the file records.
 *
 * <p>Not thread-safe: configure, then {@link #save} or {@link #restore} once, on one thread.
 */
public final class SnapshotRun
{
    /** How long a lazy restore may take to bring in every page before it fails. */
    public static final long COMPLETE_TIMEOUT_MS = 600_000;

    private long memoryBytes = 64L << 20;
    private int pageSize = GuestMemory.DEFAULT_PAGE_SIZE;
    private String pattern = "uniform";
    private int writers = 1;
    private int computeVcpus;
    private long dirtyRate;
    private int bytesPerTouch = 8;
    private double fill = 0.5;
    private long seed = 1;
    private int deviceStateBytes;
    private long beforeMs = 200;
    private long afterMs = 200;
    private int threads = 1;
    private boolean verify;
    private Path diffFrom;
    private long maxMemory = Long.MAX_VALUE;

    /** @return this, with a guest of {@code bytes}, pages of {@code size}. */
    public SnapshotRun guest(final long bytes, final int size)
    {
        this.memoryBytes = bytes;
        this.pageSize = size;
        return this;
    }

    /**
     * @return this, with vCPUs: {@code count} of them ({@code compute} of which only read) writing {@code
     *         touch} bytes at a time by {@code name}'s pattern at {@code rate} pages/s (0 flat out).
     */
    public SnapshotRun vcpus(final int count, final int compute, final String name, final long rate, final int touch)
    {
        this.writers = count;
        this.computeVcpus = compute;
        this.pattern = name;
        this.dirtyRate = rate;
        this.bytesPerTouch = touch;
        return this;
    }

    /** @return this, with a fraction {@code fraction} of pages holding data, chosen by {@code value}. */
    public SnapshotRun contents(final double fraction, final long value, final int deviceBytes)
    {
        this.fill = fraction;
        this.seed = value;
        this.deviceStateBytes = deviceBytes;
        return this;
    }

    /** @return this, with the vCPUs' rate measured over {@code before} ms before and {@code after} ms after. */
    public SnapshotRun phasesMs(final long before, final long after)
    {
        this.beforeMs = before;
        this.afterMs = after;
        return this;
    }

    /** @return this, with {@code n} reader threads for a restore (a save takes its own from its settings). */
    public SnapshotRun threads(final int n)
    {
        this.threads = n;
        return this;
    }

    /**
     * @return this, saving a diff snapshot of {@code parent} (a snapshot file, the newest of its chain): the guest
     *         is {@code parent}'s, restored, its vCPUs those it records, and the file holds only the pages they
     *         write from the restore on (the guest and workload set here are not used).
     */
    public SnapshotRun diffFrom(final Path parent)
    {
        this.diffFrom = parent;
        return this;
    }

    /** @return this, refusing a snapshot whose guest is larger than {@code bytes} before building it. */
    public SnapshotRun maxMemory(final long bytes)
    {
        this.maxMemory = bytes;
        return this;
    }

    /** @return this, checking every page: a save compares the file with the guest at the instant. */
    public SnapshotRun verify(final boolean value)
    {
        this.verify = value;
        return this;
    }

    /**
     * Builds the guest, runs its vCPUs for the phase before, saves it to {@code path}, runs them for the phase
     * after, and, when verifying, checks the file against digests of the guest taken at the instant.
     *
     * @throws IOException if the file cannot be written.
     */
    public SnapshotResult save(final Path path, final SaveSettings settings) throws IOException, InterruptedException
    {
        if (diffFrom != null)
        {
            try (SnapshotChain parent = openParent())
            {
                for (final Path p : parent.paths())
                {
                    if (p.toAbsolutePath().normalize().equals(path.toAbsolutePath().normalize()))
                    {
                        throw new IOException("the diff " + path + " would overwrite " + p + ", a snapshot of its chain");
                    }
                }
                final SnapshotHeader h = parent.header();
                memoryBytes = h.memoryBytes();
                pageSize = h.pageSize();
                final SnapshotHeader.Vcpus v = h.vcpus();
                vcpus(v.count(), v.compute(), v.pattern(), v.dirtyRate(), v.bytesPerTouch());
                seed = v.seed();
                final DirtyLog log = DirtyTracker.SUMMARY.create(h.pages(), 0, 0);
                try (GuestMemory memory = new GuestMemory(h.blockName(), h.memoryBytes(), h.pageSize(),
                    GuestMemory.MAX_REGION_SIZE, log))
                {
                    EagerRestore.fill(parent, memory, threads, verify);
                    log.clearRange(0, log.size()); // from here the log holds what the guest writes after its parent
                    final Path dir = path.toAbsolutePath().normalize().getParent();
                    final String named = dir.relativize(diffFrom.toAbsolutePath().normalize()).toString();
                    final SnapshotResult r = save(path, settings, memory, log, null, parent.deviceState(),
                        new SnapshotSave.Parent(h.id(), named, parent.digests()));
                    r.parent = named;
                    return r;
                }
            }
        }
        final long pages = memoryBytes / pageSize;
        // A background save's guest is tracked by the kernel: write protection whose fault thread copies first.
        final TrackedGuest tracked = settings.mode() == SnapshotMode.BACKGROUND ? KernelTracking.open(
            KernelTracker.UFFD_WP, GuestMemory.DEFAULT_BLOCK_NAME, memoryBytes, pageSize, false) : null;
        final DirtyLog log = tracked != null ? tracked.log() : DirtyTracker.SUMMARY.create(pages, 0, 0);
        try (GuestMemory memory = tracked != null ? tracked.memory() : new GuestMemory(memoryBytes, pageSize, log))
        {
            GuestContents.fill(memory, seed, fill);
            return save(path, settings, memory, log, tracked, GuestContents.deviceState(deviceStateBytes, seed), null);
        }
    }

    /** @return the chain of {@code --diff-from}: its refusal names the parent, not the diff being written. */
    private SnapshotChain openParent() throws IOException
    {
        try
        {
            return SnapshotChain.open(diffFrom, maxMemory);
        }
        catch (final SnapshotFormatException ex)
        {
            throw new IOException(diffFrom + ": " + ex.getMessage(), ex);
        }
    }

    /** Runs the vCPUs on {@code memory} for the phase before, saves, runs them for the phase after, verifies. */
    private SnapshotResult save(final Path path, final SaveSettings settings, final GuestMemory memory,
        final DirtyLog log, final TrackedGuest tracked, final byte[] device, final SnapshotSave.Parent parent)
        throws IOException, InterruptedException
    {
        final long pages = memory.pageCount();
        final SnapshotResult r = base(new SnapshotResult(), path, settings.threads());
        final GuestWorkload workload = writers == 0 ? null :
            new GuestWorkload(Patterns.of(pattern, pages), writers, dirtyRate, bytesPerTouch, seed);
        try
        {
            if (workload != null)
            {
                workload.setComputeVcpus(computeVcpus);
                workload.start(VcpuTarget.of(memory));
                r.writesPerSecBefore = WriteRate.measure(workload, beforeMs, new double[writers]);
            }
            final long[] instant = verify ? new long[(int)pages] : null;
            final SnapshotSave save = new SnapshotSave(memory, log, workload,
                new SnapshotHeader.Vcpus(writers, computeVcpus, pattern, bytesPerTouch, dirtyRate, seed), device);
            if (instant != null)
            {
                save.atInstant(m -> digests(m, instant));
            }
            if (tracked != null)
            {
                save.tracked(tracked);
            }
            if (parent != null)
            {
                save.diffOf(parent);
            }
            final long w0 = workload == null ? 0 : workload.writes();
            final SaveFigures f = save.save(path, settings);
            if (workload != null)
            {
                r.writesPerSecDuring = (workload.writes() - w0) / (f.totalNs() / 1e9);
                r.writesPerSecAfter = WriteRate.measure(workload, afterMs, new double[writers]);
            }
            r.save(f);
            if (instant != null)
            {
                try (SnapshotReader file = SnapshotReader.open(path, memory.size()))
                {
                    r.mismatchPages = FileCheck.mismatches(file, instant);
                    r.verified = r.mismatchPages == 0;
                }
            }
            return r;
        }
        finally
        {
            if (workload != null)
            {
                workload.close();
            }
        }
    }

    private SnapshotResult base(final SnapshotResult r, final Path path, final int threadCount)
    {
        r.path = path.toString();
        r.memoryBytes = memoryBytes;
        r.pageSize = pageSize;
        r.threads = threadCount;
        return r;
    }

    private static void digests(final GuestMemory memory, final long[] into)
    {
        final byte[] page = new byte[memory.pageSize()];
        for (int p = 0; p < into.length; p++)
        {
            memory.readPage(p, page, 0);
            into[p] = PageDigest.of(page, 0, page.length);
        }
    }

    /**
     * Builds a guest from the snapshot at {@code path} and resumes the vCPUs the file records: after every page
     * is in ({@link RestoreMode#EAGER}), or at once ({@link RestoreMode#LAZY}, pages on first touch), then runs
     * them for the phase after. The result's resume runs from opening the file to the vCPUs running; building the
     * guest's memory (the hypervisor's part) and making the report are left out of it.
     *
     * @param kernelFaults a lazy restore's faults come from userfaultfd (else from the software gate).
     * @param maxMemory    the most guest memory this machine can build: a larger snapshot is refused first.
     * @throws IOException the file's first problem, before anything resumes (a page's digest found wrong by a
     *                     lazy restore after the resume fails the restore instead: see the result's error).
     */
    public SnapshotResult restore(final Path path, final RestoreMode mode, final boolean kernelFaults,
        final long maxMemory) throws IOException, InterruptedException
    {
        final SnapshotResult report = new SnapshotResult(); // the report, made (its class loaded) before the clock
        final long t0 = System.nanoTime();
        try (SnapshotChain file = SnapshotChain.open(path, maxMemory))
        {
            final SnapshotHeader h = file.header();
            memoryBytes = h.memoryBytes();
            pageSize = h.pageSize();
            final SnapshotResult r = base(report, path, threads);
            r.operation = "restore";
            r.restoreMode = mode.cliName();
            r.snapshotMode = h.mode().cliName();
            r.id = h.id().toString();
            r.presentPages = file.presentPages();
            r.zeroPages = h.pages() - file.presentPages();
            r.chain = file.length();
            r.parent = h.hasParent() ? h.parentPath() : null;
            final long a0 = System.nanoTime();
            final FaultingGuest kernel = mode == RestoreMode.LAZY && kernelFaults ?
                KernelTracking.openFaulting(h.blockName(), h.memoryBytes(), h.pageSize()) : null;
            try (GuestMemory memory = kernel != null ? kernel.memory() :
                new GuestMemory(h.blockName(), h.memoryBytes(), h.pageSize(), GuestMemory.MAX_REGION_SIZE, DirtyMarker.NONE))
            {
                final long allocNs = System.nanoTime() - a0; // building the guest: the hypervisor's part, left out
                final SnapshotHeader.Vcpus v = h.vcpus();
                final GuestWorkload workload = v.count() == 0 ? null : new GuestWorkload(
                    Patterns.of(v.pattern(), h.pages()), v.count(), v.dirtyRate(), v.bytesPerTouch(), v.seed());
                LazyRestore lazy = null;
                try
                {
                    if (workload != null)
                    {
                        workload.setComputeVcpus(v.compute());
                    }
                    final long resumeNs;
                    long completeNs;
                    if (mode == RestoreMode.EAGER)
                    {
                        EagerRestore.fill(file, memory, threads, verify);
                        if (workload != null)
                        {
                            workload.start(VcpuTarget.of(memory));
                        }
                        resumeNs = System.nanoTime();
                        completeNs = resumeNs;
                    }
                    else
                    {
                        lazy = new LazyRestore(file, memory, kernel, v.count(), verify);
                        lazy.start();
                        if (workload != null)
                        {
                            workload.start(new VcpuTarget(memory, lazy.gate(), null));
                        }
                        resumeNs = System.nanoTime();
                        final boolean complete = lazy.awaitComplete(COMPLETE_TIMEOUT_MS);
                        completeNs = lazy.completeNs();
                        if (lazy.failure() != null)
                        {
                            r.error = lazy.failure().getMessage();
                        }
                        else if (!complete)
                        {
                            r.error = "not every page came within " + COMPLETE_TIMEOUT_MS / 1000 + " s";
                        }
                    }
                    r.resumeMs = (resumeNs - t0 - allocNs) / 1e6;
                    if (completeNs != 0)
                    {
                        r.completeMs = (completeNs - t0 - allocNs) / 1e6;
                        r.totalMs = r.completeMs;
                        r.throughputMBps = (double)file.presentPages() * pageSize / (r.completeMs / 1e3) / 1e6;
                    }
                    if (workload != null && r.error == null)
                    {
                        r.writesPerSecAfter = WriteRate.measure(workload, afterMs, new double[v.count()]);
                    }
                    if (lazy != null)
                    {
                        r.faultPath = kernel != null ? "kernel" : "software";
                        r.faults(lazy.latency());
                        lazy.close();
                        r.prefetchedPages = lazy.prefetched();
                    }
                    if (verify)
                    {
                        r.verified = r.error == null;
                    }
                }
                finally
                {
                    if (lazy != null)
                    {
                        lazy.close();
                    }
                    if (workload != null)
                    {
                        workload.close();
                    }
                }
            }
            return r;
        }
    }
}
