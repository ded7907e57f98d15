package io.livemig.migration;

import io.livemig.dirty.DirtyLog;
import io.livemig.dirty.DirtyMarker;
import io.livemig.dirty.DirtyRingLog;
import io.livemig.dirty.DirtyRingReaper;
import io.livemig.dirty.DirtyTracker;
import io.livemig.kernel.KernelTracker;
import io.livemig.kernel.KernelTracking;
import io.livemig.kernel.TrackedGuest;
import io.livemig.memory.GuestMemory;
import io.livemig.stream.ChannelInput;
import io.livemig.stream.ChannelOutput;
import io.livemig.workload.AccessPattern;
import io.livemig.workload.GuestWorkload;
import io.livemig.workload.Patterns;
import io.livemig.workload.SweepCheck;
import io.livemig.workload.VcpuTarget;

import io.livemig.stream.ChannelInput;
import io.livemig.stream.ChannelOutput;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.channels.WritableByteChannel;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * A whole migration experiment, as {@code scripts/migrate}, the benchmark and the tests run it: builds a
 * source guest (filled with seeded data), an empty destination and a link, starts the guest's writers,
 * measures their rate before, migrates with {@link Migration}, measures the rate after on the destination,
 * stops the writers and, if asked, verifies the destination page by page against the source (with
 * destination writes mirrored into it; see {@link io.livemig.workload.VcpuTarget}) and, for the sequential
 * workload, checks QEMU's migration-test invariant on the destination.
 *
 * <p>Configured through chained setters, then {@link #run()} once. Not thread-safe.
 */
public final class MigrationRun
{
    /** Most mismatching pages listed in a result. */
    public static final int MAX_MISMATCHES = 8;
    /** Most page channels a migration opens (QEMU accepts up to 255; beyond the cores it only adds threads). */
    public static final int MAX_CHANNELS = 64;
    /** Default bound of a connect, read or write that moves no byte (two processes). */
    public static final long DEFAULT_LINK_TIMEOUT_MS = 30_000;

    private long memoryBytes = 64L << 20;
    private int pageSize = GuestMemory.DEFAULT_PAGE_SIZE;
    private String pattern = "uniform";
    private int writers = 1;
    private long dirtyRate;
    private int bytesPerTouch = 8;
    private double fill = 0.5;
    private long seed = 1;
    private String linkKind = "memory";
    private long latencyNs;
    private int channels = 1;
    private long beforeMs = 100;
    private long afterMs = 100;
    private boolean verify;
    private DirtyTracker tracker = DirtyTracker.SUMMARY;
    private KernelTracker kernelTracker;
    private boolean hugePages;
    private boolean kernelFaults;
    private int computeVcpus;
    private int ringSize = DirtyRingLog.DEFAULT_RING_SIZE;
    private MigrationOptions options = MigrationOptions.defaults();
    private MigrationProgress progress;
    private WritableByteChannel capture;
    private Factory factory = Migration::new;
    private InetSocketAddress to;
    private long linkTimeoutMs = DEFAULT_LINK_TIMEOUT_MS;
    private FaultPlan faults = FaultPlan.NONE;
    private LinkDecorator links = (index, link) -> link;

    /** Wraps each link the run opens: index 0 is the first, 1 the first opened to recover from a cut, and so on. */
    @FunctionalInterface
    interface LinkDecorator
    {
        MigrationLink decorate(int index, MigrationLink link);
    }

    /** Builds the engine; tests substitute a broken one. */
    @FunctionalInterface
    interface Factory
    {
        Migration create(MigrationOptions options, GuestMemory source, DirtyLog log, GuestMemory destination,
            GuestWorkload workload, MigrationLink link);
    }

    /** Guest size in bytes (a multiple of the page size). */
    public MigrationRun memoryBytes(final long value)
    {
        memoryBytes = value;
        return this;
    }

    /** Page size in bytes. */
    public MigrationRun pageSize(final int value)
    {
        pageSize = value;
        return this;
    }

    /** Access pattern: {@code uniform}, {@code hotset}, {@code zipf} or {@code sequential}. */
    public MigrationRun pattern(final String value)
    {
        pattern(value, 1);
        pattern = value;
        return this;
    }

    /** Writer threads; 0 for an idle guest. */
    public MigrationRun writers(final int value)
    {
        if (value < 0 || value > 256)
        {
            throw new IllegalArgumentException("writers must be 0 to 256: " + value);
        }
        writers = value;
        return this;
    }

    /** Target dirty rate in pages per second over all writers; 0 for flat out. */
    public MigrationRun dirtyRate(final long pagesPerSecond)
    {
        if (pagesPerSecond < 0)
        {
            throw new IllegalArgumentException("dirty rate must be 0 (flat out) or positive: " + pagesPerSecond);
        }
        dirtyRate = pagesPerSecond;
        return this;
    }

    /** Bytes stored per write (non-sequential patterns). */
    public MigrationRun bytesPerTouch(final int value)
    {
        if (value < 1)
        {
            throw new IllegalArgumentException("bytes per touch must be positive: " + value);
        }
        bytesPerTouch = value;
        return this;
    }

    /** Fraction of pages filled with seeded data before migration (a random run from byte 64 to the middle, zeros
     * elsewhere, so LZ4 halves them and the sweep's first bytes start equal), 0 to 1. */
    public MigrationRun fill(final double fraction)
    {
        if (!(fraction >= 0 && fraction <= 1))
        {
            throw new IllegalArgumentException("fill must be 0 to 1: " + fraction);
        }
        fill = fraction;
        return this;
    }

    /** Seed of the data, the writers and the device state. */
    public MigrationRun seed(final long value)
    {
        seed = value;
        return this;
    }

    /** Link: {@code memory} or {@code tcp}. */
    public MigrationRun link(final String kind)
    {
        if (!"memory".equals(kind) && !"tcp".equals(kind))
        {
            throw new IllegalArgumentException("link must be memory or tcp: " + kind);
        }
        linkKind = kind;
        return this;
    }

    /** Page channels in one process (1 to {@link #MAX_CHANNELS}): see {@link MigrationLink#channels()}. */
    public MigrationRun channels(final int value)
    {
        if (value < 1 || value > MAX_CHANNELS)
        {
            throw new IllegalArgumentException("channels must be 1 to " + MAX_CHANNELS + ": " + value);
        }
        channels = value;
        return this;
    }

    /** One-way latency of the in-memory link, nanoseconds. */
    public MigrationRun latencyNs(final long value)
    {
        if (value < 0)
        {
            throw new IllegalArgumentException("latency must not be negative: " + value);
        }
        latencyNs = value;
        return this;
    }

    /** Milliseconds the guest runs before migration (to measure its rate) and after it. */
    public MigrationRun phasesMs(final long before, final long after)
    {
        if (before < 0 || after < 0)
        {
            throw new IllegalArgumentException("phase lengths must not be negative: " + before + ", " + after);
        }
        beforeMs = before;
        afterMs = after;
        return this;
    }

    /** Whether to verify the destination at the end. */
    public MigrationRun verify(final boolean value)
    {
        verify = value;
        return this;
    }

    /** Of the writers, how many only compute (read guest memory, never dirtying it); 0 by default. */
    public MigrationRun computeVcpus(final int value)
    {
        if (value < 0)
        {
            throw new IllegalArgumentException("compute vCPUs must not be negative: " + value);
        }
        computeVcpus = value;
        return this;
    }

    /** The source's dirty tracker; {@link DirtyTracker#SUMMARY} by default. */
    public MigrationRun tracker(final DirtyTracker value)
    {
        tracker = value;
        return this;
    }

    /**
     * A kernel tracker for the source instead of {@link #tracker}'s software log, or {@code null} for none: the
     * source guest is then {@code mmap}'d memory registered with a userfaultfd (see {@link KernelTracking}),
     * and {@link #run()} throws {@link io.livemig.kernel.KernelUnavailableException} with the reason where it
     * cannot run.
     *
     * @param huge whether transparent huge pages may back the source ({@code MADV_HUGEPAGE}), else
     *             {@code MADV_NOHUGEPAGE}.
     */
    public MigrationRun kernelTracker(final KernelTracker value, final boolean huge)
    {
        kernelTracker = value;
        hugePages = huge;
        return this;
    }

    /**
     * Post-copy with kernel page faults: the destination's memory is registered with a userfaultfd in MISSING
     * mode ({@link KernelTracking#openFaulting}) and its vCPUs fault in the kernel rather than at a software
     * gate; {@link #run()} throws {@link io.livemig.kernel.KernelUnavailableException} with the reason where
     * it cannot run. In one process only: a {@code --listen} destination chooses for itself.
     */
    public MigrationRun kernelFaults(final boolean value)
    {
        kernelFaults = value;
        return this;
    }

    /** Entries per vCPU ring for {@link DirtyTracker#RING}: a power of two from 16 to 2^20, 4096 by default. */
    public MigrationRun ringSize(final int value)
    {
        if (value < 16 || value > (1 << 20) || Integer.bitCount(value) != 1)
        {
            throw new IllegalArgumentException("ring size must be a power of two from 16 to 1048576: " + value);
        }
        ringSize = value;
        return this;
    }

    /** The engine's options. */
    public MigrationRun options(final MigrationOptions value)
    {
        options = value;
        return this;
    }

    /** Progress listener, or {@code null}. */
    public MigrationRun progress(final MigrationProgress value)
    {
        progress = value;
        return this;
    }

    /** Page-stream capture, or {@code null}. */
    public MigrationRun capture(final WritableByteChannel value)
    {
        capture = value;
        return this;
    }

    /**
     * Makes this process the source only: the destination is a {@code scripts/migrate --listen} at {@code
     * address}. Verification then exchanges page digests instead of comparing pages.
     *
     * @param timeoutMs bound of the connect and of every read and write that moves no byte.
     */
    public MigrationRun to(final InetSocketAddress address, final long timeoutMs)
    {
        if (timeoutMs < 1)
        {
            throw new IllegalArgumentException("link timeout must be at least 1 ms: " + timeoutMs);
        }
        to = address;
        linkTimeoutMs = timeoutMs;
        return this;
    }

    /**
     * Network faults to inject ({@code --fault}): in one process into the link between the two roles, with
     * {@link #to} into the source's end of the connection (the destination sees what a real network does: a
     * closed or silent socket). Needs one page channel.
     */
    public MigrationRun faults(final FaultPlan plan)
    {
        faults = plan;
        return this;
    }

    /**
     * Bounds every read and write of an in-process link by the link timeout (default {@link
     * #DEFAULT_LINK_TIMEOUT_MS}), as {@link SocketLink} bounds a socket's.
     */
    public MigrationRun linkTimeoutMs(final long timeoutMs)
    {
        if (timeoutMs < 1)
        {
            throw new IllegalArgumentException("link timeout must be at least 1 ms: " + timeoutMs);
        }
        linkTimeoutMs = timeoutMs;
        return this;
    }

    /**
     * @return {@code link} with the fault plan injected when there is one, under a {@link DeadlineLink} (so
     * that a stall longer than the link timeout becomes a cut) unless {@code link} bounds its calls itself and
     * has no fault injected; to be closed after {@code link}'s use.
     */
    private MigrationLink withFaults(final MigrationLink link)
    {
        if (faults.isEmpty())
        {
            return withDeadline(link);
        }
        if (link.channels() > 1)
        {
            throw new IllegalArgumentException("faults are injected on one page channel only, not " + link.channels());
        }
        return new DeadlineLink(new FaultyLink(link, faults), linkTimeoutMs);
    }

    /** @return {@code link} bounded by the link timeout, unless it bounds its calls itself (a socket's). */
    private MigrationLink withDeadline(final MigrationLink link)
    {
        return link instanceof SocketLink ? link : new DeadlineLink(link, linkTimeoutMs);
    }

    /** Tests: wraps every link of an in-process run, e.g. in a {@link FaultyLink}. */
    MigrationRun links(final LinkDecorator value)
    {
        links = value;
        return this;
    }

    MigrationRun factory(final Factory value)
    {
        factory = value;
        return this;
    }

    /**
     * Runs the experiment.
     *
     * @throws MigrationRefusedException if a remote destination refused the handshake.
     */
    public MigrationResult run() throws IOException, InterruptedException
    {
        if (to != null)
        {
            return runSource();
        }
        final long pages = memoryBytes / pageSize;
        final TrackedGuest kernel = kernelTracker == null ? null :
            KernelTracking.open(kernelTracker, GuestMemory.DEFAULT_BLOCK_NAME, memoryBytes, pageSize, hugePages);
        final DirtyLog log = kernel != null ? kernel.log() : tracker.create(Math.max(1, pages), 0, ringSize);
        try (GuestMemory src = kernel != null ? kernel.memory() : new GuestMemory(memoryBytes, pageSize, log);
             GuestMemory dst = kernelFaults ?
                 KernelTracking.openFaulting(GuestMemory.DEFAULT_BLOCK_NAME, memoryBytes, pageSize).memory() :
                 new GuestMemory(memoryBytes, pageSize, DirtyMarker.NONE);
             MigrationLink link = links.decorate(0, MigrationLink.open(linkKind, options.bandwidth(), latencyNs, channels));
             MigrationLink bounded = withFaults(link);
             RingStats ring = new RingStats(log))
        {
            fillGuest(src);
            ring.startReaper();
            final MigrationResult result = runWithWorkload(src, pages, workload ->
            {
                final MigrationSource migration = factory.create(options.withMirrorForVerify(verify), src, log, dst,
                    workload, bounded).seed(seed);
                if (options.recover())
                {
                    final int[] opened = {0};
                    ((Migration)migration).recoverWith(deadline -> withDeadline(links.decorate(++opened[0],
                        MigrationLink.open(linkKind, options.bandwidth(), latencyNs, channels))));
                }
                return migration;
            }, (workload, r) ->
            {
                if (workload != null)
                {
                    if (r.error() == null)
                    {
                        final double[] vcpuAfter = new double[writers];
                        r.writesPerSecAfter = rate(workload, afterMs, vcpuAfter);
                        r.vcpuWritesPerSecAfter = afterMs == 0 ? null : vcpuAfter;
                    }
                    workload.close();
                }
                if (verify && r.error() == null)
                {
                    verify(src, dst, workload, r);
                }
            });
            result.tracker = kernel != null ? kernel.kind().cliName() : tracker.cliName();
            if (kernel != null)
            {
                result.kernelHugePages = hugePages;
                result.kernelFaults = kernel.faultsServed();
            }
            ring.report(result);
            return result;
        }
    }

    /** The source process: connect, handshake, then the source role alone over the socket. */
    private MigrationResult runSource() throws IOException, InterruptedException
    {
        final MigrationOptions opts = options.withDigests(verify);
        final Handshake proposal = new Handshake(opts.mode(), opts.xbzrle(), opts.lz4(), verify, channels, pageSize,
            memoryBytes, opts.deviceStateBytes(), writers, computeVcpus, Handshake.PATTERNS.indexOf(pattern),
            bytesPerTouch, dirtyRate, seed, (int)Math.min(Integer.MAX_VALUE, afterMs), opts.recover());
        final List<SocketLink> reconnected = new CopyOnWriteArrayList<>();
        try (SocketLink main = SocketLink.connect(to, opts.bandwidth(), linkTimeoutMs))
        {
            propose(main, proposal);
            final long id = opts.recover() ? ChannelHello.newMigrationId() : 0;
            if (opts.recover())
            {
                ChannelHello.writeId(main.channel(), id);
            }
            try (SocketLink link = channels > 1 ? openChannels(main, to, channels, linkTimeoutMs) : main)
            {
                return runSource(links.decorate(0, link), opts, opts.recover() ? reconnect(id, opts, reconnected) : null);
            }
        }
        finally
        {
            for (final SocketLink l : reconnected)
            {
                l.close();
            }
        }
    }

    /** Most connection attempts of one post-copy pause, {@value} ms apart at most. */
    static final int RECONNECT_ATTEMPTS = 100;
    static final long RECONNECT_INTERVAL_MS = 200;

    /**
     * The source's way back after a post-copy cut: connects to the destination again (at most {@value
     * #RECONNECT_ATTEMPTS} attempts within the pause's deadline, each bounded by the link timeout) and opens the
     * connection with a hello naming this migration's {@code id} for channel 0, which the paused destination
     * waits for.
     */
    private Reconnect reconnect(final long id, final MigrationOptions opts, final List<SocketLink> opened)
    {
        final int[] index = {0};
        return deadline ->
        {
            for (int attempt = 0; attempt < RECONNECT_ATTEMPTS; attempt++)
            {
                final long leftMs = (deadline - System.nanoTime()) / 1_000_000L;
                if (leftMs <= 0)
                {
                    return null;
                }
                final long t0 = System.nanoTime();
                try
                {
                    final SocketLink l = SocketLink.connect(to, opts.bandwidth(), Math.min(linkTimeoutMs, leftMs));
                    opened.add(l);
                    ChannelHello.write(l.channel(), id, 0);
                    return links.decorate(++index[0], l);
                }
                catch (final IOException ex)
                {
                    final long waitMs = RECONNECT_INTERVAL_MS - (System.nanoTime() - t0) / 1_000_000L;
                    if (waitMs > 0)
                    {
                        Thread.sleep(Math.min(waitMs, Math.max(0, (deadline - System.nanoTime()) / 1_000_000L)));
                    }
                }
            }
            return null;
        };
    }

    private MigrationResult runSource(final MigrationLink link, final MigrationOptions opts, final Reconnect reconnect)
        throws IOException, InterruptedException
    {
        final long pages = memoryBytes / pageSize;
        final DirtyLog log = tracker.create(Math.max(1, pages), 0, ringSize);
        try (GuestMemory src = new GuestMemory(memoryBytes, pageSize, log); RingStats ring = new RingStats(log);
             MigrationLink bounded = withFaults(link))
        {
            fillGuest(src);
            ring.startReaper();
            final MigrationResult result = runWithWorkload(src, pages, workload ->
            {
                final MigrationSource migration = new MigrationSource(opts, src, log, workload, bounded).seed(seed);
                if (reconnect != null)
                {
                    migration.recover(reconnect);
                }
                return migration;
            }, (workload, r) -> { });
            result.tracker = tracker.cliName();
            ring.report(result);
            return result;
        }
    }

    /** Builds the source role for the guest's writers (null without writers). */
    @FunctionalInterface
    private interface SourceRole
    {
        MigrationSource build(GuestWorkload workload) throws IOException;
    }

    /** What a run does with the writers and the result before the writers are closed. */
    @FunctionalInterface
    private interface AfterRun
    {
        void accept(GuestWorkload workload, MigrationResult result) throws IOException, InterruptedException;
    }

    /**
     * The part both kinds of run share: starts the guest's writers on {@code src} (if any) and measures their
     * rate before, runs the source role that {@code role} builds, with the progress listener and the capture,
     * records the rates before in the result, hands it to {@code after}, and closes the writers in any case.
     */
    private MigrationResult runWithWorkload(final GuestMemory src, final long pages, final SourceRole role,
        final AfterRun after) throws IOException, InterruptedException
    {
        final GuestWorkload workload = writers == 0 ? null :
            new GuestWorkload(pattern(pattern, pages), writers, dirtyRate, bytesPerTouch, seed);
        try
        {
            double before = Double.NaN;
            final double[] vcpuBefore = workload == null ? null : new double[writers];
            if (workload != null)
            {
                workload.setComputeVcpus(computeVcpus);
                workload.start(VcpuTarget.of(src));
                before = rate(workload, beforeMs, vcpuBefore);
            }
            final MigrationSource migration = role.build(workload);
            if (progress != null)
            {
                migration.progress(progress);
            }
            if (capture != null)
            {
                migration.capture(capture);
            }
            final MigrationResult result = migration.run();
            result.writesPerSecBefore = before;
            result.vcpuWritesPerSecBefore = beforeMs == 0 ? null : vcpuBefore;
            after.accept(workload, result);
            return result;
        }
        finally
        {
            if (workload != null)
            {
                workload.close();
            }
        }
    }

    /**
     * The source's page channels ({@link ChannelHello}): sends a new migration id on {@code main}, connects
     * {@code channels} more times to {@code to}, each opening with its hello.
     *
     * @return {@code main} with the channels; on failure every socket opened here is closed.
     */
    static SocketLink openChannels(final SocketLink main, final InetSocketAddress to, final int channels,
        final long timeoutMs) throws IOException
    {
        final long id = ChannelHello.newMigrationId();
        ChannelHello.writeId(main.channel(), id);
        final java.nio.channels.SocketChannel[] sockets = new java.nio.channels.SocketChannel[channels];
        try
        {
            for (int c = 0; c < channels; c++)
            {
                sockets[c] = java.nio.channels.SocketChannel.open();
                try
                {
                    sockets[c].socket().connect(to, (int)Math.min(Integer.MAX_VALUE, timeoutMs));
                }
                catch (final java.net.SocketTimeoutException ex)
                {
                    throw new java.net.SocketTimeoutException("page channel " + c + ": no connection to " + to +
                        " within " + timeoutMs + " ms");
                }
                ChannelHello.write(sockets[c], id, c);
            }
            return main.withChannels(sockets);
        }
        catch (final IOException | RuntimeException ex)
        {
            for (final java.nio.channels.SocketChannel socket : sockets)
            {
                if (socket != null)
                {
                    SocketLink.closeQuietly(socket);
                }
            }
            throw ex;
        }
    }

    /** Sends the proposal and reads the answer; @throws MigrationRefusedException with the reason. */
    static void propose(final SocketLink link, final Handshake proposal) throws IOException
    {
        final ChannelOutput out = new ChannelOutput(link.channel(), 256);
        proposal.write(out);
        out.flush();
        final HandshakeReply reply = HandshakeReply.read(new ChannelInput(link.channel(), 4096));
        if (!reply.accepted())
        {
            throw new MigrationRefusedException("refused by the destination " + link.peer() + ": " + reply.reason());
        }
    }

    /**
     * The ring tracker's reaper and figures for one run: the reaper runs from the end of the guest's fill (so
     * the fill's own stalls are not the migration's) to the end of the run, at QEMU's reaper interval of one
     * second, and sooner whenever a full ring wakes it. Does nothing for the bitmaps.
     */
    private static final class RingStats implements AutoCloseable
    {
        /** QEMU's {@code kvm-reaper} sleeps one second between reaps. */
        static final long REAPER_INTERVAL_MS = 1000;

        private final DirtyRingLog ring;
        private DirtyRingReaper reaper;
        private long pushes0;
        private long stalls0;
        private long stallNanos0;

        RingStats(final DirtyLog log)
        {
            ring = log instanceof DirtyRingLog ? (DirtyRingLog)log : null;
        }

        void startReaper()
        {
            if (ring != null)
            {
                pushes0 = ring.pushes();
                stalls0 = ring.stalls();
                stallNanos0 = ring.stallNanos();
                reaper = new DirtyRingReaper(ring, REAPER_INTERVAL_MS, TimeUnit.MILLISECONDS).start();
            }
        }

        void report(final MigrationResult result)
        {
            if (ring != null)
            {
                result.ringSize = ring.ringSize();
                result.ringPushes = ring.pushes() - pushes0;
                result.ringStalls = ring.stalls() - stalls0;
                result.ringStallMs = (ring.stallNanos() - stallNanos0) / 1e6;
            }
        }

        @Override
        public void close() throws InterruptedException
        {
            if (reaper != null)
            {
                reaper.close();
            }
        }
    }

    /** @return writes per second over {@code ms}, with each vCPU's own rate put in {@code vcpuRates}. */
    static double rate(final GuestWorkload workload, final long ms, final double[] vcpuRates)
        throws InterruptedException
    {
        if (ms == 0)
        {
            return Double.NaN;
        }
        final long[] v0 = new long[vcpuRates.length];
        for (int i = 0; i < v0.length; i++)
        {
            v0[i] = workload.progress(i).getAcquire();
        }
        final long w0 = workload.writes();
        final long t0 = System.nanoTime();
        TimeUnit.MILLISECONDS.sleep(ms);
        final long nanos = System.nanoTime() - t0;
        final long w1 = workload.writes();
        for (int i = 0; i < v0.length; i++)
        {
            vcpuRates[i] = (workload.progress(i).getAcquire() - v0[i]) / (nanos / 1e9);
        }
        return (w1 - w0) / (nanos / 1e9);
    }

    private void fillGuest(final GuestMemory src)
    {
        final long pages = src.pageCount();
        final int ps = src.pageSize();
        final byte[] page = new byte[ps];
        final SplittableRandom random = new SplittableRandom(seed);
        for (long p = 0; p < pages; p++)
        {
            if (random.nextDouble() < fill)
            {
                // Bytes [64, ps/2) random, the rest zero: the first bytes stay 0 for the sweep's invariant.
                for (int i = 64; i < ps / 2; i += 8)
                {
                    final long v = random.nextLong();
                    for (int b = 0; b < 8; b++)
                    {
                        page[i + b] = (byte)(v >>> (8 * b));
                    }
                }
                src.writePage(p, page, 0);
            }
        }
    }

    /** Compares every page; for the sweep also checks its invariant on the destination. */
    static void verify(final GuestMemory src, final GuestMemory dst, final GuestWorkload workload, final MigrationResult result)
    {
        final byte[] a = new byte[src.pageSize()];
        final byte[] b = new byte[dst.pageSize()];
        for (long p = 0, n = src.pageCount(); p < n; p++)
        {
            src.readPage(p, a, 0);
            dst.readPage(p, b, 0);
            if (!Arrays.equals(a, b))
            {
                result.mismatchPages.add(p);
                if (result.mismatchPages.size() == MAX_MISMATCHES)
                {
                    break;
                }
            }
        }
        if (workload != null && workload.isSweep())
        {
            result.sweepViolation = SweepCheck.firstViolation(dst, workload.pattern().pageCount(), workload.writerCount());
        }
        result.verified = result.mismatchPages.isEmpty() && result.sweepViolation < 0;
    }

    /** @return the pattern named {@code name} over {@code pages} pages. */
    static AccessPattern pattern(final String name, final long pages)
    {
        return Patterns.of(name, pages);
    }
}
