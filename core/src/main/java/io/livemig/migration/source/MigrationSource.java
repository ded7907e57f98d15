package io.livemig.migration.source;

import io.livemig.codec.XbzrleStats;
import io.livemig.dirty.AtomicDirtyBitmap;
import io.livemig.dirty.DirtyLog;
import io.livemig.dirty.DirtyRingLog;
import io.livemig.dirty.DirtyScanner;
import io.livemig.memory.GuestMemory;
import io.livemig.migration.channel.ChannelSender;
import io.livemig.migration.link.MigrationLink;
import io.livemig.migration.link.Reconnect;
import io.livemig.migration.link.RoleThreads;
import io.livemig.migration.link.TeeChannel;
import io.livemig.migration.options.MigrationMode;
import io.livemig.migration.options.MigrationOptions;
import io.livemig.migration.options.MigrationProgress;
import io.livemig.migration.options.StopPolicy;
import io.livemig.migration.postcopy.RequestQueue;
import io.livemig.migration.result.MigrationResult;
import io.livemig.migration.result.RoundStats;
import io.livemig.migration.throttle.DirtyLimit;
import io.livemig.migration.wire.PageDigests;
import io.livemig.migration.wire.ReceivedBitmap;
import io.livemig.stream.ChannelInput;
import io.livemig.stream.ChannelOutput;
import io.livemig.stream.ChannelPartition;
import io.livemig.stream.PageKind;
import io.livemig.stream.PageStreamOptions;
import io.livemig.stream.PageStreamWriter;
import io.livemig.stream.ReturnPathMessage;
import io.livemig.stream.ReturnPathReader;
import io.livemig.workload.GuestWorkload;

import java.io.IOException;
import java.nio.channels.WritableByteChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.zip.CRC32C;

import static io.livemig.migration.wire.MigrationEnvelopeDescriptor.*;

/**
 * The source role of a live migration: sends a guest's memory over a {@link MigrationLink} in any {@link
 * MigrationMode} while the guest's writers keep running, and knows the destination only through the link.
 * Alone it is {@code scripts/migrate --to}'s engine; {@link io.livemig.migration.Migration} joins it with a {@link
 * MigrationDestination} in one process.
 *
 * <h2>Threads</h2>
 * <ul>
 *   <li>the caller of {@link #run()} is the source's migration thread: it syncs the dirty log, sends the
 *       rounds, stops the vCPUs and serves post-copy requests;</li>
 *   <li>{@code migration-return-path} reads the return path on the source: page requests go to a {@link
 *       RequestQueue}, SHUT ends the migration, then (with {@link MigrationOptions#digests()}) the
 *       destination's page digests ({@link PageDigests});</li>
 *   <li>with several page channels ({@link MigrationLink#channels()} &gt; 1), one {@code migration-channel-N}
 *       thread per channel ({@link ChannelSender}): pre-copy rounds (and the stop-and-copy round) go there,
 *       each channel sending the pages of its own stripes ({@link ChannelPartition}) with its own zero check,
 *       XBZRLE cache (the budget divided among the channels) and LZ4, as QEMU 9's multifd does; the
 *       migration thread starts each round on every channel, waits for all of them to end it with EOS, then
 *       sends CHANNEL_SYNC on the main channel and syncs the dirty log. Control sections, the device state,
 *       post-copy's pages (requested and pushed: never queued behind bulk pages) and the return path stay on
 *       the main channel. With a capture, channel 0's stream is captured (a page stream of its own);</li>
 *   <li>the guest's writers ({@link GuestWorkload}).</li>
 * </ul>
 *
 * <h2>Pre-copy, as QEMU's {@code ram_save_iterate}</h2>
 * The migration bitmap starts all dirty; the source's dirty log is harvested into it (sync 0). Round 0
 * sends every page; each later round first syncs (the harvest atomically takes the log's words, so the
 * pages' contents are read only after their bits were cleared: a write racing with it is either taken
 * now or left in the log for the next sync) and then sends what is dirty, each bit cleared by the {@link
 * DirtyScanner} before the page is read. After each sync the remainder is compared with bandwidth x
 * downtime limit ({@link StopPolicy}); when it fits the vCPUs are stopped, the last sync's pages and the
 * device state are sent, and the destination resumes the guest. Auto-converge raises the guest's
 * throttle when a period dirtied more than {@link MigrationOptions#throttleTrigger()} % (QEMU's
 * {@code throttle-trigger-threshold}, 50 % by default) of the bytes the round sent. Past the round or time limit
 * pre-copy gives up as {@link MigrationOptions#onGiveUp()} says: it fails with the reason and the guest runs on
 * here ({@link io.livemig.migration.options.GiveUp#CANCEL}, the default), is forced through a stop-and-copy and reported as not converged
 * ({@link io.livemig.migration.options.GiveUp#STOP}), or switches to post-copy ({@link io.livemig.migration.options.GiveUp#POSTCOPY}).
 *
 * <h2>A broken link</h2>
 * The source tells the link each phase it enters ({@link MigrationLink#phase}: setup, pre-copy round k,
 * stop-and-copy, post-copy), which a {@link io.livemig.migration.fault.FaultyLink} may act on. Any failure closes the link, so the
 * destination fails too, and the result says {@code failed}, the phase and the reason. Which side then runs
 * the guest follows one rule, QEMU's: the source owns it until it has read the destination's acknowledgement
 * (SHUT 0) that it holds every page and the device state, and the destination resumes only after writing
 * that acknowledgement. A failure before the vCPUs stopped leaves them running here; one after they stopped
 * and before the acknowledgement was read resumes them here; after it, the guest is the destination's
 * (see {@code resumeIfOwner} for why this gives exactly one side). A retry is a new instance on the same
 * memory and log: its setup marks every page dirty, so nothing the failed attempt sent is trusted.
 *
 * <h2>Post-copy, as QEMU's {@code postcopy-ram.c}</h2>
 * The vCPUs stop, the last sync is taken, the dirty pages are announced (DISCARD), the device state sent
 * and the destination told to run (POSTCOPY_RUN). Then the source pushes every remaining page once, in
 * bitmap order, and before each page serves the requests of faulting vCPUs, each with a window of pages
 * around it (pre-paging); every page is claimed with an atomic test-and-clear of its bit, so none is sent
 * twice. Post-copy pages never use XBZRLE.
 *
 * <h2>Post-copy recovery</h2>
 * With {@link MigrationOptions#recover()} and a {@link Reconnect} ({@link #recover(Reconnect)}; {@link
 * Migration} brings its own), a failure of the link once POSTCOPY_RUN was handed to it pauses the source
 * ({@code postcopy-paused} in the progress) instead of failing it: its vCPUs were stopped at the switch-over
 * and stay stopped, so its memory is final and any page may be sent again. It closes the cut link, takes a new
 * one, reads the destination's {@link ReceivedBitmap} first on the new return path, rebuilds the migration
 * bitmap as exactly the pages the destination lacks (what was in flight or in a buffer at the cut is
 * among them), and sends on the new forward stream the envelope header, a RAM section with those pages
 * (serving page requests first, as before), COMPLETE and the rest. A cut during recovery pauses again; a
 * pause not recovered within {@link MigrationOptions#recoverTimeoutMs()} fails the migration. The page stream
 * after a recovery is not captured.
 *
 * <h2>Downtime</h2>
 * Alone, the source sees only its side, as QEMU's source does: from the instant it asks the vCPUs to stop
 * (before they have all parked) to the instant the last byte before the destination may resume (COMPLETE,
 * or POSTCOPY_RUN) is flushed to the link; the total runs to the destination's SHUT. In one process {@link
 * Migration} measures to the destination's resume instead.
 *
 * <h2>Digests</h2>
 * With {@link MigrationOptions#digests()} the source, after COMPLETE, hashes every page of its stopped
 * memory and sends the digests ({@link PageDigests}); the destination answers with its own after SHUT; each
 * side compares and names the pages that differ. The source's memory must then stay as it was at the stop
 * (no mirrored destination writes).
 *
 * <p>Not thread-safe: {@link #run()} once. The subclass hook {@link #sendDirtyPages} exists for tests that
 * must see a broken engine fail.
 */
