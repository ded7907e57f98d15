package io.livemig.migration.tls;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.livemig.stream.HostileBytes;
import io.livemig.stream.HostileChannel;
import io.livemig.stream.PageStreamException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayInputStream;
import java.nio.channels.Channels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * Fuzz target (scripts/fuzz SessionTicketFuzzTest) of the byte a TLS server's end sends after the handshake
 * ({@link SessionTicket#read}), seeded with that byte alone and followed by a stream. An input is what the peer
 * sent; it must be read or refused cleanly ({@link HostileBytes}), taking exactly one byte. Beside it, the two
 * refusals a source shows, each with its one line.
 */
@Timeout(10)
class SessionTicketFuzzTest
{
    @FuzzTest
    void readTicket(final byte[] input)
    {
        HostileBytes.readOrRefuse(input, () -> () ->
        {
            final HostileChannel in = HostileChannel.chunked(input);
            SessionTicket.read(in);
            assertEquals(1, in.position(), "the byte alone, nothing of what follows");
        });
    }

    @Test
    void aClosedConnectionAndAnotherByteAreRefusedInOneLine()
    {
        final PageStreamException closed = assertThrows(PageStreamException.class,
            () -> SessionTicket.read(Channels.newChannel(new ByteArrayInputStream(new byte[0]))));
        assertEquals("page stream offset 0: the peer closed the connection instead of sending 1 after the TLS " +
            "handshake (it refused the connection)", closed.getMessage());
        final PageStreamException other = assertThrows(PageStreamException.class,
            () -> SessionTicket.read(Channels.newChannel(new ByteArrayInputStream(new byte[] {7}))));
        assertEquals("page stream offset 0: the peer sent 7 after the TLS handshake, not 1", other.getMessage());
    }
}
