package io.livemig.migration.source;

import io.livemig.dirty.AtomicDirtyBitmap;
import io.livemig.dirty.DirtyLog;
import io.livemig.dirty.DirtyScanner;
import io.livemig.memory.GuestMemory;
import io.livemig.migration.channel.SenderChannels;
import io.livemig.migration.link.MigrationLink;
import io.livemig.migration.link.TeeChannel;
import io.livemig.migration.options.MigrationOptions;
import io.livemig.migration.options.MigrationProgress;
import io.livemig.migration.postcopy.RequestQueue;
import io.livemig.migration.result.MigrationResult;
import io.livemig.migration.throttle.DirtyLimit;
import io.livemig.stream.ChannelOutput;
import io.livemig.stream.PageStreamOptions;
import io.livemig.stream.write.PageStreamWriter;
import io.livemig.workload.GuestWorkload;

import java.io.IOException;
import java.nio.channels.WritableByteChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

import static io.livemig.migration.wire.MigrationEnvelopeDescriptor.MAGIC;
import static io.livemig.migration.wire.MigrationEnvelopeDescriptor.SECTION_RAM;
import static io.livemig.migration.wire.MigrationEnvelopeDescriptor.VERSION;

/**
 * What one run of the source role shares among its phases ({@link SourceSetup}, {@link PrecopyRounds}, {@link
 * SwitchOver}, {@link PostcopyPush}, {@link SourceRecovery}, {@link SourceFigures}): the guest and its log, the
 * link with its envelope and page-stream outputs, the migration bitmap, the page channels, the round and the
 * instants the result is made of.
 *
 * <p>Not thread-safe: the source's migration thread owns it. The return path's state is {@link
 * SourceReturnPath}'s; the page channels' is {@link SenderChannels}'.
 */
final class SourceSession
{
    private static final int ENVELOPE_BUFFER_BYTES = 64 << 10;
    /** Small: a post-copy request waits behind at most this much push. */
    private static final int PAGE_BUFFER_BYTES = 64 << 10;
    private static final long PROGRESS_INTERVAL_NS = 250_000_000L;

    final MigrationOptions options;
    final GuestMemory memory;
    final DirtyLog log;
    final GuestWorkload workload;
    final MigrationResult result = new MigrationResult();
    final RequestQueue requests = new RequestQueue(4096);
    final SourceReturnPath returnPath;
    /** Post-copy's preempt connection, or null without one. */
    final PreemptSender preempt;
    final DirtyLimit dirtyLimit;
    WritableByteChannel capture;
    MigrationProgress progress = (phase, round, remaining, dirty, wire, throttle) -> { };

    MigrationLink link;
    ChannelOutput envOut;
    ChannelOutput pageOut;
    PageStreamWriter writer;
    boolean memSizeSent;
    /** Writers of links given up after a cut, and the envelope bytes sent on them: their figures still count. */
    final List<PageStreamWriter> retiredWriters = new ArrayList<>();
    long retiredEnvelopeBytes;

    AtomicDirtyBitmap bitmap;
    DirtyScanner scanner;
    /** The page channels, or null with one channel. */
    SenderChannels channels;
    int channelSyncs;

    String phase = "setup";
    long round;
    long roundRemaining;
    double lastDirtyRate;
    long lastProgressNs;
    long lastSyncNs;
    long startNs;
    /** When the vCPUs were asked to stop, 0 while they run. */
    long stopNs;
    /** When the last byte before the destination may resume was flushed. */
    long switchNs;
    long writesAtStart;
    long writesAtStop;
    long[] vcpuWritesAtStart;
    long[] vcpuWritesAtStop;
    /** POSTCOPY_RUN has been flushed: the guest may run on the destination from then on. */
    boolean postcopyRunSent;
    /** This role resumed its vCPUs on the source after a failure during the switch-over. */
    boolean resumedHere;
    /** The forward stream ended and the destination's SHUT 0 (and digests) were read. */
    boolean streamFinished;
    long cutNs;
    long pausedNanos;
    long maxPauseNanos;
    /** Whether {@link #announcePostcopy} has announced; set by the return-path thread. */
    private final AtomicBoolean postcopyAnnounced = new AtomicBoolean();

    SourceSession(final MigrationOptions options, final GuestMemory memory, final DirtyLog log,
        final GuestWorkload workload, final MigrationLink link, final DirtyLimit dirtyLimit)
    {
        this.options = options;
        this.memory = memory;
        this.log = log;
        this.workload = workload;
        this.link = link;
        this.dirtyLimit = dirtyLimit;
        this.preempt = link.preempt() ? new PreemptSender(this, requests) : null;
        this.returnPath = new SourceReturnPath(memory, requests, preempt, options.digests(), this::announcePostcopy);
    }

