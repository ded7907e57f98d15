package io.livemig.migration.destination;

import io.livemig.kernel.FaultingGuest;
import io.livemig.memory.GuestMemory;
import io.livemig.memory.PagePlacer;
import io.livemig.migration.channel.ChannelReceiver;
import io.livemig.migration.channel.RoundBarrier;
import io.livemig.migration.link.MigrationLink;
import io.livemig.migration.link.Reconnect;
import io.livemig.migration.link.RoleThreads;
import io.livemig.migration.postcopy.KernelPostcopyGate;
import io.livemig.migration.postcopy.PostcopyGate;
import io.livemig.migration.result.MigrationResult;
import io.livemig.migration.wire.PageDigests;
import io.livemig.stream.ChannelInput;
import io.livemig.stream.ChannelOutput;
import io.livemig.stream.ChannelPartition;
import io.livemig.stream.PageKind;
import io.livemig.stream.PageStreamException;
import io.livemig.stream.PageStreamReader;
import io.livemig.workload.GuestWorkload;
import io.livemig.workload.VcpuTarget;
import org.HdrHistogram.Histogram;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.zip.CRC32C;

import static io.livemig.migration.wire.MigrationEnvelopeDescriptor.*;

/**
 * The destination role of a migration, run on its own thread: reads the envelope strictly (see {@link
 * MigrationEnvelopeDescriptor}), applies the page stream to destination memory, checks the device state,
 * resumes the guest's vCPUs on the destination (at COMPLETE for pre-copy, at POSTCOPY_RUN for post-copy)
 * and answers SHUT on the return path: 0 when every page arrived, 1 on any failure. It knows the source
 * only through the link: alone it is {@code scripts/migrate --listen}'s engine, in one process {@link
 * Migration} runs it beside a {@link io.livemig.migration.source.MigrationSource}.
 *
 * <h2>Digests</h2>
 * With digests on (both sides agree on it in the handshake), every page is hashed ({@link PageDigests}) at
 * the last instant before a vCPU may write it here: for pre-copy at COMPLETE, before the resume (the hash
 * is part of the downtime); for post-copy at POSTCOPY_RUN for the pages present, and each missing page as
 * it arrives, before the gate lets a vCPU touch it. After COMPLETE it reads the source's digests, compares,
 * and after SHUT 0 sends its own on the return path.
 *
 * <h2>Page channels</h2>
 * With several page channels ({@link MigrationLink#channels()} &gt; 1) a {@code migration-receive-N} thread per
 * channel ({@link ChannelReceiver}) applies that channel's page stream; all readers share one set of
 * written bits (their pages are disjoint stripes, {@link io.livemig.stream.ChannelPartition}). The
 * {@link RoundBarrier} lets no channel apply round {@code k + 1} before every channel applied round {@code
 * k}; each CHANNEL_SYNC on the main channel announces one more round, and before any other section (DISCARD,
 * DEVICE, POSTCOPY_RUN, post-copy's RAM, COMPLETE) this thread waits until every channel applied every round
 * announced, so the guest never resumes, and post-copy never starts, ahead of a channel. At the end every
 * channel must have ended cleanly after exactly the rounds announced.
 *
 * <h2>Switch-over and failure</h2>
 * At a pre-copy COMPLETE this role first writes SHUT 0, the acknowledgement that it holds every page and the
 * device state, and only then resumes the vCPUs: until the source has read it the source owns the guest (see
 * {@link io.livemig.migration.source.MigrationSource}, "A broken link"). A failure before the resume discards the partial guest (the
 * memory is zeroed, as a retry's destination must start), and the result says {@code failed}, the phase this
 * side saw (setup, precopy, stop-and-copy from DEVICE, postcopy from DISCARD) and {@code guestRunsOn: source}.
 * A check that fails after the acknowledgement (the page channels' round count, bytes after COMPLETE) fails
 * this side only: the guest already runs here.
 *
 * <h2>Post-copy recovery</h2>
 * With {@link #recover(Reconnect, long)} set, a failure of the link after POSTCOPY_RUN does not fail the
 * migration: the role pauses ({@code postcopy-paused}). The vCPUs on pages present here keep running; those
 * that touch a missing page stay parked ({@link PostcopyGate}). It waits for a new link from its {@link
 * Reconnect}, sends on the new return path which pages it holds ({@link io.livemig.migration.wire.ReceivedBitmap}), asks again for the
 * pages its vCPUs wait for, and reads the source's new forward stream: the envelope header, then a RAM section
 * with every page still absent, COMPLETE and (with digests) the digests, as after an uncut post-copy. A cut
 * during recovery pauses again. If no new link brings the header within the timeout of a pause, the
 * migration fails with the reason and the parked vCPUs are released. A page record cut short never wrote a
 * page it had not checked whole, and a page only becomes present after it was written whole, so what the
 * destination holds at the cut is exactly what it reports.
 *
 * <h2>Kernel page faults</h2>
 * When the memory is a {@link FaultingGuest}'s (userfaultfd MISSING mode, {@code --faults kernel}), its
 * {@link GuestMemory#placer()} says so: the gate is a {@link KernelPostcopyGate}, the vCPUs resume without a
 * software gate and block in the kernel on a missing page, and the readers place every page through the
 * guest's ioctls (never a plain store into registered memory).
 *
 * <p>Thread-safety: {@link #run()} once, on one thread. The instants, the failure and the verdict are
 * volatile, read by others after joining this thread (which also orders them).
 */
