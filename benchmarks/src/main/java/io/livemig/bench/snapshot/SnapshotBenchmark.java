package io.livemig.bench.snapshot;

import io.livemig.bench.BenchJvm;
import io.livemig.bench.snapshot.LazyShot.KernelGuest;
import io.livemig.bench.snapshot.LazyShot.Lazy;
import io.livemig.bench.snapshot.SnapshotCounters.BackgroundFigures;
import io.livemig.bench.snapshot.SnapshotCounters.FaultFigures;
import io.livemig.bench.snapshot.SnapshotCounters.Figures;
import io.livemig.bench.snapshot.SnapshotFileStates.Destination;
import io.livemig.bench.snapshot.SnapshotFileStates.PlainFile;
import io.livemig.bench.snapshot.SnapshotFileStates.Saved;
import io.livemig.bench.snapshot.SnapshotFileStates.Target;
import io.livemig.cli.SizeParser;
import io.livemig.dirty.DirtyLog;
import io.livemig.dirty.DirtyTracker;
import io.livemig.kernel.KernelTracker;
import io.livemig.kernel.KernelTracking;
import io.livemig.kernel.TrackedGuest;
import io.livemig.memory.GuestMemory;
import io.livemig.snapshot.file.SnapshotHeader;
import io.livemig.snapshot.file.SnapshotMode;
import io.livemig.snapshot.file.SnapshotReader;
import io.livemig.snapshot.restore.EagerRestore;
import io.livemig.snapshot.restore.LazyRestore;
import io.livemig.snapshot.save.SaveFigures;
import io.livemig.snapshot.save.SaveSettings;
import io.livemig.snapshot.save.SnapshotSave;
import io.livemig.workload.GuestContents;
import io.livemig.workload.GuestWorkload;
import io.livemig.workload.Patterns;
import io.livemig.workload.VcpuTarget;
import io.livemig.workload.WriteRate;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.io.IOException;
import java.nio.file.Files;
import java.util.concurrent.TimeUnit;

