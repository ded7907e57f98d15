package io.livemig.migration;

import io.livemig.migration.wire.ChannelHello;
import io.livemig.stream.HostileBytes;
import io.livemig.stream.HostileChannel;
import com.code_intelligence.jazzer.junit.FuzzTest;
import org.junit.jupiter.api.Timeout;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Fuzz target of the page-channel hello reader (scripts/fuzz ChannelHelloFuzzTest): an input is the first bytes of
 * a connection that claims to be page channel of migration {@link #ID} with {@value #CHANNELS} channels, channel 1
 * already joined; seeded with the hellos a real source writes. It must be read or refused cleanly ({@link
 * HostileBytes}); a hello that is read names a free channel of this migration and was exactly
 * {@value ChannelHello#LENGTH} bytes of the input (nothing of the page stream after it is read ahead).
 */
@Timeout(10)
class ChannelHelloFuzzTest
{
    static final long ID = 0x5DEECE66DL * 0x9E3779B97F4A7C15L;
    static final int CHANNELS = 4;

    @FuzzTest
    void readHello(final byte[] input)
    {
        HostileBytes.readOrRefuse(input, () -> () ->
        {
            final boolean[] taken = new boolean[CHANNELS];
            taken[1] = true;
            final HostileChannel in = HostileChannel.chunked(input);
            final int channel = ChannelHello.read(in, ID, taken);
            assertTrue(channel >= 0 && channel < CHANNELS && channel != 1, "channel " + channel);
        });
    }
}
