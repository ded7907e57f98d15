package io.livemig.bench.snapshot;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * Where the snapshot benchmarks' files live, and the page-cache step they share. Every file goes into a
 * directory of its own made under {@value #DIR_PROPERTY} (a system property of the fork: {@code -jvmArgsAppend
 * -Dbench.snapshotDir=/mnt/nvme}), else under {@code java.io.tmpdir}, so that a save, its restore and their
 * baselines use one file system; the directory and whatever is in it are deleted by the state that made it.
 *
 * <p>Stateless; thread-safe.
 */
final class SnapshotFiles
{
    /** The system property naming the directory the files go under. */
    static final String DIR_PROPERTY = "bench.snapshotDir";
    private static final int WARM_BUFFER = 1 << 20;

    private SnapshotFiles()
    {
    }

    /** @return a new, empty directory under {@value #DIR_PROPERTY} or {@code java.io.tmpdir}. */
    static Path newDirectory() throws IOException
    {
        final Path base = Path.of(System.getProperty(DIR_PROPERTY, System.getProperty("java.io.tmpdir")));
        Files.createDirectories(base);
        return Files.createTempDirectory(base, "livemig-snapshot-bench-");
    }

    /** Deletes {@code dir} and everything in it; nothing if it is null or gone. */
    static void deleteTree(final Path dir) throws IOException
    {
        if (dir == null || !Files.exists(dir))
        {
            return;
        }
        try (Stream<Path> all = Files.walk(dir))
        {
            all.sorted(Comparator.reverseOrder()).forEach(p ->
            {
                try
                {
                    Files.deleteIfExists(p);
                }
                catch (final IOException ex)
                {
                    throw new UncheckedIOException(ex);
                }
            });
        }
        catch (final UncheckedIOException ex)
        {
            throw ex.getCause();
        }
    }

    /**
     * Reads the whole of {@code path} once through the page cache, so that the shot after it finds every byte
     * cached (warm-cache reads: see {@link SnapshotBenchmark}). A file already cached costs a memory copy.
     */
    static void warm(final Path path) throws IOException
    {
        final ByteBuffer buffer = ByteBuffer.allocateDirect(WARM_BUFFER);
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ))
        {
            long at = 0;
            for (int n = channel.read(buffer, at); n >= 0; n = channel.read(buffer.clear(), at))
            {
                at += n;
            }
        }
    }
}