public class MigrationSource
{
    private static final int ENVELOPE_BUFFER_BYTES = 64 << 10;
    private static final int PAGE_BUFFER_BYTES = 64 << 10; // small: a post-copy request waits behind at most this much push
    private static final long PROGRESS_INTERVAL_NS = 250_000_000L;

    private final MigrationOptions options;
    private final GuestMemory source;
    private final DirtyLog sourceLog;
    private final GuestWorkload workload;
    private MigrationLink link;
    private final MigrationResult result = new MigrationResult();
    private final RequestQueue requests = new RequestQueue(4096);
    private WritableByteChannel capture;
    private MigrationProgress progress = (phase, round, remaining, dirty, wire, throttle) -> { };
    private long seed = 42;

    private static final long CHANNEL_POLL_MS = 100;
    /** Pause between two failed attempts to recover: short against a pause, long against a connect. */
    private static final long RECONNECT_BACKOFF_NS = 50_000_000L;

    private ChannelSender[] senders;
    private Thread[] senderThreads;
    private int channelSyncs;
    private ChannelOutput envOut;
    private ChannelOutput pageOut;
    private PageStreamWriter writer;
    private AtomicDirtyBitmap bitmap;
    private DirtyScanner scanner;
    /**
     * Units drained per {@link DirtyScanner#drain} call of a send pass. 512 rather than one word's 64: a call's
     * fixed cost and a batch cut inside a word were a third of a dense drain (DrainBenchmark, 0.5: 221 against
     * 130 ms), and a bigger batch costs only a longer window in which a write to a drained page, not yet sent,
     * makes it go again next round (QEMU clears its bitmap 2^18 pages ahead).
     */
    private final long[] batch = new long[512];
    private boolean memSizeSent;
    private long round;
    private long startNs;
    private long stopNs;
    private long lastSyncNs;
    private long lastProgressNs;
    private long roundRemaining;
    private double lastDirtyRate;
    private String phase = "setup";
    private long writesAtStart;
    private long writesAtStop;
    private long[] vcpuWritesAtStart;
    private long[] vcpuWritesAtStop;
    private final DirtyLimit dirtyLimit;
    private long switchNs;
    private volatile long shutNs;
    /** The destination's SHUT 0 has been read: it holds every page and the device state, and owns the guest. */
    private volatile boolean acked;
    /** POSTCOPY_RUN has been flushed: the guest may run on the destination from then on. */
    private boolean postcopyRunSent;
    /** Whether the first page request of post-copy has been announced as the {@code postcopy} phase. */
    private boolean postcopyAnnounced;
    /** This role resumed its vCPUs on the source after a failure during the switch-over. */
    private boolean resumedHere;
    private volatile int shutCode = -1;
    private volatile Throwable returnPathFailure;
    private volatile long[] peerDigests;
    private Thread rpThread;
    private boolean streamFinished;
    private Reconnect reconnect;
    private volatile long[] receivedBitmap;
    private CountDownLatch receivedBitmapRead;
    /** Writers of links given up after a cut, and the envelope bytes sent on them: their figures still count. */
    private final List<PageStreamWriter> retiredWriters = new ArrayList<>();
    private long retiredEnvelopeBytes;
    private long cutNs;
    private long pausedNanos;
    private long maxPauseNanos;

    /**
     * @param options   the migration's settings.
     * @param source    the guest's memory, written by {@code workload}, marking {@code sourceLog}.
     * @param sourceLog the log {@code source} marks: one bit per page.
     * @param workload  the guest's writers, running on {@code source}; {@code null} for an idle guest.
     * @param link      the connection (only its source ends are used); the migration closes it when it fails.
     */
    public MigrationSource(
        final MigrationOptions options, final GuestMemory source, final DirtyLog sourceLog,
        final GuestWorkload workload, final MigrationLink link)
    {
        if (sourceLog.pageCount() != source.pageCount() || sourceLog.granularityShift() != 0)
        {
            throw new IllegalArgumentException("the source log must have one bit per page of " + source +
                ": it has " + sourceLog.pageCount() + " pages at shift " + sourceLog.granularityShift());
        }
        if (options.dirtyLimit() > 0 && options.autoConverge())
        {
            throw new IllegalArgumentException("dirty-limit excludes auto-converge: choose one throttle");
        }
        if (options.dirtyLimit() > 0 && !(sourceLog instanceof DirtyRingLog))
        {
            throw new IllegalArgumentException("dirty-limit needs the ring tracker, not " + sourceLog);
        }
        if (options.digests() && options.mirrorForVerify())
        {
            throw new IllegalArgumentException("digests need the source as it was at the stop: no mirrored writes");
        }
        this.dirtyLimit = options.dirtyLimit() > 0 ? new DirtyLimit((DirtyRingLog)sourceLog, options.dirtyLimit(),
            source.pageSize(), options.dirtyLimitPeriodMs()) : null;
        this.options = options;
        this.source = source;
        this.sourceLog = sourceLog;
        this.workload = workload;
        this.link = link;
    }

