package io.livemig.migration;

import io.livemig.dirty.DirtyMarker;
import io.livemig.memory.GuestMemory;
import io.livemig.migration.destination.MigrationDestination;
import io.livemig.migration.link.MemoryLink;
import io.livemig.migration.wire.MigrationEnvelopeDescriptor;
import io.livemig.stream.ChannelOutput;
import io.livemig.stream.PageStreamException;
import io.livemig.stream.PageStreamOptions;
import io.livemig.stream.write.PageStreamWriter;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.util.zip.CRC32C;

import static io.livemig.migration.wire.MigrationEnvelopeDescriptor.*;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The destination reads the migration envelope strictly: a well-formed stream migrates the guest, and every
 * malformed one is refused with the offset and the reason, as {@link MigrationEnvelopeDescriptor} lists.
 */
class EnvelopeTest
{
    private static final int PAGES = 16;
    private GuestMemory source;
    private GuestMemory destination;

    @BeforeEach
    void guests()
    {
        source = new GuestMemory(PAGES * 4096L, 4096, DirtyMarker.NONE);
        destination = new GuestMemory(PAGES * 4096L, 4096, DirtyMarker.NONE);
        for (int p = 1; p < PAGES; p += 2)
        {
            source.fill(p * 4096L + p, 100, (byte)p);
        }
    }

    @AfterEach
    void free()
    {
        source.close();
        destination.close();
    }

    /** Builds envelope bytes; {@code ram} appends a RAM section of every page. */
    private final class Bytes
    {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        final ChannelOutput out = new ChannelOutput(Channels.newChannel(bytes), 1 << 16);
        PageStreamWriter writer;
        long round;

        Bytes header(final int magic, final int version, final int pageSize) throws IOException
        {
            out.putInt(magic);
            out.putShort(version);
            out.putInt(pageSize);
            return this;
        }

        Bytes header() throws IOException
        {
            return header(MAGIC, VERSION, 4096);
        }

        Bytes ram(final int pages) throws IOException
        {
            out.putByte(SECTION_RAM);
            if (writer == null)
            {
                writer = new PageStreamWriter(out, source, PageStreamOptions.defaults());
                writer.writeMemSize();
            }
            writer.startRound(round++);
            for (int p = 0; p < pages; p++)
            {
                writer.writePage(p, false);
            }
            writer.writeEos();
            return this;
        }

        Bytes device(final byte[] state, final int crcDelta) throws IOException
        {
            final CRC32C crc = new CRC32C();
            crc.update(state, 0, state.length);
            out.putByte(SECTION_DEVICE);
            out.putInt(state.length);
            out.putBytes(state, 0, state.length);
            out.putInt((int)crc.getValue() + crcDelta);
            return this;
        }

        Bytes discard(final long first, final int count) throws IOException
        {
            return discard(new long[] {first, count});
        }

        /** A DISCARD section of the runs {@code {first, count}} given. */
        Bytes discard(final long[]... runs) throws IOException
        {
            out.putByte(SECTION_DISCARD);
            out.putInt(runs.length);
            for (final long[] run : runs)
            {
                out.putLong(run[0]);
                out.putInt((int)run[1]);
            }
            return this;
        }

        Bytes put(final int b) throws IOException
        {
            out.putByte(b);
            return this;
        }

        Bytes putInt(final int v) throws IOException
        {
            out.putInt(v);
            return this;
        }

        byte[] done() throws IOException
        {
            out.flush();
            return bytes.toByteArray();
        }
    }

    /** Runs a destination over {@code stream}; @return its failure, or null. */
    private Throwable receive(final byte[] stream) throws IOException
    {
        try (MemoryLink link = new MemoryLink(0, 0))
        {
            final MigrationDestination dest = new MigrationDestination(link, destination, null, null);
            final Thread feeder = new Thread(() ->
            {
                try
                {
                    link.sourceOut().write(ByteBuffer.wrap(stream));
                    link.finishSource();
                }
                catch (final IOException ignored)
                {
                    // The destination refused the stream and closed its end: expected in most cases here.
                }
            });
            feeder.start();
            dest.run();
            try
            {
                feeder.join();
            }
            catch (final InterruptedException ex)
            {
                throw new AssertionError(ex);
            }
            if (dest.failure() == null)
            {
                assertTrue(dest.resumeNs() != 0, "a destination that succeeds has resumed the guest");
            }
            return dest.failure();
        }
    }

    private void refused(final byte[] stream, final long offset, final String reason) throws IOException
    {
        final Throwable t = receive(stream);
        assertNotNull(t, "accepted a stream that should be refused for: " + reason);
        final PageStreamException e = assertInstanceOf(PageStreamException.class, t, t::toString);
        assertTrue(e.getMessage().contains(reason), () -> "expected '" + reason + "' in: " + e.getMessage());
        if (offset >= 0)
        {
            assertEquals(offset, e.streamOffset(), e::getMessage);
        }
    }

