package io.livemig.workload;

import io.livemig.dirty.AtomicDirtyBitmap;
import io.livemig.dirty.DirtyMarker;
import io.livemig.memory.GuestMemory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.Arrays;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(60)
@SuppressWarnings("try") // writers are stopped inside their try block to inspect memory
class GuestWorkloadTest
{
    private static final int PS = 4096;

    private static byte[] contents(final GuestMemory m)
    {
        final byte[] all = new byte[(int)m.size()];
        m.getBytes(0, all, 0, all.length);
        return all;
    }

    private static void awaitWrites(final GuestWorkload w, final long atLeast) throws InterruptedException
    {
        while (w.writes() < atLeast)
        {
            Thread.sleep(1);
        }
    }

    @Test
    void pauseStopsEveryWriterUntilResume() throws Exception
    {
        final AtomicDirtyBitmap log = new AtomicDirtyBitmap(256, 0);
        try (GuestMemory m = new GuestMemory(256L * PS, PS, log);
             GuestWorkload w = new GuestWorkload(AccessPattern.uniform(256), 3, 0, 8, 1))
        {
            w.start(VcpuTarget.of(m));
            awaitWrites(w, 10_000);
            w.pause();
            final long writes = w.writes();
            final byte[] before = contents(m);
            log.clearRange(0, log.size());
            Thread.sleep(20);
            assertEquals(writes, w.writes(), "a paused writer wrote");
            assertArrayEquals(before, contents(m));
            assertEquals(0, log.cardinality(), "a paused writer marked a page");
            w.resume(VcpuTarget.of(m));
            awaitWrites(w, writes + 10_000);
            assertTrue(log.cardinality() > 0);
        }
    }

    @Test
    void writersStoreOnlyTheirOwnBytesAndMarkEveryWrite() throws Exception
    {
        final AtomicDirtyBitmap log = new AtomicDirtyBitmap(64, 0);
        try (GuestMemory m = new GuestMemory(64L * PS, PS, log);
             GuestWorkload w = new GuestWorkload(AccessPattern.hotSet(64, 0.25, 0.5), 2, 0, 8, 2))
        {
            w.start(VcpuTarget.of(m));
            awaitWrites(w, 50_000);
            w.close();
            final byte[] all = contents(m);
            for (int p = 0; p < 64; p++)
            {
                boolean written = false;
                for (int i = 0; i < PS; i++)
                {
                    if (all[p * PS + i] != 0)
                    {
                        assertTrue(i < 16, "page " + p + " byte " + i + " is outside the writers' 2 x 8 bytes");
                        written = true;
                    }
                }
                if (written)
                {
                    assertTrue(log.isDirty(p), "page " + p + " was written but not marked");
                }
            }
        }
    }

    @Test
    void mirrorReceivesTheSameWrites() throws Exception
    {
        try (GuestMemory m = new GuestMemory(128L * PS, PS, DirtyMarker.NONE);
             GuestMemory mirror = new GuestMemory(128L * PS, PS, DirtyMarker.NONE);
             GuestWorkload w = new GuestWorkload(AccessPattern.sequential(128), 2, 0, 1, 3))
        {
            w.start(new VcpuTarget(m, null, mirror));
            awaitWrites(w, 100_000);
            w.close();
            assertArrayEquals(contents(mirror), contents(m));
            assertEquals(-1, SweepCheck.firstViolation(m, 128, 2));
        }
    }

    /**
     * A writer held at a gate that does not open cannot park: the pause gives up at its deadline and names the
     * writers, instead of waiting for ever. Once the gate opens the writer parks, and the workload closes.
     */
    @Test
    void aPauseThatAWriterCannotReachFailsAtItsDeadline() throws Exception
    {
        final HoldingGate gate = new HoldingGate(-1);
        try (GuestMemory m = new GuestMemory(16L * PS, PS, DirtyMarker.NONE);
             GuestWorkload w = new GuestWorkload(AccessPattern.sequential(16), 1, 0, 1, 4))
        {
            w.start(new VcpuTarget(m, gate, null));
            assertTrue(gate.held.await(10, TimeUnit.SECONDS), "the writer is held at the gate");
            w.requestPause();
            final IllegalStateException e = assertThrows(IllegalStateException.class, () -> w.awaitPaused(100));
            assertTrue(e.getMessage().contains("1 of 1 still running") && e.getMessage().contains("vcpu-0"),
                e::getMessage);
            gate.open.set(true);
            w.awaitPaused(); // the writer parks once the gate lets it go
        }
    }

