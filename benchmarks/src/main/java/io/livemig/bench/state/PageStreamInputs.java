package io.livemig.bench.state;

import io.livemig.dirty.DirtyMarker;
import io.livemig.memory.GuestMemory;
import io.livemig.stream.ChannelInput;
import io.livemig.stream.ChannelOutput;
import io.livemig.stream.PageKind;
import io.livemig.stream.PageStreamOptions;
import io.livemig.stream.read.PageStreamReader;
import io.livemig.stream.write.PageStreamWriter;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.util.SplittableRandom;

/**
 * A source guest shaped by a page mix, a destination guest, and a writer and reader joined by an in-memory
 * channel that holds one iteration, for the page stream benchmarks. Seeded. Not thread-safe; made and closed
 * by one benchmark's setup and teardown.
 *
 * <p>Mixes: {@code ALL_ZERO} (every page zero), {@code ALL_RAW} (every page random, sent whole), {@code
 * MIXED} (30 % zero, 50 % XBZRLE deltas of one changed 64-byte run, 20 % rewritten at random so their delta
 * overflows and they go whole), interleaved by page number modulo 10. {@code MIXED} runs with XBZRLE on (its
 * cache warmed by two passes in the constructor); the others with no codec, so that they measure the
 * framing alone. {@value RealGuestPages#INPUT} ({@link #of}): the guest holds a real guest's pages ({@link
 * RealGuestPages}), and each round the pages of its pairs of versions (spread over the guest) change to their
 * other version, so that a round sends what QEMU sent in a later pass; with XBZRLE on, as {@code MIXED}.
 */
public final class PageStreamInputs implements AutoCloseable
{
    /** Page size: 4 KiB. */
    public static final int PAGE_SIZE = 4096;

    /** The page mixes. */
    public enum Mix
    {
        ALL_ZERO, ALL_RAW, MIXED
    }

    private final Mix mix;
    /** Whether the guest holds the real guest's pages (then {@link #mix} is null). */
    private final boolean real;
    private final int pages;
    private final GuestMemory source;
    private final GuestMemory destination;
    private final IterationChannel channel;
    private final PageStreamWriter writer;
    private final PageStreamReader reader;
    private final SplittableRandom random = new SplittableRandom(42);
    private final byte[] scratch = new byte[PAGE_SIZE];
    private long round;
    /** The real guest's pairs' flips so far: even flips write the old versions, odd ones the new. */
    private long flips;

    /** Builds both guests, sends MEM_SIZE and, for {@code MIXED}, two warm-up passes. */
    public PageStreamInputs(final Mix mix, final int pages)
    {
        this(mix, false, pages);
    }

    /**
     * @param input a {@link Mix}'s name, or {@value RealGuestPages#INPUT}.
     * @return the inputs of that mix over {@code pages} pages.
     */
    public static PageStreamInputs of(final String input, final int pages)
    {
        return RealGuestPages.is(input) ? new PageStreamInputs(null, true, pages) :
            new PageStreamInputs(Mix.valueOf(input), pages);
    }

