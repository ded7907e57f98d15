package io.livemig.stream;

import io.livemig.dirty.DirtyMarker;
import io.livemig.memory.GuestMemory;
import io.livemig.stream.read.PageStreamReader;
import net.jpountz.lz4.LZ4Factory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.function.Supplier;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every refusal of page-stream.md ("What a reader must refuse"), each from a hand-made stream: the exception
 * names the offset of the record at fault and the reason, and destination memory is unchanged except for the
 * pages that the valid records before it named.
 */
class PageStreamRefusalTest
{
    private static final int PAGE = 4096;
    private static final int PAGES = 4;
    private static final long SIZE = PAGES * PAGE;

    /** One refused stream: how to build it, the page size of the destination, what the message must say. */
    private static Arguments refusal(
        final String name, final int pageSize, final Supplier<Crafted> stream, final String reason,
        final long... touched)
    {
        return Arguments.of(name, pageSize, stream, reason, touched);
    }

    private static Crafted start()
    {
        return new Crafted().memSize("pc.ram", SIZE);
    }

    private static byte[] lz4(final byte[] data)
    {
        return LZ4Factory.fastestInstance().fastCompressor().compress(data);
    }

    static Stream<Arguments> refusals()
    {
        final List<Arguments> list = new ArrayList<>();
        // Undefined or contradictory flags.
        for (final int flag : new int[] {0x1, 0x80, 0x100, 0x200, 0x800})
        {
            list.add(refusal("undefined flag 0x" + Integer.toHexString(flag), PAGE,
                () -> start().zero(0).mark().header(PAGE, PageStreamDescriptor.ZERO | flag).u8(0),
                "undefined flags", 0));
        }
        list.add(refusal("ZERO and PAGE", PAGE,
            () -> start().mark().header(0, PageStreamDescriptor.ZERO | PageStreamDescriptor.PAGE).u8(0),
            "contradictory flags ZERO|PAGE"));
        list.add(refusal("XBZRLE and LZ4", PAGE,
            () -> start().mark().header(0, PageStreamDescriptor.XBZRLE | PageStreamDescriptor.LZ4),
            "contradictory flags XBZRLE|LZ4"));
        list.add(refusal("CONTINUE alone", PAGE,
            () -> start().zero(0).mark().header(PAGE, PageStreamDescriptor.CONTINUE), "exactly one of", 0));
        list.add(refusal("EOS with ZERO", PAGE,
            () -> start().mark().u64(PageStreamDescriptor.EOS | PageStreamDescriptor.ZERO), "contradictory flags"));
        list.add(refusal("MEM_SIZE with PAGE", PAGE,
            () -> start().mark().u64(PageStreamDescriptor.MEM_SIZE | PageStreamDescriptor.PAGE), "contradictory"));
        list.add(refusal("second MEM_SIZE", PAGE, () -> start().eos().mark().memSize("pc.ram", SIZE),
            "a second MEM_SIZE record"));
        list.add(refusal("EOS with an offset", PAGE, () -> start().mark().u64(PAGE | PageStreamDescriptor.EOS),
            "EOS record carries an offset"));
        // Blocks.
        list.add(refusal("CONTINUE after MEM_SIZE", PAGE,
            () -> start().mark().header(0, PageStreamDescriptor.ZERO | PageStreamDescriptor.CONTINUE).u8(0),
            "CONTINUE with no previous block"));
        list.add(refusal("CONTINUE after EOS", PAGE,
            () -> start().zero(0).eos().mark().header(PAGE, PageStreamDescriptor.ZERO | PageStreamDescriptor.CONTINUE)
                .u8(0), "CONTINUE with no previous block", 0));
        list.add(refusal("unknown block", PAGE, () -> start().mark().u64(PageStreamDescriptor.ZERO).name("pc.rom").u8(0),
            "unknown block \"pc.rom\""));
        list.add(refusal("unknown block, binary name", PAGE,
            () -> start().mark().u64(PageStreamDescriptor.ZERO).u8(2).u8(0).u8(0xff).u8(0), "unknown block \"\\x00\\xff\""));
        list.add(refusal("block name of length 0", PAGE, () -> start().mark().u64(PageStreamDescriptor.ZERO).u8(0).u8(0),
            "block name of length 0"));
        list.add(refusal("offset outside the block", PAGE, () -> start().zero(0).mark().zero(SIZE),
            "offset 0x4000 is outside block \"pc.ram\"", 0));
        list.add(refusal("offset far outside the block", PAGE, () -> start().mark().zero(-4096L),
            "is outside block", 0));
        // ZERO.
        list.add(refusal("ZERO fill byte", PAGE, () -> start().mark().header(0, PageStreamDescriptor.ZERO).u8(7),
            "ZERO fill byte is 0x7, must be 0"));
        // XBZRLE.
        list.add(refusal("XBZRLE encoding flag", PAGE,
            () -> start().mark().header(0, PageStreamDescriptor.XBZRLE).u8(2).u16(2).u8(0).u8(1),
            "XBZRLE encoding flag is 0x2, must be 0x01"));
        list.add(refusal("XBZRLE length 0", PAGE,
            () -> start().mark().header(0, PageStreamDescriptor.XBZRLE).u8(1).u16(0), "XBZRLE length 0 must be"));
        list.add(refusal("XBZRLE length above the page", PAGE,
            () -> start().mark().header(0, PageStreamDescriptor.XBZRLE).u8(1).u16(PAGE + 1),
            "XBZRLE length 4097 must be from 1 to the page size 4096"));
        list.add(refusal("XBZRLE delta of one byte", PAGE, () -> start().mark().xbzrle(0, 5),
            "XBZRLE delta does not decode: fewer than 2 bytes"));
        list.add(refusal("XBZRLE zero run past the page", PAGE, () -> start().mark().xbzrle(PAGE, 0xff, 0x7f, 1, 9),
            "zero run passes the page end"));
        list.add(refusal("XBZRLE changed run past the page", PAGE,
            () -> start().mark().xbzrle(0, 0xfe, 0x1f, 4, 1, 2, 3, 4), "passes the page end"));
        list.add(refusal("XBZRLE changed run past the delta", PAGE, () -> start().mark().xbzrle(0, 0, 5, 1, 2),
            "passes the delta end"));
        list.add(refusal("XBZRLE invalid ULEB128", PAGE, () -> start().mark().xbzrle(0, 0x80, 0x80, 1, 1),
            "invalid zero-run length"));
        list.add(refusal("XBZRLE empty changed run", PAGE, () -> start().mark().xbzrle(0, 3, 0, 1),
            "changed-run length 0"));
        // The first pair is valid (it would write bytes 0-1) and the second is not: the page stays as it was.
        list.add(refusal("XBZRLE zero run 0 after the first pair", 4096,
            () -> start().mark().xbzrle(2 * PAGE, 0, 2, 9, 9, 0, 1, 7), "zero-run length 0 after the first pair"));
        list.add(refusal("XBZRLE with 64 KiB pages", 65536,
            () -> new Crafted().memSize("pc.ram", 4 * 65536).mark().xbzrle(0, 0, 1, 1),
            "XBZRLE is undefined for the page size 65536"));
        // LZ4.
        list.add(refusal("LZ4 length 0", PAGE, () -> start().mark().header(0, PageStreamDescriptor.LZ4).u32(0),
            "LZ4 length 0 must be from 1"));
        list.add(refusal("LZ4 length above the page", PAGE,
            () -> start().mark().header(0, PageStreamDescriptor.LZ4).u32(PAGE + 1), "LZ4 length 4097"));
        list.add(refusal("LZ4 negative length", PAGE,
            () -> start().mark().header(0, PageStreamDescriptor.LZ4).u32(-1), "LZ4 length 4294967295"));
        list.add(refusal("LZ4 corrupt block", PAGE, () -> {
            final byte[] junk = new byte[100];
            new Random(3).nextBytes(junk);
            return start().mark().lz4(0, junk);
        }, "LZ4 block of 100 bytes is corrupt"));
        list.add(refusal("LZ4 block of half a page", PAGE,
            () -> start().zero(0).mark().lz4(PAGE, lz4(new byte[PAGE / 2])), "does not decompress to exactly 4096", 0));
        list.add(refusal("LZ4 block of two pages", PAGE,
            () -> start().mark().lz4(PAGE, lz4(new byte[PAGE * 2])), "does not decompress to exactly 4096"));
        // MEM_SIZE against the destination.
        list.add(refusal("first record is not MEM_SIZE", PAGE, () -> new Crafted().mark().zero(0),
            "expected a MEM_SIZE record first"));
        list.add(refusal("MEM_SIZE names another block", PAGE, () -> new Crafted().mark().memSize("pc.rom", SIZE),
            "MEM_SIZE lists unknown block \"pc.rom\""));
        list.add(refusal("MEM_SIZE block name of length 0", PAGE,
            () -> new Crafted().mark().u64(SIZE | PageStreamDescriptor.MEM_SIZE).u8(0).u64(SIZE),
            "MEM_SIZE lists a block name of length 0"));
        list.add(refusal("MEM_SIZE size differs", PAGE, () -> new Crafted().mark().memSize("pc.ram", 2 * SIZE),
            "has 32768 bytes, the destination has 16384"));
        list.add(refusal("MEM_SIZE total below the block", PAGE,
            () -> new Crafted().mark().u64(PAGE | PageStreamDescriptor.MEM_SIZE).name("pc.ram").u64(SIZE),
            "add up to more than its total 4096"));
        list.add(refusal("MEM_SIZE total above the blocks", PAGE,
            () -> new Crafted().mark().u64(2 * SIZE | PageStreamDescriptor.MEM_SIZE).name("pc.ram").u64(SIZE)
                .name("pc.ram").u64(SIZE), "lists block \"pc.ram\" twice"));
        list.add(refusal("MEM_SIZE lists no block", PAGE,
            () -> new Crafted().mark().u64(PageStreamDescriptor.MEM_SIZE), "MEM_SIZE lists no block"));
        list.add(refusal("empty stream", PAGE, () -> new Crafted().mark(), "stream is empty"));
        return list.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("refusals")
    void refused(final String name, final int pageSize, final Supplier<Crafted> stream, final String reason,
        final long[] touched) throws IOException
    {
        final Crafted crafted = stream.get();
        final PageStreamException ex = readExpectingRefusal(crafted.bytes(), pageSize, true, touched);
        assertEquals(crafted.marked(), ex.streamOffset(), ex.getMessage());
        assertTrue(ex.getMessage().startsWith("page stream offset " + crafted.marked() + ": "), ex.getMessage());
        assertTrue(ex.getMessage().contains(reason), ex.getMessage());
    }

    static Stream<Arguments> truncations()
    {
        final List<Arguments> list = new ArrayList<>();
        final Supplier<Crafted> base = () -> start().zero(0);
        list.add(Arguments.of("inside MEM_SIZE", (Supplier<Crafted>)() -> new Crafted().mark().memSize("pc.ram", SIZE), 12));
        list.add(Arguments.of("inside a header", (Supplier<Crafted>)() -> base.get().mark().zero(PAGE), 5));
        list.add(Arguments.of("inside a name", (Supplier<Crafted>)() -> base.get().mark().zero(PAGE), 11));
        list.add(Arguments.of("inside a ZERO record", (Supplier<Crafted>)() -> base.get().mark().zero(PAGE), 15));
        list.add(Arguments.of("inside a PAGE", (Supplier<Crafted>)() -> base.get().mark().page(PAGE, PAGE, 0x33), 2000));
        list.add(Arguments.of("one byte short of a PAGE",
            (Supplier<Crafted>)() -> base.get().mark().page(PAGE, PAGE, 0x33), 15 + PAGE - 1));
        list.add(Arguments.of("inside an XBZRLE delta",
            (Supplier<Crafted>)() -> base.get().mark().xbzrle(PAGE, 0, 4, 1, 2, 3, 4), 20));
        list.add(Arguments.of("inside an LZ4 block",
            (Supplier<Crafted>)() -> base.get().mark().lz4(PAGE, lz4(new byte[PAGE])), 21));
        return list.stream();
    }

    @ParameterizedTest(name = "ends {0}")
    @MethodSource("truncations")
    void truncationIsRefused(final String name, final Supplier<Crafted> stream, final int bytesOfRecord)
        throws IOException
    {
        final Crafted crafted = stream.get();
        final int end = (int)crafted.marked() + bytesOfRecord;
        final long[] touched = crafted.marked() > 23 ? new long[] {0} : new long[0];
        final PageStreamException ex = readExpectingRefusal(crafted.truncated(end), PAGE, true, touched);
        assertEquals(end, ex.streamOffset(), ex.getMessage());
        assertTrue(ex.getMessage().startsWith("page stream offset " + end + ": stream ends inside the record at offset " +
            crafted.marked() + ": "), ex.getMessage());
    }

    @Test
    void streamWithoutEosIsRefusedWhereExpected() throws IOException
    {
        final Crafted crafted = start().zero(0).eos().page(PAGE, PAGE, 0x44);
        final PageStreamException ex = readExpectingRefusal(crafted.bytes(), PAGE, true, 0, 1);
        assertEquals(crafted.size(), ex.streamOffset());
        assertTrue(ex.getMessage().contains("stream ends without EOS"), ex.getMessage());
        // Accepted when EOS is not required (a capture cut short between records).
        try (GuestMemory guest = new GuestMemory(SIZE, PAGE, DirtyMarker.NONE))
        {
            final PageStreamReader reader = reader(crafted.bytes(), guest);
            reader.readToEnd(false);
            assertEquals(0x44, guest.getByte(PAGE + 17));
            assertEquals(2, reader.stats().totalPages());
        }
        // readIteration always expects EOS; MEM_SIZE followed by nothing is not a finished stream either.
        try (GuestMemory guest = new GuestMemory(SIZE, PAGE, DirtyMarker.NONE))
        {
            final PageStreamReader reader = reader(crafted.bytes(), guest);
            reader.readMemSize();
            assertEquals(1, reader.readIteration());
            final PageStreamException inIteration = assertThrows(PageStreamException.class, reader::readIteration);
            assertTrue(inIteration.getMessage().contains("stream ends without EOS after 1 page records"));
            final PageStreamException onlyMemSize = assertThrows(PageStreamException.class,
                () -> reader(start().bytes(), guest).readToEnd(true));
            assertTrue(onlyMemSize.getMessage().contains("stream ends without EOS"), onlyMemSize.getMessage());
        }
    }

    @Test
    void cleanEndGivesMinusOne() throws IOException
    {
        try (GuestMemory guest = new GuestMemory(SIZE, PAGE, DirtyMarker.NONE))
        {
            final PageStreamReader reader = reader(start().zero(0).eos().eos().bytes(), guest);
            assertThrows(IllegalStateException.class, reader::readIteration);
            reader.readMemSize();
            assertThrows(IllegalStateException.class, reader::readMemSize);
            assertEquals(1, reader.readIteration());
            assertEquals(0, reader.readIteration());
            assertEquals(-1, reader.readIteration());
            assertEquals(-1, reader.readIteration());
        }
    }

    @Test
    void channelFailureIsAPageStreamException()
    {
        final ReadableByteChannel failing = new ReadableByteChannel()
        {
            private int calls;

            @Override
            public int read(final ByteBuffer dst) throws IOException
            {
                if (calls++ == 0)
                {
                    dst.put(new byte[] {0, 0, 0});
                    return 3;
                }
                throw new IOException("connection reset");
            }

            @Override
            public boolean isOpen()
            {
                return true;
            }

            @Override
            public void close()
            {
            }
        };
        try (GuestMemory guest = new GuestMemory(SIZE, PAGE, DirtyMarker.NONE))
        {
            final PageStreamReader reader = new PageStreamReader(new ChannelInput(failing, 8192), guest);
            final PageStreamException ex = assertThrows(PageStreamException.class, reader::readMemSize);
            assertEquals(3, ex.streamOffset());
            assertTrue(ex.getMessage().contains("channel read failed: java.io.IOException: connection reset"),
                ex.getMessage());
            assertEquals("connection reset", ex.getCause().getMessage());
        }
    }

    private static PageStreamReader reader(final byte[] stream, final GuestMemory guest)
    {
        return new PageStreamReader(new ChannelInput(MemoryChannel.of(stream), 70000), guest);
    }

    /**
     * Reads {@code stream} to its end into a destination filled with a pattern, expects a {@link
     * PageStreamException}, and checks that only pages in {@code touched} may have changed.
     */
    private static PageStreamException readExpectingRefusal(
        final byte[] stream, final int pageSize, final boolean requireEos, final long... touched)
    {
        try (GuestMemory guest = new GuestMemory(PAGES * (long)pageSize, pageSize, DirtyMarker.NONE))
        {
            final byte[] pristine = new byte[(int)guest.size()];
            new Random(11).nextBytes(pristine);
            guest.putBytes(0, pristine, 0, pristine.length);
            final PageStreamException ex = assertThrows(PageStreamException.class,
                () -> reader(stream, guest).readToEnd(requireEos));
            final byte[] after = new byte[pristine.length];
            guest.getBytes(0, after, 0, after.length);
            for (int p = 0; p < PAGES; p++)
            {
                final int page = p;
                if (Arrays.stream(touched).noneMatch(t -> t == page))
                {
                    assertArrayEquals(Arrays.copyOfRange(pristine, p * pageSize, (p + 1) * pageSize),
                        Arrays.copyOfRange(after, p * pageSize, (p + 1) * pageSize), "page " + p + " was written");
                }
            }
            return ex;
        }
    }
}
