package io.livemig.stream;

import io.livemig.dirty.AtomicDirtyBitmap;
import io.livemig.dirty.DirtyMarker;
import io.livemig.memory.GuestMemory;
import io.livemig.stream.read.PageStreamReader;
import io.livemig.stream.write.PageStreamWriter;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Test fixture: a tracked source guest, an untracked destination of the same shape, a writer and a reader
 * joined by a {@link MemoryChannel}, and helpers that fill pages with shaped data. Closed by the test.
 */
final class StreamPair implements AutoCloseable
{
    final int pageSize;
    final int pages;
    final AtomicDirtyBitmap dirty;
    final GuestMemory source;
    final GuestMemory destination;
    final MemoryChannel channel = new MemoryChannel();
    final ChannelOutput out;
    final ChannelInput in;
    final PageStreamWriter writer;
    final PageStreamReader reader;
    final List<String> applied = new ArrayList<>();
    private long round;

    StreamPair(final int pageSize, final int pages, final PageStreamOptions options)
    {
        this.pageSize = pageSize;
        this.pages = pages;
        this.dirty = new AtomicDirtyBitmap(pages, 0);
        this.source = new GuestMemory((long)pages * pageSize, pageSize, dirty);
        this.destination = new GuestMemory((long)pages * pageSize, pageSize, io.livemig.dirty.DirtyMarker.NONE);
        this.out = new ChannelOutput(channel, PageStreamWriter.requiredBufferBytes(pageSize));
        this.in = new ChannelInput(channel, PageStreamReader.requiredBufferBytes(pageSize));
        this.writer = new PageStreamWriter(out, source, options);
        this.reader = new PageStreamReader(in, destination);
        reader.setListener((page, kind, wireBytes, offset) -> applied.add(page + ":" + kind));
    }

    /** Sends and applies MEM_SIZE. */
    StreamPair start() throws IOException
    {
        writer.writeMemSize();
        out.flush();
        reader.readMemSize();
        dirty.setAll();
        return this;
    }

    /**
     * One iteration: starts the next round, sends every dirty page (clearing its bit first), writes EOS and
     * lets the reader apply it.
     *
     * @return kinds the writer reported, in page order.
     */
    List<PageKind> round() throws IOException
    {
        writer.startRound(++round);
        final List<PageKind> kinds = new ArrayList<>();
        for (long p = dirty.nextDirty(0); p >= 0; p = dirty.nextDirty(p + 1))
        {
            if (dirty.testAndClear(p))
            {
                kinds.add(writer.writePage(p, true));
            }
        }
        writer.writeEos();
        final long appliedPages = reader.readIteration();
        final long sent = kinds.stream().filter(k -> k != PageKind.UNCHANGED).count();
        if (appliedPages != sent)
        {
            throw new AssertionError("reader applied " + appliedPages + " pages, writer sent " + sent);
        }
        return kinds;
    }

    /** @return the first page where the guests differ, or -1. */
    long firstDifference()
    {
        return firstDifference(source, destination);
    }

    static long firstDifference(final GuestMemory a, final GuestMemory b)
    {
        final UnsafeBuffer va = new UnsafeBuffer(0, 0);
        final UnsafeBuffer vb = new UnsafeBuffer(0, 0);
        for (long p = 0; p < a.pageCount(); p++)
        {
            a.wrapPage(p, va);
            b.wrapPage(p, vb);
            for (int i = 0; i < a.pageSize(); i += 8)
            {
                if (va.getLong(i) != vb.getLong(i))
                {
                    return p;
                }
            }
        }
        return -1;
    }

    /** Shapes of page content, each producing a known best record kind. */
    enum Shape
    {
        ZERO, RANDOM, TEXT, SMALL_CHANGE, SAME_BYTES
    }

    /** Writes {@code shape} into source page {@code page} through the tracked write path. */
    void shape(final long page, final Shape shape, final Random random)
    {
        final byte[] bytes = new byte[pageSize];
        source.readPage(page, bytes, 0);
        switch (shape)
        {
            case ZERO:
                java.util.Arrays.fill(bytes, (byte)0);
                break;
            case RANDOM:
                random.nextBytes(bytes);
                break;
            case TEXT:
                fillText(bytes, random);
                break;
            case SMALL_CHANGE:
                for (int i = 0, runs = 1 + random.nextInt(8); i < runs; i++)
                {
                    final int at = random.nextInt(pageSize - 64);
                    for (int j = 0, n = 1 + random.nextInt(64); j < n; j++)
                    {
                        bytes[at + j] ^= (byte)(1 + random.nextInt(255));
                    }
                }
                break;
            case SAME_BYTES:
                break;
            default:
                throw new AssertionError(shape);
        }
        source.writePage(page, bytes, 0);
    }

    static void fillText(final byte[] bytes, final Random random)
    {
        final String[] words = {"migration ", "dirty ", "page ", "stream ", "guest ", "xbzrle ", "zero "};
        int i = 0;
        while (i < bytes.length)
        {
            final byte[] w = words[random.nextInt(words.length)].getBytes(java.nio.charset.StandardCharsets.US_ASCII);
            for (int j = 0; j < w.length && i < bytes.length; j++)
            {
                bytes[i++] = w[j];
            }
        }
    }

    @Override
    public void close()
    {
        source.close();
        destination.close();
    }
}