    private PageStreamInputs(final Mix mix, final boolean real, final int pages)
    {
        this.mix = mix;
        this.real = real;
        this.pages = pages;
        final long size = (long)pages * PAGE_SIZE;
        this.source = new GuestMemory(size, PAGE_SIZE, DirtyMarker.NONE);
        this.destination = new GuestMemory(size, PAGE_SIZE, DirtyMarker.NONE);
        this.channel = new IterationChannel(PAGE_SIZE + 64L + pages * (PAGE_SIZE + 16L));
        final PageStreamOptions options = real || mix == Mix.MIXED ?
            PageStreamOptions.defaults().withXbzrle(true).withXbzrleCacheBytes(Long.highestOneBit(size * 2 - 1)) :
            PageStreamOptions.defaults();
        this.writer = new PageStreamWriter(
            new ChannelOutput(channel, 1 << 20), source, options);
        this.reader = new PageStreamReader(new ChannelInput(channel, 1 << 20), destination);
        if (real)
        {
            realPages();
        }
        else
        {
            for (int p = 0; p < pages; p++)
            {
                if (kindOf(p) != PageKind.ZERO)
                {
                    randomPage(p);
                }
            }
        }
        try
        {
            channel.clear();
            writer.writeMemSize();
            writer.writeEos();
            reader.readMemSize();
            reader.readIteration();
            if (real || mix == Mix.MIXED)
            {
                // First pass (no XBZRLE), second (every page a cache miss, now cached).
                writeAndRead();
                writeAndRead();
            }
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    /** @return what page {@code page} is meant to be sent as (not for the real guest: {@code null}). */
    public PageKind kindOf(final int page)
    {
        if (real)
        {
            return null;
        }
        switch (mix)
        {
            case ALL_ZERO:
                return PageKind.ZERO;
            case ALL_RAW:
                return PageKind.NORMAL;
            default:
                final int m = page % 10;
                return m < 3 ? PageKind.ZERO : m < 8 ? PageKind.XBZRLE : PageKind.NORMAL;
        }
    }

    /**
     * Changes the source as the next round needs, outside the measurement: for {@code MIXED}, one 64-byte
     * run of every XBZRLE page and the whole of every raw page.
     */
    public void prepareRound()
    {
        if (real)
        {
            flipPairs();
            return;
        }
        if (mix != Mix.MIXED)
        {
            return;
        }
        for (int p = 0; p < pages; p++)
        {
            final PageKind kind = kindOf(p);
            if (kind == PageKind.XBZRLE)
            {
                final long address = (long)p * PAGE_SIZE + (random.nextInt(PAGE_SIZE / 64) * 64);
                for (int i = 0; i < 64; i += 8)
                {
                    source.putLong(address + i, random.nextLong());
                }
            }
            else if (kind == PageKind.NORMAL)
            {
                randomPage(p);
            }
        }
    }

    /**
     * One iteration: every page written (snapshot, zero check, codec, framing) into the channel, EOS, then
     * applied by the reader to the destination.
     *
     * @return page records applied.
     */
    public long writeAndRead() throws IOException
    {
        channel.clear();
        writer.startRound(++round);
        for (int p = 0; p < pages; p++)
        {
            writer.writePage(p, true);
        }
        writer.writeEos();
        return reader.readIteration();
    }

    /**
     * The baseline: copies every page of the source to the destination, as {@code System.arraycopy} would
     * (Agrona's putBytes, an unsafe copyMemory).
     *
     * @return the last word copied, so that the work is consumed.
     */
    public long copyPages(final UnsafeBuffer from, final UnsafeBuffer to)
    {
        long last = 0;
        for (int p = 0; p < pages; p++)
        {
            source.wrapPage(p, from);
            destination.wrapPage(p, to);
            to.putBytes(0, from, 0, PAGE_SIZE);
            last = to.getLong(PAGE_SIZE - 8);
        }
        return last;
    }

    /** @return the source guest. */
    public GuestMemory source()
    {
        return source;
    }

    /** @return the destination guest. */
    public GuestMemory destination()
    {
        return destination;
    }

    /** @return the writer, for its counters. */
    public PageStreamWriter writer()
    {
        return writer;
    }

    /** The real guest's pages, then each pair's old version at its page: pair {@code i} at page {@code i * stride}. */
    private void realPages()
    {
        final byte[] corpus = RealGuestPages.corpus().pages();
        final int n = corpus.length / PAGE_SIZE;
        for (int p = 0; p < pages; p++)
        {
            source.writePage(p, corpus, (p % n) * PAGE_SIZE);
        }
        flipPairs();
    }

    /** Writes into each pair's page the version it does not hold (old first, then new, then old ...). */
    private void flipPairs()
    {
        final byte[] pairs = RealGuestPages.corpus().pairs();
        final int count = Math.min(RealGuestPages.corpus().pairCount(), pages);
        final int stride = pages / count;
        final int version = (int)(flips++ & 1);
        for (int i = 0; i < count; i++)
        {
            source.writePage((long)i * stride, pairs, (2 * i + version) * PAGE_SIZE);
        }
    }

    private void randomPage(final int page)
    {
        for (int i = 0; i < PAGE_SIZE; i++)
        {
            scratch[i] = (byte)random.nextInt();
        }
        source.writePage(page, scratch, 0);
    }

    @Override
    public void close()
    {
        source.close();
        destination.close();
    }

    /**
     * An in-memory channel holding one iteration: writes append, reads consume, {@link #clear()} empties it.
     * Reading an empty channel is a harness bug (the reader would wait forever), so it throws.
     */
    private static final class IterationChannel implements ReadableByteChannel, WritableByteChannel
    {
        private final ByteBuffer bytes;
        private final ByteBuffer reading;

        IterationChannel(final long capacity)
        {
            if (capacity > Integer.MAX_VALUE)
            {
                throw new IllegalArgumentException("one iteration must fit in 2 GiB: " + capacity);
            }
            this.bytes = ByteBuffer.allocateDirect((int)capacity);
            this.reading = bytes.duplicate();
        }

        void clear()
        {
            bytes.clear();
            reading.clear().limit(0);
        }

        @Override
        public int write(final ByteBuffer src)
        {
            final int n = src.remaining();
            bytes.put(src);
            reading.limit(bytes.position());
            return n;
        }

        @Override
        public int read(final ByteBuffer dst)
        {
            if (!reading.hasRemaining())
            {
                throw new IllegalStateException("benchmark harness: the reader ran past the iteration");
            }
            final int n = Math.min(dst.remaining(), reading.remaining());
            final int limit = reading.limit();
            reading.limit(reading.position() + n);
            dst.put(reading);
            reading.limit(limit);
            return n;
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
    }
}