    /**
     * Lets a post-copy cut pause and recover over links from {@code value} when {@link
     * MigrationOptions#recover()} is on (see "Post-copy recovery").
     */
    public MigrationSource recover(final Reconnect value)
    {
        if (link.channels() > 1)
        {
            throw new IllegalArgumentException("post-copy recovery needs one channel: post-copy's pages travel on " +
                "the main channel, but the page channels would have to be joined again too");
        }
        this.reconnect = value;
        return this;
    }

    /** @return where new links come from after a post-copy cut, or null for no recovery. */
    Reconnect reconnect()
    {
        return options.recover() ? reconnect : null;
    }

    /** Records the page stream, exactly as sent, to {@code channel} (see page-stream.md, "A captured page stream"). */
    public MigrationSource capture(final WritableByteChannel channel)
    {
        this.capture = channel;
        return this;
    }

    /** Reports progress to {@code listener}. */
    public MigrationSource progress(final MigrationProgress listener)
    {
        this.progress = listener;
        return this;
    }

    /** Seeds the device-state blob. */
    public MigrationSource seed(final long value)
    {
        this.seed = value;
        return this;
    }

    /**
     * Migrates. On return the destination holds the guest and, unless the migration failed, its vCPUs
     * run there. A failure is reported in {@link MigrationResult#error()}, not thrown.
     */
    public final MigrationResult run()
    {
        final long cpu0 = RoleThreads.cpuNanos();
        fillSettings();
        final byte[] deviceState = deviceState();
        startNs = System.nanoTime();
        writesAtStart = writes();
        vcpuWritesAtStart = vcpuWrites();
        startPeer();
        startReturnPath(false);
        Throwable failure = null;
        try
        {
            setup();
            if (options.mode() == MigrationMode.POSTCOPY)
            {
                postcopy(deviceState, "post-copy: switched over at once");
            }
            else
            {
                precopy(deviceState);
            }
            if (!streamFinished)
            {
                finishStream();
            }
        }
        catch (final Throwable t)
        {
            failure = t;
            link.close();
        }
        finally
        {
            stopSenders();
        }
        if (failure != null)
        {
            result.failurePhase = phase.equals("precopy") ? "precopy round " + round : phase;
            resumeIfOwner();
        }
        final long cpu1 = RoleThreads.cpuNanos();
        if (cpu0 >= 0 && cpu1 >= 0)
        {
            result.cpuMigrationMs = (cpu1 - cpu0) / 1e6;
        }
        joinPeer();
        RoleThreads.join(rpThread);
        finish(failure);
        return result;
    }

    /** After COMPLETE: the digests if any, the end of the forward stream, then the destination's SHUT. */
    private void finishStream() throws IOException
    {
        final long[] digests = options.digests() ? sendDigests() : null;
        link.finishSource();
        RoleThreads.join(rpThread);
        if (returnPathFailure != null)
        {
            throw new IOException("return path: " + returnPathFailure.getMessage(), returnPathFailure);
        }
        if (shutCode != 0)
        {
            throw new IOException("destination answered SHUT " + shutCode);
        }
        if (digests != null)
        {
            compareDigests(digests);
        }
        streamFinished = true;
    }

    /** Starts the return-path thread on the current link; after a cut it first reads the received bitmap. */
    private void startReturnPath(final boolean bitmapFirst)
    {
        final MigrationLink on = link;
        receivedBitmap = null;
        receivedBitmapRead = new CountDownLatch(bitmapFirst ? 1 : 0);
        final CountDownLatch read = receivedBitmapRead;
        rpThread = new Thread(() -> readReturnPath(on, bitmapFirst, read), "migration-return-path");
        rpThread.setDaemon(true);
        rpThread.start();
    }

    private void stopSenders()
    {
        if (senders == null)
        {
            return;
        }
        for (final ChannelSender sender : senders)
        {
            if (sender != null)
            {
                sender.stop();
            }
        }
        for (final Thread thread : senderThreads)
        {
            if (thread != null)
            {
                RoleThreads.join(thread);
            }
        }
    }

    /**
     * After a failure: resumes the vCPUs here if this side still owns the guest. The rule, QEMU's: the source
     * owns the guest until the destination has acknowledged (SHUT 0, read by the return-path thread) that it
     * holds every page and the device state; the destination resumes only after it has written that
     * acknowledgement. So a cut before the acknowledgement is read leaves the guest here (the destination
     * never resumed, or its acknowledgement write failed with the cut), and a cut after it leaves the guest
     * there: exactly one side runs it. The one window this cannot close is an acknowledgement written
     * successfully that the link then loses in flight (two-generals: no finite exchange closes it); a {@link
     * FaultyLink} cut fires at one instant that both directions observe, so it never opens that window, and
     * on a real network the acknowledgement is a few bytes written after everything else arrived. In
     * post-copy, once POSTCOPY_RUN has been flushed the guest belongs to the destination (its recovery is
     * post-copy's, not this method's), unless the destination is known never to have resumed it: a cut can
     * lose POSTCOPY_RUN in flight after the source flushed it, and then the destination fails without running
     * the guest. In one process the source waits for the destination to end and looks ({@link
     * #peerNeverResumed}); between two processes it cannot know, so it does not resume, as QEMU's source stays
     * paused: the guest runs nowhere until an operator decides, never on both sides.
     */
    private void resumeIfOwner()
    {
        if (stopNs == 0 || acked || (postcopyRunSent && !peerNeverResumed()))
        {
            return; // never stopped (the vCPUs ran here all along), or the destination owns the guest
        }
        if (workload != null)
        {
            workload.resume(io.livemig.workload.VcpuTarget.of(source));
        }
        resumedHere = true;
    }

    /**
     * In one process: where the guest runs, from the source's view ({@code sourceRuns}) and the destination's.
     * Alone, the source's view: {@code source} or {@code destination}.
     */
    protected String guestRunsOn(final boolean sourceRuns)
    {
        return sourceRuns ? "source" : "destination";
    }

    /** Tells the link (a fault injector acts on it) that the migration enters {@code newPhase}. */
    private void announce(final String newPhase, final long atRound)
    {
        link.phase(newPhase, atRound);
    }

    /** In one process: starts the destination role before the first byte is sent. */
    protected void startPeer()
    {
    }

