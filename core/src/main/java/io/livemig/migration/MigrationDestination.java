package io.livemig.migration;

import io.livemig.kernel.FaultingGuest;
import io.livemig.memory.GuestMemory;
import io.livemig.memory.PagePlacer;
import io.livemig.stream.ChannelInput;
import io.livemig.stream.ChannelOutput;
import io.livemig.stream.PageKind;
import io.livemig.stream.PageStreamException;
import io.livemig.stream.PageStreamReader;
import io.livemig.workload.GuestWorkload;
import io.livemig.workload.VcpuTarget;
import org.HdrHistogram.Histogram;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.zip.CRC32C;

import static io.livemig.migration.MigrationEnvelopeDescriptor.*;

/**
 * The destination role of a migration, run on its own thread: reads the envelope strictly (see {@link
 * MigrationEnvelopeDescriptor}), applies the page stream to destination memory, checks the device state,
 * resumes the guest's vCPUs on the destination (at COMPLETE for pre-copy, at POSTCOPY_RUN for post-copy)
 * and answers SHUT on the return path: 0 when every page arrived, 1 on any failure. It knows the source
 * only through the link: alone it is {@code scripts/migrate --listen}'s engine, in one process {@link
 * Migration} runs it beside a {@link MigrationSource}.
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
    private final MigrationLink link;
    private final GuestMemory memory;
    private final GuestWorkload workload;
    private final GuestMemory mirror;
    private final ChannelOutput rpOut;
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
    /** Time spent hashing, on the stream thread only. */
    private long hashNanos;

    volatile long resumeNs;
    volatile long completeNs;
    volatile long writesAtResume;
    volatile long writesAtComplete;
    volatile Throwable failure;
    volatile boolean postcopyStarted;

    MigrationDestination(
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
        this.rpOut = new ChannelOutput(link.destinationOut(), 4096);
        this.gate = memory.placer() instanceof FaultingGuest kernel ?
            new KernelPostcopyGate(kernel, memory.pageSize(), memory.blockName(), rpOut) :
            new PostcopyGate(memory.pageCount(), memory.pageSize(), memory.blockName(),
                workload == null ? 1 : workload.writerCount(), rpOut);
    }

    PostcopyGate gate()
    {
        return gate;
    }

    @Override
    public void run()
    {
        final long cpu0 = MigrationSource.threadCpuNanos();
        try
        {
            runRole();
        }
        finally
        {
            final long cpu1 = MigrationSource.threadCpuNanos();
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
    void cpuFigures(final MigrationResult r)
    {
        r.cpuDestinationMs = cpuMs;
        r.cpuReceiversMs = receiversCpuMs;
    }

    private void runRole()
    {
        startNs = System.nanoTime();
        final ChannelInput in = new ChannelInput(link.destinationIn(),
            Math.max(256 << 10, PageStreamReader.requiredBufferBytes(memory.pageSize())));
        try
        {
            receive(in);
            finishChannels();
            gate.shut(0);
            if (digests != null)
            {
                PageDigests.write(rpOut, memory.pageSize(), digests);
                rpOut.flush();
            }
        }
        catch (final Throwable t)
        {
            failure = t;
            gate.cancel();
            try
            {
                gate.shut(1);
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
            long bytes = in.position();
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

    private void receive(final ChannelInput in) throws IOException
    {
        readHeader(in);
        startNs = System.nanoTime(); // the source may prepare its guest for a while after the handshake
        final PageStreamReader reader = new PageStreamReader(in, memory);
        this.reader = reader;
        // The destination is empty (zero, see Migration's constructor) and no vCPU writes a page before it
        // arrives: pre-copy resumes them after COMPLETE, post-copy gates every absent page.
        reader.destinationStartsZero();
        reader.setListener(digests == null ? gate : this::onPageDigest);
        if (digests != null && kernelFaults())
        {
            reader.placeThrough(new DigestingPlacer(memory.placer()));
        }
        if (channels > 1)
        {
            startReceivers(reader);
        }
        boolean memSize = false;
        boolean discarded = false;
        boolean device = false;
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
                    readDiscard(in);
                    discarded = true;
                    break;
                case SECTION_DEVICE:
                    if (device)
                    {
                        throw new PageStreamException(at, "second DEVICE section");
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
        final int bufferBytes = Math.max(256 << 10, PageStreamReader.requiredBufferBytes(memory.pageSize()));
        for (int c = 0; c < channels; c++)
        {
            final ChannelInput channelIn = new ChannelInput(link.destinationIn(c), bufferBytes);
            final PageStreamReader r = new PageStreamReader(channelIn, memory);
            r.destinationStartsZero(written);
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
                MigrationSource.join(receiverThreads[c]);
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
        PageDigests.compare(source, digests, result.mismatchPages, MigrationRun.MAX_MISMATCHES);
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
        r.error = f == null ? null : "destination: " + MigrationSource.describe(f);
        r.converged = f == null;
        if (completeNs != 0)
        {
            r.totalMs = (completeNs - startNs) / 1e6;
        }
        r.wireBytes = wireBytes;
        final PageStreamReader rd = reader;
        if (rd != null)
        {
            for (final PageKind kind : PageKind.values())
            {
                r.pages[kind.ordinal()] = rd.stats().pages(kind);
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
        cpuFigures(r);
        return r;
    }

    /** Puts post-copy's time, the guest's rate during it and the fault latencies into {@code r}. */
    void postcopyFigures(final MigrationResult r)
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
