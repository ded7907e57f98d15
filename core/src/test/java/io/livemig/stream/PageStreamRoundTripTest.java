package io.livemig.stream;

import io.livemig.codec.XbzrleCache;
import io.livemig.dirty.DirtyMarker;
import io.livemig.memory.GuestMemory;
import io.livemig.stream.StreamPair.Shape;
import io.livemig.stream.read.PageStreamReader;
import io.livemig.stream.write.PageStreamWriter;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Writer to reader: every kind, mixed over rounds, for each page size and codec choice. */
class PageStreamRoundTripTest
{
    private static final int PAGES = 24;

    static Stream<Arguments> configurations()
    {
        final List<Arguments> list = new ArrayList<>();
        for (final int pageSize : new int[] {4096, 16384, 65536})
        {
            for (final boolean xbzrle : new boolean[] {false, true})
            {
                for (final boolean lz4 : new boolean[] {false, true})
                {
                    if (!(xbzrle && pageSize > 16384))
                    {
                        list.add(Arguments.of(pageSize, xbzrle, lz4));
                    }
                }
            }
        }
        return list.stream();
    }

    @ParameterizedTest(name = "page {0}, xbzrle {1}, lz4 {2}")
    @MethodSource("configurations")
    void mixedRoundsArriveByteForByte(final int pageSize, final boolean xbzrle, final boolean lz4) throws IOException
    {
        final PageStreamOptions options = PageStreamOptions.defaults()
            .withXbzrle(xbzrle).withXbzrleCacheBytes(64L * pageSize).withLz4(lz4);
        final Random random = new Random(pageSize * 31L + (xbzrle ? 7 : 0) + (lz4 ? 3 : 0));
        final Map<PageKind, Integer> seen = new EnumMap<>(PageKind.class);
        try (StreamPair pair = new StreamPair(pageSize, PAGES, options).start())
        {
            final Shape[] shapes = Shape.values();
            for (int p = 0; p < PAGES; p++)
            {
                pair.shape(p, shapes[p % shapes.length], random);
            }
            for (int round = 1; round <= 6; round++)
            {
                final List<PageKind> kinds = pair.round();
                kinds.forEach(k -> seen.merge(k, 1, Integer::sum));
                assertEquals(-1, pair.firstDifference(), "round " + round);
                assertCacheEqualsDestination(pair);
                for (int p = 0; p < PAGES; p++)
                {
                    // Pages 0-4 keep their shape's role; the rest change at random, some not at all.
                    final Shape shape = p < shapes.length ? shapes[p] : shapes[random.nextInt(shapes.length)];
                    if (p < shapes.length || random.nextInt(3) > 0)
                    {
                        pair.shape(p, shape == Shape.RANDOM && p >= shapes.length ? Shape.SMALL_CHANGE : shape, random);
                    }
                }
            }
            assertCountersAgree(pair);
        }
        assertTrue(seen.getOrDefault(PageKind.ZERO, 0) > 0, "ZERO pages: " + seen);
        assertTrue(seen.getOrDefault(PageKind.NORMAL, 0) > 0, "raw pages: " + seen);
        assertEquals(lz4, seen.getOrDefault(PageKind.LZ4, 0) > 0, "LZ4 pages: " + seen);
        assertEquals(xbzrle, seen.getOrDefault(PageKind.XBZRLE, 0) > 0, "XBZRLE pages: " + seen);
        assertEquals(xbzrle, seen.getOrDefault(PageKind.UNCHANGED, 0) > 0, "unchanged pages: " + seen);
    }

    /** The writer's and the reader's counters agree with each other, with the listener and with the wire. */
    private static void assertCountersAgree(final StreamPair pair)
    {
        final PageStreamStats w = pair.writer.stats();
        final PageStreamStats r = pair.reader.stats();
        for (final PageKind kind : PageKind.values())
        {
            if (kind != PageKind.UNCHANGED)
            {
                assertEquals(w.pages(kind), r.pages(kind), kind + " pages");
                assertEquals(w.bytes(kind), r.bytes(kind), kind + " bytes");
                assertEquals(w.pages(kind),
                    pair.applied.stream().filter(s -> s.endsWith(":" + kind)).count(), kind + " listener");
            }
        }
        assertEquals(0, r.pages(PageKind.UNCHANGED));
        assertEquals(0, w.bytes(PageKind.UNCHANGED));
        assertEquals(pair.channel.length(), w.wireBytes(), "writer wire bytes");
        assertEquals(pair.channel.length(), r.wireBytes(), "reader wire bytes");
        assertEquals(pair.out.position(), w.wireBytes());
        assertEquals(pair.in.position(), r.wireBytes());
        assertEquals(6, w.eosRecords());
        assertEquals(6, r.eosRecords());
        assertEquals(1, r.memSizeRecords());
        assertEquals(w.pagesSent(), r.totalPages());
    }

    /** Rule of the cache: it always equals what the destination holds. */
    static void assertCacheEqualsDestination(final StreamPair pair)
    {
        final XbzrleCache cache = pair.writer.xbzrleCache();
        if (cache == null)
        {
            return;
        }
        final UnsafeBuffer cached = new UnsafeBuffer(new byte[pair.pageSize]);
        final UnsafeBuffer held = new UnsafeBuffer(new byte[pair.pageSize]);
        for (int p = 0; p < pair.pages; p++)
        {
            if (cache.copyCached(p, cached, 0))
            {
                pair.destination.readPage(p, held, 0);
                assertEquals(-1, cached.compareTo(held) == 0 ? -1 : p, "cached copy of page " + p + " differs");
            }
        }
    }

