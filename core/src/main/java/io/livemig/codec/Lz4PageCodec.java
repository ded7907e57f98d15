package io.livemig.codec;

import net.jpountz.lz4.LZ4Compressor;
import net.jpountz.lz4.LZ4Exception;
import net.jpountz.lz4.LZ4Factory;
import net.jpountz.lz4.LZ4SafeDecompressor;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.UnsafeApi;

/**
 * One page as one raw LZ4 block (no frame), the payload of the page stream's LZ4 record (livemig's
 * extension, spec: {@code page-stream.md}).
 *
 * <p>Uses {@link LZ4Factory#fastestInstance()}'s fast compressor and its <em>safe</em> decompressor, which
 * never reads or writes outside the ranges it is given. lz4-java takes arrays (or NIO buffers), so a page
 * held in a plain off-heap buffer (guest memory) is first copied into a scratch array of this codec, and a
 * block is decompressed into scratch and copied out only once it has proved to be exactly one page.
 * Arrays and array-backed buffers are used in place.
 *
 * <p>Thread-safety: none; one codec per thread. It holds its scratch arrays and allocates nothing per page
 * (a corrupt block costs lz4-java's exception).
 */
public final class Lz4PageCodec
{
    private final int pageSize;
    private final LZ4Compressor compressor;
    private final LZ4SafeDecompressor decompressor;
    private final int maxCompressedLength;
    private final byte[] pageScratch;
    private final byte[] blockScratch;

    /**
     * @param pageSize page size in bytes, positive.
     * @throws IllegalArgumentException if {@code pageSize} is not positive.
     */
    public Lz4PageCodec(final int pageSize)
    {
        if (pageSize <= 0)
        {
            throw new IllegalArgumentException("page size must be positive: " + pageSize);
        }
        final LZ4Factory factory = LZ4Factory.fastestInstance();
        this.pageSize = pageSize;
        this.compressor = factory.fastCompressor();
        this.decompressor = factory.safeDecompressor();
        this.maxCompressedLength = compressor.maxCompressedLength(pageSize);
        this.pageScratch = new byte[pageSize];
        this.blockScratch = new byte[maxCompressedLength];
    }

    /** @return the page size. */
    public int pageSize()
    {
        return pageSize;
    }

    /** @return LZ4's bound on a block of one page, the longest block {@link #decompress} accepts. */
    public int maxCompressedLength()
    {
        return maxCompressedLength;
    }

    /**
     * Compresses the page {@code page[pageOffset, +pageSize)} into {@code dst} at {@code dstOffset}, which
     * must have room for {@code pageSize - 1} bytes (the most ever written).
     *
     * @return the block's length, or -1 if it would not be smaller than the page (send the page raw; nothing
     *         is written).
     * @throws IndexOutOfBoundsException if a range is outside its buffer.
     */
    public int compress(final DirectBuffer page, final int pageOffset, final MutableDirectBuffer dst, final int dstOffset)
    {
        Bounds.checkRange("page", page, pageOffset, pageSize);
        Bounds.checkRange("dst", dst, dstOffset, pageSize - 1);
        final Object base = RawBytes.base(page);
        final long address = RawBytes.address(page, pageOffset);
        final int length;
        if (base instanceof byte[])
        {
            length = compressor.compress(
                (byte[])base, arrayIndex(address), pageSize, blockScratch, 0, maxCompressedLength);
        }
        else
        {
            UnsafeApi.copyMemory(base, address, pageScratch, RawBytes.ARRAY_BASE_OFFSET, pageSize);
            length = compressor.compress(pageScratch, 0, pageSize, blockScratch, 0, maxCompressedLength);
        }
        if (length >= pageSize)
        {
            return -1;
        }
        dst.putBytes(dstOffset, blockScratch, 0, length);
        return length;
    }

    /**
     * Decompresses the block {@code src[srcOffset, +length)} onto {@code page[pageOffset, +pageSize)}.
     * Never throws on bad data and never writes outside the page; when the result is {@code false} the page
     * may hold part of a decompression (array-backed pages) or be untouched (off-heap pages).
     *
     * @return {@code true} only if the block is valid LZ4 that decompresses to exactly {@code pageSize} bytes
     *         ({@code false} also for a length of 0 or above {@link #maxCompressedLength()}).
     * @throws IndexOutOfBoundsException if a range is outside its buffer.
     */
    public boolean decompress(
        final DirectBuffer src, final int srcOffset, final int length, final MutableDirectBuffer page, final int pageOffset)
    {
        Bounds.checkRange("src", src, srcOffset, length);
        Bounds.checkRange("page", page, pageOffset, pageSize);
        if (length == 0 || length > maxCompressedLength)
        {
            return false;
        }
        final Object srcBase = RawBytes.base(src);
        final long srcAddress = RawBytes.address(src, srcOffset);
        final byte[] block;
        final int blockIndex;
        if (srcBase instanceof byte[])
        {
            block = (byte[])srcBase;
            blockIndex = arrayIndex(srcAddress);
        }
        else
        {
            UnsafeApi.copyMemory(srcBase, srcAddress, blockScratch, RawBytes.ARRAY_BASE_OFFSET, length);
            block = blockScratch;
            blockIndex = 0;
        }
        final Object pageBase = RawBytes.base(page);
        final long pageAddress = RawBytes.address(page, pageOffset);
        final boolean inPlace = pageBase instanceof byte[];
        final byte[] target = inPlace ? (byte[])pageBase : pageScratch;
        final int targetIndex = inPlace ? arrayIndex(pageAddress) : 0;
        final int decompressed;
        try
        {
            decompressed = decompressor.decompress(block, blockIndex, length, target, targetIndex, pageSize);
        }
        catch (final LZ4Exception ex)
        {
            return false; // malformed block: the safe decompressor stopped inside its bounds
        }
        if (decompressed != pageSize)
        {
            return false;
        }
        if (!inPlace)
        {
            UnsafeApi.copyMemory(pageScratch, RawBytes.ARRAY_BASE_OFFSET, pageBase, pageAddress, pageSize);
        }
        return true;
    }

    private static int arrayIndex(final long address)
    {
        return (int)(address - RawBytes.ARRAY_BASE_OFFSET);
    }
}
