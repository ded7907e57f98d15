package io.livemig.migration;

import io.livemig.migration.wire.PageDigests;
import io.livemig.stream.ChannelInput;
import io.livemig.stream.HostileBytes;
import io.livemig.stream.HostileChannel;
import com.code_intelligence.jazzer.junit.FuzzTest;
import org.junit.jupiter.api.Timeout;

import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Fuzz target of the digest-exchange reader (scripts/fuzz PageDigestsFuzzTest): an input is the block of page
 * digests one side reads from the other at the end of a verified migration, for a guest of {@value #PAGES} pages
 * of {@value #PAGE_SIZE} bytes, seeded with real blocks. It must be read or refused cleanly ({@link HostileBytes}),
 * nothing sized from the block's own count; a block that is read holds one digest per page of this guest and
 * writes back to the bytes it was read from.
 */
@Timeout(10)
class PageDigestsFuzzTest
{
    static final int PAGE_SIZE = 4096;
    static final int PAGES = 8;

    @FuzzTest
    void readDigests(final byte[] input)
    {
        HostileBytes.readOrRefuse(input, () -> () ->
        {
            final long[] read = PageDigests.read(new ChannelInput(HostileChannel.chunked(input), 4096), PAGE_SIZE, PAGES);
            assertEquals(PAGES, read.length);
            final byte[] written = HandshakeMutationProperties.bytes(out -> PageDigests.write(out, PAGE_SIZE, read));
            assertArrayEquals(Arrays.copyOf(input, written.length), written, "what was read writes back");
        });
    }
}