public final class MigrationDestination implements Runnable
{
    private static final int RP_BUFFER_BYTES = 4096;

    private volatile MigrationLink link;
    private final GuestMemory memory;
    private final GuestWorkload workload;
    private final GuestMemory mirror;
    private ChannelOutput rpOut;
    private Reconnect reconnect;
    private long recoverTimeoutMs;
    private boolean memSize;
    private boolean discarded;
    private boolean device;
    private volatile int pauses;
    private volatile long pausedNanos;
    private volatile long maxPauseNanos;
    private volatile long cutNs;
    private final PostcopyGate gate;
    private final long[] digests;
    private final byte[] scratch;
    private final MigrationResult result = new MigrationResult();
    private final int channels;
    private RoundBarrier barrier;
    private ChannelReceiver[] receivers;
    private Thread[] receiverThreads;
    private int announced;
    private volatile double cpuMs = Double.NaN;
    private volatile double receiversCpuMs = Double.NaN;
    private volatile long startNs;
    private volatile long wireBytes;
    private volatile PageStreamReader reader;
    /** Every main-channel reader, one per link: their stats add up. */
    private final List<PageStreamReader> readers = new CopyOnWriteArrayList<>();
    /** Time spent hashing, on the stream thread only. */
    private long hashNanos;

    private volatile long resumeNs;
    private volatile long completeNs;
    /** When this role ended, successfully or not. */
    private volatile long endNs;
    volatile long writesAtResume;
    volatile long writesAtComplete;
    private volatile Throwable failure;
    private volatile boolean postcopyStarted;
    /** Where the stream was as this side saw it: setup, precopy, stop-and-copy (from DEVICE), postcopy. */
    volatile String phase = "setup";
    /** SHUT has been written: with 0 at a pre-copy COMPLETE it is the acknowledgement that hands the guest over. */
    private boolean shutSent;
    /** The partial guest was discarded after a failure before resume. */
    volatile boolean guestDiscarded;

    /** A destination that exchanges no digests: see the full constructor. */
    public MigrationDestination(
        final MigrationLink link, final GuestMemory memory, final GuestWorkload workload, final GuestMemory mirror)
    {
        this(link, memory, workload, mirror, false);
    }

    /**
     * @param link     the connection (only its destination ends are used).
     * @param memory   empty (all zero) memory of the source's shape.
     * @param workload the guest's vCPUs to resume here, or null for an idle guest.
     * @param mirror   the source memory when destination writes are mirrored for verification, else null.
     * @param digests  whether to exchange page digests after COMPLETE (not with a mirror).
     */
    public MigrationDestination(
        final MigrationLink link, final GuestMemory memory, final GuestWorkload workload, final GuestMemory mirror,
        final boolean digests)
    {
        if (digests && mirror != null)
        {
            throw new IllegalArgumentException("digests need the source as it was at the stop: no mirror");
        }
        this.digests = digests ? new long[Math.toIntExact(memory.pageCount())] : null;
        this.scratch = digests ? new byte[memory.pageSize()] : null;
        this.link = link;
        this.channels = link.channels();
        this.memory = memory;
        this.workload = workload;
        this.mirror = mirror;
        this.rpOut = new ChannelOutput(link.destinationOut(), RP_BUFFER_BYTES);
        this.gate = memory.placer() instanceof FaultingGuest kernel ?
            new KernelPostcopyGate(kernel, memory.pageSize(), memory.blockName(), rpOut) :
            new PostcopyGate(memory.pageCount(), memory.pageSize(), memory.blockName(),
                workload == null ? 1 : workload.writerCount(), rpOut);
    }

