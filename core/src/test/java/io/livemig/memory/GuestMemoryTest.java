package io.livemig.memory;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import io.livemig.dirty.DirtyMarker;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link GuestMemory}: every write marks exactly the pages it touched and reads mark nothing, across pages and
 * off-heap regions (8 KiB regions of 4 KiB pages here); bad addresses, lengths, alignment and constructor
 * arguments are refused with messages naming the address and the guest size; closed memory refuses access.
 */
class GuestMemoryTest
{
    private static final int PAGE = 4096;
    private static final int REGION = 2 * PAGE;
    private static final long SIZE = 5L * REGION; // 10 pages in 5 regions

    /** Records every page marked, in order. */
    private static final class RecordingMarker implements DirtyMarker
    {
        final List<Long> pages = new ArrayList<>();

        @Override
        public synchronized void mark(final long page)
        {
            pages.add(page);
        }

        synchronized List<Long> take()
        {
            final List<Long> taken = List.copyOf(pages);
            pages.clear();
            return taken;
        }
    }

    private final RecordingMarker marker = new RecordingMarker();

    private GuestMemory guest()
    {
        return new GuestMemory("test", SIZE, PAGE, REGION, marker);
    }

    private static List<Long> pages(final long first, final long last)
    {
        final List<Long> pages = new ArrayList<>();
        for (long p = first; p <= last; p++)
        {
            pages.add(p);
        }
        return pages;
    }

    @Test
    void everyWritePathMarksExactlyThePagesItTouched()
    {
        try (GuestMemory mem = guest())
        {
            mem.putLong(3 * PAGE + 8, 1);
            assertEquals(List.of(3L), marker.take(), "putLong");
            mem.putInt(SIZE - 4, 1);
            assertEquals(List.of(9L), marker.take(), "putInt at the last int");
            mem.putByte(PAGE - 1, (byte)1);
            assertEquals(List.of(0L), marker.take(), "putByte at a page's last byte");
            mem.putBytes(PAGE - 1, new byte[2], 0, 2);
            assertEquals(pages(0, 1), marker.take(), "putBytes over a page boundary");
            mem.putBytes(REGION - 10, new byte[PAGE + 20], 0, PAGE + 20);
            assertEquals(pages(1, 3), marker.take(), "putBytes over a region boundary");
            mem.putBytes(5 * PAGE, new byte[1], 0, 0);
            assertEquals(List.of(), marker.take(), "zero-length putBytes");
            mem.fill(PAGE, SIZE - PAGE - 1, (byte)7);
            assertEquals(pages(1, 9), marker.take(), "fill over every region");
            mem.fill(PAGE, 0, (byte)7);
            assertEquals(List.of(), marker.take(), "zero-length fill");
            mem.writePage(6, new byte[PAGE + 3], 3);
            assertEquals(List.of(6L), marker.take(), "writePage(byte[])");
            mem.writePage(7, new UnsafeBuffer(new byte[PAGE]), 0);
            assertEquals(List.of(7L), marker.take(), "writePage(DirectBuffer)");
        }
    }

    @Test
    void readsAndTheDestinationViewNeverMark()
    {
        try (GuestMemory mem = guest())
        {
            mem.putLong(PAGE, 0x0102030405060708L);
            marker.take();
            assertEquals(0x0102030405060708L, mem.getLong(PAGE));
            mem.getInt(PAGE + 4);
            mem.getByte(SIZE - 1);
            mem.getBytes(0, new byte[(int)SIZE], 0, (int)SIZE);
            mem.readPage(9, new byte[PAGE], 0);
            mem.readPage(9, new UnsafeBuffer(new byte[PAGE]), 0);
            final UnsafeBuffer view = mem.wrapPage(4, new UnsafeBuffer(0, 0));
            assertEquals(PAGE, view.capacity());
            view.putLong(16, 42);
            assertEquals(42, mem.getLong(4L * PAGE + 16), "the view writes guest memory");
            assertEquals(List.of(), marker.take(), "no read and no view write marks");
        }
    }

