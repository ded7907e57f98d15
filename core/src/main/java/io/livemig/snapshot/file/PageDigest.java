package io.livemig.snapshot.file;

import net.jpountz.xxhash.XXHash64;
import net.jpountz.xxhash.XXHashFactory;

import java.nio.ByteBuffer;

/**
 * The digest a snapshot keeps of every page: xxHash64 with seed 0 over the page's bytes, the algorithm of the
 * migration's page digests, so a snapshot's digests and a migration's agree on the same bytes. A page held as
 * a hole (all zeros) has {@link #zero(int)}'s digest.
 *
 * <p>Stateless; thread-safe.
 */
public final class PageDigest
{
    private static final XXHash64 HASH = XXHashFactory.fastestJavaInstance().hash64();

    private PageDigest()
    {
    }

    /** @return the digest of {@code length} bytes of {@code buffer} from {@code offset}; the position is untouched. */
    public static long of(final ByteBuffer buffer, final int offset, final int length)
    {
        return HASH.hash(buffer, offset, length, 0);
    }

    /** @return the digest of {@code length} bytes of {@code bytes} from {@code offset}. */
    public static long of(final byte[] bytes, final int offset, final int length)
    {
        return HASH.hash(bytes, offset, length, 0);
    }

    /** @return the digest of a page of {@code pageSize} zero bytes. */
    public static long zero(final int pageSize)
    {
        return of(new byte[pageSize], 0, pageSize);
    }
}