    PostcopyGate gate()
    {
        return gate;
    }

    /**
     * Lets a cut after POSTCOPY_RUN pause the migration and recover over a new link (see "Post-copy
     * recovery"). Call before {@link #run()}.
     *
     * @param reconnect where new links come from.
     * @param timeoutMs how long one pause may last before the migration fails.
     * @return this.
     */
    public MigrationDestination recover(final Reconnect reconnect, final long timeoutMs)
    {
        if (channels > 1)
        {
            throw new IllegalArgumentException("post-copy recovery needs one channel: post-copy's pages travel on " +
                "the main channel, but the page channels would have to be joined again too");
        }
        if (timeoutMs <= 0)
        {
            throw new IllegalArgumentException("recover timeout must be positive: " + timeoutMs);
        }
        this.reconnect = reconnect;
        this.recoverTimeoutMs = timeoutMs;
        gate.recoverable(true);
        return this;
    }

    /** @return when this role resumed the guest's vCPUs (System.nanoTime), or 0 if it has not. */
    public long resumeNs()
    {
        return resumeNs;
    }

    /** @return when this role completed (every page here), or 0 if it has not. */
    public long completeNs()
    {
        return completeNs;
    }

    /** @return why this role failed, or null. Read after the role's thread has ended, which orders it. */
    public Throwable failure()
    {
        return failure;
    }

    /** @return whether POSTCOPY_RUN has been read: the guest runs here in post-copy. */
    public boolean postcopyStarted()
    {
        return postcopyStarted;
    }

    /** @return whether this role is paused in post-copy, waiting for a new link. */
    public boolean paused()
    {
        return paused;
    }

    private volatile boolean paused;

    @Override
    public void run()
    {
        final long cpu0 = RoleThreads.cpuNanos();
        try
        {
            runRole();
        }
        finally
        {
            final long cpu1 = RoleThreads.cpuNanos();
            cpuMs = cpu0 >= 0 && cpu1 >= 0 ? (cpu1 - cpu0) / 1e6 : Double.NaN;
            double sum = 0;
            for (int c = 0; c < receivers(); c++)
            {
                sum += receivers[c] == null ? 0 : Math.max(0, receivers[c].cpuNanos()) / 1e6;
            }
            receiversCpuMs = sum;
        }
    }

    private int receivers()
    {
        return receivers == null ? 0 : receivers.length;
    }

    /** Puts the destination's CPU times into {@code r}. */
    public void cpuFigures(final MigrationResult r)
    {
        r.cpuDestinationMs = cpuMs;
        r.cpuReceiversMs = receiversCpuMs;
    }