    /** Tells the link (a fault injector acts on it) that the migration enters {@code newPhase}. */
    void announce(final String newPhase, final long atRound)
    {
        link.phase(newPhase, atRound);
    }

    /**
     * The {@code postcopy} phase, once: the return-path thread calls it as it reads each page request, before
     * the request is served, since only a destination that runs the guest asks for a page. Announced there,
     * and not where the request is served, it comes for certain: a push that claims the page first, or ends
     * before the request is served, cannot skip it.
     */
    void announcePostcopy()
    {
        if (!postcopyAnnounced.get() && postcopyAnnounced.compareAndSet(false, true))
        {
            announce("postcopy", 0);
        }
    }

    /** @return the output buffer of a page stream: small, so that a post-copy request waits behind little. */
    int pageBufferBytes()
    {
        return Math.max(PAGE_BUFFER_BYTES, PageStreamWriter.requiredBufferBytes(memory.pageSize()));
    }

    /**
     * Opens the envelope and page-stream outputs on the current link. The first link's page stream is captured
     * (with one channel) and uses XBZRLE (with one channel: with page channels the main channel carries only
     * post-copy's pages, which never use it); a recovery link's is neither.
     */
    void openStreams(final boolean first)
    {
        final int channelCount = link.channels();
        envOut = new ChannelOutput(link.sourceOut(), ENVELOPE_BUFFER_BYTES);
        final WritableByteChannel pages = first && capture != null && channelCount == 1 ?
            new TeeChannel(link.sourceOut(), capture) : link.sourceOut();
        pageOut = new ChannelOutput(pages, pageBufferBytes());
        PageStreamOptions stream = PageStreamOptions.defaults().withLz4(options.lz4());
        if (first)
        {
            stream = stream.withXbzrle(options.xbzrle() && channelCount == 1)
                .withXbzrleCacheBytes(options.xbzrleCacheBytes());
        }
        writer = new PageStreamWriter(pageOut, memory, stream);
        memSizeSent = false;
    }

    /** Writes the envelope's header: magic, version, page size. */
    void writeEnvelopeHeader() throws IOException
    {
        envOut.putInt(MAGIC);
        envOut.putShort(VERSION);
        envOut.putInt(memory.pageSize());
    }

    /** Opens a RAM section: its envelope byte, MEM_SIZE if the stream has none yet, the round's start. */
    void startRamSection() throws IOException
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

    /** Keeps the figures of the writer and envelope of a link being given up. */
    void retireWriter()
    {
        if (writer != null && !retiredWriters.contains(writer))
        {
            retiredWriters.add(writer);
            retiredEnvelopeBytes += envOut.position();
        }
    }

    /** @return the main channel's writer, then each page channel's, then those of links given up after cuts. */
    PageStreamWriter[] writers()
    {
        final List<PageStreamWriter> all = new ArrayList<>();
        if (!retiredWriters.contains(writer))
        {
            all.add(writer);
        }
        if (channels != null)
        {
            all.addAll(List.of(channels.writers()));
        }
        if (preempt != null)
        {
            all.addAll(preempt.writers());
        }
        all.addAll(retiredWriters);
        return all.toArray(new PageStreamWriter[0]);
    }

    /** @return every byte sent so far: envelopes, page streams of every channel and of links given up. */
    long wireBytes()
    {
        final boolean current = !retiredWriters.contains(writer); // a retired writer until the next link's
        long bytes = (current ? writer.stats().wireBytes() + envOut.position() : 0) + retiredEnvelopeBytes;
        for (final PageStreamWriter w : retiredWriters)
        {
            bytes += w.stats().wireBytes();
        }
        if (preempt != null)
        {
            bytes += preempt.wireBytes();
        }
        return channels == null ? bytes : bytes + channels.wireBytes();
    }

    /** Progress bookkeeping of a send loop: {@code pages} more were sent; reports and checks the return path. */
    void pagesSent(final long pages)
    {
        roundRemaining = Math.max(0, roundRemaining - pages);
        reportProgress(false);
        returnPath.check();
    }

    void reportProgress(final boolean force)
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

    /** @return where the migration is, as a failure reports it: {@code precopy round K} or the phase. */
    String failurePhase()
    {
        return phase.equals("precopy") ? "precopy round " + round : phase;
    }

    long writes()
    {
        return workload == null ? 0 : workload.writes();
    }

    /** @return each vCPU's writes so far, or null without a workload. */
    long[] vcpuWrites()
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
}
