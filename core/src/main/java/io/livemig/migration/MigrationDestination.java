package io.livemig.migration;

import io.livemig.memory.GuestMemory;
import io.livemig.stream.ChannelInput;
import io.livemig.stream.ChannelOutput;
import io.livemig.stream.PageStreamException;
import io.livemig.stream.PageStreamReader;
import io.livemig.workload.GuestWorkload;
import io.livemig.workload.VcpuTarget;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.zip.CRC32C;

import static io.livemig.migration.MigrationEnvelopeDescriptor.*;

/**
 * The destination of a migration, run on its own thread: reads the envelope strictly (see {@link
 * MigrationEnvelopeDescriptor}), applies the page stream to destination memory, checks the device state,
 * resumes the guest's vCPUs on the destination (at COMPLETE for pre-copy, at POSTCOPY_RUN for post-copy)
 * and answers SHUT on the return path: 0 when every page arrived, 1 on any failure.
 *
 * <p>Thread-safety: {@link #run()} once, on one thread. The instants and the failure are volatile, read by
 * the source after joining this thread (which also orders them).
 */
final class MigrationDestination implements Runnable
{
    private final MigrationLink link;
    private final GuestMemory memory;
    private final GuestWorkload workload;
    private final GuestMemory mirror;
    private final ChannelOutput rpOut;
    private final PostcopyGate gate;

    volatile long resumeNs;
    volatile long completeNs;
    volatile long writesAtResume;
    volatile long writesAtComplete;
    volatile Throwable failure;
    volatile boolean postcopyStarted;

    /**
     * @param mirror the source memory when destination writes are mirrored for verification, else null.
     */
    MigrationDestination(
        final MigrationLink link, final GuestMemory memory, final GuestWorkload workload, final GuestMemory mirror)
    {
        this.link = link;
        this.memory = memory;
        this.workload = workload;
        this.mirror = mirror;
        this.rpOut = new ChannelOutput(link.destinationOut(), 4096);
        this.gate = new PostcopyGate(memory.pageCount(), memory.pageSize(), memory.blockName(),
            workload == null ? 1 : workload.writerCount(), rpOut);
    }

    PostcopyGate gate()
    {
        return gate;
    }

    @Override
    public void run()
    {
        final ChannelInput in = new ChannelInput(link.destinationIn(),
            Math.max(256 << 10, PageStreamReader.requiredBufferBytes(memory.pageSize())));
        try
        {
            receive(in);
            gate.shut(0);
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
            try
            {
                link.destinationIn().close();
            }
            catch (final IOException ignored)
            {
                // Closing only to unblock the source's writes.
            }
        }
        finally
        {
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
        final PageStreamReader reader = new PageStreamReader(in, memory);
        // The destination is empty (zero, see Migration's constructor) and no vCPU writes a page before it
        // arrives: pre-copy resumes them after COMPLETE, post-copy gates every absent page.
        reader.destinationStartsZero();
        reader.setListener(gate);
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
            switch (type)
            {
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
                        resume(null);
                        completeNs = resumeNs;
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
            workload.resume(new VcpuTarget(memory, withGate, mirror));
            resumeNs = System.nanoTime();
            writesAtResume = workload.writes();
            return;
        }
        resumeNs = System.nanoTime();
    }
}
