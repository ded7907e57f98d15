package io.livemig.stream;

import io.livemig.BigEndianBytes;

/** Test builder of hand-made page streams (big-endian, as the spec lays them out). */
final class Crafted extends BigEndianBytes<Crafted>
{
    @Override
    protected Crafted self()
    {
        return this;
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

}