    @Test
    void aWriterParksOnAMissingPageUntilTheGateOpens() throws Exception
    {
        final HoldingGate gate = new HoldingGate(5);
        try (GuestMemory m = new GuestMemory(16L * PS, PS, DirtyMarker.NONE);
             GuestWorkload w = new GuestWorkload(AccessPattern.sequential(16), 1, 0, 1, 4))
        {
            w.start(new VcpuTarget(m, gate, null));
            assertTrue(gate.held.await(10, TimeUnit.SECONDS));
            Thread.sleep(10);
            assertEquals(0, m.getByte(5L * PS), "the faulting write went ahead");
            assertEquals(1, m.getByte(4L * PS));
            assertEquals(0, m.getByte(6L * PS), "the writer ran past the fault");
            gate.open.set(true);
            while (m.getByte(6L * PS) == 0)
            {
                Thread.sleep(1);
            }
        }
    }

    @Test
    void sweepCheckFindsASecondStepOrAWrongStep()
    {
        try (GuestMemory m = new GuestMemory(8L * PS, PS, DirtyMarker.NONE))
        {
            final int[][] ok = {{5, 5, 5, 5, 5, 5, 5, 5}, {6, 6, 6, 5, 5, 5, 5, 5}, {0, 0, -1, -1, -1, -1, -1, -1}};
            for (final int[] v : ok)
            {
                set(m, v);
                assertEquals(-1, SweepCheck.firstViolationInRange(m, 0, 8), Arrays.toString(v));
            }
            set(m, new int[]{6, 6, 5, 5, 4, 4, 4, 4});
            assertEquals(4, SweepCheck.firstViolationInRange(m, 0, 8));
            set(m, new int[]{6, 6, 7, 7, 7, 7, 7, 7});
            assertEquals(2, SweepCheck.firstViolationInRange(m, 0, 8));
            set(m, new int[]{6, 6, 4, 4, 4, 4, 4, 4});
            assertEquals(2, SweepCheck.firstViolationInRange(m, 0, 8));
            set(m, new int[]{6, 6, 6, 6, 5, 5, 5, 6});
            assertEquals(7, SweepCheck.firstViolationInRange(m, 0, 8));
        }
    }

    private static void set(final GuestMemory m, final int[] firstBytes)
    {
        for (int p = 0; p < firstBytes.length; p++)
        {
            m.putByte((long)p * PS, (byte)firstBytes[p]);
        }
    }

    @Test
    void refusesBadSettings()
    {
        assertThrows(IllegalArgumentException.class, () -> new GuestWorkload(AccessPattern.uniform(4), 0, 0, 8, 1));
        assertThrows(IllegalArgumentException.class, () -> new GuestWorkload(AccessPattern.uniform(4), 1, -1, 8, 1));
        assertThrows(IllegalArgumentException.class, () -> new GuestWorkload(AccessPattern.uniform(4), 1, 0, 0, 1));
        try (GuestWorkload w = new GuestWorkload(AccessPattern.uniform(4), 2, 0, 4096, 1);
             GuestMemory m = new GuestMemory(4L * PS, PS, DirtyMarker.NONE))
        {
            assertThrows(IllegalArgumentException.class, () -> w.start(VcpuTarget.of(m)), "2 x 4096 bytes per page");
            assertThrows(IllegalArgumentException.class, () -> w.setThrottlePercent(100));
        }
    }

    /** A gate that holds every writer touching {@code page} (or any page, for -1) until it is opened. */
    private static final class HoldingGate implements PageGate
    {
        final AtomicBoolean open = new AtomicBoolean();
        final CountDownLatch held = new CountDownLatch(1);
        private final long page;

        HoldingGate(final long page)
        {
            this.page = page;
        }

        @Override
        public boolean isPresent(final long p)
        {
            return (page >= 0 && p != page) || open.get();
        }

        @Override
        public void awaitPresent(final long p, final int writerIndex)
        {
            held.countDown();
            while (!open.get())
            {
                Thread.onSpinWait();
            }
        }
    }
}