    private void runRole()
    {
        startNs = System.nanoTime();
        ChannelInput in = input(link);
        long bytesBefore = 0;
        try
        {
            while (true)
            {
                try
                {
                    receive(in);
                    finishChannels();
                    if (!shutSent)
                    {
                        shutSent = true;
                        gate.shut(0);
                    }
                    if (digests != null)
                    {
                        gate.writeDigests(memory.pageSize(), digests);
                    }
                    break;
                }
                catch (final IOException ex)
                {
                    if (reconnect == null || !postcopyStarted)
                    {
                        throw ex;
                    }
                    bytesBefore += in.position();
                    in = pauseAndRecover(ex);
                }
            }
        }
        catch (final Throwable t)
        {
            failure = t;
            gate.cancel();
            try
            {
                if (!shutSent)
                {
                    shutSent = true;
                    gate.shut(1);
                }
            }
            catch (final IOException | RuntimeException ignored)
            {
                // The return path failed too; the source learns of the failure from the broken link.
            }
            if (barrier != null)
            {
                barrier.fail(t);
            }
            try
            {
                link.destinationIn().close();
                for (int c = 0; receivers != null && c < channels; c++)
                {
                    link.destinationIn(c).close();
                }
            }
            catch (final IOException ignored)
            {
                // Closing only to unblock the source's writes.
            }
        }
        finally
        {
            joinReceivers();
            endNs = System.nanoTime();
            if (failure != null && resumeNs == 0)
            {
                // The guest never ran here: what arrived is a partial copy, worth nothing; a retry starts from zero.
                memory.fill(0, memory.size(), (byte)0);
                guestDiscarded = true;
            }
            long bytes = bytesBefore + in.position();
            for (int c = 0; receivers != null && c < receivers.length; c++)
            {
                bytes += receivers[c] == null ? 0 : receivers[c].position();
            }
            wireBytes = bytes;
            try
            {
                link.finishDestination();
            }
            catch (final IOException ignored)
            {
                // The source reads to the end or fails on its own; nothing to add here.
            }
        }
    }

    private ChannelInput input(final MigrationLink from)
    {
        return new ChannelInput(from.destinationIn(),
            Math.max(256 << 10, PageStreamReader.requiredBufferBytes(memory.pageSize())));
    }

    /**
     * Paused post-copy: waits for new links until one carries the source's header, then reports what is here
     * on it. @return the new forward stream, its header read.
     *
     * @throws IOException naming the cut, when no link brought the header within the timeout.
     */
    private ChannelInput pauseAndRecover(final IOException cut) throws IOException
    {
        final long pausedAt = System.nanoTime();
        if (cutNs == 0)
        {
            cutNs = pausedAt;
        }
        paused = true;
        gate.pause(pausedAt);
        link.close();
        final long deadline = pausedAt + recoverTimeoutMs * 1_000_000L;
        IOException last = cut;
        while (true)
        {
            final MigrationLink next = reconnect.nextWhilePaused(deadline);
            if (next == null)
            {
                throw new IOException("post-copy paused after \"" + RoleThreads.describe(cut) + "\" was not " +
                    "recovered within the recover timeout of " + recoverTimeoutMs + " ms" +
                    (last == cut ? "" : " (last attempt: " + RoleThreads.describe(last) + ")"), cut);
            }
            link = next;
            try
            {
                rpOut = new ChannelOutput(next.destinationOut(), RP_BUFFER_BYTES);
                gate.reattach(rpOut);
                final ChannelInput in = input(next);
                readHeader(in);
                final PageStreamReader previous = reader;
                final PageStreamReader r = new PageStreamReader(in, memory);
                r.destinationStartsZero(previous.writtenBits());
                r.setListener(digests == null ? gate : this::onPageDigest);
                placeThroughDigests(r);
                reader = r;
                readers.add(r);
                memSize = false;
                final long took = System.nanoTime() - pausedAt;
                pausedNanos += took;
                maxPauseNanos = Math.max(maxPauseNanos, took);
                pauses++;
                paused = false;
                return in;
            }
            catch (final IOException ex)
            {
                last = ex;
                next.close();
            }
        }
    }

    /** With kernel faults and digests: each page is hashed before it is placed (a vCPU may write it at once). */
    private void placeThroughDigests(final PageStreamReader reader)
    {
        if (digests != null && kernelFaults())
        {
            reader.placeThrough(new DigestingPlacer(memory.placer()));
        }
    }