    @Test
    void kindsFollowTheDecisionOrder() throws IOException
    {
        final Random random = new Random(5);
        final PageStreamOptions options = PageStreamOptions.defaults().withXbzrle(true).withLz4(true)
            .withXbzrleCacheBytes(1 << 20);
        try (StreamPair pair = new StreamPair(4096, 4, options).start())
        {
            pair.shape(1, Shape.RANDOM, random);
            pair.shape(2, Shape.TEXT, random);
            pair.shape(3, Shape.RANDOM, random);
            // First pass: no XBZRLE yet.
            assertEquals(List.of(PageKind.ZERO, PageKind.NORMAL, PageKind.LZ4, PageKind.NORMAL), pair.round());
            // Second round: every page is a cache miss, so each goes whole again and is cached.
            for (int p = 1; p < 4; p++)
            {
                pair.shape(p, Shape.SMALL_CHANGE, random);
            }
            assertEquals(List.of(PageKind.NORMAL, PageKind.LZ4, PageKind.NORMAL), pair.round());
            // Third round: hits. A small change is a delta; a rewrite with the same bytes is not sent; a page
            // zeroed goes as ZERO; a page rewritten at random overflows the delta and goes whole.
            pair.shape(0, Shape.SAME_BYTES, random);
            pair.shape(1, Shape.SMALL_CHANGE, random);
            pair.shape(2, Shape.ZERO, random);
            pair.shape(3, Shape.RANDOM, random);
            assertEquals(List.of(PageKind.ZERO, PageKind.XBZRLE, PageKind.ZERO, PageKind.NORMAL), pair.round());
            // Page 0 was zero and its cached copy too: an unchanged zero page is still sent as ZERO.
            pair.shape(1, Shape.SAME_BYTES, random);
            pair.shape(2, Shape.SMALL_CHANGE, random);
            assertEquals(List.of(PageKind.UNCHANGED, PageKind.XBZRLE), pair.round());
            assertEquals(-1, pair.firstDifference());
            assertEquals(List.of("0:ZERO", "1:NORMAL", "2:LZ4", "3:NORMAL", "1:NORMAL", "2:LZ4", "3:NORMAL",
                "0:ZERO", "1:XBZRLE", "2:ZERO", "3:NORMAL", "2:XBZRLE"), pair.applied);
            assertCacheEqualsDestination(pair);
        }
    }

    @Test
    void wireFormatIsTheSpecs() throws IOException
    {
        final MemoryChannel channel = new MemoryChannel();
        try (GuestMemory guest = new GuestMemory(3 * 4096, 4096, io.livemig.dirty.DirtyMarker.NONE))
        {
            guest.putByte(4096 + 5, (byte)9);
            final ChannelOutput out = new ChannelOutput(channel, PageStreamWriter.requiredBufferBytes(4096));
            final PageStreamWriter writer = new PageStreamWriter(out, guest, PageStreamOptions.defaults());
            writer.writeMemSize();
            writer.startRound(1);
            assertEquals(PageKind.ZERO, writer.writePage(2, true));
            assertEquals(PageKind.NORMAL, writer.writePage(1, true));
            writer.writeEos();
            assertEquals(PageKind.ZERO, writer.writePage(0, false));
            writer.writeEos();
            assertNull(writer.xbzrleStats());

            final ByteArrayOutputStream expected = new ByteArrayOutputStream();
            final DataOutputStream d = new DataOutputStream(expected);
            d.writeLong(3 * 4096 | 0x4);
            d.writeByte(6);
            d.writeBytes("pc.ram");
            d.writeLong(3 * 4096);
            d.writeLong(2 * 4096 | 0x2);
            d.writeByte(6);
            d.writeBytes("pc.ram");
            d.writeByte(0);
            d.writeLong(4096 | 0x8 | 0x20);
            final byte[] page = new byte[4096];
            page[5] = 9;
            d.write(page);
            d.writeLong(0x10);
            d.writeLong(0x2);
            d.writeByte(6);
            d.writeBytes("pc.ram");
            d.writeByte(0);
            d.writeLong(0x10);
            assertArrayEquals(expected.toByteArray(), channel.written());
        }
    }

    @Test
    void optionsAreValidated()
    {
        assertThrows(IllegalArgumentException.class, () -> PageStreamOptions.defaults().withXbzrleCacheBytes(3 << 20));
        assertThrows(IllegalArgumentException.class, () -> PageStreamOptions.defaults().withXbzrleCacheBytes(2048));
        try (GuestMemory big = new GuestMemory(4 * 65536, 65536, io.livemig.dirty.DirtyMarker.NONE);
            GuestMemory small = new GuestMemory(4 * 16384, 16384, io.livemig.dirty.DirtyMarker.NONE))
        {
            final ChannelOutput out = new ChannelOutput(new MemoryChannel(), PageStreamWriter.requiredBufferBytes(65536));
            final IllegalArgumentException tooBig = assertThrows(IllegalArgumentException.class,
                () -> new PageStreamWriter(out, big, PageStreamOptions.defaults().withXbzrle(true)));
            assertTrue(tooBig.getMessage().contains("16 KiB"), tooBig.getMessage());
            assertThrows(IllegalArgumentException.class, () -> new PageStreamWriter(out, small,
                PageStreamOptions.defaults().withXbzrle(true).withXbzrleCacheBytes(8192)));
            assertThrows(IllegalArgumentException.class, () -> new PageStreamWriter(
                new ChannelOutput(new MemoryChannel(), 16384), small, PageStreamOptions.defaults()));
            assertThrows(IllegalArgumentException.class, () -> new PageStreamReader(
                new ChannelInput(new MemoryChannel(), 8192), small));
            assertThrows(IndexOutOfBoundsException.class,
                () -> new PageStreamWriter(out, small, PageStreamOptions.defaults()).writePage(4, true));
        }
    }
}
