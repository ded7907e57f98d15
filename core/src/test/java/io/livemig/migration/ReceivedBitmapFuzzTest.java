package io.livemig.migration;

import io.livemig.migration.wire.ReceivedBitmap;
import io.livemig.stream.ChannelInput;
import io.livemig.stream.HostileBytes;
import io.livemig.stream.HostileChannel;
import com.code_intelligence.jazzer.junit.FuzzTest;
import org.junit.jupiter.api.Timeout;

import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Fuzz target of the received-bitmap reader (scripts/fuzz ReceivedBitmapFuzzTest): an input is the first message
 * on the return path of a link that resumes a paused post-copy migration of a guest of {@value #PAGES} pages,
 * seeded with a real bitmap. It must be read or refused cleanly ({@link HostileBytes}), nothing sized from the
 * message's own count; a bitmap that is read has one bit per page of this guest, none past the last, and writes
 * back to the bytes it was read from.
 */
@Timeout(10)
class ReceivedBitmapFuzzTest
{
    static final int PAGES = 100;

    @FuzzTest
    void readReceivedBitmap(final byte[] input)
    {
        HostileBytes.readOrRefuse(input, () -> () ->
        {
            final long[] held = ReceivedBitmap.read(new ChannelInput(HostileChannel.chunked(input), 4096), PAGES);
            assertEquals(ReceivedBitmap.words(PAGES), held.length);
            assertEquals(0, held[held.length - 1] >>> (PAGES & 63), "no page past the last");
            final byte[] written = HandshakeMutationProperties.bytes(out -> ReceivedBitmap.write(out, PAGES, held));
            assertArrayEquals(Arrays.copyOf(input, written.length), written, "what was read writes back");
        });
    }
}
