package io.livemig.codec;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The cache protocol of xbzrle.md keeps the source's cache equal to the destination's copy even though the
 * guest writes its page between the snapshot and the send, under a deterministic interleaving: snapshot,
 * guest write, encode, guest write, send. The same check, run on a caller that encodes and sends from live
 * guest memory instead of its snapshot, must find the two apart: that proves the check can fail.
 */
class XbzrleProtocolTest
{
    private static final int PAGE = 4096;
    private static final int PAGES = 16;
    private static final int ROUNDS = 40;

    /** Where the sender takes the bytes it encodes and sends in full. */
    enum Caller { SNAPSHOT, LIVE_MEMORY }

    @Test
    void snapshotCallerKeepsCacheAndDestinationEqual()
    {
        assertEquals(-1, firstDivergence(Caller.SNAPSHOT, 42));
        assertEquals(-1, firstDivergence(Caller.SNAPSHOT, 7));
    }

    @Test
    void everyOutcomeOccurs()
    {
        final XbzrleStats stats = statsOf(Caller.SNAPSHOT, 42);
        assertTrue(stats.cacheMiss() > 0 && stats.pages() > 0 && stats.overflow() > 0 && stats.unchanged() > 0,
            stats.toString());
    }

    @Test
    void callerReadingLiveMemoryIsCaught()
    {
        assertTrue(firstDivergence(Caller.LIVE_MEMORY, 42) >= 0, "divergence detected");
    }

    /**
     * Migrates {@link #PAGES} pages for {@link #ROUNDS} rounds while a seeded "vCPU" writes runs of bytes
     * into them, then a final stop-and-copy round.
     *
     * @return the first step at which a cached page differs from the destination's copy, or -1 if none did
     *         and the destination ends equal to the guest.
     */
    private static XbzrleStats statsOf(final Caller caller, final long seed)
    {
        final XbzrleStats[] stats = new XbzrleStats[1];
        assertEquals(-1, firstDivergence(caller, seed, stats));
        return stats[0];
    }

    private static int firstDivergence(final Caller caller, final long seed)
    {
        return firstDivergence(caller, seed, new XbzrleStats[1]);
    }

    private static int firstDivergence(final Caller caller, final long seed, final XbzrleStats[] stats)
    {
        final SplittableRandom random = new SplittableRandom(seed);
        final UnsafeBuffer guest = new UnsafeBuffer(new byte[PAGES * PAGE]);
        final byte[] destination = new byte[PAGES * PAGE];
        final XbzrleCache cache = new XbzrleCache(PAGES * PAGE, PAGE);
        stats[0] = cache.stats();
        final UnsafeBuffer snapshot = new UnsafeBuffer(new byte[PAGE]);
        final UnsafeBuffer delta = new UnsafeBuffer(new byte[PAGE]);
        final UnsafeBuffer cached = new UnsafeBuffer(new byte[PAGE]);
        int step = 0;
        for (int round = 1; round <= ROUNDS + 1; round++)
        {
            final boolean lastStage = round == ROUNDS + 1; // vCPUs stopped
            cache.startRound(round);
            for (int page = 0; page < PAGES; page++, step++)
            {
                final int at = page * PAGE;
                snapshot.putBytes(0, guest, at, PAGE);
                if (!lastStage)
                {
                    guestWrite(random, guest, at); // between the snapshot and the encode
                }
                final int result = caller == Caller.SNAPSHOT ?
                    cache.encode(page, snapshot, 0, delta, 0, PAGE) :
                    cache.encode(page, guest, at, delta, 0, PAGE);
                if (!lastStage)
                {
                    guestWrite(random, guest, at); // between the encode and the send
                }
                if (result == XbzrleCache.MISS || result == -1)
                {
                    final UnsafeBuffer from = caller == Caller.SNAPSHOT ? snapshot : guest;
                    from.getBytes(caller == Caller.SNAPSHOT ? 0 : at, destination, at, PAGE);
                }
                else if (result > 0)
                {
                    final byte[] copy = Arrays.copyOfRange(destination, at, at + PAGE);
                    assertTrue(Xbzrle.decode(delta.byteArray(), result, copy) >= 0, "delta decodes");
                    System.arraycopy(copy, 0, destination, at, PAGE);
                }
                if (cache.copyCached(page, cached, 0) &&
                    !Arrays.equals(cached.byteArray(), 0, PAGE, destination, at, at + PAGE))
                {
                    return step;
                }
            }
        }
        final byte[] guestBytes = new byte[PAGES * PAGE];
        guest.getBytes(0, guestBytes);
        assertArrayEquals(guestBytes, destination, "after stop-and-copy the destination equals the guest");
        return -1;
    }

    /** A vCPU's write, now and then: a short run of random bytes, or rarely the whole page. */
    private static void guestWrite(final SplittableRandom random, final UnsafeBuffer guest, final int pageStart)
    {
        if (random.nextInt(40) == 0)
        {
            for (int i = 0; i < PAGE; i++) // the page rewritten: its next delta overflows
            {
                guest.putByte(pageStart + i, (byte)random.nextInt(256));
            }
        }
        else if (random.nextInt(3) == 0)
        {
            final int length = 1 + random.nextInt(32);
            final int at = pageStart + random.nextInt(PAGE - length);
            for (int i = 0; i < length; i++)
            {
                guest.putByte(at + i, (byte)random.nextInt(256));
            }
        }
    }
}