    /** In one process: whether the destination role has ended (so it will never take a new link). */
    protected boolean peerFailed()
    {
        return false;
    }

    /**
     * In one process: whether the destination role has ended successfully (it applied the whole stream and
     * wrote SHUT 0), so that a cut the source saw afterwards lost nothing.
     */
    protected boolean peerCompleted()
    {
        return false;
    }

    /**
     * In one process: waits (bounded) for the destination role to end after a failure, then whether it never
     * resumed the guest. Alone, false: the source cannot know.
     */
    protected boolean peerNeverResumed()
    {
        return false;
    }

    /** In one process: waits for the destination role to end. */
    protected void joinPeer()
    {
    }

    /**
     * In one process: puts what only the destination measured (resume and completion instants, faults,
     * post-copy rates) into the result. Alone, the source's own view stays (see "Downtime").
     *
     * @return the destination's failure, or null.
     */
    protected Throwable finishPeer(final MigrationResult result, final long startNs, final long stopNs)
    {
        if (switchNs != 0 && stopNs != 0)
        {
            result.downtimeMs = (switchNs - stopNs) / 1e6;
        }
        if (shutNs != 0)
        {
            result.totalMs = (shutNs - startNs) / 1e6;
        }
        return null;
    }

    /** Sends the digests of every page of the stopped source; @return them. */
    private long[] sendDigests() throws IOException
    {
        final long t0 = System.nanoTime();
        final long[] digests = PageDigests.compute(source);
        result.digestHashMs = (System.nanoTime() - t0) / 1e6;
        PageDigests.write(envOut, source.pageSize(), digests);
        envOut.flush();
        return digests;
    }

    private void compareDigests(final long[] mine)
    {
        final long[] theirs = peerDigests;
        PageDigests.compare(mine, theirs, result.mismatchPages, MigrationResult.MAX_MISMATCHES);
        result.verified = result.mismatchPages.isEmpty();
        result.digestAlgorithm = PageDigests.ALGORITHM;
        result.digestPages = mine.length;
        result.digestSource = PageDigests.hex(PageDigests.combine(mine));
        result.digestDestination = PageDigests.hex(PageDigests.combine(theirs));
    }

    private void fillSettings()
    {
        result.mode = options.mode().label();
        result.role = "source";
        result.link = link.name();
        result.policy = options.stopPolicy().label();
        result.memoryBytes = source.size();
        result.pageSize = source.pageSize();
        result.bandwidth = options.bandwidth();
        result.downtimeLimitMs = options.downtimeLimitMs();
    }

    private byte[] deviceState()
    {
        final byte[] state = new byte[options.deviceStateBytes()];
        final SplittableRandom random = new SplittableRandom(seed);
        for (int i = 0; i < state.length; i++)
        {
            state[i] = (byte)random.nextInt();
        }
        return state;
    }

    private void setup() throws IOException
    {
        announce("setup", 0);
        envOut = new ChannelOutput(link.sourceOut(), ENVELOPE_BUFFER_BYTES);
        final WritableByteChannel pages = capture == null ? link.sourceOut() : new TeeChannel(link.sourceOut(), capture);
        final int channels = link.channels();
        final int bufferBytes = Math.max(PAGE_BUFFER_BYTES, PageStreamWriter.requiredBufferBytes(source.pageSize()));
        pageOut = new ChannelOutput(channels > 1 || capture == null ? link.sourceOut() : pages, bufferBytes);
        // With page channels the main channel carries only post-copy's pages, which never use XBZRLE.
        writer = new PageStreamWriter(pageOut, source, PageStreamOptions.defaults()
            .withXbzrle(options.xbzrle() && channels == 1).withXbzrleCacheBytes(options.xbzrleCacheBytes())
            .withLz4(options.lz4()));
        envOut.putInt(MAGIC);
        envOut.putShort(VERSION);
        envOut.putInt(source.pageSize());
        envOut.flush();
        bitmap = new AtomicDirtyBitmap(source.pageCount(), 0);
        scanner = new DirtyScanner(bitmap);
        if (channels > 1)
        {
            startSenders(channels, bufferBytes);
        }
        bitmap.setAll();
        sourceLog.harvestInto(bitmap); // sync 0: from here on the log collects the writes of round 0
        lastSyncNs = System.nanoTime();
        result.setupMs = (lastSyncNs - startNs) / 1e6;
    }

    private void startSenders(final int channels, final int bufferBytes)
    {
        final ChannelPartition partition = new ChannelPartition(source.pageCount(), channels);
        final PageStreamOptions channelOptions = PageStreamOptions.defaults().withXbzrle(options.xbzrle())
            .withXbzrleCacheBytes(partition.cacheBytesPerChannel(options.xbzrleCacheBytes(), source.pageSize()))
            .withLz4(options.lz4());
        senders = new ChannelSender[channels];
        senderThreads = new Thread[channels];
        for (int c = 0; c < channels; c++)
        {
            final WritableByteChannel out = c == 0 && capture != null ?
                new TeeChannel(link.sourceOut(c), capture) : link.sourceOut(c);
            final ChannelOutput channelOut = new ChannelOutput(out, bufferBytes);
            senders[c] = new ChannelSender(c, partition, bitmap, channelOut,
                new PageStreamWriter(channelOut, source, channelOptions, partition));
        }
        for (int c = 0; c < channels; c++)
        {
            senderThreads[c] = new Thread(senders[c], "migration-channel-" + c);
            senderThreads[c].setDaemon(true);
            senderThreads[c].start();
        }
    }

    /** One round over every page channel, then CHANNEL_SYNC on the main channel; @return pages processed. */
    private long sendRoundOnChannels(final boolean allowXbzrle) throws IOException
    {
        final long before = channelPages();
        final long remaining = roundRemaining;
        for (final ChannelSender sender : senders)
        {
            sender.startRound(round, allowXbzrle);
        }
        for (int c = 0; c < senders.length; )
        {
            if (senders[c].awaitRound(CHANNEL_POLL_MS))
            {
                c++;
                continue;
            }
            for (final ChannelSender other : senders)
            {
                other.awaitRound(0); // throws if any channel failed
            }
            roundRemaining = Math.max(0, remaining - (channelPages() - before));
            reportProgress(false);
            checkReturnPath();
        }
        envOut.putByte(SECTION_CHANNEL_SYNC);
        envOut.putInt(channelSyncs++);
        envOut.flush();
        return channelPages() - before;
    }

    private long channelPages()
    {
        long n = 0;
        for (final ChannelSender sender : senders)
        {
            n += sender.pages();
        }
        return n;
    }