/**
 * Snapshots (issue 24): a {@code guest}-byte guest (1 GiB) saved to a file and restored from it, each beside the
 * plain file I/O of the same bytes on the same file system, in the same run. The guest is idle while it is saved
 * (no vCPU writes), either all zero ({@code fill=0}: every page a hole of the file) or written once ({@code
 * fill=1.0}: every page holds data, {@code GuestContents}' seeded bytes, so the file holds the whole guest).
 * {@code threads} is the save's writer threads and the eager restore's reader threads ({@code --channels}):
 * 1, 2 or 4.
 *
 * <ul>
 *   <li>{@link #saveStopped}, {@link #saveLive}: {@link SnapshotSave#save} to a file that does not exist before
 *       the shot (deleted after the previous one, outside the time), the stopped save with {@code O_DIRECT} for
 *       the RAM or not ({@code direct}), the live one through the page cache. The time runs from the call to its
 *       return, which is after the save's own {@code
 *       force(true)} of the whole file and its header. A live save of an idle guest is its first pass and a
 *       last, empty pass with the vCPUs stopped.</li>
 *   <li>{@link #saveBackground}: a background save of a guest written once whose vCPUs write flat out throughout
 *       ({@link Running}; JDK 22+ and userfaultfd write protection, else left out by the runner with the
 *       probe's reason), with the vCPUs' write rate during the save against the rate before it.</li>
 *   <li>{@link #baselineWrite}: the same number of bytes written by plain positional writes from 1 MiB buffers
 *       on the same {@code threads}, each its contiguous share, with or without {@code O_DIRECT}, into a new file
 *       in the same directory, <b>ending with {@code force(true)}</b> as the save ends with its forces, so the two
 *       times are comparable: both include getting the bytes to the device ({@link PlainFileIo}).</li>
 *   <li>{@link #restoreEager}: {@link SnapshotReader#open} (header, bitmap, digests checked) and {@link
 *       EagerRestore#fill} on {@code threads} threads, without per-page digest checks, into a guest allocated
 *       and zeroed before the shot (outside the time: building the guest is the hypervisor's part).</li>
 *   <li>{@link #baselineRead}: the same number of bytes read by plain positional reads into 1 MiB buffers on
 *       the same {@code threads}, from a file of random bytes written in the same directory at setup, with or
 *       without {@code O_DIRECT}.</li>
 *   <li>{@link #lazyResume}: {@link SnapshotReader#open}, {@code new} {@link LazyRestore} and {@link
 *       LazyRestore#start}: from opening the file to the point the vCPUs could run. The prefetch then completes
 *       after the shot, outside the time.</li>
 *   <li>{@link #lazyComplete}: the same, then the guest's {@value #VCPUS} vCPUs (as the file records them:
 *       writing uniformly random pages flat out) resume through the restore's software gate, and the shot ends
 *       when every page of the file is in the guest. Its {@link FaultFigures} give the resume within the shot
 *       and the latency percentiles of the vCPUs' faults (a vCPU touching a page not yet loaded loads it
 *       itself, or waits for the prefetch thread's read of it), the source of the report's fault-latency chart.
 *       {@link #lazyCompleteKernel} is the same with the kernel's faults (userfaultfd MISSING, JDK 22+).</li>
 * </ul>
 *
 * <p><b>The page cache.</b> Writes start with no file (nothing of it cached) and end on the device. Every
 * read, the restores and {@link #baselineRead} alike, is <b>warm-cache</b>: before each shot, outside its time,
 * the file is read once through the page cache ({@link SnapshotFiles#warm}), so the shot reads memory-speed
 * cached bytes; this is a restore right after a save on a machine with the memory to spare. {@code
 * baselineRead} with {@code direct=true} bypasses the cache (as {@code O_DIRECT} does) and so shows the
 * device's own read rate: beside the warm reads for orientation, not the restores' baseline. The restore's
 * baseline is {@code baselineRead} with {@code direct=false} on the same {@code threads}.
 *
 * <p>The score is the shot's wall time; the {@link Figures} counters give GB/s of guest bytes (the guest's size
 * over the shot's time, the idle guest's included) and whether the shot's I/O went with {@code O_DIRECT} (1) or
 * through the cache (0: not asked for, or the file system refused it). Files go under {@value
 * SnapshotFiles#DIR_PROPERTY} or {@code java.io.tmpdir} ({@link SnapshotFiles}) and are deleted in the
 * teardowns. The guests are off-heap: a fork holds at most two (the saved guest and the restored one).
 *
 * <p>Thread-safety: JMH's; one benchmark thread.
 */
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 1, batchSize = 1)
@Measurement(iterations = 3, batchSize = 1)
@Fork(value = 1, jvmArgsAppend = {BenchJvm.ADD_OPENS, BenchJvm.MISC_OPENS, BenchJvm.NO_BOUNDS_CHECKS,
    BenchJvm.HEAP_MIN, BenchJvm.HEAP_MAX, BenchJvm.NATIVE_ACCESS})
public class SnapshotBenchmark
{
    static final int PAGE = 4096;
    /** vCPUs the saved guest records, which a lazy restore resumes. */
    static final int VCPUS = 2;
    static final long SEED = 24;
    static final SnapshotHeader.Vcpus RECORDED = new SnapshotHeader.Vcpus(VCPUS, 0, "uniform", 8, 0, SEED);
    static final byte[] DEVICE = GuestContents.deviceState(4096, SEED);
    /** A live save's downtime limit and round limit: QEMU's 300 ms, {@link SaveSettings#live}'s rounds. */
    static final long DOWNTIME_LIMIT_MS = 300;
    static final int MAX_ROUNDS = 30;
    /** How long a lazy restore may take to complete before the shot fails. */
    static final long COMPLETE_TIMEOUT_MS = 120_000;

    /** The guest's size, shared by every state. */
    @State(Scope.Benchmark)
    public static class Size
    {
        /** Guest size ({@link SizeParser}): 1 GiB; a sanity run or a test shrinks it. */
        @Param({"1g"})
        public String guest;

        long bytes()
        {
            return SizeParser.parse(guest);
        }
    }

    /** The guest to save, idle: all zero or written once. */
    @State(Scope.Benchmark)
    public static class Guest
    {
        /** Fraction of pages holding data: 1.0 (written once) or 0 (all zero). */
        @Param({"1.0", "0"})
        public double fill;

        GuestMemory memory;
        DirtyLog log;

        @Setup(Level.Trial)
        public void setup(final Size size)
        {
            final long pages = size.bytes() / PAGE;
            log = DirtyTracker.SUMMARY.create(pages, 0, 0);
            memory = new GuestMemory(size.bytes(), PAGE, log);
            GuestContents.fill(memory, SEED, fill);
        }

