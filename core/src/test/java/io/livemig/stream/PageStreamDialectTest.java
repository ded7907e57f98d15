package io.livemig.stream;

import io.livemig.dirty.DirtyMarker;
import io.livemig.memory.GuestMemory;
import io.livemig.stream.read.PageStreamReader;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Where the QEMU dialect and the livemig dialect of the reader differ (LZ4, MULTIFD_FLUSH, CONTINUE after EOS,
 * block addresses), and readers of several blocks: a fixed table, and a table learned from MEM_SIZE.
 */
class PageStreamDialectTest
{
    private static final int PAGE = 4096;

    private static PageStreamReader reader(final byte[] bytes, final RamBlocks blocks, final PageStreamDialect d)
    {
        return new PageStreamReader(new ChannelInput(MemoryChannel.of(bytes), 1 << 16), blocks, d);
    }

    private static PageStreamException refusal(final byte[] bytes, final RamBlocks blocks, final PageStreamDialect d)
    {
        return assertThrows(PageStreamException.class, () -> reader(bytes, blocks, d).readToEnd(true));
    }

    @Test
    void continueAfterEosIsQemusAlone() throws PageStreamException
    {
        final byte[] bytes = new Crafted().memSize("pc.ram", 2 * PAGE).zero(0).eos()
            .mark().header(PAGE, PageStreamDescriptor.PAGE | PageStreamDescriptor.CONTINUE).raw(new byte[PAGE]).eos()
            .bytes();
        try (GuestMemory m = new GuestMemory(2 * PAGE, PAGE, DirtyMarker.NONE))
        {
            final PageStreamException ex = refusal(bytes, RamBlocks.of(m), PageStreamDialect.LIVEMIG);
            assertTrue(ex.reason().contains("after MEM_SIZE or EOS must name its block"), ex::getMessage);
            final PageStreamReader qemu = reader(bytes, RamBlocks.of(m), PageStreamDialect.QEMU);
            qemu.readToEnd(true);
            assertEquals(2, qemu.stats().totalPages());
        }
    }

    @Test
    void multifdFlushIsQemusAndLz4IsLivemigs() throws PageStreamException
    {
        final byte[] flush = new Crafted().memSize("pc.ram", PAGE).zero(0).u64(PageStreamDescriptor.QEMU_MULTIFD_FLUSH)
            .eos().bytes();
        final byte[] lz4 = new Crafted().memSize("pc.ram", PAGE).lz4(0, new byte[] {0x10, 0}).eos().bytes();
        try (GuestMemory m = new GuestMemory(PAGE, PAGE, DirtyMarker.NONE))
        {
            assertTrue(refusal(flush, RamBlocks.of(m), PageStreamDialect.LIVEMIG).reason().contains("undefined flags"));
            final PageStreamReader qemu = reader(flush, RamBlocks.of(m), PageStreamDialect.QEMU);
            qemu.readToEnd(true);
            assertEquals(1, qemu.multifdFlushes());
            assertEquals(23 + 16 + 8 + 8, qemu.stats().wireBytes());
            final PageStreamException ex = refusal(lz4, RamBlocks.of(m), PageStreamDialect.QEMU);
            assertEquals(23, ex.streamOffset());
            assertTrue(ex.reason().contains("LZ4 is livemig's own record"), ex::getMessage);
        }
    }

    @Test
    void aFixedTableOfTwoBlocks() throws PageStreamException
    {
        try (GuestMemory ram = new GuestMemory(2 * PAGE, PAGE, DirtyMarker.NONE);
            GuestMemory vga = new GuestMemory("vga", PAGE, PAGE, PAGE, DirtyMarker.NONE))
        {
            final RamBlocks blocks = RamBlocks.of(ram, vga);
            final byte[] ok = new Crafted().u64(3L * PAGE | PageStreamDescriptor.MEM_SIZE).name("vga").u64(PAGE)
                .name("pc.ram").u64(2 * PAGE)
                .u64(PageStreamDescriptor.PAGE).name("vga").raw(filled(7)).zero(PAGE).eos().bytes();
            final PageStreamReader reader = reader(ok, blocks, PageStreamDialect.LIVEMIG);
            final int[] seen = new int[2];
            reader.setListener((page, kind, wire, offset) -> seen[reader.block()]++);
            reader.readToEnd(true);
            assertEquals(7, vga.getByte(100));
            assertEquals(1, seen[0]);
            assertEquals(1, seen[1]);
            assertEquals(null, reader.memory());
            assertThrows(IllegalStateException.class, reader::destinationStartsZero);

            final byte[] missing = new Crafted().memSize("pc.ram", 2 * PAGE).eos().bytes();
            assertEquals("MEM_SIZE does not list block \"vga\" of the destination",
                refusal(missing, blocks, PageStreamDialect.LIVEMIG).reason());
            final byte[] unknown = new Crafted().memSize("rom", PAGE).eos().bytes();
            assertEquals("MEM_SIZE lists unknown block \"rom\": the destination has blocks \"pc.ram\", \"vga\"",
                refusal(unknown, blocks, PageStreamDialect.LIVEMIG).reason());
        }
    }

    @Test
    void aLearnedTableAllocatesOnlyWrittenBlocksWithinItsLimit() throws PageStreamException
    {
        final byte[] bytes = new Crafted().u64(5L * PAGE | PageStreamDescriptor.MEM_SIZE).name("pc.ram").u64(PAGE)
            .name("big").u64(4 * PAGE).u64(PageStreamDescriptor.PAGE).name("pc.ram").raw(filled(3)).eos().bytes();
        try (RamBlocks blocks = RamBlocks.learned(PAGE, 5 * PAGE))
        {
            reader(bytes, blocks, PageStreamDialect.QEMU).readToEnd(true);
            assertEquals(2, blocks.count());
            assertEquals(4 * PAGE, blocks.usedLength(1));
            assertTrue(blocks.isAllocated(0));
            assertTrue(!blocks.isAllocated(1));
            assertEquals(3, blocks.memory(0).getByte(PAGE - 1));
        }
        try (RamBlocks blocks = RamBlocks.learned(PAGE, 5 * PAGE - 1))
        {
            final PageStreamException ex = refusal(bytes, blocks, PageStreamDialect.QEMU);
            assertEquals(0, ex.streamOffset());
            assertEquals("MEM_SIZE declares 20480 bytes of RAM, above this reader's limit of 20479 bytes", ex.reason());
            assertEquals(0, blocks.count());
        }
    }

    @Test
    void blockAddressesFollowEachBlock() throws PageStreamException
    {
        final byte[] bytes = new Crafted().memSize("pc.ram", PAGE).u64(0x100000).eos().bytes();
        try (RamBlocks blocks = RamBlocks.learned(PAGE, PAGE))
        {
            reader(bytes, blocks, PageStreamDialect.QEMU.withBlockAddresses()).readToEnd(true);
            assertEquals(1, blocks.count());
        }
        assertThrows(IllegalStateException.class, PageStreamDialect.LIVEMIG::withBlockAddresses);
    }

    private static byte[] filled(final int value)
    {
        final byte[] page = new byte[PAGE];
        java.util.Arrays.fill(page, (byte)value);
        return page;
    }
}
