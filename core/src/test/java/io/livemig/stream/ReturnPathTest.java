package io.livemig.stream;

import io.livemig.stream.returnpath.ReturnPathMessage;
import io.livemig.stream.returnpath.ReturnPathReader;
import io.livemig.stream.returnpath.ReturnPathWriter;
import org.junit.jupiter.api.Test;

import java.io.IOException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Return-path messages: round trip, exact bytes, and every malformed message refused with its offset. */
class ReturnPathTest
{
    @Test
    void roundTrip() throws IOException
    {
        final MemoryChannel channel = new MemoryChannel();
        final ReturnPathWriter writer = new ReturnPathWriter(new ChannelOutput(channel, 512));
        assertThrows(IllegalStateException.class, () -> writer.requestPages(0, 4096));
        writer.requestPages("pc.ram", 8192, 4096);
        assertEquals(4 + 13 + 6, channel.length(), "flushed at once");
        writer.requestPages(1L << 40, 12288);
        writer.requestPages("pc.rom", 0, 1);
        writer.shut(0);
        writer.shut(-5);
        assertThrows(IllegalArgumentException.class, () -> writer.requestPages("", 0, 1));
        assertThrows(IllegalArgumentException.class, () -> writer.requestPages("a b", 0, 1));
        assertThrows(IllegalArgumentException.class, () -> writer.requestPages(-1, 1));
        assertThrows(IllegalArgumentException.class, () -> writer.requestPages(0, 0));
        channel.endInput();

        final ReturnPathReader reader = new ReturnPathReader(new ChannelInput(channel, 512));
        final ReturnPathMessage m = reader.read();
        assertEquals(PageStreamDescriptor.RP_REQ_PAGES_ID, m.type());
        assertEquals("pc.ram", m.block());
        assertEquals(8192, m.offset());
        assertEquals(4096, m.byteLength());
        assertEquals(0, m.streamOffset());
        final String block = m.block();
        assertSame(m, reader.read());
        assertEquals(PageStreamDescriptor.RP_REQ_PAGES, m.type());
        assertSame(block, m.block(), "the same block keeps its string");
        assertEquals(1L << 40, m.offset());
        assertEquals(12288, m.byteLength());
        assertEquals(23, m.streamOffset());
        reader.read();
        assertEquals("pc.rom", m.block());
        assertEquals(1, m.byteLength());
        reader.read();
        assertEquals(PageStreamDescriptor.RP_SHUT, m.type());
        assertEquals(0, m.errorCode());
        reader.read();
        assertEquals(-5, m.errorCode());
        assertNull(reader.read());
        assertNull(reader.read());
    }

    private static void assertRefused(final Crafted crafted, final long offset, final String reason)
    {
        final ReturnPathReader reader = new ReturnPathReader(new ChannelInput(MemoryChannel.of(crafted.bytes()), 512));
        final PageStreamException ex = assertThrows(PageStreamException.class, () -> {
            while (reader.read() != null)
            {
                // read until the refusal
            }
        });
        assertEquals(offset, ex.streamOffset(), ex.getMessage());
        assertTrue(ex.getMessage().startsWith("page stream offset " + offset + ": "), ex.getMessage());
        assertTrue(ex.getMessage().contains(reason), ex.getMessage());
    }

    @Test
    void malformedMessagesAreRefused()
    {
        assertRefused(new Crafted().u16(9).u16(0), 0, "unknown return-path message type 9");
        assertRefused(new Crafted().u16(0).u16(0), 0, "unknown return-path message type 0");
        assertRefused(new Crafted().u16(3).u16(4).u32(0).u16(3).u16(8).u64(0), 8, "SHUT length 8 must be 4");
        assertRefused(new Crafted().u16(2).u16(12).u64(0).u32(4096), 0, "REQ_PAGES with no previous REQ_PAGES_ID");
        assertRefused(new Crafted().u16(2).u16(13).u64(0).u32(4096), 0, "REQ_PAGES length 13 must be 12");
        assertRefused(new Crafted().u16(1).u16(12).u64(0).u32(4096), 0, "too short for a name");
        assertRefused(new Crafted().u16(1).u16(20).u64(0).u32(4096).name("pc.ram"), 0,
            "REQ_PAGES_ID length 20 does not match its 6-byte name (expected 19)");
        assertRefused(new Crafted().u16(1).u16(13).u64(0).u32(4096).u8(0), 0, "length 13 is too short for a name");
        assertRefused(new Crafted().u16(1).u16(14).u64(0).u32(4096).u8(0).u8(0), 0, "names a block of length 0");
        assertRefused(new Crafted().u16(1).u16(15).u64(0).u32(4096).u8(2).u8('a').u8(0), 0, "non-printable byte 0x0");
        assertRefused(new Crafted().u16(1).u16(19).u64(-4096).u32(4096).name("pc.ram"), 0, "REQ_PAGES_ID offset");
        assertRefused(new Crafted().u16(1).u16(19).u64(0).u32(0).name("pc.ram"), 0, "byte length 0");
        assertRefused(new Crafted().u16(1).u16(19).u64(0).u32(4096).name("pc.ram").u16(2).u16(12).u64(0).u32(-1), 23,
            "REQ_PAGES byte length 4294967295");
        assertRefused(new Crafted().u16(3).u16(4).u16(0), 6, "stream ends inside the record at offset 0");
        assertRefused(new Crafted().u16(1), 2, "stream ends inside the record at offset 0");
    }
}
