package io.livemig.migration.postcopy;

import io.livemig.dirty.DirtyMarker;
import io.livemig.kernel.FaultingGuest;
import io.livemig.memory.GuestMemory;
import io.livemig.stream.ChannelInput;
import io.livemig.stream.ChannelOutput;
import io.livemig.stream.returnpath.ReturnPathMessage;
import io.livemig.stream.returnpath.ReturnPathReader;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.channels.Channels;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The kernel gate's answer to each fault message, against a recording guest (no kernel needed): a page absent is
 * requested, and its latency recorded once when it arrives; a page here (never sent, or arrived before the message
 * was read) goes to {@link FaultingGuest#zeroIfMissing} without a request. The wake owed to every message read is
 * the guest's ({@code MissingFaultGuestTest}).
 */
final class KernelPostcopyGateTest
{
    private static final int PAGE_SIZE = 4096;
    private static final int PAGES = 64;

    @Test
    void aFaultOnAnAbsentPageIsRequestedAndRecordedOnceWhenThePageArrives() throws Exception
    {
        final RecordingGuest guest = new RecordingGuest();
        final ByteArrayOutputStream rp = new ByteArrayOutputStream();
        final KernelPostcopyGate gate = gate(guest, rp);
        gate.discard(0, PAGES);
        guest.handler.onFault(5, System.nanoTime());
        gate.arrived(5, PostcopyGate.PREEMPT);
        assertEquals(1, gate.mergedLatency().getTotalCount(), "the arrival records the fault once");
        gate.arrived(6, PostcopyGate.PUSH);
        assertEquals(1, gate.mergedLatency().getTotalCount(), "a page no fault asked for records nothing");

        final ReturnPathMessage request = new ReturnPathReader(input(rp)).read();
        assertTrue(request.isPageRequest(), request::toString);
        assertEquals(5L * PAGE_SIZE, request.offset());
        assertEquals(List.of(), guest.zeroed);
    }

    @Test
    void aFaultReadAfterItsPageArrivedGoesToZeroIfMissingWithoutARequest() throws Exception
    {
        final RecordingGuest guest = new RecordingGuest();
        final ByteArrayOutputStream rp = new ByteArrayOutputStream();
        final KernelPostcopyGate gate = gate(guest, rp);
        gate.discard(0, PAGES - 1);
        gate.arrived(9, PostcopyGate.PUSH);
        guest.handler.onFault(9, System.nanoTime()); // its message read after the page was placed
        guest.handler.onFault(PAGES - 1, System.nanoTime()); // never discarded: zero here, never sent
        assertEquals(List.of(9L, (long)PAGES - 1), guest.zeroed, "placed as zeros if missing");
        assertEquals(0, rp.size(), "no request for a page that is here");
    }

    private static KernelPostcopyGate gate(final RecordingGuest guest, final ByteArrayOutputStream rp)
    {
        return new KernelPostcopyGate(guest, PAGE_SIZE, "pc.ram", new ChannelOutput(Channels.newChannel(rp), 4096));
    }

    private static ChannelInput input(final ByteArrayOutputStream bytes)
    {
        return new ChannelInput(Channels.newChannel(new ByteArrayInputStream(bytes.toByteArray())), 64 << 10);
    }

    /** A guest that records what the gate asks of it. Single-threaded, as the tests drive it. */
    private static final class RecordingGuest implements FaultingGuest
    {
        final GuestMemory memory = new GuestMemory((long)PAGES * PAGE_SIZE, PAGE_SIZE, DirtyMarker.NONE);
        final List<Long> zeroed = new ArrayList<>();
        Handler handler;

        @Override
        public GuestMemory memory()
        {
            return memory;
        }

        @Override
        public void start(final Handler handler)
        {
            this.handler = handler;
        }

        @Override
        public void zeroIfMissing(final long page)
        {
            zeroed.add(page);
        }

        @Override
        public void discard(final long first, final long count)
        {
        }

        @Override
        public void releaseWaiters()
        {
        }

        @Override
        public long faultsRead()
        {
            return 0;
        }

        @Override
        public long placementsSkipped()
        {
            return 0;
        }

        @Override
        public boolean isPlaced(final long page)
        {
            return false;
        }

        @Override
        public boolean place(final long page, final long srcAddress)
        {
            return true;
        }

        @Override
        public boolean placeZero(final long page)
        {
            return true;
        }

        @Override
        public void close()
        {
            memory.close();
        }
    }
}
