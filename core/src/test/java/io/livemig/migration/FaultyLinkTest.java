package io.livemig.migration;

import io.livemig.migration.fault.FaultPlan;
import io.livemig.migration.fault.FaultyLink;
import io.livemig.migration.link.MigrationLink;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Faults as both sides see them: a cut lets exactly the bytes before its trigger through and then fails every
 * read and write on both sides with a reason, releasing a blocked reader; a stall delivers nothing for its
 * duration and then everything, intact; phase triggers fire on their phase and round only; throttling holds
 * the rate. Over the in-memory and the TCP link; every test has a deadline and closes its link.
 */
@Timeout(30)
class FaultyLinkTest
{
    private static byte[] pattern(final int n)
    {
        final byte[] b = new byte[n];
        for (int i = 0; i < n; i++)
        {
            b[i] = (byte)(i * 31 + 7);
        }
        return b;
    }

    private static FaultPlan plan(final FaultPlan.Rule... rules)
    {
        return new FaultPlan(List.of(rules));
    }

    /** Reads until EOF or failure; returns the bytes, the failure in {@code failure}. */
    private static Thread reader(final ReadableByteChannel in, final ByteArrayOutputStream into,
                                 final AtomicReference<Throwable> failure, final long[] firstAfterNs, final int mark)
    {
        final Thread t = new Thread(() ->
        {
            final ByteBuffer buffer = ByteBuffer.allocate(1024);
            try
            {
                while (true)
                {
                    buffer.clear();
                    final int n = in.read(buffer);
                    if (n < 0)
                    {
                        return;
                    }
                    synchronized (into)
                    {
                        if (into.size() <= mark && into.size() + n > mark && firstAfterNs[0] == 0)
                        {
                            firstAfterNs[0] = System.nanoTime();
                        }
                        into.write(buffer.array(), 0, n);
                    }
                }
            }
            catch (final Throwable ex)
            {
                failure.set(ex);
            }
        }, "faulty-link-reader");
        t.setDaemon(true);
        t.start();
        return t;
    }

    @ParameterizedTest
    @ValueSource(strings = {"memory", "tcp"})
    void aCutPassesTheBytesBeforeItsTriggerThenFailsBothSidesWithItsReason(final String kind) throws Exception
    {
        final byte[] data = pattern(100_000);
        try (FaultyLink link = new FaultyLink(MigrationLink.open(kind, 0, 0), plan(
            new FaultPlan.Rule(FaultPlan.Action.CUT, FaultPlan.Trigger.afterBytes(10_000), 0, 0))))
        {
            final ByteArrayOutputStream received = new ByteArrayOutputStream();
            final AtomicReference<Throwable> readFailure = new AtomicReference<>();
            final Thread reader = reader(link.destinationIn(), received, readFailure, new long[1], 0);
            final IOException writeFailure = assertThrows(IOException.class, () ->
            {
                for (int at = 0; at < data.length; at += 4096)
                {
                    link.sourceOut().write(ByteBuffer.wrap(data, at, Math.min(4096, data.length - at)));
                }
            });
            assertTrue(writeFailure.getMessage().startsWith("link cut by fault injection: cut after 10000 forward " +
                "bytes"), writeFailure.getMessage());
            reader.join(10_000);
            assertFalse(reader.isAlive(), "the destination's blocked read is released");
            assertNotNull(readFailure.get(), "the destination sees a failure, not a clean end");
            assertTrue(readFailure.get().getMessage().startsWith("link cut by fault injection"),
                String.valueOf(readFailure.get()));
            assertEquals(10_000, link.forwardBytes());
            final byte[] got = received.toByteArray();
            assertTrue(got.length <= 10_000, "nothing past the trigger: " + got.length);
            assertArrayEquals(java.util.Arrays.copyOf(data, got.length), got, "what arrived is intact");
            assertThrows(IOException.class, () -> link.sourceIn().read(ByteBuffer.allocate(8)));
            assertThrows(IOException.class, () -> link.destinationOut().write(ByteBuffer.allocate(8)));
            assertThrows(IOException.class, link::finishSource);
            assertTrue(link.isCut());
            assertEquals(1, link.events().size(), link.events().toString());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"memory", "tcp"})
    void aStallDeliversNothingForItsDurationThenEverythingIntact(final String kind) throws Exception
    {
        final byte[] data = pattern(50_000);
        try (FaultyLink link = new FaultyLink(MigrationLink.open(kind, 0, 0), plan(
            new FaultPlan.Rule(FaultPlan.Action.STALL, FaultPlan.Trigger.afterBytes(20_000), 400_000_000L, 0))))
        {
            final ByteArrayOutputStream received = new ByteArrayOutputStream();
            final AtomicReference<Throwable> readFailure = new AtomicReference<>();
            final long[] firstAfter = new long[1];
            final Thread reader = reader(link.destinationIn(), received, readFailure, firstAfter, 20_000);
            final long start = System.nanoTime();
            for (int at = 0; at < data.length; at += 5000)
            {
                link.sourceOut().write(ByteBuffer.wrap(data, at, 5000));
            }
            link.finishSource();
            reader.join(10_000);
            assertFalse(reader.isAlive());
            assertEquals(null, readFailure.get());
            assertArrayEquals(data, received.toByteArray());
            assertTrue(firstAfter[0] - start >= 350_000_000L,
                "no byte past the trigger within the stall: " + (firstAfter[0] - start) / 1_000_000 + " ms");
            assertFalse(link.isCut());
        }
    }