    private void receive(final ChannelInput in) throws IOException
    {
        PageStreamReader reader = this.reader;
        if (reader == null)
        {
            readHeader(in);
            startNs = System.nanoTime(); // the source may prepare its guest for a while after the handshake
            reader = new PageStreamReader(in, memory);
            this.reader = reader;
            readers.add(reader);
            // The destination is empty (zero, see Migration's constructor) and no vCPU writes a page before it
            // arrives: pre-copy resumes them after COMPLETE, post-copy gates every absent page.
            reader.destinationStartsZero();
            reader.setListener(digests == null ? gate : this::onPageDigest);
            placeThroughDigests(reader);
            if (channels > 1)
            {
                startReceivers(reader);
            }
        }
        while (true)
        {
            final long at = in.position();
            if (in.atEnd())
            {
                throw new PageStreamException(at, "migration stream ends without COMPLETE");
            }
            final int type = in.readUnsignedByte();
            if (barrier != null && type != SECTION_CHANNEL_SYNC)
            {
                barrier.awaitAll(announced); // every round announced is applied before anything else
            }
            switch (type)
            {
                case SECTION_CHANNEL_SYNC:
                    if (barrier == null || device)
                    {
                        throw new PageStreamException(at, barrier == null ? "CHANNEL_SYNC on a link without page channels" :
                            "CHANNEL_SYNC after DEVICE");
                    }
                    final int sequence = in.readInt();
                    if (sequence != announced)
                    {
                        throw new PageStreamException(at, "CHANNEL_SYNC " + (sequence & 0xFFFF_FFFFL) + ", expected " + announced);
                    }
                    announced++;
                    break;
                case SECTION_RAM:
                    if (!device)
                    {
                        phase = "precopy";
                    }
                    if (device && !postcopyStarted)
                    {
                        throw new PageStreamException(at, "RAM section after DEVICE before POSTCOPY_RUN");
                    }
                    if (!memSize)
                    {
                        reader.readMemSize();
                        memSize = true;
                    }
                    if (reader.readIteration() < 0)
                    {
                        throw new PageStreamException(in.position(), "migration stream ends inside a RAM section");
                    }
                    break;
                case SECTION_DISCARD:
                    if (discarded || device)
                    {
                        throw new PageStreamException(at, "DISCARD section out of order");
                    }
                    phase = "postcopy";
                    readDiscard(in);
                    discarded = true;
                    break;
                case SECTION_DEVICE:
                    if (device)
                    {
                        throw new PageStreamException(at, "second DEVICE section");
                    }
                    if (!discarded)
                    {
                        phase = "stop-and-copy";
                    }
                    readDevice(in);
                    device = true;
                    break;
                case SECTION_POSTCOPY_RUN:
                    if (!device || !discarded || postcopyStarted)
                    {
                        throw new PageStreamException(at, "POSTCOPY_RUN needs DISCARD and DEVICE before it, once");
                    }
                    postcopyStarted = true;
                    if (digests != null)
                    {
                        digestPresentPages();
                    }
                    resume(gate);
                    break;
                case SECTION_COMPLETE:
                    if (!device)
                    {
                        throw new PageStreamException(at, "COMPLETE before DEVICE");
                    }
                    if (discarded && !postcopyStarted)
                    {
                        throw new PageStreamException(at, "COMPLETE after DISCARD without POSTCOPY_RUN");
                    }
                    if (postcopyStarted)
                    {
                        final long missing = gate.missing();
                        if (missing != 0)
                        {
                            throw new PageStreamException(at, "post-copy completed with " + missing + " pages never received");
                        }
                        completeNs = System.nanoTime();
                        writesAtComplete = workload == null ? 0 : workload.writes();
                    }
                    else
                    {
                        if (digests != null)
                        {
                            digestPresentPages();
                        }
                        // The acknowledgement hands the guest over (see MigrationSource's resumeIfOwner): only
                        // once it is written may the vCPUs run here; if the write fails, the source keeps them.
                        shutSent = true;
                        gate.shut(0);
                        resume(null);
                        completeNs = resumeNs;
                    }
                    if (digests != null)
                    {
                        compareDigests(PageDigests.read(in, memory.pageSize(), memory.pageCount()));
                    }
                    if (!in.atEnd())
                    {
                        throw new PageStreamException(in.position(), "bytes after COMPLETE");
                    }
                    return;
                default:
                    throw new PageStreamException(at, sectionName(type) + " in the migration envelope");
            }
        }
    }

