package io.livemig.snapshot.file;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * A snapshot with its ancestors: a diff snapshot holds only the pages its guest dirtied since its parent's
 * instant, and names the parent (path and id); the parent may be a diff in turn, down to a full snapshot. The
 * chain opens each file with {@link SnapshotReader#open} (as strict as for a single file) and checks each link:
 * the parent's id is the one the child names, and its guest has the child's shape. A page's bytes come from the
 * newest file that holds it; a page no file holds is zero. The digests are the newest file's, which cover every
 * page of the guest at its instant.
 *
 * <p>A single full snapshot is a chain of one. Thread-safety: after {@link #open} returns, every method may be
 * called from any number of threads; {@link #close} by the owner once readers have returned.
 */
public final class SnapshotChain implements SnapshotPages, AutoCloseable
{
    /** Most files in a chain: a diff of a diff ... of a full snapshot. */
    public static final int MAX_LENGTH = 64;

    /** Newest first. */
    private final SnapshotReader[] files;
    private final long presentPages;

    private SnapshotChain(final SnapshotReader[] files)
    {
        this.files = files;
        long count = 0;
        for (int w = 0, words = files[0].header().bitmapWords(); w < words; w++)
        {
            count += Long.bitCount(presentWord(w));
        }
        this.presentPages = count;
    }

    /**
     * Opens {@code path} and every ancestor it names (a relative parent path is taken from the child's
     * directory).
     *
     * @param maxMemoryBytes as {@link SnapshotReader#open}.
     * @throws SnapshotFormatException the first file or link that does not hold, its message naming the file.
     */
    public static SnapshotChain open(final Path path, final long maxMemoryBytes) throws IOException
    {
        final List<SnapshotReader> files = new ArrayList<>();
        final Set<SnapshotId> seen = new HashSet<>();
        try
        {
            Path next = path;
            while (true)
            {
                final SnapshotReader file = open(next, maxMemoryBytes, files.isEmpty() ? null : files.get(0).path());
                files.add(file);
                final SnapshotHeader h = file.header();
                if (!seen.add(h.id()))
                {
                    throw new SnapshotFormatException(64, next + ": snapshot id " + h.id() + " appears twice in the chain");
                }
                if (files.size() > 1)
                {
                    link(files.get(files.size() - 2), file);
                }
                if (!h.hasParent())
                {
                    return new SnapshotChain(files.toArray(new SnapshotReader[0]));
                }
                if (files.size() == MAX_LENGTH)
                {
                    throw new SnapshotFormatException(80, path + ": a chain of more than " + MAX_LENGTH + " snapshots");
                }
                final Path parent = Path.of(h.parentPath());
                next = parent.isAbsolute() ? parent : next.toAbsolutePath().getParent().resolve(parent);
            }
        }
        catch (final IOException | RuntimeException ex)
        {
            for (final SnapshotReader f : files)
            {
                f.close();
            }
            throw ex;
        }
    }

    private static SnapshotReader open(final Path path, final long maxMemoryBytes, final Path child) throws IOException
    {
        try
        {
            return SnapshotReader.open(path, maxMemoryBytes);
        }
        catch (final SnapshotFormatException ex)
        {
            throw child == null ? ex : new SnapshotFormatException(ex.offset(), "parent " + path + ": " +
                ex.getMessage().substring(ex.getMessage().indexOf(": ") + 2));
        }
    }

    /** Checks that {@code parent} is the snapshot {@code child} names, of the same guest. */
    private static void link(final SnapshotReader child, final SnapshotReader parent) throws SnapshotFormatException
    {
        final SnapshotHeader c = child.header();
        final SnapshotHeader p = parent.header();
        if (!p.id().equals(c.parentId()))
        {
            throw new SnapshotFormatException(80, child.path() + " names parent " + c.parentId() + ", but " +
                parent.path() + " is snapshot " + p.id());
        }
        if (p.pageSize() != c.pageSize() || p.pages() != c.pages() || !p.blockName().equals(c.blockName()))
        {
            throw new SnapshotFormatException(8, parent.path() + " holds a guest of " + p.pages() + " pages of " +
                p.pageSize() + " bytes (" + p.blockName() + "), " + child.path() + " one of " + c.pages() + " of " +
                c.pageSize() + " (" + c.blockName() + ")");
        }
    }

    /** @return the newest file's header: the guest as a restore resumes it. */
    @Override
    public SnapshotHeader header()
    {
        return files[0].header();
    }

    /** @return the files, newest first. */
    public List<Path> paths()
    {
        final List<Path> paths = new ArrayList<>();
        for (final SnapshotReader f : files)
        {
            paths.add(f.path());
        }
        return paths;
    }

    /** @return the number of files. */
    public int length()
    {
        return files.length;
    }

    /** @return whether some file of the chain holds page {@code page}'s bytes (else it is zero). */
    @Override
    public boolean isPresent(final long page)
    {
        return owner(page) >= 0;
    }

    /** @return the bitmap word {@code w} over the whole chain: pages some file holds. */
    @Override
    public long presentWord(final int w)
    {
        long bits = 0;
        for (final SnapshotReader f : files)
        {
            bits |= f.presentWord(w);
        }
        return bits;
    }

    /** @return pages some file of the chain holds. */
    @Override
    public long presentPages()
    {
        return presentPages;
    }

    /** @return the newest file's digest of page {@code page}. */
    public long digest(final long page)
    {
        return files[0].digest(page);
    }

    /** @return the newest file's digests of every page, a copy. */
    public long[] digests()
    {
        final long[] d = new long[(int)header().pages()];
        for (int p = 0; p < d.length; p++)
        {
            d[p] = files[0].digest(p);
        }
        return d;
    }

    /** @return a copy of the newest file's device state. */
    public byte[] deviceState()
    {
        return files[0].deviceState();
    }

    /** @return the index (newest first) of the file that holds page {@code page}, or -1 for a zero page. */
    private int owner(final long page)
    {
        for (int i = 0; i < files.length; i++)
        {
            if (files[i].isPresent(page))
            {
                return i;
            }
        }
        return -1;
    }

    /**
     * Reads pages {@code [first, first + dst.remaining() / pageSize)}, every one present in the chain, into
     * {@code dst} from its position to its limit: each run of pages held by one file with one positional read.
     */
    @Override
    public void readPages(final long first, final ByteBuffer dst) throws IOException
    {
        if (files.length == 1)
        {
            files[0].readPages(first, dst);
            return;
        }
        final int ps = header().pageSize();
        final int limit = dst.limit();
        final int count = dst.remaining() / ps;
        int i = 0;
        while (i < count)
        {
            final int owner = owner(first + i);
            if (owner < 0)
            {
                throw new IllegalArgumentException("page " + (first + i) + " is in no file of the chain");
            }
            int j = i + 1;
            while (j < count && owner(first + j) == owner)
            {
                j++;
            }
            dst.limit(dst.position() + (j - i) * ps);
            files[owner].readPages(first + i, dst);
            i = j;
        }
        dst.limit(limit);
    }

    /** As {@link SnapshotReader#check}, against the newest file's digest. */
    @Override
    public void check(final long page, final ByteBuffer src, final int offset) throws SnapshotFormatException
    {
        files[0].check(page, src, offset);
    }

    @Override
    public void close() throws IOException
    {
        IOException first = null;
        for (final SnapshotReader f : files)
        {
            try
            {
                f.close();
            }
            catch (final IOException ex)
            {
                first = first == null ? ex : first;
            }
        }
        if (first != null)
        {
            throw first;
        }
    }
}
