package io.livemig.stream;

import io.livemig.stream.returnpath.ReturnPathMessage;
import io.livemig.stream.returnpath.ReturnPathReader;
import com.code_intelligence.jazzer.junit.FuzzTest;
import org.junit.jupiter.api.Timeout;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Fuzz target of the return-path reader (scripts/fuzz ReturnPathReaderFuzzTest): an input is what a source
 * reads from its destination, as {@code FuzzCorpusGenerator} records from real pre-copy (SHUT) and post-copy
 * (REQ_PAGES_ID, REQ_PAGES, SHUT) migrations. Messages are read until the stream ends or a refusal, through
 * the smallest buffer the reader accepts and reads of 1 to 61 bytes. Each must succeed or refuse cleanly
 * ({@link HostileBytes}), and every message returned must keep the reader's documented promises: a known
 * type, a request with its block named in printable ASCII, an offset not negative, a length of at least 1,
 * and messages that start where the previous one ended.
 */
@Timeout(10)
class ReturnPathReaderFuzzTest
{
    /** The reader's smallest buffer: one REQ_PAGES_ID with a 255-byte name. */
    static final int BUFFER_BYTES = PageStreamDescriptor.RP_HEADER_LENGTH + PageStreamDescriptor.RP_REQ_PAGES_LENGTH + 1 +
        PageStreamDescriptor.MAX_NAME_LENGTH;

    @FuzzTest
    void readMessages(final byte[] input)
    {
        HostileBytes.readOrRefuse(input, () -> () -> {
            final ReturnPathReader reader =
                new ReturnPathReader(new ChannelInput(HostileChannel.chunked(input), BUFFER_BYTES));
            long end = 0;
            ReturnPathMessage m;
            while ((m = reader.read()) != null)
            {
                final ReturnPathMessage message = m;
                final long start = end;
                assertTrue(message.streamOffset() == start, () -> message + " does not start where the previous ended, " + start);
                switch (message.type())
                {
                    case PageStreamDescriptor.RP_REQ_PAGES_ID:
                    case PageStreamDescriptor.RP_REQ_PAGES:
                        assertTrue(message.isPageRequest(), message::toString);
                        assertTrue(message.block() != null && !message.block().isEmpty() &&
                            message.block().chars().allMatch(c -> c > 0x20 && c < 0x7f), message::toString);
                        assertTrue(message.offset() >= 0 && message.byteLength() >= 1, message::toString);
                        end = start + PageStreamDescriptor.RP_HEADER_LENGTH + PageStreamDescriptor.RP_REQ_PAGES_LENGTH +
                            (message.type() == PageStreamDescriptor.RP_REQ_PAGES_ID ? 1 + message.block().length() : 0);
                        break;
                    case PageStreamDescriptor.RP_SHUT:
                        assertTrue(!message.isPageRequest(), message::toString);
                        end = start + PageStreamDescriptor.RP_HEADER_LENGTH + PageStreamDescriptor.RP_SHUT_LENGTH;
                        break;
                    default:
                        throw new AssertionError("reader returned a message of unknown type: " + message);
                }
                final long messageEnd = end;
                assertTrue(messageEnd <= input.length, () -> message + " ends past the input, at " + messageEnd);
            }
            assertTrue(end == input.length, "reader ended before its input did, at " + end + " of " + input.length);
        });
    }
}
