package io.livemig.migration;

import io.livemig.dirty.DirtyLog;
import io.livemig.dirty.DirtyMarker;
import io.livemig.dirty.DirtyRingLog;
import io.livemig.dirty.DirtyTracker;
import io.livemig.kernel.KernelTracker;
import io.livemig.kernel.KernelTracking;
import io.livemig.kernel.TrackedGuest;
import io.livemig.memory.GuestMemory;
import io.livemig.migration.fault.FaultPlan;
import io.livemig.migration.fault.FaultyLink;
import io.livemig.migration.link.DeadlineLink;
import io.livemig.migration.link.MigrationLink;
import io.livemig.migration.link.Reconnect;
import io.livemig.migration.link.SocketLink;
import io.livemig.migration.link.TcpLink;
import io.livemig.migration.tls.TlsConfig;
import io.livemig.migration.tls.TlsSession;
import io.livemig.migration.options.MigrationOptions;
import io.livemig.migration.options.MigrationProgress;
import io.livemig.migration.result.MigrationResult;
import io.livemig.migration.source.MigrationSource;
import io.livemig.migration.wire.ChannelHello;
import io.livemig.migration.wire.Handshake;
import io.livemig.workload.GuestContents;
import io.livemig.workload.GuestWorkload;
import io.livemig.workload.WriteRate;
import io.livemig.workload.VcpuTarget;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.channels.WritableByteChannel;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

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
    /** The source's TLS (with {@link #to}, or one process's {@code tcp} link), null in clear. */
    private TlsConfig sourceTls;
    /** The destination's TLS of a {@code tcp} link in this process. */
    private TlsConfig destinationTls;
    /** In one process: the first link's TLS session, and the connections opened inside TLS (each a handshake). */
    private TlsSession tlsSession;
    private int tlsConnections;
    private int tlsResumed;
    private long linkTimeoutMs = DEFAULT_LINK_TIMEOUT_MS;
    private FaultPlan faults = FaultPlan.NONE;
    private LinkDecorator links = (index, link) -> link;
    private boolean warmUp;
    private boolean baselineCopy;

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
        RunGuest.pattern(value, 1);
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

    /** Page channels in one process (1 to {@link MigrationLink#MAX_CHANNELS}): see {@link MigrationLink#channels()}. */
    public MigrationRun channels(final int value)
    {
        if (value < 1 || value > MigrationLink.MAX_CHANNELS)
        {
            throw new IllegalArgumentException("channels must be 1 to " + MigrationLink.MAX_CHANNELS + ": " + value);
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
     * Runs a few small migrations like this one on another thread first, while the guest is built, and waits for
     * them before the migration starts ({@link WarmUp}): for a one-shot process, whose JIT would otherwise be
     * measured. The result says what they cost ({@link MigrationResult#warmUp}).
     */
    public MigrationRun warmUp(final boolean value)
    {
        warmUp = value;
        return this;
    }

    /**
     * After the migration, times a plain copy of the same bytes from the source guest into the destination over a
     * new link of the same kind, bandwidth and channels ({@link LinkCopy}), in the same process: the floor under
     * the migration on this machine. One process only (both guests here).
     */
    public MigrationRun baselineCopy(final boolean value)
    {
        baselineCopy = value;
        return this;
    }

    /**
     * TLS 1.3 on every connection ({@code --tls-creds}): with {@link #to}, the source's alone ({@code
     * destination} null); in one process, both ends of the {@code tcp} link.
     */
    public MigrationRun tls(final TlsConfig source, final TlsConfig destination)
    {
        sourceTls = source;
        destinationTls = destination;
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
        final WarmUp warm = warmUp ? WarmUp.start(options, linkKind, pageSize, channels) : null;
        final long pages = memoryBytes / pageSize;
        final TrackedGuest kernel = kernelTracker == null ? null :
            KernelTracking.open(kernelTracker, GuestMemory.DEFAULT_BLOCK_NAME, memoryBytes, pageSize, hugePages);
        final DirtyLog log = kernel != null ? kernel.log() : tracker.create(Math.max(1, pages), 0, ringSize);
        try (GuestMemory src = kernel != null ? kernel.memory() : new GuestMemory(memoryBytes, pageSize, log);
             GuestMemory dst = kernelFaults ?
                 KernelTracking.openFaulting(GuestMemory.DEFAULT_BLOCK_NAME, memoryBytes, pageSize).memory() :
                 new GuestMemory(memoryBytes, pageSize, DirtyMarker.NONE);
             MigrationLink link = links.decorate(0, openLink());
             MigrationLink bounded = withFaults(link);
             RingStats ring = new RingStats(log))
        {
            GuestContents.fill(src, seed, fill);
            awaitWarmUp(warm);
            ring.startReaper();
            final MigrationResult result = runWithWorkload(src, pages, workload ->
            {
                final MigrationSource migration = factory.create(options.withMirrorForVerify(verify), src, log, dst,
                    workload, bounded).seed(seed);
                if (options.recover())
                {
                    final int[] opened = {0};
                    ((Migration)migration).recoverWith(deadline -> withDeadline(links.decorate(++opened[0],
                        openLink())));
                }
                return migration;
            }, (workload, r) ->
            {
                if (workload != null)
                {
                    if (r.error() == null)
                    {
                        final double[] vcpuAfter = new double[writers];
                        r.writesPerSecAfter = WriteRate.measure(workload, afterMs, vcpuAfter);
                        r.vcpuWritesPerSecAfter = afterMs == 0 ? null : vcpuAfter;
                    }
                    workload.close();
                }
                if (verify && r.error() == null)
                {
                    RunGuest.verify(src, dst, workload, r);
                }
            });
            result.tracker = kernel != null ? kernel.kind().cliName() : tracker.cliName();
            if (tlsSession != null)
            {
                result.tls(tlsSession, tlsConnections, tlsResumed);
            }
            if (kernel != null)
            {
                result.kernelHugePages = hugePages;
                result.kernelFaults = kernel.faultsServed();
            }
            ring.report(result);
            warmUpFigures(warm, result);
            if (baselineCopy && result.error() == null)
            {
                copyBaseline(src, dst, result);
            }
            return result;
        }
    }

    /** This process's link: {@code tcp} inside TLS when {@link #tls} was given, else as its kind says. */
    private MigrationLink openLink() throws IOException
    {
        if (sourceTls == null)
        {
            return MigrationLink.open(linkKind, options.bandwidth(), latencyNs, channels, options.postcopyPreempt());
        }
        final TcpLink link = new TcpLink(options.bandwidth(), channels, options.postcopyPreempt(), destinationTls,
            sourceTls);
        if (tlsSession == null)
        {
            tlsSession = link.session();
        }
        tlsConnections += (link.channels() > 1 ? 1 + link.channels() : 1) + (link.preempt() ? 1 : 0);
        tlsResumed += link.resumedSessions();
        return link;
    }

    private static void awaitWarmUp(final WarmUp warm) throws InterruptedException
    {
        if (warm != null)
        {
            warm.await();
        }
    }

    private static void warmUpFigures(final WarmUp warm, final MigrationResult result)
    {
        if (warm != null)
        {
            result.warmUp = warm.describe();
            result.warmUpMs = warm.ms();
        }
    }

    /** {@link #baselineCopy}: the same bytes copied raw over a new link like the migration's, timed. */
    private void copyBaseline(final GuestMemory src, final GuestMemory dst, final MigrationResult result)
        throws IOException, InterruptedException
    {
        final LinkCopy copy = new LinkCopy(src, dst);
        try (MigrationLink link = MigrationLink.open(linkKind, options.bandwidth(), latencyNs, channels))
        {
            final long t0 = System.nanoTime(); // as the migration's totalMs: link setup excluded
            copy.copy(link);
            result.baselineCopyMs = (System.nanoTime() - t0) / 1e6;
            result.baselineCopyBytes = src.size();
        }
    }

    /** The source process: connect, handshake, then the source role alone over the socket. */
    private MigrationResult runSource() throws IOException, InterruptedException
    {
        if (baselineCopy)
        {
            throw new IllegalArgumentException("a baseline copy needs both guests in this process, not a --to source");
        }
        final WarmUp warm = warmUp ? WarmUp.start(options, "tcp", pageSize, channels) : null;
        final MigrationOptions opts = options.withDigests(verify);
        final Handshake proposal = new Handshake(opts.mode(), opts.xbzrle(), opts.lz4(), verify, channels, pageSize,
            memoryBytes, opts.deviceStateBytes(), writers, computeVcpus, Handshake.PATTERNS.indexOf(pattern),
            bytesPerTouch, dirtyRate, seed, (int)Math.min(Integer.MAX_VALUE, afterMs), opts.recover(),
            opts.postcopyPreempt());
        final List<SocketLink> reconnected = new CopyOnWriteArrayList<>();
        try (SocketLink main = SocketLink.connect(to, opts.bandwidth(), linkTimeoutMs, sourceTls))
        {
            RemoteSource.propose(main, proposal);
            final long id = opts.recover() ? ChannelHello.newMigrationId() : 0;
            if (opts.recover())
            {
                ChannelHello.writeId(main.channel(), id);
            }
            try (SocketLink link = channels > 1 || opts.postcopyPreempt() ? RemoteSource.openChannels(main, to,
                channels > 1 ? channels : 0, opts.postcopyPreempt(), linkTimeoutMs, sourceTls) : main)
            {
                final Reconnect reconnect = opts.recover() ?
                    RemoteSource.reconnect(to, opts.bandwidth(), linkTimeoutMs, links, id, reconnected, sourceTls,
                        opts.postcopyPreempt()) : null;
                final MigrationResult result = runSource(links.decorate(0, link), opts, reconnect, warm);
                if (sourceTls != null)
                {
                    result.tls(main.session(), 1 + (channels > 1 ? channels : 0) + (opts.postcopyPreempt() ? 1 : 0) +
                        reconnected.size(), link.resumedSessions());
                }
                return result;
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



    private MigrationResult runSource(final MigrationLink link, final MigrationOptions opts, final Reconnect reconnect,
        final WarmUp warm) throws IOException, InterruptedException
    {
        final long pages = memoryBytes / pageSize;
        final DirtyLog log = tracker.create(Math.max(1, pages), 0, ringSize);
        try (GuestMemory src = new GuestMemory(memoryBytes, pageSize, log); RingStats ring = new RingStats(log);
             MigrationLink bounded = withFaults(link))
        {
            GuestContents.fill(src, seed, fill);
            awaitWarmUp(warm);
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
            warmUpFigures(warm, result);
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
            new GuestWorkload(RunGuest.pattern(pattern, pages), writers, dirtyRate, bytesPerTouch, seed);
        try
        {
            double before = Double.NaN;
            final double[] vcpuBefore = workload == null ? null : new double[writers];
            if (workload != null)
            {
                workload.setComputeVcpus(computeVcpus);
                workload.start(VcpuTarget.of(src));
                before = WriteRate.measure(workload, beforeMs, vcpuBefore);
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







}
