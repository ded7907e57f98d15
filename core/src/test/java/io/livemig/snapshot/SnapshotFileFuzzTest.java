package io.livemig.snapshot;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.livemig.dirty.DirtyMarker;
import io.livemig.memory.GuestMemory;
import io.livemig.snapshot.file.SnapshotFormatException;
import io.livemig.snapshot.file.SnapshotHeader;
import io.livemig.snapshot.file.SnapshotReader;
import io.livemig.snapshot.restore.EagerRestore;
import io.livemig.stream.HostileBytes;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Fuzz target of the snapshot reader ({@code scripts/fuzz SnapshotFileFuzzTest}): an input is a whole snapshot
 * file, seeded with real saves of small guests ({@code SnapshotSeedGenerator}). It is opened with a 1 MiB limit
 * on the guest and, if accepted, restored eagerly with every page checked against its digest. Each input must
 * end in a restored guest or a {@link SnapshotFormatException} of one line naming an offset within the file;
 * anything else fails: another exception, more heap than {@link HostileBytes#budget} (a length trusted before it
 * was checked), or more than 10 s.
 */
@Timeout(10)
class SnapshotFileFuzzTest
{
    private static final long MAX_GUEST = 1 << 20;
    private static final com.sun.management.ThreadMXBean THREADS =
        (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();

    private static Path file;

    @FuzzTest
    void restoreFile(final byte[] input) throws Exception
    {
        final Path f = file();
        Files.write(f, input);
        long allocated = attempt(f, input);
        if (allocated > HostileBytes.budget(input))
        {
            allocated = attempt(f, input); // the first use of a class allocates too: only a repeat counts
        }
        HostileBytes.checkAllocation(input, allocated);
    }

    /** @return the heap this thread allocated to open and restore {@code f}, whose bytes are {@code input}. */
    private static long attempt(final Path f, final byte[] input) throws Exception
    {
        final long thread = Thread.currentThread().getId();
        final long before = THREADS.getThreadAllocatedBytes(thread);
        try (SnapshotReader reader = SnapshotReader.open(f, MAX_GUEST))
        {
            final SnapshotHeader h = reader.header();
            try (GuestMemory m = new GuestMemory(h.blockName(), h.memoryBytes(), h.pageSize(),
                GuestMemory.MAX_REGION_SIZE, DirtyMarker.NONE))
            {
                EagerRestore.fill(reader, m, 1, true); // one thread: this one, whose allocation is counted
            }
        }
        catch (final SnapshotFormatException ex)
        {
            assertTrue(ex.offset() >= 0 && ex.offset() <= input.length, () -> "refusal names offset " + ex.offset() +
                " outside the " + input.length + "-byte file: " + ex.getMessage());
            assertFalse(ex.getMessage().contains("\n"), "a refusal is one line");
        }
        return THREADS.getThreadAllocatedBytes(thread) - before;
    }

    private static Path file()
    {
        if (file == null)
        {
            try
            {
                file = Files.createTempFile("livemig-fuzz-", ".snap");
            }
            catch (final IOException ex)
            {
                throw new UncheckedIOException(ex);
            }
        }
        return file;
    }

    @AfterAll
    static void deleteFile() throws IOException
    {
        if (file != null)
        {
            Files.deleteIfExists(file);
            file = null;
        }
    }
}
