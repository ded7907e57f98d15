package io.livemig.codec;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Slot, age and refusal rules of the page cache, rules 2-4 of xbzrle.md, and its counters. */
class XbzrleCacheTest
{
    private static final int PAGE = 64;
    private static final int SLOTS = 4;

    private final XbzrleCache cache = new XbzrleCache(SLOTS * PAGE, PAGE);
    private final UnsafeBuffer dst = new UnsafeBuffer(new byte[PAGE]);

    private int encode(final long page, final byte[] snapshot)
    {
        return cache.encode(page, new UnsafeBuffer(snapshot), 0, dst, 0, PAGE);
    }

    private byte[] cached(final long page)
    {
        final UnsafeBuffer copy = new UnsafeBuffer(new byte[PAGE]);
        assertTrue(cache.copyCached(page, copy, 0), "page " + page + " cached");
        return copy.byteArray();
    }

    private static byte[] page(final int fill)
    {
        final byte[] page = new byte[PAGE];
        Arrays.fill(page, (byte)fill);
        return page;
    }

    @Test
    void missInsertsHitEncodesAgainstTheCachedCopyAndUpdatesIt()
    {
        final byte[] v1 = page(1);
        assertEquals(XbzrleCache.MISS, encode(9, v1));
        assertTrue(cache.isCached(9));
        assertArrayEquals(v1, cached(9));
        assertEquals(0, encode(9, v1), "unchanged");

        final byte[] v2 = v1.clone();
        v2[10] = 7;
        final int length = encode(9, v2);
        assertEquals(3, length, "zrun 10, nzrun 1, one byte");
        assertArrayEquals(v2, cached(9), "a hit copies the snapshot into the cache");
        final byte[] destination = v1.clone();
        assertEquals(11, Xbzrle.decode(Arrays.copyOf(dst.byteArray(), length), length, destination));
        assertArrayEquals(v2, destination);

        final byte[] v3 = new byte[PAGE];
        new SplittableRandom(3).nextBytes(v3);
        assertEquals(-1, encode(9, v3), "overflow");
        assertArrayEquals(v3, cached(9), "on overflow the snapshot, sent in full, is cached too");
    }

    @Test
    void pagesShareASlotByTheLowBitsAndAYoungEntryRefusesAnotherPage()
    {
        cache.startRound(0);
        assertEquals(XbzrleCache.MISS, encode(1, page(1)));
        cache.startRound(1);
        assertEquals(XbzrleCache.MISS, encode(1 + SLOTS, page(5)));
        assertFalse(cache.isCached(1 + SLOTS), "age 0 + 2 > round 1: refused");
        assertTrue(cache.isCached(1));
        assertEquals(XbzrleCache.MISS, encode(2, page(2)), "another slot is free");
        assertTrue(cache.isCached(2));

        cache.startRound(2);
        assertEquals(XbzrleCache.MISS, encode(1 + 2 * SLOTS, page(9)));
        assertTrue(cache.isCached(1 + 2 * SLOTS), "age 0 + 2 <= round 2: replaced");
        assertFalse(cache.isCached(1));
        assertArrayEquals(page(9), cached(1 + 2 * SLOTS));
    }

    @Test
    void aHitRenewsTheAge()
    {
        cache.startRound(0);
        encode(3, page(1));
        cache.startRound(5);
        assertEquals(0, encode(3, page(1)), "hit at round 5");
        cache.startRound(6);
        encode(3 + SLOTS, page(2));
        assertTrue(cache.isCached(3), "age 5 + 2 > 6: refused");
        cache.startRound(7);
        encode(3 + SLOTS, page(2));
        assertTrue(cache.isCached(3 + SLOTS), "age 5 + 2 <= 7: replaced");
    }