    private void startReceivers(final PageStreamReader main)
    {
        barrier = new RoundBarrier(channels);
        receivers = new ChannelReceiver[channels];
        receiverThreads = new Thread[channels];
        final long[] written = main.writtenBits();
        final ChannelPartition partition = new ChannelPartition(memory.pageCount(), channels);
        final int bufferBytes = Math.max(256 << 10, PageStreamReader.requiredBufferBytes(memory.pageSize()));
        for (int c = 0; c < channels; c++)
        {
            final ChannelInput channelIn = new ChannelInput(link.destinationIn(c), bufferBytes);
            final PageStreamReader r = new PageStreamReader(channelIn, memory);
            r.destinationStartsZero(written);
            r.acceptOnly(partition, c);
            r.setListener(digests == null ? gate : this::onPageDigest);
            receivers[c] = new ChannelReceiver(c, channelIn, r, barrier);
        }
        for (int c = 0; c < channels; c++)
        {
            receiverThreads[c] = new Thread(receivers[c], "migration-receive-" + c);
            receiverThreads[c].setDaemon(true);
            receiverThreads[c].start();
        }
    }

    /** After COMPLETE: every channel ends cleanly after exactly the rounds announced. */
    private void finishChannels() throws IOException
    {
        if (barrier == null)
        {
            return;
        }
        joinReceivers();
        barrier.awaitAll(announced);
        for (int c = 0; c < channels; c++)
        {
            final long rounds = barrier.arrived(c);
            if (rounds != announced)
            {
                throw new IOException("page channel " + c + " brought " + rounds + " rounds, " + announced +
                    " were announced");
            }
        }
    }

    private void joinReceivers()
    {
        for (int c = 0; receiverThreads != null && c < receiverThreads.length; c++)
        {
            if (receiverThreads[c] != null)
            {
                RoleThreads.join(receiverThreads[c]);
            }
        }
    }

    private boolean kernelFaults()
    {
        return gate.vcpuGate() == null;
    }

    /**
     * With kernel faults and digests: a page arriving in post-copy is hashed from the bytes about to be placed,
     * before {@code UFFDIO_COPY} maps it, since a vCPU blocked on it writes it the instant it is placed.
     * Post-copy pages come on the main channel only, so this runs on the destination's thread, as the hashing
     * of {@link #onPageDigest} does.
     */
    private final class DigestingPlacer implements PagePlacer
    {
        private final PagePlacer placer;
        private final UnsafeBuffer view = new UnsafeBuffer(0, 0);

        DigestingPlacer(final PagePlacer placer)
        {
            this.placer = placer;
        }

        @Override
        public boolean isPlaced(final long page)
        {
            return placer.isPlaced(page);
        }

        @Override
        public boolean place(final long page, final long srcAddress)
        {
            if (postcopyStarted && !gate.isPresent(page))
            {
                final long t0 = System.nanoTime();
                view.wrap(srcAddress, memory.pageSize());
                view.getBytes(0, scratch, 0, memory.pageSize());
                digests[(int)page] = PageDigests.digest(scratch, memory.pageSize());
                hashNanos += System.nanoTime() - t0;
            }
            return placer.place(page, srcAddress);
        }

        @Override
        public boolean placeZero(final long page)
        {
            if (postcopyStarted && !gate.isPresent(page))
            {
                java.util.Arrays.fill(scratch, (byte)0);
                digests[(int)page] = PageDigests.digest(scratch, memory.pageSize());
            }
            return placer.placeZero(page);
        }
    }

    /** The reader's listener with digests on: a page arriving in post-copy is hashed before the gate opens it. */
    private void onPageDigest(final long page, final PageKind kind, final int wireBytes, final long streamOffset)
    {
        if (postcopyStarted && !gate.isPresent(page) && !kernelFaults())
        {
            final long t0 = System.nanoTime();
            digests[(int)page] = PageDigests.digest(memory, page, scratch);
            hashNanos += System.nanoTime() - t0;
        }
        gate.onPage(page, kind, wireBytes, streamOffset);
    }

    /** Hashes every page present, before any vCPU runs here. */
    private void digestPresentPages()
    {
        final long t0 = System.nanoTime();
        try
        {
            hashPresentPages();
        }
        finally
        {
            hashNanos += System.nanoTime() - t0;
        }
    }

    private void hashPresentPages()
    {
        for (int p = 0; p < digests.length; p++)
        {
            if (gate.isPresent(p))
            {
                digests[p] = PageDigests.digest(memory, p, scratch);
            }
        }
    }

