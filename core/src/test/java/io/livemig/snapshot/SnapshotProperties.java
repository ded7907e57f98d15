package io.livemig.snapshot;

import io.livemig.dirty.DirtyLog;
import io.livemig.memory.GuestMemory;
import io.livemig.snapshot.file.PageDigest;
import io.livemig.snapshot.file.SnapshotFormatException;
import io.livemig.snapshot.file.SnapshotHeader;
import io.livemig.snapshot.file.SnapshotId;
import io.livemig.snapshot.file.SnapshotMode;
import io.livemig.snapshot.file.SnapshotReader;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;

import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Properties of the snapshot file against a simple model: a guest whose pages are set by a list of writes (the
 * model is a plain byte array per page) saved on any number of threads and restored on any number equals the
 * model; the header reads back as written; and any change to one byte of the header, the bitmap or the
 * digests is refused, never read as another snapshot.
 */
class SnapshotProperties
{
    @Property(tries = 40)
    void restoreEqualsTheModel(
        @ForAll @LongRange(min = 1, max = 700) final long pages, @ForAll @IntRange(min = 1, max = 4) final int saveThreads,
        @ForAll @IntRange(min = 1, max = 4) final int restoreThreads, @ForAll final long seed) throws Exception
    {
        final Path dir = Files.createTempDirectory("livemig-snap");
        final Path path = dir.resolve("p.snap");
        try
        {
            final DirtyLog log = SnapshotGuests.log(pages);
            final byte[][] model = new byte[(int)pages][4096];
            final java.util.SplittableRandom random = new java.util.SplittableRandom(seed);
            try (GuestMemory m = new GuestMemory(pages * 4096, 4096, log))
            {
                for (int i = 0, n = random.nextInt(3 * (int)pages); i < n; i++)
                {
                    final int p = random.nextInt((int)pages);
                    final int at = random.nextInt(4096);
                    final byte b = (byte)random.nextInt(256);
                    model[p][at] = b; // a zero store may make the page zero again: a hole
                    m.putByte((long)p * 4096 + at, b);
                }
                SnapshotGuests.save(m, log, path, saveThreads, new byte[random.nextInt(5000)]);
            }
            try (GuestMemory restored = SnapshotGuests.restore(path, restoreThreads, true))
            {
                final byte[] page = new byte[4096];
                for (int p = 0; p < pages; p++)
                {
                    restored.readPage(p, page, 0);
                    assertTrue(Arrays.equals(model[p], page), "page " + p);
                }
            }
        }
        finally
        {
            Files.deleteIfExists(path);
            Files.delete(dir);
        }
    }

    @Property(tries = 200)
    void theHeaderReadsBackAsWritten(@ForAll @IntRange(min = 0, max = 2) final int mode,
        @ForAll @IntRange(min = 12, max = 21) final int pageShift, @ForAll @LongRange(min = 1, max = 1L << 31) final long pages,
        @ForAll @IntRange(min = 0, max = 64 << 20) final int device, @ForAll final long seed,
        @ForAll final boolean parent) throws Exception
    {
        final SnapshotHeader h = new SnapshotHeader(SnapshotMode.values()[mode], 1 << pageShift, pages, device, seed,
            SnapshotId.random(), parent ? SnapshotId.random() : SnapshotId.NONE, seed,
            new SnapshotHeader.Vcpus(3, 1, "zipf", 8, 100, seed), "pc.ram", parent ? "/tmp/base.snap" : "");
        final ByteBuffer b = ByteBuffer.allocate(SnapshotHeader.MAX_LENGTH);
        h.write(b);
        b.flip();
        assertEquals(h, SnapshotHeader.read(b, h.fileLength()));
        assertEquals(0, h.ramOffset() % SnapshotHeader.ALIGN);
        assertEquals(0, h.digestsOffset() % SnapshotHeader.ALIGN);
        assertEquals(0, h.deviceOffset() % SnapshotHeader.ALIGN);
    }

    @Property(tries = 100)
    void oneChangedByteOfTheMetadataIsRefused(@ForAll @IntRange(min = 0, max = 1 << 20) final int pick,
        @ForAll @IntRange(min = 1, max = 255) final int flip) throws Exception
    {
        final Path dir = Files.createTempDirectory("livemig-snap");
        final Path path = dir.resolve("m.snap");
        try
        {
            final long pages = 130;
            final DirtyLog log = SnapshotGuests.log(pages);
            try (GuestMemory m = SnapshotGuests.guest(pages, 4096, log, 0.5, 5))
            {
                SnapshotGuests.save(m, log, path, 1, new byte[0]);
            }
            final SnapshotHeader h;
            final long headerLength;
            try (SnapshotReader file = SnapshotReader.open(path, 1L << 30))
            {
                h = file.header();
                final ByteBuffer b = ByteBuffer.allocate(SnapshotHeader.MAX_LENGTH);
                headerLength = h.write(b);
            }
            // A byte of the header, of the bitmap's three words, or of a hole's digest.
            final long offset;
            final int region = pick % 3;
            if (region == 0)
            {
                offset = pick % headerLength;
            }
            else if (region == 1)
            {
                offset = h.bitmapOffset() + pick % (8 * h.bitmapWords());
            }
            else
            {
                long hole = -1;
                try (SnapshotReader file = SnapshotReader.open(path, 1L << 30))
                {
                    for (long p = pick % pages, i = 0; i < pages && hole < 0; i++, p = (p + 1) % pages)
                    {
                        hole = file.isPresent(p) ? -1 : p;
                    }
                }
                offset = h.digestsOffset() + 8 * hole + pick % 8;
            }
            try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE))
            {
                final ByteBuffer one = ByteBuffer.allocate(1);
                ch.read(one, offset);
                one.put(0, (byte)(one.get(0) ^ flip)).rewind();
                ch.write(one, offset);
            }
            // A bit cleared makes a hole whose digest is not zero's, a bit past the end marks no page: each refused
            // at open, as is a header or a hole's digest. A bit set makes a present page whose digest is zero's,
            // refused by the check of that page (its slot's bytes, zeros, are what a restore would place).
            assertThrows(SnapshotFormatException.class, () ->
            {
                try (SnapshotReader file = SnapshotReader.open(path, 1L << 30))
                {
                    final ByteBuffer page = ByteBuffer.allocate(4096);
                    for (long p = 0; p < pages; p++)
                    {
                        if (file.isPresent(p))
                        {
                            file.readPages(p, page.clear());
                            file.check(p, page, 0);
                        }
                    }
                }
            });
        }
        finally
        {
            Files.deleteIfExists(path);
            Files.delete(dir);
        }
    }

    @Property(tries = 20)
    void theZeroDigestIsTheDigestOfZeros(@ForAll @IntRange(min = 12, max = 21) final int shift)
    {
        assertEquals(PageDigest.of(new byte[1 << shift], 0, 1 << shift), PageDigest.zero(1 << shift));
    }
}
