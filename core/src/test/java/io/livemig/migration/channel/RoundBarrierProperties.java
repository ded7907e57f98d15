package io.livemig.migration.channel;

import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The page channels' round barrier ({@link RoundBarrier}): over random page sets per channel and round and
 * random schedules of the channels, no page of round {@code k + 1} is applied before every page of round
 * {@code k}, and every schedule ends with every page applied (no deadlock). The model is the receiver's loop
 * ({@link ChannelReceiver}): wait for the barrier at the start of a round, apply its pages, arrive at EOS.
 * A threaded stress test runs the same loop on real threads with the blocking waits.
 */
class RoundBarrierProperties
{
    @Property(tries = 500)
    void noPageOfRoundKPlus1BeforeEveryPageOfRoundK(
        @ForAll @IntRange(min = 1, max = 4) final int channels,
        @ForAll @IntRange(min = 1, max = 5) final int rounds,
        @ForAll final long seed,
        @ForAll @Size(max = 200) final List<@IntRange(min = 0, max = 3) Integer> schedule)
    {
        final SplittableRandom random = new SplittableRandom(seed);
        final int[][] pages = new int[channels][rounds];
        final long[] perRound = new long[rounds];
        for (int c = 0; c < channels; c++)
        {
            for (int r = 0; r < rounds; r++)
            {
                pages[c][r] = random.nextInt(6); // 0: a channel with nothing to send in that round
                perRound[r] += pages[c][r];
            }
        }
        final RoundBarrier barrier = new RoundBarrier(channels);
        final int[] round = new int[channels];
        final int[] index = new int[channels];
        final long[] applied = new long[rounds];
        final List<Integer> steps = new ArrayList<>();
        for (final int pick : schedule)
        {
            steps.add(pick % channels);
        }
        // After the random schedule, round-robin until done: the barrier must never leave every channel stuck.
        for (int i = 0; i < channels * rounds * 8 + channels; i++)
        {
            steps.add(i % channels);
        }
        for (final int c : steps)
        {
            final int r = round[c];
            if (r == rounds)
            {
                continue;
            }
            if (index[c] == 0 && !barrier.ready(r))
            {
                continue; // blocked at the round's start, as awaitRound
            }
            if (index[c] < pages[c][r])
            {
                for (int earlier = 0; earlier < r; earlier++)
                {
                    assertEquals(perRound[earlier], applied[earlier],
                        "page of round " + r + " on channel " + c + " applied before every page of round " + earlier);
                }
                applied[r]++;
                index[c]++;
            }
            else
            {
                barrier.arrive(c);
                round[c]++;
                index[c] = 0;
            }
        }
        for (int c = 0; c < channels; c++)
        {
            assertEquals(rounds, round[c], "channel " + c + " did not finish");
        }
    }

    @Example
    void threadsApplyRoundsInOrder() throws Exception
    {
        final int channels = 4;
        final int rounds = 200;
        final RoundBarrier barrier = new RoundBarrier(channels);
        final Object lock = new Object();
        final long[] appliedPerRound = new long[rounds];
        final int pagesPerRound = 3;
        final String[] violation = new String[1];
        final Thread[] threads = new Thread[channels];
        for (int c = 0; c < channels; c++)
        {
            final int channel = c;
            threads[c] = new Thread(() ->
            {
                try
                {
                    for (int r = 0; r < rounds; r++)
                    {
                        barrier.awaitRound(r);
                        for (int p = 0; p < pagesPerRound; p++)
                        {
                            synchronized (lock)
                            {
                                if (r > 0 && appliedPerRound[r - 1] != (long)channels * pagesPerRound && violation[0] == null)
                                {
                                    violation[0] = "round " + r + " page applied with round " + (r - 1) + " at " +
                                        appliedPerRound[r - 1];
                                }
                                appliedPerRound[r]++;
                            }
                            Thread.onSpinWait();
                        }
                        barrier.arrive(channel);
                    }
                    barrier.end(channel);
                }
                catch (final Exception ex)
                {
                    barrier.fail(ex);
                }
            }, "barrier-stress-" + c);
            threads[c].setDaemon(true);
            threads[c].start();
        }
        barrier.awaitAll(rounds);
        for (final Thread t : threads)
        {
            t.join(TimeUnit.SECONDS.toMillis(10));
            assertFalse(t.isAlive());
        }
        if (violation[0] != null)
        {
            fail(violation[0]);
        }
        for (int r = 0; r < rounds; r++)
        {
            assertEquals((long)channels * pagesPerRound, appliedPerRound[r]);
        }
    }

    @Example
    void aChannelThatEndsEarlyOrFailsWakesTheWaiters()
    {
        final RoundBarrier barrier = new RoundBarrier(2);
        barrier.arrive(0);
        barrier.end(1);
        final Exception ended = assertThrows(java.io.IOException.class, () -> barrier.awaitAll(1));
        assertTrue(ended.getMessage().contains("page channel 1 ended after 0 rounds"), ended.getMessage());
        final RoundBarrier failed = new RoundBarrier(2);
        failed.fail(new IllegalStateException("boom"));
        final Exception e = assertThrows(java.io.IOException.class, () -> failed.awaitRound(1));
        assertTrue(e.getMessage().contains("boom"), e.getMessage());
    }
}