    @Test
    void bytesRoundTripAcrossPagesAndRegions()
    {
        final Random random = new Random(3);
        try (GuestMemory mem = guest())
        {
            final byte[] data = new byte[(int)SIZE - 3000];
            random.nextBytes(data);
            mem.putBytes(1500, data, 0, data.length);
            final byte[] back = new byte[data.length + 2];
            mem.getBytes(1500, back, 1, data.length);
            assertArrayEquals(data, java.util.Arrays.copyOfRange(back, 1, data.length + 1));
            assertEquals(0, mem.getByte(1499), "untouched byte before");
            assertEquals(0, mem.getByte(1500 + data.length), "untouched byte after");

            mem.fill(REGION - 1, 2, (byte)-1);
            assertEquals(-1, mem.getByte(REGION - 1));
            assertEquals(-1, mem.getByte(REGION));

            final byte[] page = new byte[PAGE];
            random.nextBytes(page);
            mem.writePage(2, page, 0);
            final UnsafeBuffer copy = new UnsafeBuffer(new byte[PAGE + 8]);
            mem.readPage(2, copy, 8);
            final byte[] read = new byte[PAGE];
            copy.getBytes(8, read);
            assertArrayEquals(page, read);
            assertEquals(2L * PAGE, mem.pageAddress(2));
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {4096, 8192, 65536, 1 << 20, 2 << 20})
    void pageSizesFrom4KiBTo2MiB(final int pageSize)
    {
        try (GuestMemory mem = new GuestMemory("big", 3L * pageSize, pageSize, pageSize, marker))
        {
            assertEquals(3, mem.pageCount());
            assertEquals(Integer.numberOfTrailingZeros(pageSize), mem.pageShift());
            mem.putByte(2L * pageSize - 1, (byte)5);
            mem.putBytes(pageSize - 1, new byte[2], 0, 2);
            assertEquals(List.of(1L, 0L, 1L), marker.take());
            final UnsafeBuffer view = mem.wrapPage(1, new UnsafeBuffer(0, 0));
            assertEquals(0, view.addressOffset() % pageSize, "pages are page aligned");
        }
    }

    @Test
    void outOfRangeAccessNamesTheAddressAndTheGuestSize()
    {
        try (GuestMemory mem = guest())
        {
            final String size = String.valueOf(SIZE);
            assertRefused(IndexOutOfBoundsException.class, () -> mem.getByte(-1), "0xffffffffffffffff", size);
            assertRefused(IndexOutOfBoundsException.class, () -> mem.putByte(SIZE, (byte)0), "0xa000", size);
            assertRefused(IndexOutOfBoundsException.class, () -> mem.getLong(SIZE - 4), "0x9ffc", size);
            assertRefused(IndexOutOfBoundsException.class, () -> mem.putLong(Long.MAX_VALUE - 7, 1), "0x7ffffffffffffff8", size);
            assertRefused(IndexOutOfBoundsException.class,
                () -> mem.putBytes(SIZE - 1, new byte[2], 0, 2), "0x9fff", size);
            assertRefused(IndexOutOfBoundsException.class,
                () -> mem.getBytes(Long.MAX_VALUE, new byte[2], 0, 2), "0x7fffffffffffffff", size);
            assertRefused(IndexOutOfBoundsException.class, () -> mem.fill(0, SIZE + 1, (byte)0), "0x0", size);
            assertRefused(IndexOutOfBoundsException.class, () -> mem.fill(Long.MAX_VALUE, Long.MAX_VALUE, (byte)0), size);
            assertRefused(IndexOutOfBoundsException.class, () -> mem.fill(8, -1, (byte)0), "-1", size);
            assertRefused(IllegalArgumentException.class, () -> mem.putLong(4, 1), "0x4", "8-byte aligned", size);
            assertRefused(IllegalArgumentException.class, () -> mem.getInt(2), "0x2", "4-byte aligned", size);
            assertRefused(IndexOutOfBoundsException.class, () -> mem.writePage(10, new byte[PAGE], 0), "page 10", size);
            assertRefused(IndexOutOfBoundsException.class, () -> mem.readPage(-1, new byte[PAGE], 0), "page -1", size);
            assertRefused(IndexOutOfBoundsException.class, () -> mem.wrapPage(10, new UnsafeBuffer(0, 0)), "page 10");
            assertRefused(IndexOutOfBoundsException.class, () -> mem.pageAddress(Long.MIN_VALUE), "page", size);
            assertRefused(IndexOutOfBoundsException.class, () -> mem.writePage(0, new byte[PAGE], 1), "capacity 4096");
            assertRefused(IndexOutOfBoundsException.class, () -> mem.putBytes(0, new byte[4], 3, 2), "capacity 4");
            assertRefused(IndexOutOfBoundsException.class, () -> mem.getBytes(0, new byte[4], -1, 2), "capacity 4");
            assertRefused(IndexOutOfBoundsException.class,
                () -> mem.readPage(0, new UnsafeBuffer(new byte[PAGE]), 8), "capacity 4096");
            assertEquals(List.of(), marker.take(), "refused writes mark nothing");
        }
    }

    @Test
    void closedMemoryRefusesEveryAccess()
    {
        final GuestMemory mem = guest();
        mem.close();
        mem.close(); // idempotent
        final List<Runnable> calls = List.of(
            () -> mem.putLong(0, 1), () -> mem.putInt(0, 1), () -> mem.putByte(0, (byte)1),
            () -> mem.putBytes(0, new byte[1], 0, 1), () -> mem.putBytes(0, new byte[1], 0, 0),
            () -> mem.fill(0, 1, (byte)0), () -> mem.fill(0, 0, (byte)0),
            () -> mem.writePage(0, new byte[PAGE], 0), () -> mem.writePage(0, new UnsafeBuffer(new byte[PAGE]), 0),
            () -> mem.getLong(0), () -> mem.getInt(0), () -> mem.getByte(0),
            () -> mem.getBytes(0, new byte[1], 0, 1), () -> mem.getBytes(0, new byte[1], 0, 0),
            () -> mem.readPage(0, new byte[PAGE], 0), () -> mem.readPage(0, new UnsafeBuffer(new byte[PAGE]), 0),
            () -> mem.wrapPage(0, new UnsafeBuffer(0, 0)));
        for (int i = 0; i < calls.size(); i++)
        {
            final Runnable call = calls.get(i);
            final IllegalStateException e = assertThrows(IllegalStateException.class, call::run, "call " + i);
            assertTrue(e.getMessage().contains("closed"), e.getMessage());
        }
        assertEquals(List.of(), marker.take());
    }

    @Test
    void constructorRefusesBadArgumentsNamingThem()
    {
        assertRefused(IllegalArgumentException.class, () -> create("", SIZE, PAGE, REGION), "block name");
        assertRefused(IllegalArgumentException.class, () -> create("a b", SIZE, PAGE, REGION), "a b");
        assertRefused(IllegalArgumentException.class, () -> create("x".repeat(256), SIZE, PAGE, REGION), "block name");
        assertRefused(IllegalArgumentException.class, () -> create("r\u00e4m", SIZE, PAGE, REGION), "r\u00e4m");
        assertRefused(IllegalArgumentException.class, () -> create(null, SIZE, PAGE, REGION), "null");
        assertRefused(IllegalArgumentException.class, () -> create("m", SIZE, 2048, REGION), "page size", "2048");
        assertRefused(IllegalArgumentException.class, () -> create("m", SIZE, 4096 + 512, REGION), "4608");
        assertRefused(IllegalArgumentException.class, () -> create("m", SIZE, 4 << 20, 4 << 20), "4194304");
        assertRefused(IllegalArgumentException.class, () -> create("m", SIZE, 8192, 4096), "region size", "4096");
        assertRefused(IllegalArgumentException.class, () -> create("m", SIZE, PAGE, 3 * PAGE), "12288");
        assertRefused(IllegalArgumentException.class, () -> create("m", SIZE, PAGE, Integer.MIN_VALUE), "region size");
        assertRefused(IllegalArgumentException.class, () -> create("m", 0, PAGE, REGION), "guest size", ": 0");
        assertRefused(IllegalArgumentException.class, () -> create("m", -PAGE, PAGE, REGION), "-4096");
        assertRefused(IllegalArgumentException.class, () -> create("m", PAGE + 1, PAGE, REGION), "4097");
        assertRefused(IllegalArgumentException.class, () -> create("m", 1L << 62, PAGE, PAGE), "too large");
        assertRefused(NullPointerException.class, () -> new GuestMemory(SIZE, PAGE, null), "marker");
        try (GuestMemory mem = new GuestMemory(SIZE, PAGE, DirtyMarker.NONE))
        {
            assertEquals(GuestMemory.DEFAULT_BLOCK_NAME, mem.blockName());
            assertEquals(SIZE, mem.size());
            assertEquals(PAGE, mem.pageSize());
            assertEquals(10, mem.pageCount());
            assertEquals(DirtyMarker.NONE, mem.marker());
            assertTrue(mem.toString().contains(String.valueOf(SIZE)));
        }
    }

    private void create(final String name, final long size, final int pageSize, final int regionSize)
    {
        new GuestMemory(name, size, pageSize, regionSize, marker).close();
    }

    private static void assertRefused(
        final Class<? extends RuntimeException> type, final Runnable call, final String... parts)
    {
        final RuntimeException e = assertThrows(type, call::run);
        for (final String part : parts)
        {
            assertTrue(String.valueOf(e.getMessage()).contains(part),
                () -> "'" + e.getMessage() + "' should name '" + part + "'");
        }
    }

    /** Guest memory over caller-mapped memory: same reads, writes, marks and checks; close runs the release once. */
    @Test
    void mappedMemoryBehavesAsAllocatedAndReleasesOnce()
    {
        final long raw = org.agrona.UnsafeApi.allocateMemory(5 * 4096);
        try
        {
            final long address = (raw + 4095) & -4096L;
            org.agrona.UnsafeApi.setMemory(address, 4 * 4096, (byte)0);
            final List<Long> marked = new ArrayList<>();
            final int[] releases = {0};
            final GuestMemory memory = GuestMemory.mapped("pc.ram", address, 4 * 4096, 4096, marked::add,
                UnsafeBuffer::new, () -> releases[0]++);
            memory.putLong(4096 + 8, 77);
            memory.putBytes(3 * 4096 - 2, new byte[] {1, 2, 3, 4}, 0, 4);
            assertEquals(77, memory.getLong(4096 + 8));
            assertEquals(77, org.agrona.UnsafeApi.getLong(address + 4096 + 8), "the mapping itself holds the data");
            assertEquals(4, memory.getByte(3 * 4096 + 1));
            assertEquals(List.of(1L, 2L, 3L), marked);
            assertThrows(IndexOutOfBoundsException.class, () -> memory.getLong(4 * 4096));
            memory.close();
            memory.close();
            assertEquals(1, releases[0]);
            assertThrows(IllegalStateException.class, () -> memory.getLong(0));
            assertThrows(IllegalArgumentException.class, () -> GuestMemory.mapped("pc.ram", address + 8, 4096, 4096,
                DirtyMarker.NONE, UnsafeBuffer::new, () -> { }));
            assertThrows(IllegalArgumentException.class, () -> GuestMemory.mapped("pc.ram", address, 4096 + 1, 4096,
                DirtyMarker.NONE, UnsafeBuffer::new, () -> { }));
        }
        finally
        {
            org.agrona.UnsafeApi.freeMemory(raw);
        }
    }
}
