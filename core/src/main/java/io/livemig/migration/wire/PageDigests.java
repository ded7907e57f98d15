package io.livemig.migration.wire;

import io.livemig.memory.GuestMemory;
import io.livemig.stream.ChannelInput;
import io.livemig.stream.ChannelOutput;
import io.livemig.stream.PageStreamException;
import net.jpountz.xxhash.XXHash64;
import net.jpountz.xxhash.XXHashFactory;

import java.io.IOException;
import java.util.List;
import java.util.Locale;

/**
 * Verification across processes: a 64-bit digest of every page, exchanged instead of the pages. The hash is
 * xxHash64 (seed 0) from lz4-java, which the build already ships for LZ4: a well-kept, fast (several GB/s)
 * non-cryptographic hash with good dispersion, enough to catch a migration bug, not a forger.
 *
 * <pre>
 *   0                   4      5                  9                        17
 *   +-------------------+------+------------------+------------------------+---------------------------+
 *   | magic "LMDG" be32 | alg  | page size be32   | pages be64             | pages x digest be64 ...   |
 *   +-------------------+------+------------------+------------------------+---------------------------+
 *   alg 1 = xxHash64, seed 0, over the page's bytes
 * </pre>
 *
 * {@link #read} is the one entry point for these bytes from the network: it refuses, with the offset and
 * the reason, a wrong magic or algorithm, a page size or count other than the reader's own guest's (which
 * it checks before allocating anything), and a block cut short.
 *
 * <p>Stateless; thread-safe. {@link #compute} reads guest memory with plain loads: call it when nothing
 * writes the pages (the source after its vCPUs stopped; the destination before it resumes them).
 */
public final class PageDigests
{
    /** "LMDG". */
    public static final int MAGIC = 0x4C4D4447;
    /** Algorithm byte of xxHash64 with seed 0. */
    public static final int XXH64 = 1;
    /** Bytes before the digests. */
    public static final int HEADER_LENGTH = 17;
    /** The algorithm's name in results. */
    public static final String ALGORITHM = "xxh64";

    private static final XXHash64 HASH = XXHashFactory.fastestJavaInstance().hash64();

    private PageDigests()
    {
    }

    /** @return the digest of {@code page}, read into {@code scratch} (at least a page long). */
    public static long digest(final GuestMemory memory, final long page, final byte[] scratch)
    {
        memory.readPage(page, scratch, 0);
        return HASH.hash(scratch, 0, memory.pageSize(), 0);
    }

    /** @return the digest of a page's {@code pageSize} bytes at the start of {@code bytes}. */
    public static long digest(final byte[] bytes, final int pageSize)
    {
        return HASH.hash(bytes, 0, pageSize, 0);
    }

    /** @return the digest of every page of {@code memory}, in page order. */
    public static long[] compute(final GuestMemory memory)
    {
        final long[] digests = new long[pageArrayLength(memory.pageCount())];
        final byte[] scratch = new byte[memory.pageSize()];
        for (int p = 0; p < digests.length; p++)
        {
            digests[p] = digest(memory, p, scratch);
        }
        return digests;
    }

    /** Writes the block for {@code digests} of pages of {@code pageSize} bytes (not flushed). */
    public static void write(final ChannelOutput out, final int pageSize, final long[] digests) throws IOException
    {
        out.putInt(MAGIC);
        out.putByte(XXH64);
        out.putInt(pageSize);
        out.putLong(digests.length);
        for (final long d : digests)
        {
            out.putLong(d);
        }
    }

    /**
     * Reads one digest block.
     *
     * @param in       the bytes from the peer.
     * @param pageSize this side's page size.
     * @param pages    this side's page count: the only length that sizes anything.
     * @return the peer's digests, one per page.
     * @throws PageStreamException anything but a well-formed block for this guest, with offset and reason.
     */
    public static long[] read(final ChannelInput in, final int pageSize, final long pages) throws PageStreamException
    {
        final long at = in.position();
        final int magic = in.readInt();
        if (magic != MAGIC)
        {
            throw new PageStreamException(at, "not a digest block: magic 0x" + Integer.toHexString(magic) +
                ", expected 0x" + Integer.toHexString(MAGIC));
        }
        final int alg = in.readUnsignedByte();
        if (alg != XXH64)
        {
            throw new PageStreamException(at + 4, "digest algorithm " + alg + ", this side knows " + XXH64 + " (xxh64)");
        }
        final int size = in.readInt();
        if (size != pageSize)
        {
            throw new PageStreamException(at + 5, "digests of " + (size & 0xFFFF_FFFFL) + "-byte pages, this guest's are " +
                pageSize);
        }
        final long count = in.readLong();
        if (count != pages)
        {
            throw new PageStreamException(at + 9, "digests of " + count + " pages, this guest has " + pages);
        }
        final long[] digests = new long[pageArrayLength(pages)];
        for (int p = 0; p < digests.length; p++)
        {
            digests[p] = in.readLong();
        }
        return digests;
    }

    /** Adds the first {@code max} pages whose digests differ to {@code mismatches}. */
    public static void compare(final long[] a, final long[] b, final List<Long> mismatches, final int max)
    {
        if (a.length != b.length)
        {
            throw new IllegalArgumentException("digests of " + a.length + " and " + b.length + " pages");
        }
        for (int p = 0; p < a.length && mismatches.size() < max; p++)
        {
            if (a[p] != b[p])
            {
                mismatches.add((long)p);
            }
        }
    }

    /** @return one digest of a whole guest: xxHash64 of its page digests in order (big-endian). */
    public static long combine(final long[] digests)
    {
        final byte[] bytes = new byte[digests.length * 8];
        for (int i = 0; i < digests.length; i++)
        {
            for (int b = 0; b < 8; b++)
            {
                bytes[i * 8 + b] = (byte)(digests[i] >>> (56 - 8 * b));
            }
        }
        return HASH.hash(bytes, 0, bytes.length, 0);
    }

    /** @return 16 hex digits. */
    public static String hex(final long digest)
    {
        return String.format(Locale.ROOT, "%016x", digest);
    }

    private static int pageArrayLength(final long pages)
    {
        if (pages < 0 || pages > Integer.MAX_VALUE - 8)
        {
            throw new IllegalArgumentException("digests cover at most 2^31 - 9 pages, not " + pages);
        }
        return (int)pages;
    }
}