    // ---------------------------------------------------------------- pre-copy

    private void precopy(final byte[] deviceState) throws IOException
    {
        final int pageSize = source.pageSize();
        final boolean hybrid = options.mode() == MigrationMode.HYBRID;
        phase = "precopy";
        while (true)
        {
            announce("precopy", round);
            roundRemaining = bitmap.cardinality();
            final long roundStart = System.nanoTime();
            final long wireBefore = wireBytes();
            final long sent = sendRound(options.xbzrle() && round > 0);
            final long roundEnd = System.nanoTime();
            final long roundWire = wireBytes() - wireBefore;
            final long newlyDirty = sourceLog.harvestInto(bitmap);
            final long now = System.nanoTime();
            final double dirtyRate = newlyDirty / Math.max(1e-9, (now - lastSyncNs) / 1e9);
            lastSyncNs = now;
            lastDirtyRate = dirtyRate;
            final long remaining = bitmap.cardinality();
            final double roundSeconds = Math.max(1e-6, (roundEnd - roundStart) / 1e9);
            double bandwidth = roundWire / roundSeconds;
            if (options.bandwidth() > 0)
            {
                bandwidth = roundWire == 0 ? options.bandwidth() : Math.min(bandwidth, options.bandwidth());
            }
            final double threshold = bandwidth * options.downtimeLimitMs() / 1e3;
            final double bytesPerPage = sent == 0 ? pageSize : (double)roundWire / sent;
            final double estimate = remaining * (options.stopPolicy() == StopPolicy.QEMU ? pageSize : bytesPerPage);
            if (dirtyLimit != null && workload != null && !result.dirtyLimitTriggered &&
                (double)newlyDirty * pageSize * 100 > (double)roundWire * options.throttleTrigger())
            {
                result.dirtyLimitTriggered = true; // triggered as auto-converge is, then on until switch-over
                dirtyLimit.start();
            }
            if (options.autoConverge() && workload != null &&
                (double)newlyDirty * pageSize * 100 > (double)roundWire * options.throttleTrigger())
            {
                final int t = workload.throttlePercent();
                workload.setThrottlePercent(t == 0 ? options.throttleInitial() :
                    Math.min(options.throttleMax(), t + options.throttleIncrement()));
            }
            final int throttle = workload == null ? 0 : workload.throttlePercent();
            result.roundStats.add(new RoundStats(round, sent, roundWire, (roundEnd - roundStart) / 1e6, dirtyRate,
                remaining, throttle, bandwidth, estimate, threshold));
            round++;
            roundRemaining = remaining;
            reportProgress(true);
            final String state = String.format(Locale.ROOT,
                "after %d rounds %d pages remain, estimated %.0f bytes vs %.0f (%.1f MB/s x %d ms), dirty rate %.0f pages/s (%.1f MB/s)",
                round, remaining, estimate, threshold, bandwidth / 1e6, options.downtimeLimitMs(), dirtyRate,
                dirtyRate * pageSize / 1e6);
            if (estimate <= threshold)
            {
                result.converged = true;
                stopAndCopy(deviceState, "converged: " + state);
                return;
            }
            final boolean outOfRounds = round >= options.maxRounds();
            final boolean outOfTime = now - startNs >= options.maxTimeMs() * 1_000_000L;
            if (hybrid && (round >= options.postcopyAfterRounds() || outOfRounds || outOfTime))
            {
                postcopy(deviceState, "switched to post-copy: " + state);
                return;
            }
            if (outOfRounds || outOfTime)
            {
                result.converged = false;
                final String limit = "did not converge (" + (outOfRounds ? "max rounds " + options.maxRounds() :
                    "max time " + options.maxTimeMs() + " ms") + ")";
                switch (options.onGiveUp())
                {
                    case STOP:
                        stopAndCopy(deviceState, limit + ", forced stop-and-copy: " + state);
                        return;
                    case POSTCOPY:
                        postcopy(deviceState, limit + ", switched to post-copy: " + state);
                        return;
                    default:
                        result.reason = limit + ", cancelled: the guest stays on the source: " + state;
                        throw new IOException("gave up: " + result.reason);
                }
            }
        }
    }

    /** One iteration: a RAM section holding every page dirty in the migration bitmap, ended by EOS. */
    private long sendRound(final boolean allowXbzrle) throws IOException
    {
        if (senders != null)
        {
            return sendRoundOnChannels(allowXbzrle);
        }
        startRamSection();
        final long sent = sendDirtyPages(allowXbzrle);
        writer.writeEos();
        pageOut.flush();
        return sent;
    }

    /** Opens a RAM section: its envelope byte, MEM_SIZE if the stream has none yet, the round's start. */
    private void startRamSection() throws IOException
    {
        envOut.putByte(SECTION_RAM);
        envOut.flush();
        if (!memSizeSent)
        {
            writer.writeMemSize();
            memSizeSent = true;
        }
        writer.startRound(round);
    }

    /**
     * Sends every page dirty in the migration bitmap, clearing each bit before the page is read (the
     * scanner clears up to 512 units, a word at a time, then {@link PageStreamWriter#writePage} snapshots
     * each page).
     *
     * @return pages processed.
     */
    protected long sendDirtyPages(final boolean allowXbzrle) throws IOException
    {
        final DirtyScanner scanner = this.scanner;
        final PageStreamWriter writer = this.writer;
        final long[] batch = this.batch;
        long sent = 0;
        int n;
        // A word at a time: each batch's bits are all cleared before its first page is read.
        while ((n = scanner.drain(batch)) > 0)
        {
            for (int i = 0; i < n; i++)
            {
                writer.writePage(batch[i], allowXbzrle);
                if ((++sent & 255) == 0)
                {
                    pagesProgress(256);
                }
            }
        }
        return sent;
    }

    /** Progress bookkeeping for {@link #sendDirtyPages} overrides: {@code pages} more were sent. */
    protected final void pagesProgress(final long pages)
    {
        roundRemaining = Math.max(0, roundRemaining - pages);
        reportProgress(false);
        checkReturnPath();
    }

    /** @return the migration bitmap (for {@link #sendDirtyPages} overrides). */
    protected final DirtyLog migrationBitmap()
    {
        return bitmap;
    }

    /** @return the source's dirty log (for {@link #sendDirtyPages} overrides). */
    protected final DirtyLog sourceLog()
    {
        return sourceLog;
    }

    /** @return whether the source's vCPUs have been stopped for the switch-over (for overrides). */
    protected final boolean vcpusStopped()
    {
        return stopNs != 0;
    }

