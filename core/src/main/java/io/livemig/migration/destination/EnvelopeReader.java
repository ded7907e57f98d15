package io.livemig.migration.destination;

import io.livemig.migration.channel.ReceiverChannels;
import io.livemig.migration.link.MigrationLink;
import io.livemig.migration.postcopy.PostcopyGate;
import io.livemig.migration.wire.PageDigests;
import io.livemig.stream.ChannelInput;
import io.livemig.stream.PageStreamException;
import io.livemig.stream.read.PageStreamReader;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.zip.CRC32C;

import static io.livemig.migration.wire.MigrationEnvelopeDescriptor.MAGIC;
import static io.livemig.migration.wire.MigrationEnvelopeDescriptor.MAX_DEVICE_STATE;
import static io.livemig.migration.wire.MigrationEnvelopeDescriptor.SECTION_CHANNEL_SYNC;
import static io.livemig.migration.wire.MigrationEnvelopeDescriptor.SECTION_COMPLETE;
import static io.livemig.migration.wire.MigrationEnvelopeDescriptor.SECTION_DEVICE;
import static io.livemig.migration.wire.MigrationEnvelopeDescriptor.SECTION_DISCARD;
import static io.livemig.migration.wire.MigrationEnvelopeDescriptor.SECTION_POSTCOPY_RUN;
import static io.livemig.migration.wire.MigrationEnvelopeDescriptor.SECTION_RAM;
import static io.livemig.migration.wire.MigrationEnvelopeDescriptor.VERSION;
import static io.livemig.migration.wire.MigrationEnvelopeDescriptor.sectionName;

/**
 * The destination's reader of the migration envelope ({@link io.livemig.migration.wire.MigrationEnvelopeDescriptor}): every byte is
 * untrusted, every section is checked against the order the envelope allows, and each is applied as it
 * arrives: RAM sections through the page stream reader, DISCARD to the post-copy gate, DEVICE checked by its
 * CRC, POSTCOPY_RUN resumes the guest behind the gate, COMPLETE ends pre-copy (the acknowledgement first, then
 * the resume) or post-copy (every page must be here). With page channels, every round announced by
 * CHANNEL_SYNC is applied on every channel before any other section is read. With a preempt connection ({@link
 * PreemptReceiver}) its pages are applied from POSTCOPY_RUN on, and COMPLETE waits for its EOS.
 *
 * <p>Not thread-safe: the destination's thread runs it.
 */
final class EnvelopeReader
{
    private final DestinationSession s;
    private final DestinationDigests digests;

    EnvelopeReader(final DestinationSession session, final DestinationDigests digests)
    {
        this.s = session;
        this.digests = digests;
    }

    /**
     * Reads sections from {@code in} until COMPLETE (and, with digests, the source's digests). The first call
     * reads the header and starts the page channels; after a recovery, {@link DestinationRecovery} has read the
     * new link's header and made its reader.
     *
     * @throws IOException if the stream is refused or the link fails.
     */
    void receive(final ChannelInput in) throws IOException
    {
        PageStreamReader reader = s.reader;
        if (reader == null)
        {
            readHeader(in);
            s.startNs = System.nanoTime(); // the source may prepare its guest for a while after the handshake
            reader = new PageStreamReader(in, s.memory);
            s.reader = reader;
            s.readers.add(reader);
            // The destination is empty (zero, see Migration's constructor) and no vCPU writes a page before it
            // arrives: pre-copy resumes them after COMPLETE, post-copy gates every absent page.
            reader.destinationStartsZero();
            digests.attach(reader, PostcopyGate.PUSH);
            if (s.channelCount > 1)
            {
                s.channels = new ReceiverChannels(s.link, s.memory, reader.writtenBits(),
                    r -> digests.attach(r, PostcopyGate.PUSH), s.inputBufferBytes());
            }
            if (s.link.preempt())
            {
                openPreempt(false);
            }
        }
        final ReceiverChannels channels = s.channels;
        while (true)
        {
            final long at = in.position();
            if (in.atEnd())
            {
                throw new PageStreamException(at, "migration stream ends without COMPLETE");
            }
            final int type = in.readUnsignedByte();
            if (channels != null && type != SECTION_CHANNEL_SYNC)
            {
                channels.awaitAll(s.announced); // every round announced is applied before anything else
            }
            switch (type)
            {
                case SECTION_CHANNEL_SYNC:
                    channelSync(in, at);
                    break;
                case SECTION_RAM:
                    ram(in, at, s.reader);
                    break;
                case SECTION_DISCARD:
                    if (s.discarded || s.device)
                    {
                        throw new PageStreamException(at, "DISCARD section out of order");
                    }
                    s.phase = "postcopy";
                    readDiscard(in);
                    s.discarded = true;
                    break;
                case SECTION_DEVICE:
                    if (s.device)
                    {
                        throw new PageStreamException(at, "second DEVICE section");
                    }
                    if (!s.discarded)
                    {
                        s.phase = "stop-and-copy";
                    }
                    readDevice(in);
                    s.device = true;
                    break;
                case SECTION_POSTCOPY_RUN:
                    if (!s.device || !s.discarded || s.postcopyStarted)
                    {
                        throw new PageStreamException(at, "POSTCOPY_RUN needs DISCARD and DEVICE before it, once");
                    }
                    s.postcopyStarted = true;
                    digests.hashPresentPages();
                    if (s.preempt != null)
                    {
                        s.preempt.begin(true);
                    }
                    s.resume(s.gate);
                    break;
                case SECTION_COMPLETE:
                    complete(in, at);
                    return;
                default:
                    throw new PageStreamException(at, sectionName(type) + " in the migration envelope");
            }
        }
    }

