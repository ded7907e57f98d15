package io.livemig.bench.state;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Where inputs sit: huge pages and library addresses from /proc text, page offsets of off-heap buffers. */
class PlacementTest
{
    private static final String SMAPS = String.join("\n",
        "7f0000000000-7f0004000000 rw-p 00000000 00:00 0 ",
        "Size:              65536 kB",
        "AnonHugePages:     63488 kB",
        "THPeligible:    1",
        "7f0004000000-7f0004001000 r-xp 00000000 08:01 1234                       /tmp/x/liblivemig-anchors.so",
        "Size:                  4 kB",
        "AnonHugePages:         0 kB",
        "");

    @Test
    void hugePagesAreThoseOfTheMappingHoldingTheAddress()
    {
        assertEquals(63488, Placement.hugeKiB(SMAPS, 0x7f0000001000L));
        assertEquals(0, Placement.hugeKiB(SMAPS, 0x7f0004000800L));
        assertEquals(Placement.UNKNOWN, Placement.hugeKiB(SMAPS, 0x1000L), "in no mapping");
        assertEquals(Placement.UNKNOWN, Placement.hugeKiB(SMAPS, Placement.UNKNOWN));
        assertEquals(Placement.UNKNOWN, Placement.hugeKiB("", 0x7f0000001000L));
    }

    @Test
    void theLibrarysCodeIsItsExecutableMapping()
    {
        final String maps = "7f0004000000-7f0004001000 r--p 00000000 08:01 1234 /tmp/x/liblivemig-anchors.so\n" +
            "7f0004001000-7f0004005000 r-xp 00001000 08:01 1234 /tmp/x/liblivemig-anchors.so\n";
        assertEquals(0x7f0004001000L, Placement.textAddress(maps, "/tmp/x/liblivemig-anchors.so"));
        assertEquals(Placement.UNKNOWN, Placement.textAddress(maps, "/other.so"));
    }

    @Test
    void offHeapPagesStartWhereAsked()
    {
        try (OffHeapPages aligned = new OffHeapPages(2); OffHeapPages skewed = new OffHeapPages(2, 16))
        {
            assertEquals(0, Placement.pageOffset(Placement.addressOf(aligned.buffer(), 0)));
            assertEquals(16, Placement.pageOffset(Placement.addressOf(skewed.buffer(), 0)));
            assertEquals(24, Placement.pageOffset(Placement.addressOf(skewed.buffer(), 4104)));
            assertEquals(2 * OffHeapPages.PAGE_SIZE, skewed.buffer().capacity());
            skewed.buffer().putLong(2 * OffHeapPages.PAGE_SIZE - 8, -1L); // the last word is inside the allocation
        }
        assertEquals(-1, Placement.pageOffset(Placement.UNKNOWN));
        final UnsafeBuffer heap = Placement.pageAlignedHeapCopy(new UnsafeBuffer(new byte[] {1, 2, 3, 4, 5, 6, 7, 8}));
        assertEquals(8, heap.capacity());
        assertEquals(5, heap.getByte(4));
        assertTrue(heap.byteArray().length >= 8 + OffHeapPages.PAGE_SIZE);
    }
}