    /** @return the page-stream writer (for {@link #sendDirtyPages} overrides). */
    protected final PageStreamWriter pageWriter()
    {
        return writer;
    }

    private void stopAndCopy(final byte[] deviceState, final String reason) throws IOException
    {
        switchOver("stop-and-copy", reason);
        announce("stop-and-copy", 0);
        reportProgress(true);
        sendRound(options.xbzrle() && round > 0);
        sendDevice(deviceState);
        envOut.putByte(SECTION_COMPLETE);
        envOut.flush();
        switchNs = System.nanoTime();
    }

    /** Stops the vCPUs and takes the last dirty-log sync: what remains is in the bitmap. */
    private void switchOver(final String newPhase, final String reason)
    {
        result.reason = reason;
        phase = newPhase;
        stopVcpus();
        sourceLog.harvestInto(bitmap);
        roundRemaining = bitmap.cardinality();
    }

    private void stopVcpus()
    {
        stopNs = System.nanoTime();
        if (dirtyLimit != null)
        {
            dirtyLimit.close(); // wakes vCPUs asleep in a penalty, so that they stop at once
        }
        if (workload != null)
        {
            workload.pause();
        }
        writesAtStop = writes();
        vcpuWritesAtStop = vcpuWrites();
    }

    /** @return each vCPU's writes so far, or null without a workload. */
    private long[] vcpuWrites()
    {
        if (workload == null)
        {
            return null;
        }
        final long[] writes = new long[workload.writerCount()];
        for (int i = 0; i < writes.length; i++)
        {
            writes[i] = workload.progress(i).getAcquire();
        }
        return writes;
    }

    private void sendDevice(final byte[] deviceState) throws IOException
    {
        final CRC32C crc = new CRC32C();
        crc.update(deviceState, 0, deviceState.length);
        envOut.putByte(SECTION_DEVICE);
        envOut.putInt(deviceState.length);
        envOut.putBytes(deviceState, 0, deviceState.length);
        envOut.putInt((int)crc.getValue());
    }

    // ---------------------------------------------------------------- post-copy

    private void postcopy(final byte[] deviceState, final String reason) throws IOException
    {
        switchOver("postcopy", reason);
        sendDiscard();
        sendDevice(deviceState);
        envOut.putByte(SECTION_POSTCOPY_RUN);
        final Reconnect reconnect = reconnect();
        boolean ramOpen = false;
        while (true)
        {
            try
            {
                if (!ramOpen)
                {
                    startRamSection();
                    postcopyRunSent = true; // flushed: the guest is the destination's now (resumeIfOwner)
                    ramOpen = true;
                    switchNs = System.nanoTime();
                }
                pushAndServe();
                writer.writeEos();
                pageOut.flush();
                envOut.putByte(SECTION_COMPLETE);
                envOut.flush();
                if (reconnect != null)
                {
                    finishStream(); // a cut before SHUT is recovered from like one during the pages
                }
                break;
            }
            catch (final IOException | IllegalStateException ex)
            {
                if (reconnect == null || shutCode > 0)
                {
                    throw ex;
                }
                if (!pauseAndRecover(reconnect, ex))
                {
                    // The destination had every page and wrote SHUT 0 before the cut: it owns the guest, done.
                    postcopyRunSent = true;
                    acked = true;
                    shutCode = 0;
                    streamFinished = true;
                    break;
                }
                postcopyRunSent = true; // the destination took a recovery link: it runs in post-copy
                ramOpen = true;
                if (switchNs == 0)
                {
                    switchNs = System.nanoTime();
                }
            }
        }
        if (options.mode() == MigrationMode.POSTCOPY)
        {
            result.converged = true;
        }
    }

    /**
     * Paused post-copy (see "Post-copy recovery"): takes new links until one brings the destination's received
     * bitmap, then opens a RAM section on it holding exactly the pages the destination lacks.
     *
     * @return true once post-copy goes on over a new link; false when the destination had already ended
     *         successfully (in one process): the cut hit only its acknowledgement, and nothing is missing.
     * @throws IOException naming the cut, when no link brought the bitmap within the timeout.
     */
    private boolean pauseAndRecover(final Reconnect reconnect, final Exception cut) throws IOException
    {
        final long pausedAt = System.nanoTime();
        if (cutNs == 0)
        {
            cutNs = pausedAt;
        }
        final String pausedPhase = phase;
        phase = "postcopy-paused";
        reportProgress(true);
        link.close();
        RoleThreads.join(rpThread);
        final long deadline = pausedAt + options.recoverTimeoutMs() * 1_000_000L;
        Throwable last = cut;
        while (true)
        {
            final MigrationLink next = reconnect.nextWhilePaused(deadline);
            if (next == null && peerCompleted())
            {
                phase = pausedPhase;
                return false;
            }
            if (next == null && peerFailed())
            {
                throw new IOException("post-copy paused after \"" + RoleThreads.describe(cut) + "\", but the destination " +
                    "did not pause: it failed (it had not started post-copy, or could not go on)", cut);
            }
            if (next == null)
            {
                throw new IOException("post-copy paused after \"" + RoleThreads.describe(cut) + "\" was not recovered within " +
                    "the recover timeout of " + options.recoverTimeoutMs() + " ms" +
                    (last == cut ? "" : " (last attempt: " + RoleThreads.describe(last) + ")"), cut);
            }
            retireWriter();
            link = next;
            shutCode = -1;
            shutNs = 0;
            returnPathFailure = null;
            peerDigests = null;
            startReturnPath(true);
            try
            {
                final long[] held = awaitReceivedBitmap(deadline);
                final long resend = markMissing(held);
                final int bufferBytes = Math.max(PAGE_BUFFER_BYTES, PageStreamWriter.requiredBufferBytes(source.pageSize()));
                envOut = new ChannelOutput(next.sourceOut(), ENVELOPE_BUFFER_BYTES);
                pageOut = new ChannelOutput(next.sourceOut(), bufferBytes);
                writer = new PageStreamWriter(pageOut, source, PageStreamOptions.defaults().withLz4(options.lz4()));
                envOut.putInt(MAGIC);
                envOut.putShort(VERSION);
                envOut.putInt(source.pageSize());
                memSizeSent = false;
                startRamSection();
                result.recoveryResentPages = Math.max(0, result.recoveryResentPages) + resend;
                roundRemaining = resend;
                final long took = System.nanoTime() - pausedAt;
                pausedNanos += took;
                maxPauseNanos = Math.max(maxPauseNanos, took);
                result.recoveryPauses++;
                phase = pausedPhase;
                reportProgress(true);
                return true;
            }
            catch (final IOException ex)
            {
                last = ex;
                next.close();
                RoleThreads.join(rpThread);
                backOff(deadline);
            }
        }
    }

