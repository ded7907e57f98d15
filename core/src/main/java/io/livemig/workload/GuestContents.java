package io.livemig.workload;

import io.livemig.memory.GuestMemory;

import java.util.SplittableRandom;

/**
 * A simulated guest's seeded contents: the pages it holds before anything runs, and its device state. The same
 * seed gives the same bytes, so two processes (a source and its destination, a save and its restore) agree on
 * them without sending them. Stateless and thread-safe; {@link #fill} writes memory that nothing else writes
 * meanwhile.
 */
public final class GuestContents
{
    private GuestContents()
    {
    }

    /**
     * Fills a fraction {@code fill} of the pages of {@code src}, chosen by {@code seed}: bytes [64, page/2) of each
     * random, the rest zero (the first bytes stay 0 for the sequential sweep's invariant). Marks what it writes.
     */
    public static void fill(final GuestMemory src, final long seed, final double fill)
    {
        final long pages = src.pageCount();
        final int ps = src.pageSize();
        final byte[] page = new byte[ps];
        final SplittableRandom random = new SplittableRandom(seed);
        for (long p = 0; p < pages; p++)
        {
            if (random.nextDouble() < fill)
            {
                // Bytes [64, ps/2) random, the rest zero: the first bytes stay 0 for the sweep's invariant.
                for (int i = 64; i < ps / 2; i += 8)
                {
                    final long v = random.nextLong();
                    for (int b = 0; b < 8; b++)
                    {
                        page[i + b] = (byte)(v >>> (8 * b));
                    }
                }
                src.writePage(p, page, 0);
            }
        }
    }

    /** @return {@code bytes} bytes of device state drawn from {@code seed}. */
    public static byte[] deviceState(final int bytes, final long seed)
    {
        final byte[] state = new byte[bytes];
        final SplittableRandom random = new SplittableRandom(seed);
        for (int i = 0; i < state.length; i++)
        {
            state[i] = (byte)random.nextInt();
        }
        return state;
    }
}