        @TearDown(Level.Trial)
        public void tearDown()
        {
            memory.close();
        }
    }

    /**
     * A background save's guest: written once, its memory tracked by synchronous write protection ({@code
     * uffd-wp}, JDK 22+: elsewhere the runner leaves {@link #saveBackground} out with the probe's reason), its
     * {@value #VCPUS} vCPUs writing uniformly random pages flat out from the trial's start to its end.
     */
    @State(Scope.Benchmark)
    public static class Running
    {
        TrackedGuest tracked;
        GuestWorkload vcpus;
        double writesPerSecBefore;

        @Setup(Level.Trial)
        public void setup(final Size size)
        {
            tracked = KernelTracking.open(KernelTracker.UFFD_WP, GuestMemory.DEFAULT_BLOCK_NAME, size.bytes(), PAGE,
                false);
            GuestContents.fill(tracked.memory(), SEED, 1.0);
            vcpus = new GuestWorkload(Patterns.of(RECORDED.pattern(), tracked.memory().pageCount()), VCPUS, 0,
                RECORDED.bytesPerTouch(), SEED);
            vcpus.start(VcpuTarget.of(tracked.memory()));
        }

        /** Before each shot, outside its time: the vCPUs' rate over 200 ms, the save's "before". */
        @Setup(Level.Invocation)
        public void before() throws InterruptedException
        {
            writesPerSecBefore = WriteRate.measure(vcpus, 200, new double[VCPUS]);
        }

        @TearDown(Level.Trial)
        public void tearDown()
        {
            vcpus.close();
            tracked.close();
        }
    }

    /** Threads of a save, an eager restore and the plain I/O: {@code --channels}. */
    @State(Scope.Benchmark)
    public static class Channels
    {
        @Param({"1", "2", "4"})
        public int threads;
    }

    /** Whether writes (and the plain reads) go with {@code O_DIRECT}. */
    @State(Scope.Benchmark)
    public static class Io
    {
        @Param({"false", "true"})
        public boolean direct;
    }

    /** A live save through the page cache (its {@code O_DIRECT} rows would repeat the stopped save's). */
    @Benchmark
    public SaveFigures saveLive(final Guest guest, final Channels channels, final Target target,
                                final Figures figures) throws IOException, InterruptedException
    {
        return save(SnapshotMode.LIVE, guest, channels, false, target, figures);
    }

    @Benchmark
    public SaveFigures saveStopped(final Guest guest, final Channels channels, final Io io, final Target target,
                                   final Figures figures) throws IOException, InterruptedException
    {
        return save(SnapshotMode.STOPPED, guest, channels, io.direct, target, figures);
    }

    private static SaveFigures save(final SnapshotMode mode, final Guest guest, final Channels channels,
                                    final boolean direct, final Target target, final Figures figures)
        throws IOException, InterruptedException
    {
        final long t0 = System.nanoTime();
        final SaveFigures f = new SnapshotSave(guest.memory, guest.log, null, RECORDED, DEVICE).save(target.file,
            new SaveSettings(mode, channels.threads, direct, DOWNTIME_LIMIT_MS, MAX_ROUNDS));
        figures.record(guest.memory.size(), System.nanoTime() - t0, f.directIo());
        return f;
    }

    /**
     * A background save of a guest whose vCPUs write flat out: they pause only for the instant, then run on while
     * the savers write every page and the tracker's fault thread copies a page before their first store to it.
     * Through the page cache. Its figures set the vCPUs' rate during the save against the rate before it.
     */
    @Benchmark
    public SaveFigures saveBackground(final Running running, final Channels channels, final Target target,
                                      final BackgroundFigures figures) throws IOException, InterruptedException
    {
        final GuestMemory memory = running.tracked.memory();
        final long w0 = running.vcpus.writes();
        final long t0 = System.nanoTime();
        final SaveFigures f = new SnapshotSave(memory, running.tracked.log(), running.vcpus, RECORDED, DEVICE)
            .tracked(running.tracked).save(target.file,
                new SaveSettings(SnapshotMode.BACKGROUND, channels.threads, false, DOWNTIME_LIMIT_MS, MAX_ROUNDS));
        final long nanos = System.nanoTime() - t0;
        figures.gbPerSecond = memory.size() / (double)nanos;
        figures.writesPerSecBefore = running.writesPerSecBefore;
        figures.writesPerSecDuring = (running.vcpus.writes() - w0) / (nanos / 1e9);
        figures.copiedByFaults = f.copiedByFaults();
        return f;
    }

