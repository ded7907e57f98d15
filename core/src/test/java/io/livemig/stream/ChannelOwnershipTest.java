package io.livemig.stream;

import io.livemig.dirty.DirtyMarker;
import io.livemig.memory.GuestMemory;
import io.livemig.stream.read.PageStreamReader;
import org.junit.jupiter.api.Test;

import java.io.IOException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A page channel's reader ({@link PageStreamReader#acceptOnly}) applies only its own stripes' pages: a record for
 * another channel's page is refused at its offset, naming both channels, before anything is written, so two
 * channel threads never write one page or one word of their shared written bits.
 */
class ChannelOwnershipTest
{
    private static final int PAGE = 4096;
    private static final int STRIPE = ChannelPartition.STRIPE_PAGES;
    /** Two channels, four stripes: channel 0 owns stripes 0 and 2, channel 1 stripes 1 and 3. */
    private static final long PAGES = 4L * STRIPE;

    @Test
    void aPageOfAnotherChannelIsRefusedAndNothingIsWritten() throws IOException
    {
        try (GuestMemory guest = new GuestMemory(PAGES * PAGE, PAGE, DirtyMarker.NONE))
        {
            final long foreign = STRIPE + 7; // stripe 1: channel 1's
            final Crafted crafted = new Crafted().memSize("pc.ram", PAGES * PAGE)
                .page(3L * PAGE, PAGE, 0x11)                        // channel 0's: applied
                .page(2L * STRIPE * PAGE, PAGE, 0x22)               // channel 0's third stripe: applied
                .mark().page(foreign * PAGE, PAGE, 0x33).eos();     // channel 1's: refused
            final PageStreamReader reader = new PageStreamReader(
                new ChannelInput(MemoryChannel.of(crafted.bytes()), 70000), guest);
            final long[] written = reader.destinationStartsZero(new long[(int)(PAGES / 64)]);
            reader.acceptOnly(new ChannelPartition(PAGES, 2), 0);
            final PageStreamException ex = assertThrows(PageStreamException.class, () -> reader.readToEnd(true));
            assertEquals(crafted.marked(), ex.streamOffset(), ex.getMessage());
            assertTrue(ex.getMessage().contains("page " + foreign + " belongs to page channel 1, not to this one (0 of 2)"),
                ex.getMessage());
            assertEquals(0x11, guest.getByte(3L * PAGE + 100));
            assertEquals(0x22, guest.getByte(2L * STRIPE * PAGE + 100));
            assertEquals(0, guest.getByte(foreign * PAGE + 100), "the refused page is untouched");
            assertEquals(0, written[(int)(foreign >>> 6)] & (1L << foreign), "and not marked written");
            assertEquals(2, reader.stats().totalPages());
        }
    }

    @Test
    void everyChannelAcceptsItsOwnPagesAndOnlyThem() throws IOException
    {
        for (int channels = 1; channels <= 3; channels++)
        {
            final ChannelPartition partition = new ChannelPartition(PAGES, channels);
            for (int channel = 0; channel < channels; channel++)
            {
                for (final long page : new long[] {0, STRIPE - 1, STRIPE, 2L * STRIPE + 5, PAGES - 1})
                {
                    try (GuestMemory guest = new GuestMemory(PAGES * PAGE, PAGE, DirtyMarker.NONE))
                    {
                        final PageStreamReader reader = new PageStreamReader(new ChannelInput(MemoryChannel.of(
                            new Crafted().memSize("pc.ram", PAGES * PAGE).page(page * PAGE, PAGE, 0x5a).eos().bytes()),
                            70000), guest);
                        reader.acceptOnly(partition, channel);
                        if (partition.owner(page) == channel)
                        {
                            reader.readToEnd(true);
                            assertEquals(0x5a, guest.getByte(page * PAGE), "page " + page + " on its own channel");
                        }
                        else
                        {
                            assertThrows(PageStreamException.class, () -> reader.readToEnd(true),
                                "page " + page + " on channel " + channel + " of " + partition);
                            assertEquals(0, guest.getByte(page * PAGE));
                        }
                    }
                }
            }
        }
    }

    @Test
    void aPartitionOfAnotherGuestOrAChannelOutsideItIsAnArgumentError()
    {
        try (GuestMemory guest = new GuestMemory(PAGES * PAGE, PAGE, DirtyMarker.NONE))
        {
            final PageStreamReader reader = new PageStreamReader(new ChannelInput(MemoryChannel.of(new byte[0]), 70000),
                guest);
            assertThrows(IllegalArgumentException.class, () -> reader.acceptOnly(new ChannelPartition(PAGES + 1, 2), 0));
            assertThrows(IllegalArgumentException.class, () -> reader.acceptOnly(new ChannelPartition(PAGES, 2), 2));
            assertThrows(IllegalArgumentException.class, () -> reader.acceptOnly(new ChannelPartition(PAGES, 2), -1));
        }
    }
}