    private void compareDigests(final long[] source)
    {
        PageDigests.compare(source, digests, result.mismatchPages, MigrationResult.MAX_MISMATCHES);
        result.verified = result.mismatchPages.isEmpty();
        result.digestAlgorithm = PageDigests.ALGORITHM;
        result.digestPages = digests.length;
        result.digestSource = PageDigests.hex(PageDigests.combine(source));
        result.digestDestination = PageDigests.hex(PageDigests.combine(digests));
        result.digestHashMs = hashNanos / 1e6;
    }

    /**
     * Alone: the destination's view of the migration, after {@link #run()} returned: role, status, total
     * (from the envelope's header to the last page), post-copy figures and faults, pages received by kind,
     * bytes read, and with digests the verdict. Downtime is the source's to measure (JSON null here).
     */
    public MigrationResult result()
    {
        final MigrationResult r = result;
        r.role = "destination";
        r.memoryBytes = memory.size();
        r.pageSize = memory.pageSize();
        r.downtimeMs = Double.NaN;
        final Throwable f = failure;
        r.error = f == null ? null : "destination: " + RoleThreads.describe(f);
        r.converged = f == null;
        if (f != null)
        {
            r.status = MigrationResult.FAILED;
            r.failurePhase = phase;
            r.failureReason = r.error + (guestDiscarded ? " (partial guest discarded)" : "");
        }
        r.guestRunsOn = resumeNs != 0 ? "destination" : "source";
        if (completeNs != 0)
        {
            r.totalMs = (completeNs - startNs) / 1e6;
        }
        else if (endNs != 0 && startNs != 0)
        {
            r.totalMs = (endNs - startNs) / 1e6; // a failed run's time: until it failed
        }
        r.wireBytes = wireBytes;
        for (final PageStreamReader rd : readers)
        {
            for (final PageKind kind : PageKind.values())
            {
                r.pages[kind.ordinal()] += rd.stats().pages(kind);
            }
        }
        r.channels = channels;
        if (receivers != null)
        {
            r.channelBytes = new long[channels];
            for (int c = 0; c < channels; c++)
            {
                final ChannelReceiver cr = receivers[c];
                if (cr != null)
                {
                    for (final PageKind kind : PageKind.values())
                    {
                        r.pages[kind.ordinal()] += cr.reader().stats().pages(kind);
                    }
                    r.channelBytes[c] = cr.position();
                }
            }
        }
        postcopyFigures(r);
        recoveryFigures(r, startNs);
        cpuFigures(r);
        return r;
    }

    /** Puts post-copy's time, the guest's rate during it and the fault latencies into {@code r}. */
    public void postcopyFigures(final MigrationResult r)
    {
        if (postcopyStarted && completeNs > resumeNs && resumeNs != 0)
        {
            r.postcopyMs = (completeNs - resumeNs) / 1e6;
            if (workload != null)
            {
                r.writesPerSecPostcopy = (writesAtComplete - writesAtResume) / ((completeNs - resumeNs) / 1e9);
            }
        }
        final Histogram faults = gate.mergedLatency();
        r.faults = faults.getTotalCount();
        r.faultGate = gate.vcpuGate() == null ? "kernel" : "software";
        if (r.faults > 0)
        {
            r.faultP50Us = faults.getValueAtPercentile(50);
            r.faultP99Us = faults.getValueAtPercentile(99);
            r.faultMaxUs = faults.getMaxValue();
        }
    }

    /**
     * Puts this role's view of post-copy recovery into {@code r}: pauses (from the instant its reader saw the
     * cut to the instant a new link brought the source's header), the first cut's instant from {@code fromNs},
     * the page requests lost, and the fault latencies before and after the first cut.
     */
    void recoveryFigures(final MigrationResult r, final long fromNs)
    {
        final long cut = cutNs;
        if (cut == 0)
        {
            return;
        }
        r.recoveryCutAtMs = (cut - fromNs) / 1e6;
        r.recoveryPauses = pauses;
        r.recoveryPausedMs = pausedNanos / 1e6;
        r.recoveryMaxPauseMs = maxPauseNanos / 1e6;
        faultRecoveryFigures(r);
    }

    /** Puts what only this role sees of a recovery into {@code r}: lost requests, faults before and after the cut. */
    public void faultRecoveryFigures(final MigrationResult r)
    {
        if (cutNs == 0)
        {
            return;
        }
        r.recoveryLostRequests = gate.lostRequests();
        latencyFigures(r.recoveryFaultsBefore, gate.mergedLatency(false));
        latencyFigures(r.recoveryFaultsAfter, gate.mergedLatency(true));
    }