    /** Baseline of the saves: the guest's size in plain positional writes, then {@code force(true)}. */
    @Benchmark
    public void baselineWrite(final Size size, final Io io, final Target target, final Figures figures)
        throws IOException, InterruptedException
    {
        final long t0 = System.nanoTime();
        target.plain.write(target.file, size.bytes(), io.direct);
        figures.record(size.bytes(), System.nanoTime() - t0, target.plain.direct());
    }

    @Benchmark
    public Destination restoreEager(final Saved saved, final Channels channels, final Destination destination,
                                    final Figures figures) throws IOException, InterruptedException
    {
        final long t0 = System.nanoTime();
        try (SnapshotReader file = SnapshotReader.open(saved.file, destination.memory.size()))
        {
            EagerRestore.fill(file, destination.memory, channels.threads, false);
        }
        figures.record(destination.memory.size(), System.nanoTime() - t0, false);
        return destination;
    }

    /** Baseline of the eager restore ({@code direct=false}): the guest's size in plain positional reads. */
    @Benchmark
    public void baselineRead(final Size size, final Io io, final PlainFile plain, final Figures figures)
        throws IOException, InterruptedException
    {
        final long t0 = System.nanoTime();
        plain.plain.read(plain.file, 0, size.bytes(), io.direct);
        figures.record(size.bytes(), System.nanoTime() - t0, plain.plain.direct());
    }

    /**
     * The floor under any restore ({@code direct=false}): the guest's size in plain positional reads straight into
     * a direct buffer of the guest's size (allocated once, outside the time), so the bytes end in memory as a
     * restore's must. {@link #baselineRead} reads them into one reused 1 MiB buffer per thread, which stays in the
     * CPU's cache: the page cache's copy-out rate, faster than any destination the size of a guest.
     */
    @Benchmark
    public void baselineReadToMemory(final Size size, final PlainFile plain, final Figures figures)
        throws IOException, InterruptedException
    {
        final long t0 = System.nanoTime();
        plain.plain.readInto(plain.file, plain.memory());
        figures.record(size.bytes(), System.nanoTime() - t0, false);
    }

    @Benchmark
    public Lazy lazyResume(final Saved saved, final Destination destination, final Lazy lazy) throws IOException
    {
        lazy.resume(saved.file, destination.memory);
        return lazy;
    }

    @Benchmark
    public Lazy lazyComplete(final Saved saved, final Destination destination, final Lazy lazy,
                             final FaultFigures figures) throws IOException, InterruptedException
    {
        return complete(saved, destination, lazy, figures);
    }

    /**
     * As {@link #lazyComplete}, with the vCPUs' faults delivered by the kernel (userfaultfd MISSING): a vCPU
     * touching a missing page blocks in the kernel, the guest's fault thread reads the page from the file and
     * places it with {@code UFFDIO_COPY}; a fault's latency runs from the thread's reading the fault message to the
     * placement (Firecracker's userfaultfd page-fault handler, in process).
     */
    @Benchmark
    public Lazy lazyCompleteKernel(final Saved saved, final Destination destination, final KernelGuest kernel,
                                   final Lazy lazy, final FaultFigures figures) throws IOException, InterruptedException
    {
        return complete(saved, destination, lazy, figures);
    }

    private static Lazy complete(final Saved saved, final Destination destination, final Lazy lazy,
                                 final FaultFigures figures) throws IOException, InterruptedException
    {
        final long t0 = System.nanoTime();
        lazy.resume(saved.file, destination.memory);
        final long resumed = System.nanoTime() - t0;
        final GuestMemory memory = lazy.target(destination.memory);
        lazy.vcpus = new GuestWorkload(Patterns.of(RECORDED.pattern(), memory.pageCount()), VCPUS,
            RECORDED.dirtyRate(), RECORDED.bytesPerTouch(), RECORDED.seed());
        lazy.vcpus.start(new VcpuTarget(memory, lazy.restore.gate(), null));
        lazy.awaitComplete();
        figures.record(resumed, lazy.restore);
        return lazy;
    }
}
