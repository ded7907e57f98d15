package io.livemig.stream;

import io.livemig.dirty.DirtyMarker;
import io.livemig.memory.GuestMemory;
import io.livemig.stream.read.PageStreamReader;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The zero-page path end to end: the writer decides ZERO on live guest memory, with no snapshot, and a write
 * racing that decision is caught by the dirty bit and resent; a reader whose destination started zero skips
 * ZERO records for pages it never wrote, and writes them for pages it did.
 */
class ZeroPagePathTest
{
    private static final int PAGES = 16;
    private static final int RACED_PAGE = 5;

    /**
     * A vCPU write lands right after the writer found {@link #RACED_PAGE} zero: the page goes as ZERO (what the
     * check saw), but its dirty bit is set again, so the next round sends the new contents and the
     * destination ends equal to the source. Run with every codec setting, since the raw-only writer takes
     * its own path.
     */
    @Test
    void aWriteRacingTheZeroCheckIsResent() throws Exception
    {
        for (final PageStreamOptions options : List.of(PageStreamOptions.defaults(),
            PageStreamOptions.defaults().withLz4(true),
            PageStreamOptions.defaults().withXbzrle(true).withXbzrleCacheBytes(PAGES * 4096L)))
        {
            try (StreamPair pair = new StreamPair(4096, PAGES, options))
            {
                final Random random = new Random(11);
                for (int p = 0; p < PAGES; p++)
                {
                    pair.shape(p, p % 2 == 0 || p == RACED_PAGE ? StreamPair.Shape.ZERO : StreamPair.Shape.RANDOM, random);
                }
                pair.start();
                final int[] races = {0};
                pair.writer.testFaults(page -> {
                    if (page == RACED_PAGE && races[0] == 0)
                    {
                        pair.source.putLong(page * 4096L + 800, 0x5EED_5EEDL);
                        races[0]++;
                    }
                }, false);
                final List<PageKind> first = pair.round();
                assertEquals(1, races[0], options.toString());
                assertEquals(PageKind.ZERO, first.get(RACED_PAGE), "the check ran before the write: " + options);
                assertTrue(pair.dirty.isDirty(RACED_PAGE), "the racing write must leave the page dirty: " + options);
                final List<PageKind> second = pair.round();
                assertEquals(1, second.size(), "only the raced page is resent: " + options);
                assertTrue(second.get(0) != PageKind.ZERO && second.get(0) != PageKind.UNCHANGED,
                    "the raced page goes with its contents: " + second + ", " + options);
                assertEquals(-1, pair.firstDifference(), options.toString());
                assertEquals(0x5EED_5EEDL, pair.destination.getLong(RACED_PAGE * 4096L + 800));
            }
        }
    }

    /** Without a race, an all-zero guest goes as ZERO records only and the destination stays zero. */
    @Test
    void zeroPagesGoAsZeroRecords() throws Exception
    {
        try (StreamPair pair = new StreamPair(4096, PAGES, PageStreamOptions.defaults()))
        {
            pair.start();
            final List<PageKind> kinds = pair.round();
            assertEquals(PAGES, kinds.size());
            assertTrue(kinds.stream().allMatch(k -> k == PageKind.ZERO), kinds.toString());
            assertEquals(-1, pair.firstDifference());
        }
    }

    /**
     * {@link PageStreamReader#destinationStartsZero()}: a ZERO record for a page the reader never wrote leaves
     * memory untouched (observed by breaking the promise on purpose: the page holds a marker byte), while a
     * page the reader wrote before is zeroed. Without the call, every ZERO record writes.
     */
    @Test
    void aFreshDestinationIsNotWrittenForZeroPagesItNeverReceived() throws Exception
    {
        for (final boolean fresh : new boolean[] {true, false})
        {
            try (GuestMemory destination = new GuestMemory(4 * 4096L, 4096, DirtyMarker.NONE))
            {
                final byte[] stream = new Crafted().memSize("pc.ram", 4 * 4096L)
                    .page(4096, 4096, 0x77)
                    .header(4096, PageStreamDescriptor.ZERO | PageStreamDescriptor.CONTINUE).u8(0)
                    .header(2 * 4096, PageStreamDescriptor.ZERO | PageStreamDescriptor.CONTINUE).u8(0).eos().bytes();
                final PageStreamReader reader = new PageStreamReader(
                    new ChannelInput(MemoryChannel.of(stream), 8192), destination);
                if (fresh)
                {
                    reader.destinationStartsZero();
                }
                final UnsafeBuffer view = new UnsafeBuffer(0, 0);
                destination.wrapPage(2, view).putByte(100, (byte)9); // breaks the promise, to see the skip
                reader.readMemSize();
                assertEquals(3, reader.readIteration());
                assertEquals(0, destination.getByte(4096 + 100), "a page the reader wrote must be zeroed");
                assertEquals(fresh ? 9 : 0, destination.getByte(2 * 4096 + 100), "fresh=" + fresh);
                assertEquals(2, reader.stats().pages(PageKind.ZERO));
            }
        }
    }

    @Test
    void destinationStartsZeroOnce() throws Exception
    {
        try (GuestMemory destination = new GuestMemory(4096L, 4096, DirtyMarker.NONE))
        {
            final PageStreamReader reader = new PageStreamReader(
                new ChannelInput(MemoryChannel.of(new byte[0]), 8192), destination);
            reader.destinationStartsZero();
            final List<Throwable> thrown = new ArrayList<>();
            try
            {
                reader.destinationStartsZero();
            }
            catch (final IllegalStateException expected)
            {
                thrown.add(expected);
            }
            assertEquals(1, thrown.size());
            assertFalse(thrown.get(0).getMessage().isEmpty());
        }
    }
}
