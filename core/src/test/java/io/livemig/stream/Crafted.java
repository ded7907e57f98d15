package io.livemig.stream;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/** Test builder of hand-made page streams (big-endian, as the spec lays them out). */
final class Crafted
{
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final DataOutputStream data = new DataOutputStream(bytes);
    private long mark = -1;

    /** Notes the current offset: the start of the record a test expects to be refused. */
    Crafted mark()
    {
        mark = bytes.size();
        return this;
    }

    long marked()
    {
        return mark;
    }

    int size()
    {
        return bytes.size();
    }

    Crafted memSize(final String name, final long size)
    {
        return u64(size | PageStreamDescriptor.MEM_SIZE).name(name).u64(size);
    }

    Crafted name(final String name)
    {
        return u8(name.length()).ascii(name);
    }

    /** A record header word with the block name, unless CONTINUE is among the flags. */
    Crafted header(final long offset, final int flags)
    {
        u64(offset | flags);
        return (flags & PageStreamDescriptor.CONTINUE) != 0 ? this : name("pc.ram");
    }

    Crafted zero(final long offset)
    {
        return header(offset, PageStreamDescriptor.ZERO).u8(0);
    }

    Crafted page(final long offset, final int pageSize, final int fill)
    {
        header(offset, PageStreamDescriptor.PAGE);
        for (int i = 0; i < pageSize; i++)
        {
            u8(fill);
        }
        return this;
    }

    Crafted xbzrle(final long offset, final int... delta)
    {
        header(offset, PageStreamDescriptor.XBZRLE).u8(1).u16(delta.length);
        for (final int b : delta)
        {
            u8(b);
        }
        return this;
    }

    Crafted lz4(final long offset, final byte[] block)
    {
        return header(offset, PageStreamDescriptor.LZ4).u32(block.length).raw(block);
    }

    Crafted eos()
    {
        return u64(PageStreamDescriptor.EOS);
    }

    Crafted u8(final int v)
    {
        return io(() -> data.writeByte(v));
    }

    Crafted u16(final int v)
    {
        return io(() -> data.writeShort(v));
    }

    Crafted u32(final int v)
    {
        return io(() -> data.writeInt(v));
    }

    Crafted u64(final long v)
    {
        return io(() -> data.writeLong(v));
    }

    Crafted ascii(final String s)
    {
        return raw(s.getBytes(StandardCharsets.US_ASCII));
    }

    Crafted raw(final byte[] b)
    {
        return io(() -> data.write(b));
    }

    byte[] bytes()
    {
        return bytes.toByteArray();
    }

    /** @return the first {@code length} bytes. */
    byte[] truncated(final int length)
    {
        return java.util.Arrays.copyOf(bytes.toByteArray(), length);
    }

    private interface IoAction
    {
        void run() throws IOException;
    }

    private Crafted io(final IoAction action)
    {
        try
        {
            action.run();
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
        return this;
    }
}