    @Test
    void wellFormedPrecopyStreamMigratesTheGuest() throws IOException
    {
        assertNull(receive(new Bytes().header().ram(PAGES).ram(3).device(new byte[1000], 0).put(SECTION_COMPLETE).done()));
        final byte[] a = new byte[4096];
        final byte[] b = new byte[4096];
        for (int p = 0; p < PAGES; p++)
        {
            source.readPage(p, a, 0);
            destination.readPage(p, b, 0);
            assertArrayEquals(a, b, "page " + p);
        }
    }

    @Test
    void wellFormedPostcopyStreamMigratesTheGuest() throws IOException
    {
        assertNull(receive(new Bytes().header().ram(PAGES).discard(2, 5).device(new byte[10], 0)
            .put(SECTION_POSTCOPY_RUN).ram(7).put(SECTION_COMPLETE).done()));
    }

    @Test
    void deviceStateLargerThanTheInputBufferIsCheckedWhole() throws IOException
    {
        final byte[] state = new byte[600 << 10]; // the destination reads through a 256 KiB buffer
        new java.util.Random(5).nextBytes(state);
        assertNull(receive(new Bytes().header().ram(PAGES).device(state, 0).put(SECTION_COMPLETE).done()));
        refused(new Bytes().header().ram(PAGES).device(state, 1).put(SECTION_COMPLETE).done(), -1, "CRC-32C");
    }

    @Test
    void discardRunsMustAscendWithoutOverlapping() throws IOException
    {
        assertNull(receive(new Bytes().header().ram(PAGES).discard(new long[] {2, 3}, new long[] {5, 2})
            .device(new byte[4], 0).put(SECTION_POSTCOPY_RUN).ram(PAGES).put(SECTION_COMPLETE).done()));
        // Each run alone is inside the guest; repeated, PAGES runs of PAGES pages each would cost PAGES^2 marks.
        final int discardAt = HEADER_LENGTH + 1 + 4;
        refused(new Bytes().header().discard(new long[] {0, PAGES}, new long[] {0, PAGES}).done(), discardAt + 12,
            "starts before the end of the previous run, page " + PAGES);
        refused(new Bytes().header().discard(new long[] {4, 2}, new long[] {1, 1}).done(), discardAt + 12,
            "runs must ascend");
    }

    @Test
    void refusesBadHeaders() throws IOException
    {
        refused(new Bytes().header(0x51455649, VERSION, 4096).done(), 0, "not a livemig migration stream");
        refused(new Bytes().header(MAGIC, 2, 4096).done(), 4, "version 2");
        refused(new Bytes().header(MAGIC, VERSION, 8192).done(), 6, "page size 8192");
        refused(java.util.Arrays.copyOf(new Bytes().header().done(), 5), -1, "stream ends");
    }

    @Test
    void refusesSectionsOutOfOrderOrUnknown() throws IOException
    {
        refused(new Bytes().header().put(0x09).done(), HEADER_LENGTH, "unknown section 0x9");
        refused(new Bytes().header().ram(PAGES).done(), -1, "without COMPLETE");
        refused(new Bytes().header().ram(PAGES).put(SECTION_COMPLETE).done(), -1, "COMPLETE before DEVICE");
        refused(new Bytes().header().device(new byte[4], 0).device(new byte[4], 0).done(), -1, "second DEVICE");
        refused(new Bytes().header().device(new byte[4], 0).put(SECTION_POSTCOPY_RUN).done(), -1, "POSTCOPY_RUN needs");
        refused(new Bytes().header().discard(0, 1).device(new byte[4], 0).put(SECTION_COMPLETE).done(), -1,
            "without POSTCOPY_RUN");
        refused(new Bytes().header().ram(PAGES).device(new byte[4], 0).put(SECTION_COMPLETE).put(0).done(), -1,
            "bytes after COMPLETE");
        refused(new Bytes().header().device(new byte[4], 0).ram(1).done(), -1, "RAM section after DEVICE");
    }

    @Test
    void refusesBadDeviceStateAndDiscards() throws IOException
    {
        refused(new Bytes().header().device(new byte[64], 1).done(), HEADER_LENGTH + 1, "CRC-32C");
        refused(new Bytes().header().put(SECTION_DEVICE).putInt(MAX_DEVICE_STATE + 1).done(), HEADER_LENGTH + 1, "exceeds");
        refused(new Bytes().header().put(SECTION_DEVICE).putInt(-1).done(), HEADER_LENGTH + 1, "exceeds");
        refused(new Bytes().header().discard(PAGES - 1, 2).done(), HEADER_LENGTH + 5, "outside the guest");
        refused(new Bytes().header().discard(0, 0).done(), HEADER_LENGTH + 5, "outside the guest");
        refused(new Bytes().header().put(SECTION_DISCARD).putInt(PAGES + 1).done(), HEADER_LENGTH + 1, "runs in a guest");
    }

    @Test
    void refusesPostcopyThatLeavesPagesMissing() throws IOException
    {
        refused(new Bytes().header().ram(PAGES).discard(0, PAGES).device(new byte[4], 0).put(SECTION_POSTCOPY_RUN)
            .ram(PAGES - 1).put(SECTION_COMPLETE).done(), -1, "1 pages never received");
    }
}
