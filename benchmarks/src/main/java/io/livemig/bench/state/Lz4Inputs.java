package io.livemig.bench.state;

import net.jpountz.lz4.LZ4Compressor;
import net.jpountz.lz4.LZ4Factory;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;

/**
 * Seeded pages for the LZ4 benchmark over an off-heap working set, and each page's LZ4 block back to back
 * (made with lz4-java directly, so that incompressible pages have a block too).
 *
 * <p>Not thread-safe; built once per benchmark trial and freed by {@link #close()}.
 */
public final class Lz4Inputs implements AutoCloseable
{
    /** Page contents. */
    public enum Data
    {
        /** English-like words and punctuation from a small vocabulary (compresses about 3:1). */
        TEXT,
        /** Random bytes: incompressible, the codec says "send raw". */
        RANDOM,
        /** Zero but for one random run of 64 to 512 bytes. */
        MOSTLY_ZERO
    }

    private static final long SEED = 0x4C5A34L;
    private static final String[] WORDS = {
        "the", "page", "of", "memory", "guest", "dirty", "and", "a", "to", "migration", "copy", "round", "is",
        "in", "bitmap", "that", "source", "destination", "for", "with", "stream", "bandwidth", "downtime"};

    private final OffHeapPages pages;
    private final OffHeapPages blocks;
    private final int[] blockOffset;
    private final int[] blockLength;

    /** Builds {@code count} pages of {@code data} and their blocks. */
    public Lz4Inputs(final Data data, final int count)
    {
        this(count, buffer -> {
            final SplittableRandom random = new SplittableRandom(SEED + data.ordinal());
            final byte[] page = new byte[OffHeapPages.PAGE_SIZE];
            for (int p = 0; p < count; p++)
            {
                fill(data, random, page);
                buffer.putBytes(OffHeapPages.offset(p), page);
            }
        });
    }

    /**
     * @param input a {@link Data}'s name, or {@value RealGuestPages#INPUT} for the real guest's pages ({@link
     *              RealGuestPages}).
     * @return {@code count} pages of that input and their blocks.
     */
    public static Lz4Inputs of(final String input, final int count)
    {
        return RealGuestPages.is(input) ? new Lz4Inputs(count, buffer -> RealGuestPages.fillPages(buffer, count)) :
            new Lz4Inputs(Data.valueOf(input), count);
    }

    private Lz4Inputs(final int count, final java.util.function.Consumer<UnsafeBuffer> fill)
    {
        this.pages = new OffHeapPages(count);
        this.blockOffset = new int[count];
        this.blockLength = new int[count];
        final byte[] page = new byte[OffHeapPages.PAGE_SIZE];
        final UnsafeBuffer buffer = pages.buffer();
        fill.accept(buffer);
        final LZ4Compressor compressor = LZ4Factory.fastestInstance().fastCompressor();
        final byte[] block = new byte[compressor.maxCompressedLength(OffHeapPages.PAGE_SIZE)];
        final long worstCase = (long)count * block.length;
        this.blocks = new OffHeapPages((int)((worstCase + OffHeapPages.PAGE_SIZE - 1) >> OffHeapPages.PAGE_SHIFT));
        int packed = 0;
        for (int p = 0; p < count; p++)
        {
            buffer.getBytes(OffHeapPages.offset(p), page);
            final int length = compressor.compress(page, 0, page.length, block, 0, block.length);
            blocks.buffer().putBytes(packed, block, 0, length);
            blockOffset[p] = packed;
            blockLength[p] = length;
            packed += length;
        }
    }

    private static void fill(final Data data, final SplittableRandom random, final byte[] page)
    {
        switch (data)
        {
            case TEXT:
                final StringBuilder text = new StringBuilder(page.length + 16);
                while (text.length() < page.length)
                {
                    text.append(WORDS[random.nextInt(WORDS.length)]);
                    text.append(random.nextInt(10) == 0 ? ". " : " ");
                }
                System.arraycopy(text.toString().getBytes(StandardCharsets.US_ASCII), 0, page, 0, page.length);
                break;
            case RANDOM:
                random.nextBytes(page);
                break;
            case MOSTLY_ZERO:
                java.util.Arrays.fill(page, (byte)0);
                final int length = random.nextInt(64, 513);
                final int from = random.nextInt(page.length - length);
                for (int i = from; i < from + length; i++)
                {
                    page[i] = (byte)random.nextInt(256);
                }
                break;
            default:
                throw new IllegalStateException(data.name());
        }
    }

    /** @return the pages. */
    public UnsafeBuffer pages()
    {
        return pages.buffer();
    }

    /** @return the blocks back to back. */
    public UnsafeBuffer blocks()
    {
        return blocks.buffer();
    }

    /** @return a copy of each page's block offset in {@link #blocks()}. */
    public int[] blockOffsets()
    {
        return blockOffset.clone();
    }

    /** @return a copy of each page's block length. */
    public int[] blockLengths()
    {
        return blockLength.clone();
    }

    @Override
    public void close()
    {
        pages.close();
        blocks.close();
    }
}
