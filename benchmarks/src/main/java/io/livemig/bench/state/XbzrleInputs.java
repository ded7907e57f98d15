package io.livemig.bench.state;

import io.livemig.codec.Xbzrle;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteOrder;
import java.util.SplittableRandom;

/**
 * Seeded old/new page pairs for the XBZRLE benchmarks, in the shapes of reference-figures.md (QEMU's C
 * figures), over off-heap working sets; and every pair's encoding, for the decoder.
 *
 * <p>The generator is {@link SplittableRandom} (SplitMix64) seeded with {@code 0x58425A524C45 + the pattern's
 * ordinal}: the old pages are its {@code nextLong()}s in order (native byte order); then, page by page, the
 * changes of {@link #change} draw from the same stream (run starts and lengths with {@code nextInt(lo, hi)},
 * each changed byte XORed with {@code nextInt(1, 256)}). The C anchors are handed these very bytes, and each
 * side records a digest of what it reads ({@link InputLog}). {@link #of} also gives the real guest's pairs
 * ({@link RealGuestPages}).
 *
 * <p>Not thread-safe; built once per benchmark trial and freed by {@link #close()}.
 */
public final class XbzrleInputs implements AutoCloseable
{
    /** The page changes measured. */
    public enum Pattern
    {
        /** Page unchanged (the encoder scans both pages and returns 0). */
        UNCHANGED,
        /** One changed run of 64 bytes at a random offset. */
        ONE_RUN_64,
        /** About 10 % changed, in runs of 8 to 64 bytes. */
        SPARSE_10,
        /** About 50 % changed, in runs of 8 to 64 bytes. */
        DENSE_50,
        /** Every 16th byte changed, from offset 0: a 768-byte encoding. */
        EVERY_16TH,
        /** Old and new both random: the encoding overflows (-1). */
        RANDOM
    }

    private static final long SEED = 0x58425A524C45L;

    private final OffHeapPages oldPages;
    private final OffHeapPages newPages;
    private final OffHeapPages deltas;
    private final OffHeapPages index;
    private final int[] deltaLength;
    private final int[] deltaOffset;

    /** Builds {@code pages} pairs of {@code pattern}, and their encodings. */
    public XbzrleInputs(final Pattern pattern, final int pages)
    {
        this(pages, (oldPages, newPages) -> {
            final SplittableRandom random = new SplittableRandom(SEED + pattern.ordinal());
            oldPages.fillRandom(random);
            final UnsafeBuffer oldBuffer = oldPages.buffer();
            final UnsafeBuffer newBuffer = newPages.buffer();
            final byte[] page = new byte[OffHeapPages.PAGE_SIZE];
            for (int p = 0; p < pages; p++)
            {
                final int offset = OffHeapPages.offset(p);
                oldBuffer.getBytes(offset, page);
                change(pattern, random, page);
                newBuffer.putBytes(offset, page);
            }
        });
    }

    /**
     * @param input a {@link Pattern}'s name, or {@value RealGuestPages#INPUT} for the real guest's pairs of page
     *              versions ({@link RealGuestPages}).
     * @return {@code pages} pairs of that input, and their encodings.
     */
    public static XbzrleInputs of(final String input, final int pages)
    {
        return of(input, pages, false);
    }

    /**
     * As {@link #of(String, int)}; with {@code decodable}, the real guest's pairs are only those whose encoding
     * fits (the ones a stream carries as deltas), for the decoder.
     */
    public static XbzrleInputs of(final String input, final int pages, final boolean decodable)
    {
        return RealGuestPages.is(input) ?
            new XbzrleInputs(pages, (o, n) -> RealGuestPages.fillPairs(o.buffer(), n.buffer(), pages, decodable)) :
            new XbzrleInputs(Pattern.valueOf(input), pages);
    }

    /** Fills the old and the new pages of a working set. */
    @FunctionalInterface
    private interface PairFill
    {
        void fill(OffHeapPages oldPages, OffHeapPages newPages);
    }

