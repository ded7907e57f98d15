package io.livemig.qemu;

import io.livemig.qemu.stream.QemuStream;
import io.livemig.qemu.stream.QemuStreamDescriptor;
import io.livemig.qemu.stream.QemuStreamReader;
import io.livemig.qemu.stream.RamTally;
import io.livemig.qemu.stream.VmDescription;
import io.livemig.stream.PageKind;
import io.livemig.stream.PageStreamDialect;
import io.livemig.stream.PageStreamException;
import io.livemig.stream.RamBlocks;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.stream.Stream;

import static io.livemig.qemu.QemuStreamBuilder.PAGE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The QEMU envelope reader on hand-made streams: a whole stream with two blocks, every RAM record kind,
 * QEMU's CONTINUE across sections, a command, device state with bytes 0x00 and 0x06 in it and the VM
 * description; then every refusal, each with the offset of the item at fault and one line.
 */
class QemuStreamReaderTest
{
    /** A read stream with its blocks still open. */
    record Read(QemuStream stream, RamBlocks blocks, RamTally tally, long flushes) implements AutoCloseable
    {
        byte pageByte(final String block, final long page, final int index)
        {
            return blocks.memory(blocks.indexOf(block)).getByte(page * PAGE + index);
        }

        @Override
        public void close()
        {
            blocks.close();
        }
    }

    static Read read(final byte[] bytes, final long limit, final int maxRead) throws IOException
    {
        final RamBlocks blocks = RamBlocks.learned(PAGE, limit);
        try
        {
            final QemuStreamReader reader = new QemuStreamReader(new BytesChannel(bytes, maxRead), blocks,
                PageStreamDialect.QEMU, 8192);
            final RamTally tally = new RamTally();
            reader.setListener(tally);
            final QemuStream stream = reader.read();
            return new Read(stream, blocks, tally, reader.pages().multifdFlushes());
        }
        catch (final IOException | RuntimeException ex)
        {
            blocks.close();
            throw ex;
        }
    }

    /** pc.ram of 4 pages and vga of 2, with the device state and description. */
    static QemuStreamBuilder whole()
    {
        // zrun 5, nzrun 1, 0x77: byte 5 of the page becomes 0x77
        final byte[] delta = {5, 1, 0x77};
        return QemuStreamBuilder.standard()
            .ramStart(2, "pc.ram", 4 * PAGE, "vga", 2 * PAGE)
            .part(2).page("pc.ram", 0, 1).zero(null, PAGE).page("vga", 0, 2).eos().footer(2)
            .part(2).page(null, PAGE, 3).xbzrle("pc.ram", 0, delta).u64(QemuStreamBuilder.MULTIFD_FLUSH)
            .page(null, 3 * PAGE, 4).eos().footer(2)
            .command(2, new byte[] {0, 0, 0, 1})
            .end(2).eos().footer(2)
            .device(0, "timer", 0, new byte[] {0, 6, 0, 0, 0, 9, 1})
            .device(1, "serial", 0, new byte[] {0, 0, 0})
            .eof().description("timer", 0, "serial", 0);
    }

