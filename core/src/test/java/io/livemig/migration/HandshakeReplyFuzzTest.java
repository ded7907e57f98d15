package io.livemig.migration;

import io.livemig.migration.wire.HandshakeReply;
import io.livemig.stream.ChannelInput;
import io.livemig.stream.HostileBytes;
import io.livemig.stream.HostileChannel;
import com.code_intelligence.jazzer.junit.FuzzTest;
import org.junit.jupiter.api.Timeout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Fuzz target of the handshake reply reader (scripts/fuzz HandshakeReplyFuzzTest): an input is what a source reads
 * from the destination it proposed to, seeded with an acceptance and real refusals. It must be read or refused
 * cleanly ({@link HostileBytes}); a reply that is read is an acceptance with no reason or a refusal whose reason
 * is one printable line.
 */
@Timeout(10)
class HandshakeReplyFuzzTest
{
    @FuzzTest
    void readReply(final byte[] input)
    {
        HostileBytes.readOrRefuse(input, () -> () ->
        {
            final HandshakeReply read = HandshakeReply.read(new ChannelInput(HostileChannel.chunked(input), 4096));
            assertTrue(read.reason().chars().noneMatch(Character::isISOControl), "one line: " + read.reason());
            assertEquals(read.accepted(), read.reason().isEmpty(), read::toString);
        });
    }
}