    private XbzrleInputs(final int pages, final PairFill fill)
    {
        this.oldPages = new OffHeapPages(pages);
        this.newPages = new OffHeapPages(pages);
        this.deltaLength = new int[pages];
        this.deltaOffset = new int[pages];
        fill.fill(oldPages, newPages);
        final UnsafeBuffer oldBuffer = oldPages.buffer();
        final UnsafeBuffer newBuffer = newPages.buffer();
        try (OffHeapPages slots = new OffHeapPages(pages))
        {
            int packed = 0;
            for (int p = 0; p < pages; p++)
            {
                final int offset = OffHeapPages.offset(p);
                deltaLength[p] = Xbzrle.encode(
                    oldBuffer, offset, newBuffer, offset, OffHeapPages.PAGE_SIZE,
                    slots.buffer(), offset, OffHeapPages.PAGE_SIZE);
                deltaOffset[p] = packed;
                packed += Math.max(0, deltaLength[p]);
            }
            // the deltas back to back, as a stream reader holds them
            this.deltas = new OffHeapPages(Math.max(1, (packed + OffHeapPages.PAGE_SIZE - 1) >> OffHeapPages.PAGE_SHIFT));
            for (int p = 0; p < pages; p++)
            {
                deltas.buffer().putBytes(deltaOffset[p], slots.buffer(), OffHeapPages.offset(p), Math.max(0, deltaLength[p]));
            }
        }
        // the same (offset, length) pairs off the heap, for the C decoder: int32 each, native order
        this.index = new OffHeapPages(
            Math.max(1, (pages * 2 * Integer.BYTES + OffHeapPages.PAGE_SIZE - 1) >> OffHeapPages.PAGE_SHIFT));
        for (int p = 0; p < pages; p++)
        {
            index.buffer().putInt(p * 2 * Integer.BYTES, deltaOffset[p], ByteOrder.nativeOrder());
            index.buffer().putInt(p * 2 * Integer.BYTES + Integer.BYTES, deltaLength[p], ByteOrder.nativeOrder());
        }
    }

    private static void change(final Pattern pattern, final SplittableRandom random, final byte[] page)
    {
        switch (pattern)
        {
            case UNCHANGED:
                break;
            case ONE_RUN_64:
                changeRun(random, page, random.nextInt(page.length - 64), 64);
                break;
            case SPARSE_10:
                changeRuns(random, page, 0.10);
                break;
            case DENSE_50:
                changeRuns(random, page, 0.50);
                break;
            case EVERY_16TH:
                for (int i = 0; i < page.length; i += 16)
                {
                    changeRun(random, page, i, 1);
                }
                break;
            case RANDOM:
                random.nextBytes(page);
                break;
            default:
                throw new IllegalStateException(pattern.name());
        }
    }

    /** Runs of 8..64 changed bytes, separated by unchanged gaps sized so that {@code fraction} changes. */
    private static void changeRuns(final SplittableRandom random, final byte[] page, final double fraction)
    {
        final int meanRun = 36;
        final int meanGap = (int)Math.round(meanRun * (1 - fraction) / fraction);
        int at = random.nextInt(1, 2 * meanGap);
        while (at < page.length)
        {
            final int run = Math.min(random.nextInt(8, 65), page.length - at);
            changeRun(random, page, at, run);
            at += run + random.nextInt(1, 2 * meanGap);
        }
    }

    /** Gives each byte of the run a new value that differs from the old one. */
    private static void changeRun(final SplittableRandom random, final byte[] page, final int from, final int length)
    {
        for (int i = from; i < from + length; i++)
        {
            page[i] ^= (byte)random.nextInt(1, 256);
        }
    }

    /** @return the old pages (the cached copies, and the decoder's target). */
    public UnsafeBuffer oldPages()
    {
        return oldPages.buffer();
    }

    /** @return the new pages. */
    public UnsafeBuffer newPages()
    {
        return newPages.buffer();
    }

    /** @return the encodings back to back, page {@code p}'s at {@link #deltaOffset(int)}. */
    public UnsafeBuffer deltas()
    {
        return deltas.buffer();
    }

    /**
     * @return every page's {@code (offset, length)} into {@link #deltas()} as two native-order int32s per page
     *         ({@link #deltaOffset(int)}, {@link #deltaLength(int)}), for code that cannot read Java arrays.
     */
    public UnsafeBuffer index()
    {
        return index.buffer();
    }

    /** @return where page {@code page}'s encoding starts in {@link #deltas()}. */
    public int deltaOffset(final int page)
    {
        return deltaOffset[page];
    }

    /** @return a copy of every page's encoding offset. */
    public int[] deltaOffsets()
    {
        return deltaOffset.clone();
    }

    /** @return the encoder's result for page {@code page} (-1: overflow, no encoding). */
    public int deltaLength(final int page)
    {
        return deltaLength[page];
    }

    /** @return a copy of every page's encoder result. */
    public int[] deltaLengths()
    {
        return deltaLength.clone();
    }

    @Override
    public void close()
    {
        oldPages.close();
        newPages.close();
        deltas.close();
        index.close();
    }
}