    private static void latencyFigures(final double[] into, final Histogram h)
    {
        into[0] = h.getTotalCount();
        if (h.getTotalCount() > 0)
        {
            into[1] = h.getValueAtPercentile(50);
            into[2] = h.getValueAtPercentile(99);
            into[3] = h.getMaxValue();
        }
    }

    private void readHeader(final ChannelInput in) throws IOException
    {
        in.markRecord();
        final int magic = in.readInt();
        if (magic != MAGIC)
        {
            throw new PageStreamException(0, "not a livemig migration stream: magic 0x" + Integer.toHexString(magic) +
                ", expected 0x" + Integer.toHexString(MAGIC));
        }
        final int version = in.readUnsignedShort();
        if (version != VERSION)
        {
            throw new PageStreamException(4, "migration stream version " + version + ", this reader knows " + VERSION);
        }
        final int pageSize = in.readInt();
        if (pageSize != memory.pageSize())
        {
            throw new PageStreamException(6, "page size " + pageSize + " differs from the destination's " + memory.pageSize());
        }
    }

    private void readDiscard(final ChannelInput in) throws IOException
    {
        final long at = in.position();
        final long runs = in.readInt() & 0xFFFF_FFFFL;
        if (runs > memory.pageCount())
        {
            throw new PageStreamException(at, "DISCARD of " + runs + " runs in a guest of " + memory.pageCount() + " pages");
        }
        // Runs ascend and do not overlap, as the source writes them: all of them together then name each page
        // at most once, so a hostile DISCARD costs at most one mark per page, not runs x pages.
        long previousEnd = 0;
        for (long i = 0; i < runs; i++)
        {
            final long runAt = in.position();
            final long first = in.readLong();
            final long count = in.readInt() & 0xFFFF_FFFFL;
            if (first < 0 || count == 0 || first >= memory.pageCount() || count > memory.pageCount() - first)
            {
                throw new PageStreamException(runAt, "DISCARD run of " + count + " pages at page " + first +
                    " is outside the guest's " + memory.pageCount() + " pages");
            }
            if (first < previousEnd)
            {
                throw new PageStreamException(runAt, "DISCARD run at page " + first + " starts before the end of the " +
                    "previous run, page " + previousEnd + ": runs must ascend without overlapping");
            }
            gate.discard(first, count);
            previousEnd = first + count;
        }
    }

    /**
     * Checks the device state's CRC-32C over its bytes as they pass through the input's buffer: nothing is
     * sized from the length the stream declares, so a hostile length costs no memory, only the bytes it is
     * followed by (the destination has no devices to load the state into).
     */
    private static void readDevice(final ChannelInput in) throws IOException
    {
        final long at = in.position();
        final int length = in.readInt();
        if (length < 0 || length > MAX_DEVICE_STATE)
        {
            throw new PageStreamException(at, "device state of " + (length & 0xFFFF_FFFFL) + " bytes exceeds " +
                MAX_DEVICE_STATE);
        }
        final CRC32C check = new CRC32C();
        for (int left = length; left > 0; )
        {
            final int chunk = Math.min(left, in.capacity());
            final int from = in.require(chunk);
            final ByteBuffer bytes = in.buffer().byteBuffer().duplicate();
            bytes.limit(from + chunk).position(from);
            check.update(bytes);
            in.skip(chunk);
            left -= chunk;
        }
        final int crc = in.readInt();
        if ((int)check.getValue() != crc)
        {
            throw new PageStreamException(at, "device state CRC-32C 0x" + Integer.toHexString((int)check.getValue()) +
                " differs from the one sent, 0x" + Integer.toHexString(crc));
        }
    }

    private void resume(final PostcopyGate withGate)
    {
        if (workload != null)
        {
            workload.startOrResume(new VcpuTarget(memory, withGate == null ? null : withGate.vcpuGate(), mirror));
            resumeNs = System.nanoTime();
            writesAtResume = workload.writes();
            return;
        }
        resumeNs = System.nanoTime();
    }
}