    @Test
    void readsAWholeStream() throws IOException
    {
        final byte[] bytes = whole().bytes();
        for (final int maxRead : new int[] {Integer.MAX_VALUE, 1, 7})
        {
            try (Read r = read(bytes, 1 << 20, maxRead))
            {
                final QemuStream s = r.stream();
                assertEquals("pc-i440fx-7.2", s.machine());
                assertEquals(2, s.ramSectionId());
                assertEquals(4, s.ramSections());
                assertTrue(s.footers());
                assertEquals(Map.of("PING", 1L), s.commands());
                assertEquals("timer", s.firstDevice());
                assertEquals(List.of(new VmDescription.Device("timer", 0), new VmDescription.Device("serial", 0)),
                    s.description().devices());
                assertEquals(4096, s.description().pageSize());
                // two device sections: header 1+4+1+name+4+4, state, footer 5
                assertEquals((19 + 7 + 5) + (20 + 3 + 5), s.deviceStateBytes());
                assertEquals(bytes.length, s.bytes());
                assertEquals(1, r.flushes());
                assertEquals(2, r.blocks().count());
                assertEquals(1, r.pageByte("pc.ram", 0, 0));
                assertEquals(0x77, r.pageByte("pc.ram", 0, 5));
                assertEquals(0, r.pageByte("pc.ram", 1, 100));
                assertEquals(0, r.pageByte("pc.ram", 2, 100));
                assertEquals(4, r.pageByte("pc.ram", 3, 4095));
                assertEquals(2, r.pageByte("vga", 0, 9));
                assertEquals(3, r.pageByte("vga", 1, 9));
                final int ram = r.blocks().indexOf("pc.ram");
                assertEquals(2, r.tally().pages(ram, PageKind.NORMAL));
                assertEquals(1, r.tally().pages(ram, PageKind.ZERO));
                assertEquals(1, r.tally().pages(ram, PageKind.XBZRLE));
                assertEquals(8 + 7 + 3 + 3, r.tally().bytes(ram, PageKind.XBZRLE));
                assertEquals(4, r.tally().sections());
            }
        }
    }

    @Test
    void aStreamWithoutDevicesMayEndAtItsEndOfStream() throws IOException
    {
        final QemuStreamBuilder b = QemuStreamBuilder.standard().ramStart(3, "pc.ram", PAGE).end(3).zero("pc.ram", 0)
            .eos().footer(3).eof();
        try (Read r = read(b.bytes(), PAGE, 64))
        {
            assertEquals(-1, r.stream().deviceOffset());
            assertEquals(0, r.stream().deviceStateBytes());
            assertNull(r.stream().description());
        }
        try (Read r = read(b.description().bytes(), PAGE, 64))
        {
            assertEquals(List.of(), r.stream().description().devices());
        }
    }

    @Test
    void footersAreOptionalButConsistent() throws IOException
    {
        final QemuStreamBuilder b = QemuStreamBuilder.standard()
            .section(QemuStreamDescriptor.SECTION_START, 2, "ram", 0, 4).memSize("pc.ram", PAGE).eos()
            .end(2).page("pc.ram", 0, 9).eos().device(0, "timer", 0, new byte[0]);
        // device() wrote a footer: a stream without footers has none there either
        final byte[] bytes = b.bytes();
        final byte[] noDeviceFooter = java.util.Arrays.copyOf(bytes, bytes.length - 5);
        final byte[] stream = concat(noDeviceFooter, new QemuStreamBuilder().eof().description("timer", 0).bytes());
        try (Read r = read(stream, PAGE, 64))
        {
            assertTrue(!r.stream().footers());
            assertEquals(9, r.pageByte("pc.ram", 0, 0));
        }
    }

    @Test
    void configurationSubsectionsAreRead() throws IOException
    {
        final QemuStreamBuilder b = QemuStreamBuilder.standard()
            .subsection("configuration/target-page-bits", 1).u32(12)
            .subsection("configuration/capabilities", 1).u32(2).name("x-ignore-shared").name("validate-uuid")
            .subsection("configuration/uuid", 1).raw(new byte[16])
            .ramStart(2, "pc.ram", PAGE).end(2).eos().footer(2).eof();
        try (Read r = read(b.bytes(), PAGE, 3))
        {
            assertEquals(List.of("configuration/target-page-bits", "configuration/capabilities", "configuration/uuid"),
                r.stream().subsections());
        }
    }

    @Test
    void blockAddressesOfIgnoreShared() throws IOException
    {
        final byte[] bytes = QemuStreamBuilder.standard()
            .section(QemuStreamDescriptor.SECTION_START, 2, "ram", 0, 4)
            .u64(2L * PAGE | QemuStreamBuilder.MEM_SIZE).name("pc.ram").u64(PAGE).u64(0)
            .name("rom").u64(PAGE).u64(0xfffc0000L).eos().footer(2)
            .end(2).page("rom", 0, 5).eos().footer(2).eof().bytes();
        try (RamBlocks blocks = RamBlocks.learned(PAGE, 1 << 20))
        {
            new QemuStreamReader(BytesChannel.of(bytes), blocks, PageStreamDialect.QEMU.withBlockAddresses(), 8192)
                .read();
            assertEquals(5, blocks.memory(blocks.indexOf("rom")).getByte(0));
        }
        assertThrows(PageStreamException.class, () -> read(bytes, 1 << 20, 64).close());
    }

