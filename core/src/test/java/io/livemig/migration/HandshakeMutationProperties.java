package io.livemig.migration;

import io.livemig.migration.options.MigrationMode;
import io.livemig.migration.wire.Handshake;
import io.livemig.migration.wire.HandshakeReply;
import io.livemig.migration.wire.PageDigests;
import io.livemig.stream.ChannelInput;
import io.livemig.stream.ChannelOutput;
import io.livemig.stream.PageStreamException;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.statistics.Statistics;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.channels.Channels;
import java.util.Arrays;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The readers of the two-process connection ({@link Handshake#read}, {@link HandshakeReply#read}, {@link
 * PageDigests#read}) against mutants of valid bytes: each mutant is either read as a well-formed value that
 * writes back to exactly the bytes it was read from, or refused with a {@link PageStreamException} whose
 * offset lies within the bytes; never another exception.
 */
class HandshakeMutationProperties
{
    private static final int PAGE_SIZE = 4096;
    private static final int PAGES = 16;

    @Property(tries = 1000)
    void handshakeMutantsAreReadOrRefused(@ForAll final long seed) throws IOException
    {
        final Random random = new Random(seed);
        final byte[] valid = bytes(out -> randomHandshake(random).write(out));
        final byte[] mutant = Mutants.mutate(valid, random);
        final Handshake read;
        try
        {
            read = Handshake.read(input(mutant));
        }
        catch (final PageStreamException ex)
        {
            Statistics.collect("refused");
            assertTrue(ex.streamOffset() >= 0 && ex.streamOffset() <= mutant.length, ex.getMessage());
            return;
        }
        Statistics.collect("read");
        assertArrayEquals(Arrays.copyOf(mutant, Handshake.LENGTH), bytes(read::write), "what was read writes back");
    }

    @Property(tries = 1000)
    void replyMutantsAreReadOrRefused(@ForAll final long seed) throws IOException
    {
        final Random random = new Random(seed);
        final HandshakeReply reply = random.nextBoolean() ? HandshakeReply.accept() :
            HandshakeReply.refuse("the source asks for " + random.nextInt(300) + " channels");
        final byte[] mutant = Mutants.mutate(bytes(reply::write), random);
        final HandshakeReply read;
        try
        {
            read = HandshakeReply.read(input(mutant));
        }
        catch (final PageStreamException ex)
        {
            Statistics.collect("refused");
            assertTrue(ex.streamOffset() >= 0 && ex.streamOffset() <= mutant.length, ex.getMessage());
            return;
        }
        Statistics.collect("read");
        assertTrue(read.reason().chars().noneMatch(Character::isISOControl), "one line: " + read.reason());
        assertEquals(read.accepted(), read.reason().isEmpty());
    }

    @Property(tries = 1000)
    void digestMutantsAreReadOrRefused(@ForAll final long seed) throws IOException
    {
        final Random random = new Random(seed);
        final long[] digests = random.longs(PAGES).toArray();
        final byte[] valid = bytes(out -> PageDigests.write(out, PAGE_SIZE, digests));
        final byte[] mutant = Mutants.mutate(valid, random);
        final long[] read;
        try
        {
            read = PageDigests.read(input(mutant), PAGE_SIZE, PAGES);
        }
        catch (final PageStreamException ex)
        {
            Statistics.collect("refused");
            assertTrue(ex.streamOffset() >= 0 && ex.streamOffset() <= mutant.length, ex.getMessage());
            return;
        }
        Statistics.collect("read");
        assertEquals(PAGES, read.length);
        assertArrayEquals(Arrays.copyOf(mutant, valid.length), bytes(out -> PageDigests.write(out, PAGE_SIZE, read)));
    }

    @Example
    void aValidHandshakeRoundTrips() throws IOException
    {
        final Random random = new Random(7);
        for (int i = 0; i < 100; i++)
        {
            final Handshake h = randomHandshake(random);
            assertEquals(h, Handshake.read(input(bytes(h::write))));
        }
    }

    @Example
    void refusalsNameTheField() throws IOException
    {
        final byte[] valid = bytes(new Handshake(MigrationMode.PRECOPY, false, false, true, 1, 4096, 1 << 20, 0, 1, 0,
            0, 8, 0, 1, 100)::write);
        final byte[] badMode = valid.clone();
        badMode[6] = 9;
        final PageStreamException mode = assertThrows(PageStreamException.class, () -> Handshake.read(input(badMode)));
        assertEquals(6, mode.streamOffset(), mode.getMessage());
        final byte[] badPage = valid.clone();
        badPage[12] = 1; // page size 4096 + 65536 is no power of two
        final PageStreamException page = assertThrows(PageStreamException.class, () -> Handshake.read(input(badPage)));
        assertEquals(10, page.streamOffset(), page.getMessage());
        final PageStreamException cut = assertThrows(PageStreamException.class,
            () -> Handshake.read(input(Arrays.copyOf(valid, 20))));
        assertTrue(cut.getMessage().contains("ends"), cut.getMessage());
        // A digest block for another guest is refused before anything is sized from its count.
        final byte[] digests = bytes(out -> PageDigests.write(out, PAGE_SIZE, new long[PAGES]));
        final PageStreamException count = assertThrows(PageStreamException.class,
            () -> PageDigests.read(input(digests), PAGE_SIZE, PAGES + 1));
        assertEquals(9, count.streamOffset(), count.getMessage());
    }

    @Example
    void aDestinationRefusesChannelsItCannotApply()
    {
        final Handshake two = new Handshake(MigrationMode.PRECOPY, false, false, false, 65, 4096, 1 << 20, 0, 0, 0, 0,
            8, 0, 1, 0);
        assertEquals("the source asks for 65 channels, this destination takes at most 64", two.refusal(-1));
        final Handshake big = new Handshake(MigrationMode.PRECOPY, false, false, false, 1, 4096, 1L << 30, 0, 0, 0, 0,
            8, 0, 1, 0);
        assertTrue(big.refusal(1 << 20).startsWith("a guest of 1073741824 bytes needs"), big.refusal(1 << 20));
        assertEquals(null, big.refusal(-1));
    }

    static Handshake randomHandshake(final Random random)
    {
        final int pageSize = 4096 << random.nextInt(3);
        final int writers = random.nextInt(5);
        return new Handshake(MigrationMode.values()[random.nextInt(3)], random.nextBoolean(), random.nextBoolean(),
            random.nextBoolean(), 1 + random.nextInt(8), pageSize, (long)pageSize * (1 + random.nextInt(1 << 16)),
            random.nextInt(1 << 20), writers, writers == 0 ? 0 : random.nextInt(writers), random.nextInt(4),
            1 + random.nextInt(8), random.nextInt(100_000), random.nextLong(), random.nextInt(5000));
    }

    /** Writes with {@code body} into bytes. */
    static byte[] bytes(final Body body) throws IOException
    {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        final ChannelOutput out = new ChannelOutput(Channels.newChannel(bytes), 256);
        body.write(out);
        out.flush();
        return bytes.toByteArray();
    }

    static ChannelInput input(final byte[] bytes)
    {
        return new ChannelInput(Channels.newChannel(new java.io.ByteArrayInputStream(bytes)), 4096);
    }

    @FunctionalInterface
    interface Body
    {
        void write(ChannelOutput out) throws IOException;
    }

    /** Byte-level mutations: flips, overwrites with edge values, cuts and extensions. */
    static final class Mutants
    {
        private Mutants()
        {
        }

        static byte[] mutate(final byte[] valid, final Random random)
        {
            byte[] m = valid.clone();
            for (int n = 1 + random.nextInt(3); n > 0; n--)
            {
                switch (random.nextInt(5))
                {
                    case 0:
                        m[random.nextInt(m.length)] ^= (byte)(1 << random.nextInt(8));
                        break;
                    case 1:
                        m[random.nextInt(m.length)] = (byte)(random.nextBoolean() ? 0xFF : 0x00);
                        break;
                    case 2:
                        m[random.nextInt(m.length)] = (byte)random.nextInt();
                        break;
                    case 3:
                        m = Arrays.copyOf(m, Math.max(1, random.nextInt(m.length)));
                        break;
                    default:
                        m = Arrays.copyOf(m, m.length + 1 + random.nextInt(16));
                        break;
                }
            }
            if (Arrays.equals(m, valid))
            {
                m[random.nextInt(m.length)] ^= 1;
            }
            return m;
        }
    }

    @Example
    void mutantsDiffer()
    {
        final Random random = new Random(1);
        final byte[] valid = new byte[32];
        for (int i = 0; i < 100; i++)
        {
            if (Arrays.equals(valid, Mutants.mutate(valid, random)))
            {
                fail("a mutant equal to its original tests nothing");
            }
        }
    }
}
