package io.livemig.migration;

import io.livemig.dirty.DirtyMarker;
import io.livemig.memory.GuestMemory;
import io.livemig.migration.destination.MigrationDestination;
import io.livemig.migration.link.MigrationLink;
import io.livemig.stream.HostileBytes;
import io.livemig.stream.HostileChannel;
import com.code_intelligence.jazzer.junit.FuzzTest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Timeout;

import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Fuzz target of the migration destination (scripts/fuzz MigrationDestinationFuzzTest): an input is the
 * whole forward stream a destination reads (envelope header, RAM sections of the page stream, DISCARD,
 * DEVICE, POSTCOPY_RUN, COMPLETE) for an 8-page, 4 KiB-page guest, as {@code FuzzCorpusGenerator} records
 * from real pre-copy, post-copy and hybrid migrations. The destination runs on the fuzzer's thread, with no
 * vCPUs, over reads of 1 to 61 bytes; its outcome must be success or a clean refusal ({@link HostileBytes}),
 * within the heap budget, and it must answer SHUT on the return path either way.
 */
@Timeout(10)
class MigrationDestinationFuzzTest
{
    static final int PAGES = 8;
    static final int PAGE_SIZE = 4096;

    private static GuestMemory memory;
    private static final byte[] ZEROS = new byte[PAGES * PAGE_SIZE];

    @FuzzTest
    void receive(final byte[] stream)
    {
        final GuestMemory m = memory();
        final InputLink[] link = new InputLink[1];
        HostileBytes.readOrRefuse(stream, () -> {
            m.putBytes(0, ZEROS, 0, ZEROS.length); // a destination starts zero
            link[0] = new InputLink(HostileChannel.chunked(stream));
            final MigrationDestination destination = new MigrationDestination(link[0], m, null, null);
            return () -> {
                destination.run(); // reports its failure rather than throwing it
                final Throwable failure = destination.failure();
                if (failure instanceof Exception)
                {
                    throw (Exception)failure;
                }
                if (failure != null)
                {
                    throw (Error)failure;
                }
            };
        });
        assertTrue(link[0].returnPathBytes > 0, "the destination did not answer SHUT");
    }

    private static GuestMemory memory()
    {
        if (memory == null)
        {
            memory = new GuestMemory((long)PAGES * PAGE_SIZE, PAGE_SIZE, DirtyMarker.NONE);
        }
        return memory;
    }

    @AfterAll
    static void closeMemory()
    {
        if (memory != null)
        {
            memory.close();
            memory = null;
        }
    }

    /** The destination's half of a link: the forward stream is the fuzz input, the return path a counter. */
    private static final class InputLink implements MigrationLink, WritableByteChannel
    {
        private final ReadableByteChannel in;
        long returnPathBytes;

        InputLink(final ReadableByteChannel in)
        {
            this.in = in;
        }

        @Override
        public String name()
        {
            return "fuzz";
        }

        @Override
        public WritableByteChannel sourceOut()
        {
            throw new UnsupportedOperationException("the fuzz link has no source");
        }

        @Override
        public ReadableByteChannel destinationIn()
        {
            return in;
        }

        @Override
        public WritableByteChannel destinationOut()
        {
            return this;
        }

        @Override
        public ReadableByteChannel sourceIn()
        {
            throw new UnsupportedOperationException("the fuzz link has no source");
        }

        @Override
        public void finishSource()
        {
        }

        @Override
        public void finishDestination()
        {
        }

        @Override
        public void close()
        {
        }

        @Override
        public int write(final ByteBuffer src)
        {
            final int n = src.remaining();
            src.position(src.limit());
            returnPathBytes += n;
            return n;
        }

        @Override
        public boolean isOpen()
        {
            return true;
        }
    }
}