    @Test
    void zeroPageSentZeroesOnlyThatPagesCachedCopy()
    {
        encode(0, page(4));
        encode(1, page(5));
        cache.zeroPageSent(0);
        cache.zeroPageSent(2); // not cached: nothing happens
        cache.zeroPageSent(1 + SLOTS); // another page's slot: nothing happens
        assertArrayEquals(new byte[PAGE], cached(0));
        assertArrayEquals(page(5), cached(1));
        assertFalse(cache.isCached(2));
        final byte[] v = new byte[PAGE];
        v[0] = 1;
        assertEquals(3, encode(0, v), "the delta is taken against zeros, as the destination holds");
        assertArrayEquals(new byte[] {0, 1, 1}, Arrays.copyOf(dst.byteArray(), 3));
    }

    @Test
    void zeroPageSentRenewsTheAge()
    {
        cache.startRound(0);
        encode(0, page(4));
        cache.startRound(3);
        cache.zeroPageSent(0);
        cache.startRound(4);
        encode(SLOTS, page(1));
        assertTrue(cache.isCached(0), "zeroed at round 3: still young at round 4");
    }

    @Test
    void statsCountAsQemuNamesThem()
    {
        final byte[] v1 = page(1);
        encode(0, v1); // miss
        encode(1, v1); // miss
        encode(0, v1); // unchanged
        final byte[] v2 = v1.clone();
        v2[0] = 2;
        encode(0, v2); // 3 bytes
        final byte[] v3 = new byte[PAGE];
        new SplittableRandom(1).nextBytes(v3);
        encode(1, v3); // overflow
        final XbzrleStats stats = cache.stats();
        assertEquals(5, stats.lookups());
        assertEquals(2, stats.cacheMiss());
        assertEquals(0.4, stats.cacheMissRate(), 1e-12);
        assertEquals(1, stats.unchanged());
        assertEquals(1, stats.pages());
        assertEquals(1, stats.overflow());
        assertEquals(3 + PAGE, stats.bytes(), "delta bytes plus a page per overflow");
        assertEquals((double)PAGE / (3 + PAGE), stats.encodingRate(), 1e-12);
    }

    @Test
    void statsAreReadableWhileTheOwnerWrites() throws InterruptedException
    {
        final int lookups = 20_000;
        final long[] seen = new long[1];
        final boolean[] monotonic = {true};
        final Thread reader = new Thread(() ->
        {
            long last = 0;
            while (last < lookups)
            {
                final long now = cache.stats().lookups();
                final long misses = cache.stats().cacheMiss();
                monotonic[0] &= now >= last && misses <= lookups;
                last = now;
            }
            seen[0] = last;
        });
        reader.start();
        final UnsafeBuffer snapshot = new UnsafeBuffer(new byte[PAGE]);
        for (int i = 0; i < lookups; i++)
        {
            cache.encode(i % 7, snapshot, 0, dst, 0, PAGE);
        }
        reader.join(10_000);
        assertFalse(reader.isAlive(), "reader saw the final count");
        assertTrue(monotonic[0], "counts never went backwards");
        assertEquals(lookups, seen[0]);
    }

    @Test
    void argumentsAreChecked()
    {
        assertThrows(IllegalArgumentException.class, () -> new XbzrleCache(3 * PAGE, PAGE), "budget not a power of 2");
        assertThrows(IllegalArgumentException.class, () -> new XbzrleCache(PAGE / 2, PAGE), "budget below a page");
        assertThrows(IllegalArgumentException.class, () -> new XbzrleCache(1 << 20, 3000), "page not a power of 2");
        assertThrows(IllegalArgumentException.class, () -> new XbzrleCache(1 << 20, 32768), "page above 16 KiB");
        assertEquals(SLOTS, cache.slots());
        cache.startRound(4);
        assertThrows(IllegalArgumentException.class, () -> cache.startRound(3));
        assertThrows(IllegalArgumentException.class, () -> encode(-1, page(0)));
        assertThrows(IndexOutOfBoundsException.class,
            () -> cache.encode(0, new UnsafeBuffer(new byte[PAGE - 1]), 0, dst, 0, PAGE));
        assertThrows(IndexOutOfBoundsException.class,
            () -> cache.encode(0, new UnsafeBuffer(new byte[PAGE]), 0, dst, 1, PAGE));
    }
}
