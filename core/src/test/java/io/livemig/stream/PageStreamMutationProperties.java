package io.livemig.stream;

import io.livemig.dirty.DirtyMarker;
import io.livemig.memory.GuestMemory;
import io.livemig.stream.StreamPair.Shape;
import io.livemig.stream.read.PageStreamReader;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.statistics.Statistics;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Fuzzing the reader with mutants of valid streams: every mutant either applies cleanly or is refused with a
 * {@link PageStreamException} naming its offset (no other exception, no crash), and every destination page
 * is exactly as the last record the reader reported applying left it: pristine if no valid record of the
 * accepted prefix named it, and a refused record leaves its page as it was (stronger than "pages outside the
 * applied set are unchanged", which cannot see a half-applied XBZRLE delta on a page applied before).
 */
class PageStreamMutationProperties
{
    private static final int PAGES = 8;

    /** A valid stream of a few rounds, with the source guest it carries and where its records start. */
    private static final class ValidStream
    {
        final int pageSize;
        final byte[] bytes;
        final byte[] finalSource;
        final List<Long> recordStarts = new ArrayList<>();
        final List<Integer> recordLengths = new ArrayList<>();

        ValidStream(final int pageSize, final byte[] bytes, final byte[] finalSource)
        {
            this.pageSize = pageSize;
            this.bytes = bytes;
            this.finalSource = finalSource;
        }
    }

    private static ValidStream validStream(final long seed) throws IOException
    {
        final Random random = new Random(seed);
        final int pageSize = random.nextInt(4) == 0 ? 16384 : 4096;
        final PageStreamOptions options = PageStreamOptions.defaults()
            .withXbzrle(random.nextBoolean()).withXbzrleCacheBytes(4L * pageSize).withLz4(random.nextBoolean());
        try (StreamPair pair = new StreamPair(pageSize, PAGES, options).start())
        {
            final Shape[] shapes = Shape.values();
            for (int round = 0, rounds = 3 + random.nextInt(3); round < rounds; round++)
            {
                for (int p = 0; p < PAGES; p++)
                {
                    if (random.nextInt(3) > 0)
                    {
                        // After the first two rounds, mostly small changes: XBZRLE deltas.
                        final Shape shape = round >= 2 && random.nextBoolean() ? Shape.SMALL_CHANGE :
                            shapes[random.nextInt(shapes.length)];
                        pair.shape(p, shape, random);
                    }
                }
                pair.round();
            }
            final byte[] source = new byte[(int)pair.source.size()];
            pair.source.getBytes(0, source, 0, source.length);
            final ValidStream stream = new ValidStream(pageSize, pair.channel.written(), source);
            // Record starts, for mutations aimed at headers: replay the stream with a listener.
            try (GuestMemory scratch = new GuestMemory(PAGES * (long)pageSize, pageSize, DirtyMarker.NONE))
            {
                final PageStreamReader reader = reader(stream.bytes, scratch);
                reader.setListener((page, kind, wireBytes, offset) -> {
                    stream.recordStarts.add(offset);
                    stream.recordLengths.add(wireBytes);
                });
                reader.readToEnd(true);
            }
            return stream;
        }
    }

    private static PageStreamReader reader(final byte[] bytes, final GuestMemory guest)
    {
        return new PageStreamReader(new ChannelInput(MemoryChannel.of(bytes), 1 << 15), guest);
    }

    private static byte[] mutate(final ValidStream stream, final int mutation, final Random random)
    {
        final byte[] b = stream.bytes.clone();
        switch (mutation)
        {
            case 0: // bit flips anywhere
                for (int i = 0, n = 1 + random.nextInt(8); i < n; i++)
                {
                    b[random.nextInt(b.length)] ^= (byte)(1 << random.nextInt(8));
                }
                return b;
            case 1: // truncation
                return Arrays.copyOf(b, random.nextInt(b.length));
            case 2: // splice: a slice of the stream copied over another place, or a range deleted
            {
                final int from = random.nextInt(b.length);
                final int length = Math.min(b.length - from, 1 + random.nextInt(2 * stream.pageSize));
                final int to = random.nextInt(b.length);
                if (random.nextBoolean())
                {
                    final byte[] out = new byte[b.length - length];
                    System.arraycopy(b, 0, out, 0, from);
                    System.arraycopy(b, from + length, out, from, b.length - from - length);
                    return out;
                }
                final byte[] out = new byte[b.length + length];
                System.arraycopy(b, 0, out, 0, to);
                System.arraycopy(b, from, out, to, length);
                System.arraycopy(b, to, out, to + length, b.length - to);
                return out;
            }
            case 3: // random bytes over a range
            {
                final int at = random.nextInt(b.length);
                final byte[] junk = new byte[Math.min(b.length - at, 1 + random.nextInt(64))];
                random.nextBytes(junk);
                System.arraycopy(junk, 0, b, at, junk.length);
                return b;
            }
            case 4: // a bit of a record's header flags or of the byte after it (name length, fill, encoding)
            {
                final int start = (int)(long)stream.recordStarts.get(random.nextInt(stream.recordStarts.size()));
                final int at = start + 6 + random.nextInt(4);
                b[at] ^= (byte)(1 << random.nextInt(8));
                return b;
            }
            default: // a bit or byte of a record's payload (lengths, XBZRLE run lengths, LZ4 tokens)
            {
                final int record = random.nextInt(stream.recordStarts.size());
                final int start = (int)(long)stream.recordStarts.get(record);
                final int at = start + 8 + random.nextInt(stream.recordLengths.get(record) - 8);
                b[at] = random.nextBoolean() ? (byte)(b[at] ^ (1 << random.nextInt(8))) : (byte)random.nextInt(256);
                return b;
            }
        }
    }

    @Property(tries = 2000, seed = "20261126")
    void mutantsApplyCleanlyOrAreRefused(
        @ForAll final long seed, @ForAll @IntRange(min = 0, max = 5) final int mutation) throws IOException
    {
        final ValidStream stream = validStream(seed);
        final Random random = new Random(seed ^ mutation);
        final byte[] mutant = mutate(stream, mutation, random);
        try (GuestMemory guest = new GuestMemory(PAGES * (long)stream.pageSize, stream.pageSize, DirtyMarker.NONE))
        {
            final byte[] pristine = new byte[(int)guest.size()];
            random.nextBytes(pristine);
            guest.putBytes(0, pristine, 0, pristine.length);
            // The model: each page as the last record the reader reported applying left it (pristine if none).
            final byte[] expected = pristine.clone();
            final PageStreamReader reader = reader(mutant, guest);
            reader.setListener((page, kind, wireBytes, offset) ->
                guest.getBytes(page * stream.pageSize, expected, (int)page * stream.pageSize, stream.pageSize));
            try
            {
                reader.readToEnd(random.nextBoolean());
                Statistics.label("outcome").collect("applied");
            }
            catch (final PageStreamException refused)
            {
                Statistics.label("outcome").collect("refused");
                if (refused.streamOffset() < 0 || refused.streamOffset() > mutant.length ||
                    !refused.getMessage().startsWith("page stream offset " + refused.streamOffset() + ": "))
                {
                    fail("refusal does not name its offset: " + refused.getMessage());
                }
            }
            catch (final RuntimeException ex)
            {
                throw new AssertionError("mutant " + mutation + " escaped as " + ex, ex);
            }
            final byte[] after = new byte[pristine.length];
            guest.getBytes(0, after, 0, after.length);
            final int pageSize = stream.pageSize;
            for (int p = 0; p < PAGES; p++)
            {
                assertArrayEquals(Arrays.copyOfRange(expected, p * pageSize, (p + 1) * pageSize),
                    Arrays.copyOfRange(after, p * pageSize, (p + 1) * pageSize),
                    "page " + p + " differs from what its last applied record left (mutation " + mutation + ")");
            }
        }
    }

    @Example
    void unmutatedStreamsArriveWhole() throws IOException
    {
        for (long seed = 0; seed < 20; seed++)
        {
            final ValidStream stream = validStream(seed);
            try (GuestMemory guest = new GuestMemory(PAGES * (long)stream.pageSize, stream.pageSize, DirtyMarker.NONE))
            {
                reader(stream.bytes, guest).readToEnd(true);
                final byte[] after = new byte[(int)guest.size()];
                guest.getBytes(0, after, 0, after.length);
                assertArrayEquals(stream.finalSource, after, "seed " + seed);
                assertEquals(true, stream.recordStarts.size() > 0);
            }
        }
    }
}