    private static Arguments refusal(final String name, final Supplier<QemuStreamBuilder> stream, final String reason)
    {
        return Arguments.of(name, stream, reason);
    }

    private static QemuStreamBuilder ram()
    {
        return QemuStreamBuilder.standard().ramStart(2, "pc.ram", 2 * PAGE, "vga", PAGE);
    }

    private static QemuStreamBuilder ended()
    {
        return ram().end(2).eos().footer(2);
    }

    static Stream<Arguments> refusals()
    {
        final List<Arguments> list = new ArrayList<>();
        list.add(refusal("empty", () -> new QemuStreamBuilder().mark(), "stream is empty"));
        list.add(refusal("bad magic", () -> new QemuStreamBuilder().mark().u32(0x51455600).u32(3),
            "not a QEMU migration stream"));
        list.add(refusal("version 2", () -> new QemuStreamBuilder().u32(QemuStreamDescriptor.MAGIC).mark().u32(2),
            "QEMU stream version 2"));
        list.add(refusal("machine name of 0 bytes", () -> new QemuStreamBuilder().header().mark()
            .u8(QemuStreamDescriptor.CONFIGURATION).u32(0), "machine type name of 0 bytes"));
        list.add(refusal("machine name of 300 bytes", () -> new QemuStreamBuilder().header().mark()
            .u8(QemuStreamDescriptor.CONFIGURATION).u32(300), "machine type name of 300 bytes"));
        list.add(refusal("machine name not ASCII", () -> new QemuStreamBuilder().header().mark()
            .u8(QemuStreamDescriptor.CONFIGURATION).u32(2).u8('p').u8(0x80), "not printable ASCII"));
        list.add(refusal("second configuration", () -> QemuStreamBuilder.standard().mark().configuration("pc"),
            "a second configuration"));
        list.add(refusal("configuration after a section", () -> ended().mark().configuration("pc"),
            "a second configuration"));
        list.add(refusal("unknown subsection", () -> QemuStreamBuilder.standard().mark()
            .subsection("configuration/future", 1).u32(0), "configuration subsection \"configuration/future\""));
        list.add(refusal("unknown item", () -> ended().mark().u8(0x09), "unknown item type 0x09"));
        list.add(refusal("description before the end", () -> ended().mark().descriptionJson("{}"),
            "VM description before the end of stream"));
        list.add(refusal("footer outside a section", () -> ended().mark().footer(2), "section footer outside"));
        list.add(refusal("subsection outside a section", () -> ended().mark().subsection("a", 1),
            "subsection outside a section"));
        list.add(refusal("iterative block section", () -> QemuStreamBuilder.standard().mark()
            .section(QemuStreamDescriptor.SECTION_START, 1, "block", 0, 1), "iterative section \"block\""));
        list.add(refusal("device before ram ended", () -> ram().mark().device(0, "timer", 0, new byte[1]),
            "device section \"timer\" before the RAM section ended"));
        list.add(refusal("device before ram began", () -> QemuStreamBuilder.standard().mark()
            .device(0, "timer", 0, new byte[1]), "before the RAM section began"));
        list.add(refusal("ram as section full", () -> QemuStreamBuilder.standard().mark()
            .section(QemuStreamDescriptor.SECTION_FULL, 2, "ram", 0, 4), "as a section full"));
        list.add(refusal("ram version 3", () -> QemuStreamBuilder.standard().mark()
            .section(QemuStreamDescriptor.SECTION_START, 2, "ram", 0, 3), "\"ram\" section version 3"));
        list.add(refusal("second ram start", () -> ram().mark().section(QemuStreamDescriptor.SECTION_START, 3,
            "ram", 0, 4), "a second start of the \"ram\" section"));
        list.add(refusal("section id string of 0 bytes", () -> QemuStreamBuilder.standard().mark()
            .u8(QemuStreamDescriptor.SECTION_FULL).u32(0).u8(0), "section id string of length 0"));
        list.add(refusal("part of another section", () -> ram().mark().part(3), "section part of section id 3"));
        list.add(refusal("part before a start", () -> QemuStreamBuilder.standard().mark().part(2),
            "before any section start"));
        list.add(refusal("part after the end", () -> ended().mark().part(2), "after the end"));
        list.add(refusal("missing footer", () -> ram().part(2).eos().mark().eof(),
            "expected the footer (0x7e) of section 2, found 0x00"));
        list.add(refusal("footer of another section", () -> ram().part(2).eos().mark().footer(5),
            "footer of section 5 after the data of section 2"));
        list.add(refusal("unknown command", () -> ram().mark().command(99, new byte[0]), "unknown command 99"));
        list.add(refusal("packaged command", () -> ram().mark().command(7, new byte[4]), "PACKAGED"));
        list.add(refusal("end of stream in the RAM migration", () -> ram().mark().eof(),
            "end of stream inside the RAM migration"));
        list.add(refusal("stream ends after the RAM", () -> ended().mark(), "stream ends before its end of stream"));
        list.add(refusal("stream ends in a page", () -> {
            final QemuStreamBuilder b = ram().part(2).record("pc.ram", 0, QemuStreamBuilder.RAW).u32(7);
            return b.mark();
        }, "stream ends inside the record"));
        list.add(refusal("stream ends at the section's start", () -> ram().part(2).mark(),
            "stream ends before the data of the RAM section"));
        list.add(refusal("bytes after the end of stream", () -> ended().eof().mark().u8(1),
            "0x01 after the end of stream"));
        list.add(refusal("description longer than the stream", () -> ended().eof().mark()
            .u8(QemuStreamDescriptor.VM_DESCRIPTION).u32(100).ascii("{}"), "VM description of 100 bytes, but 2"));
        list.add(refusal("description not JSON", () -> ended().eof().u8(QemuStreamDescriptor.VM_DESCRIPTION).u32(5)
            .ascii("{\"a\"").mark().ascii("x"), "VM description is not valid JSON"));
        list.add(refusal("description without devices", () -> ended().eof().u8(QemuStreamDescriptor.VM_DESCRIPTION)
            .u32(2).mark().ascii("{}"), "has no \"devices\""));
        list.add(refusal("description of another page size", () -> ended().eof().u8(QemuStreamDescriptor.VM_DESCRIPTION)
            .u32(34).mark().ascii("{\"page_size\": 8192, \"devices\": []}"), "target page size is 8192"));
        list.add(refusal("device state cut short", () -> {
            final QemuStreamBuilder b = ended().device(0, "timer", 0, new byte[] {1, 2, 3});
            return b.mark();
        }, "stream does not end with its end of stream (0x00) and a VM description"));
        list.add(refusal("description names another first device", () -> ended().mark()
            .device(0, "timer", 0, new byte[] {1}).eof().description("serial", 0), "first device is \"serial\""));
        list.add(refusal("description names another instance", () -> ended().mark()
            .device(0, "timer", 1, new byte[] {1}).eof().description("timer", 0), "first device section is \"timer #1\""));
        // RAM records, in QEMU's dialect
        list.add(refusal("LZ4 record", () -> ram().part(2).mark().record("pc.ram", 0, 0x400).u32(1).u8(0),
            "LZ4 is livemig's own record"));
        list.add(refusal("COMPRESS_PAGE record", () -> ram().part(2).mark().record("pc.ram", 0, 0x100),
            "compress capability is not supported"));
        list.add(refusal("MULTIFD_FLUSH with an offset", () -> ram().part(2).mark()
            .u64(PAGE | QemuStreamBuilder.MULTIFD_FLUSH), "MULTIFD_FLUSH record carries an offset"));
        list.add(refusal("MULTIFD_FLUSH with ZERO", () -> ram().part(2).mark()
            .u64(QemuStreamBuilder.MULTIFD_FLUSH | QemuStreamBuilder.ZERO), "carry no other flag"));
        list.add(refusal("CONTINUE first after MEM_SIZE", () -> ram().part(2).mark().zero(null, 0),
            "CONTINUE with no previous block"));
        list.add(refusal("unknown block", () -> ram().part(2).mark().zero("pc.rom", 0),
            "unknown block \"pc.rom\" (the stream's MEM_SIZE listed blocks \"pc.ram\", \"vga\")"));
        list.add(refusal("offset outside the block", () -> ram().part(2).mark().zero("vga", PAGE),
            "outside block \"vga\""));
        list.add(refusal("MEM_SIZE above the limit", () -> QemuStreamBuilder.standard()
            .section(QemuStreamDescriptor.SECTION_START, 2, "ram", 0, 4).mark().memSize("pc.ram", 2L << 20),
            "above this reader's limit of 1048576 bytes"));
        list.add(refusal("MEM_SIZE name with a space", () -> QemuStreamBuilder.standard()
            .section(QemuStreamDescriptor.SECTION_START, 2, "ram", 0, 4).mark().memSize("pc ram", PAGE),
            "not printable ASCII without spaces"));
        list.add(refusal("MEM_SIZE block twice", () -> QemuStreamBuilder.standard()
            .section(QemuStreamDescriptor.SECTION_START, 2, "ram", 0, 4).mark().memSize("a", PAGE, "a", PAGE),
            "lists block \"a\" twice"));
        list.add(refusal("MEM_SIZE block of half a page", () -> QemuStreamBuilder.standard()
            .section(QemuStreamDescriptor.SECTION_START, 2, "ram", 0, 4).mark().u64(PAGE | QemuStreamBuilder.MEM_SIZE)
            .name("a").u64(PAGE / 2),
            "not a positive multiple of the page size"));
        list.add(refusal("MEM_SIZE block of 0 bytes", () -> QemuStreamBuilder.standard()
            .section(QemuStreamDescriptor.SECTION_START, 2, "ram", 0, 4).mark().u64(PAGE | QemuStreamBuilder.MEM_SIZE)
            .name("a").u64(0), "has 0 bytes"));
        list.add(refusal("MEM_SIZE lengths above the total", () -> QemuStreamBuilder.standard()
            .section(QemuStreamDescriptor.SECTION_START, 2, "ram", 0, 4).mark().u64(PAGE | QemuStreamBuilder.MEM_SIZE)
            .name("a").u64(2 * PAGE), "add up to more than its total"));
        list.add(refusal("MEM_SIZE lists nothing", () -> QemuStreamBuilder.standard()
            .section(QemuStreamDescriptor.SECTION_START, 2, "ram", 0, 4).mark().u64(QemuStreamBuilder.MEM_SIZE),
            "lists no block"));
        list.add(refusal("a page in the setup section", () -> QemuStreamBuilder.standard()
            .section(QemuStreamDescriptor.SECTION_START, 2, "ram", 0, 4).memSize("pc.ram", PAGE).zero("pc.ram", 0)
            .mark().u64(QemuStreamBuilder.MEM_SIZE | PAGE), "a second MEM_SIZE record"));
        return list.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("refusals")
    void refusesWithTheOffsetAndReason(final String name, final Supplier<QemuStreamBuilder> stream,
        final String reason)
    {
        final QemuStreamBuilder b = stream.get();
        final byte[] bytes = b.bytes();
        for (final int maxRead : new int[] {Integer.MAX_VALUE, 3})
        {
            final PageStreamException ex = assertThrows(PageStreamException.class,
                () -> read(bytes, 1 << 20, maxRead).close(), name);
            assertTrue(ex.reason().contains(reason), () -> name + ": " + ex.getMessage());
            assertEquals(b.marked() < 0 ? bytes.length : b.marked(), ex.streamOffset(), () -> name + ": " + ex.getMessage());
            assertEquals(-1, ex.getMessage().indexOf('\n'), ex::getMessage);
        }
    }

    private static byte[] concat(final byte[] a, final byte[] b)
    {
        final byte[] c = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, c, a.length, b.length);
        return c;
    }
}