    @Test
    void phaseTriggersFireOnTheirPhaseAndRoundOnlyAndReleaseABlockedReader() throws Exception
    {
        try (FaultyLink link = new FaultyLink(MigrationLink.open("memory", 0, 0), plan(
            new FaultPlan.Rule(FaultPlan.Action.THROTTLE, FaultPlan.Trigger.atPhase("setup", -1), 0, 1 << 20),
            new FaultPlan.Rule(FaultPlan.Action.CUT, FaultPlan.Trigger.atPhase("precopy", 2), 0, 0))))
        {
            final AtomicReference<Throwable> readFailure = new AtomicReference<>();
            final Thread reader = reader(link.sourceIn(), new ByteArrayOutputStream(), readFailure, new long[1], 0);
            link.phase("setup", 0);
            link.phase("precopy", 0);
            link.phase("precopy", 1);
            assertFalse(link.isCut(), link.events().toString());
            assertEquals(1, link.events().size());
            link.phase("precopy", 2);
            assertTrue(link.isCut());
            reader.join(10_000);
            assertFalse(reader.isAlive(), "a read blocked on the return path is released by the cut");
            assertTrue(readFailure.get() instanceof IOException, String.valueOf(readFailure.get()));
            assertTrue(link.events().get(1).contains("precopy round 2"), link.events().toString());
            link.phase("precopy", 2);
            assertEquals(2, link.events().size(), "each rule fires once");
        }
    }

    @Test
    void aThrottleHoldsTheForwardRate() throws Exception
    {
        final byte[] data = pattern(600 << 10);
        try (FaultyLink link = new FaultyLink(MigrationLink.open("memory", 0, 0), plan(
            new FaultPlan.Rule(FaultPlan.Action.THROTTLE, FaultPlan.Trigger.afterBytes(0), 0, 1 << 20))))
        {
            final ByteArrayOutputStream received = new ByteArrayOutputStream();
            final Thread reader = reader(link.destinationIn(), received, new AtomicReference<>(), new long[1], 0);
            final long start = System.nanoTime();
            link.sourceOut().write(ByteBuffer.wrap(data));
            link.finishSource();
            reader.join(10_000);
            final double seconds = (System.nanoTime() - start) / 1e9;
            assertArrayEquals(data, received.toByteArray());
            // 600 KiB at 1 MiB/s after a 64 KiB burst: at least about 0.52 s
            assertTrue(seconds >= 0.45, "throttled to 1 MiB/s: " + seconds + " s");
        }
    }
}