    private void channelSync(final ChannelInput in, final long at) throws IOException
    {
        if (s.channels == null || s.device)
        {
            throw new PageStreamException(at, s.channels == null ? "CHANNEL_SYNC on a link without page channels" :
                "CHANNEL_SYNC after DEVICE");
        }
        final int sequence = in.readInt();
        if (sequence != s.announced)
        {
            throw new PageStreamException(at, "CHANNEL_SYNC " + (sequence & 0xFFFF_FFFFL) + ", expected " + s.announced);
        }
        s.announced++;
    }

    private void ram(final ChannelInput in, final long at, final PageStreamReader reader) throws IOException
    {
        if (!s.device)
        {
            s.phase = "precopy";
        }
        if (s.device && !s.postcopyStarted)
        {
            throw new PageStreamException(at, "RAM section after DEVICE before POSTCOPY_RUN");
        }
        if (!s.memSizeRead)
        {
            reader.readMemSize();
            s.memSizeRead = true;
        }
        if (reader.readIteration() < 0)
        {
            throw new PageStreamException(in.position(), "migration stream ends inside a RAM section");
        }
    }

    private void complete(final ChannelInput in, final long at) throws IOException
    {
        if (!s.device)
        {
            throw new PageStreamException(at, "COMPLETE before DEVICE");
        }
        if (s.discarded && !s.postcopyStarted)
        {
            throw new PageStreamException(at, "COMPLETE after DISCARD without POSTCOPY_RUN");
        }
        if (s.preempt != null)
        {
            // The source ended the preempt connection's pages before COMPLETE: every requested page is placed.
            s.preempt.begin(s.postcopyStarted);
            s.preempt.awaitEos();
        }
        if (s.postcopyStarted)
        {
            final long missing = s.gate.missing();
            if (missing != 0)
            {
                throw new PageStreamException(at, "post-copy completed with " + missing + " pages never received");
            }
            s.completeNs = System.nanoTime();
            s.writesAtComplete = s.workload == null ? 0 : s.workload.writes();
        }
        else
        {
            digests.hashPresentPages();
            // The acknowledgement hands the guest over (see MigrationSource's resumeIfOwner): only once it is
            // written may the vCPUs run here; if the write fails, the source keeps them.
            s.shutSent = true;
            s.gate.shut(0);
            s.resume(null);
            s.completeNs = s.resumeNs;
        }
        if (digests.enabled())
        {
            digests.compare(PageDigests.read(in, s.memory.pageSize(), s.memory.pageCount()));
        }
        if (!in.atEnd())
        {
            throw new PageStreamException(in.position(), "bytes after COMPLETE");
        }
    }

    /**
     * Starts the receiver of the current link's preempt connection; after a recovery ({@code postcopy}) it applies
     * pages at once. When it fails, it closes its own link's forward stream, so this role's read fails too: the
     * role fails at once, or pauses and recovers both connections (a late failure of a link already given up
     * touches only that link).
     */
    void openPreempt(final boolean postcopy)
    {
        final MigrationLink link = s.link;
        final PreemptReceiver r = new PreemptReceiver(s, digests, () ->
        {
            try
            {
                link.destinationIn().close();
            }
            catch (final IOException ignored)
            {
                // Closing only to unblock the reader; the preempt connection's failure is the one reported.
            }
        });
        s.preempt = r;
        s.preempts.add(r);
        if (postcopy)
        {
            r.begin(true);
        }
        r.start();
    }

    /** Reads and checks the envelope's header: magic, version, and the page size against the destination's. */
    void readHeader(final ChannelInput in) throws IOException
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
        if (pageSize != s.memory.pageSize())
        {
            throw new PageStreamException(6, "page size " + pageSize + " differs from the destination's " +
                s.memory.pageSize());
        }
    }

    private void readDiscard(final ChannelInput in) throws IOException
    {
        final long at = in.position();
        final long pageCount = s.memory.pageCount();
        final long runs = in.readInt() & 0xFFFF_FFFFL;
        if (runs > pageCount)
        {
            throw new PageStreamException(at, "DISCARD of " + runs + " runs in a guest of " + pageCount + " pages");
        }
        // Runs ascend and do not overlap, as the source writes them: all of them together then name each page
        // at most once, so a hostile DISCARD costs at most one mark per page, not runs x pages.
        long previousEnd = 0;
        for (long i = 0; i < runs; i++)
        {
            final long runAt = in.position();
            final long first = in.readLong();
            final long count = in.readInt() & 0xFFFF_FFFFL;
            if (first < 0 || count == 0 || first >= pageCount || count > pageCount - first)
            {
                throw new PageStreamException(runAt, "DISCARD run of " + count + " pages at page " + first +
                    " is outside the guest's " + pageCount + " pages");
            }
            if (first < previousEnd)
            {
                throw new PageStreamException(runAt, "DISCARD run at page " + first + " starts before the end of the " +
                    "previous run, page " + previousEnd + ": runs must ascend without overlapping");
            }
            s.gate.discard(first, count);
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
}