    /** Waits a little before the next attempt after a failed one, so a dead peer costs no busy loop. */
    private static void backOff(final long deadlineNs)
    {
        final long left = deadlineNs - System.nanoTime();
        if (left > 0)
        {
            LockSupport.parkNanos(Math.min(left, RECONNECT_BACKOFF_NS));
        }
    }

    /** Keeps the figures of the writer and envelope of a link being given up. */
    private void retireWriter()
    {
        if (writer != null && !retiredWriters.contains(writer))
        {
            retiredWriters.add(writer);
            retiredEnvelopeBytes += envOut.position();
        }
    }

    /** @return the destination's received bitmap, once the return-path thread has read it. */
    private long[] awaitReceivedBitmap(final long deadlineNs) throws IOException
    {
        try
        {
            while (!receivedBitmapRead.await(Math.max(0, Math.min(deadlineNs - System.nanoTime(), RECONNECT_BACKOFF_NS)),
                TimeUnit.NANOSECONDS))
            {
                if (peerFailed())
                {
                    throw new IOException("the destination failed instead of taking the new link");
                }
                if (deadlineNs - System.nanoTime() <= 0)
                {
                    throw new IOException("no received bitmap from the destination within the recover timeout");
                }
            }
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while waiting for the received bitmap", ex);
        }
        final long[] held = receivedBitmap;
        if (held == null)
        {
            final Throwable f = returnPathFailure;
            throw new IOException("return path of the new link: " + (f == null ? "ended" : RoleThreads.describe(f)), f);
        }
        return held;
    }

    /**
     * Makes the migration bitmap exactly the pages not in {@code held}. The source's vCPUs are stopped, so
     * its memory is final: each page is read after its bit is cleared, as always, and it is the same page.
     *
     * @return the pages to send.
     */
    private long markMissing(final long[] held)
    {
        final long pages = bitmap.size();
        bitmap.clearRange(0, pages);
        for (int i = 0; i < held.length; i++)
        {
            long missing = ~held[i];
            if (i == held.length - 1 && (pages & 63) != 0)
            {
                missing &= (1L << (pages & 63)) - 1;
            }
            if (missing != 0)
            {
                bitmap.orWord(i, missing);
            }
        }
        scanner.seek(0);
        return bitmap.cardinality();
    }

    /** DISCARD: every run of pages dirty in the bitmap, which the destination must fetch again. */
    private void sendDiscard() throws IOException
    {
        final long pages = bitmap.size();
        int runs = 0;
        for (long u = bitmap.nextDirty(0); u >= 0; u = bitmap.nextDirty(runEnd(u, pages)))
        {
            runs++;
        }
        envOut.putByte(SECTION_DISCARD);
        envOut.putInt(runs);
        for (long u = bitmap.nextDirty(0); u >= 0; )
        {
            final long end = runEnd(u, pages);
            envOut.putLong(u);
            envOut.putInt((int)(end - u));
            u = bitmap.nextDirty(end);
        }
    }

    /** @return the first clean unit after {@code u}, runs capped at 2^31 pages. */
    private long runEnd(final long u, final long pages)
    {
        long end = u + 1;
        while (end < pages && end - u < Integer.MAX_VALUE && bitmap.isDirty(end))
        {
            end++;
        }
        return end;
    }

    private void pushAndServe() throws IOException
    {
        final DirtyScanner scanner = this.scanner;
        final PageStreamWriter writer = this.writer;
        long pushed = 0;
        while (true)
        {
            if (serveRequests())
            {
                pageOut.flush();
            }
            final long unit = scanner.next();
            if (unit < 0)
            {
                break;
            }
            writer.writePage(unit, false);
            result.pushedPages++;
            pushed++;
            roundRemaining--;
            if ((pushed & 255) == 0)
            {
                reportProgress(false);
                checkReturnPath();
            }
        }
    }

    /** Sends the pages faults asked for, each with its pre-paging window; @return whether any was sent. */
    private boolean serveRequests() throws IOException
    {
        final long pages = bitmap.size();
        final int window = options.prepageWindow();
        boolean any = false;
        long page;
        while ((page = requests.poll()) >= 0)
        {
            if (!postcopyAnnounced)
            {
                // The "postcopy" phase of a fault plan: a page request proves the destination runs the guest in
                // post-copy, so a fault here hits post-copy itself, not the switch to it.
                postcopyAnnounced = true;
                announce("postcopy", 0);
            }
            if (bitmap.testAndClear(page))
            {
                writer.writePage(page, false);
                result.requestedPages++;
                roundRemaining--;
                any = true;
            }
            final long lo = Math.max(0, page - window / 2);
            final long hi = Math.min(pages, lo + window + 1);
            for (long p = lo; p < hi; p++)
            {
                if (p != page && bitmap.testAndClear(p))
                {
                    writer.writePage(p, false);
                    result.prepagedPages++;
                    roundRemaining--;
                    any = true;
                }
            }
            // Continue the background push after the fault, as QEMU's page search does.
            scanner.seek(hi < pages ? hi : 0);
        }
        return any;
    }

    /**
     * The return-path thread of {@code on}: after a cut first the received bitmap (handed over through {@code
     * bitmapRead}), then page requests to the queue; SHUT ends it.
     */
    private void readReturnPath(final MigrationLink on, final boolean bitmapFirst,
                                final CountDownLatch bitmapRead)
    {
        final ChannelInput in = new ChannelInput(on.sourceIn(), 4096);
        final ReturnPathReader reader = new ReturnPathReader(in);
        final long size = source.size();
        final int pageSize = source.pageSize();
        try
        {
            if (bitmapFirst)
            {
                receivedBitmap = ReceivedBitmap.read(in, source.pageCount());
                bitmapRead.countDown();
            }
            ReturnPathMessage m;
            while ((m = reader.read()) != null)
            {
                if (m.isPageRequest())
                {
                    final long offset = m.offset();
                    final long length = m.byteLength() & 0xFFFF_FFFFL;
                    if (!source.blockName().equals(m.block()) || (offset & (pageSize - 1)) != 0 || length == 0 ||
                        offset < 0 || offset >= size || length > size - offset)
                    {
                        throw new IOException("bad page request at return-path offset " + m.streamOffset() + ": " + m);
                    }
                    for (long p = offset / pageSize, end = (offset + length + pageSize - 1) / pageSize; p < end; p++)
                    {
                        requests.offer(p);
                    }
                }
                else
                {
                    shutNs = System.nanoTime();
                    shutCode = m.errorCode();
                    acked = shutCode == 0;
                    if (shutCode == 0 && options.digests())
                    {
                        peerDigests = PageDigests.read(in, source.pageSize(), source.pageCount());
                    }
                    return;
                }
            }
            throw new IOException("return path ended without SHUT");
        }
        catch (final Throwable t)
        {
            returnPathFailure = t;
        }
        finally
        {
            bitmapRead.countDown();
        }
    }

