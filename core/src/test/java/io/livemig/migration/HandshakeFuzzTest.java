package io.livemig.migration;

import io.livemig.migration.wire.Handshake;
import io.livemig.stream.ChannelInput;
import io.livemig.stream.HostileBytes;
import io.livemig.stream.HostileChannel;
import com.code_intelligence.jazzer.junit.FuzzTest;
import org.junit.jupiter.api.Timeout;

import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

/**
 * Fuzz target of the handshake reader (scripts/fuzz HandshakeFuzzTest): an input is what a destination reads from a
 * source that has just connected, seeded by {@code FuzzCorpusGenerator} with the proposals of real runs. It must be
 * read or refused cleanly ({@link HostileBytes}), through reads of 1 to 61 bytes; a proposal that is read writes
 * back to the very bytes it was read from.
 */
@Timeout(10)
class HandshakeFuzzTest
{
    @FuzzTest
    void readProposal(final byte[] input)
    {
        HostileBytes.readOrRefuse(input, () -> () ->
        {
            final Handshake read = Handshake.read(new ChannelInput(HostileChannel.chunked(input), 256));
            assertArrayEquals(Arrays.copyOf(input, Handshake.LENGTH), HandshakeMutationProperties.bytes(read::write),
                "what was read writes back");
        });
    }
}