    private void checkReturnPath()
    {
        final int code = shutCode;
        if (code > 0 || returnPathFailure != null)
        {
            throw new IllegalStateException("destination failed during migration (SHUT " + code + ")" +
                (returnPathFailure == null ? "" : ": " + returnPathFailure.getMessage()));
        }
    }

    // ---------------------------------------------------------------- results

    private long wireBytes()
    {
        final boolean current = !retiredWriters.contains(writer); // a retired writer until the next link's
        long bytes = (current ? writer.stats().wireBytes() + envOut.position() : 0) + retiredEnvelopeBytes;
        for (final PageStreamWriter w : retiredWriters)
        {
            bytes += w.stats().wireBytes();
        }
        if (senders != null)
        {
            for (final ChannelSender sender : senders)
            {
                bytes += sender.writer().stats().wireBytes();
            }
        }
        return bytes;
    }

    private long writes()
    {
        return workload == null ? 0 : workload.writes();
    }

    private void reportProgress(final boolean force)
    {
        final long now = System.nanoTime();
        if (!force && now - lastProgressNs < PROGRESS_INTERVAL_NS)
        {
            return;
        }
        lastProgressNs = now;
        final double seconds = Math.max(1e-9, (now - startNs) / 1e9);
        progress.onProgress(phase, round, Math.max(0, roundRemaining), lastDirtyRate, wireBytes() / seconds,
            workload == null ? 0 : workload.throttlePercent());
    }

    private void finish(final Throwable failure)
    {
        if (dirtyLimit != null)
        {
            dirtyLimit.close();
        }
        result.dirtyLimitBytesPerSecond = options.dirtyLimit();
        result.autoConverge = options.autoConverge();
        if (cutNs != 0)
        {
            result.recoveryCutAtMs = (cutNs - startNs) / 1e6;
            result.recoveryPausedMs = pausedNanos / 1e6;
            result.recoveryMaxPauseMs = maxPauseNanos / 1e6;
            result.recoveryResentPages = Math.max(0, result.recoveryResentPages);
        }
        final Throwable destFailure = finishPeer(result, startNs, stopNs);
        if (failure != null || destFailure != null)
        {
            // Both sides, when both failed: one side's failure usually breaks the other's link.
            result.error = (failure == null ? "" : "source: " + RoleThreads.describe(failure)) +
                (failure != null && destFailure != null ? "; " : "") +
                (destFailure == null ? "" : "destination: " + RoleThreads.describe(destFailure));
        }
        if (result.error != null)
        {
            result.converged = false;
            result.status = MigrationResult.FAILED;
            result.failureReason = result.error;
            if (result.totalMs == 0)
            {
                result.totalMs = (System.nanoTime() - startNs) / 1e6; // a failed run's time: until it failed
            }
            if (result.failurePhase == null)
            {
                result.failurePhase = phase.equals("precopy") ? "precopy round " + round : phase;
            }
        }
        result.downtimeOverLimit = result.downtimeMs > options.downtimeLimitMs();
        result.guestRunsOn = guestRunsOn(resumedHere || (result.error != null && stopNs == 0));
        result.rounds = result.roundStats.size();
        if (writer != null)
        {
            result.wireBytes = wireBytes();
            final PageStreamWriter[] writers = writers();
            long lookups = 0;
            long xbzrlePages = 0;
            long xbzrleBytes = 0;
            for (final PageStreamWriter w : writers)
            {
                for (final PageKind kind : PageKind.values())
                {
                    result.pages[kind.ordinal()] += w.stats().pages(kind);
                }
                final XbzrleStats x = w.xbzrleStats();
                if (x != null)
                {
                    lookups += x.lookups();
                    xbzrlePages += x.pages();
                    xbzrleBytes += x.bytes();
                    result.xbzrleCacheMiss += x.cacheMiss();
                    result.xbzrleOverflow += x.overflow();
                }
            }
            result.xbzrleCacheMissRate = lookups == 0 ? 0.0 : (double)result.xbzrleCacheMiss / lookups;
            result.xbzrleEncodingRate = xbzrlePages == 0 || xbzrleBytes == 0 ? 0.0 :
                (double)xbzrlePages * source.pageSize() / xbzrleBytes;
            result.channels = link.channels();
            result.cpuSendersMs = 0;
            if (senders != null)
            {
                for (final ChannelSender sender : senders)
                {
                    result.cpuSendersMs += Math.max(0, sender.cpuNanos()) / 1e6;
                }
                result.channelBytes = new long[senders.length];
                for (int c = 0; c < senders.length; c++)
                {
                    result.channelBytes[c] = senders[c].writer().stats().wireBytes();
                }
            }
        }
        result.throttlePercent = workload == null ? 0 : workload.throttlePercent();
        if (workload != null)
        {
            workload.setThrottlePercent(0); // as QEMU stops the CPU throttle once migration ends
        }
        if (stopNs > startNs && workload != null)
        {
            result.writesPerSecDuring = (writesAtStop - writesAtStart) / ((stopNs - startNs) / 1e9);
            result.vcpuWritesPerSecDuring = MigrationResult.rates(vcpuWritesAtStart, vcpuWritesAtStop, stopNs - startNs);
        }
    }

    /** @return the main channel's writer, then each page channel's, then those of links given up after cuts. */
    private PageStreamWriter[] writers()
    {
        final List<PageStreamWriter> all = new ArrayList<>();
        if (!retiredWriters.contains(writer))
        {
            all.add(writer);
        }
        for (int c = 0; senders != null && c < senders.length; c++)
        {
            all.add(senders[c].writer());
        }
        all.addAll(retiredWriters);
        return all.toArray(new PageStreamWriter[0]);
    }

    /** @return the migration's settings. */
    protected final MigrationOptions options()
    {
        return options;
    }
}
