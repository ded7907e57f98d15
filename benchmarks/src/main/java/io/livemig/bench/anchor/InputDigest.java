package io.livemig.bench.anchor;

import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteOrder;

/**
 * The input digest in pure Java, equal to the C anchors' {@code lm_digest} ({@code digest.c}) and so to
 * {@link QemuAnchors#digest}: FNV-1a's shape over 64-bit little-endian words,
 * <pre>
 *   h = seed; for each 8-byte word w: h = (h ^ w) * 0x100000001b3;  then h ^= number of bytes
 * </pre>
 * A benchmark that gives the same digest of its inputs from both sides shows that the C anchor and the Java
 * code were measured on the same bytes. Not a hash for tables or security: only a cheap fingerprint.
 *
 * <p>Stateless and thread-safe; allocates nothing. Plain reads: a range written meanwhile gives the digest of
 * some mix of its bytes.
 */
public final class InputDigest
{
    /** The FNV-1a 64-bit prime. */
    public static final long PRIME = 0x100000001b3L;

    private InputDigest()
    {
    }

    /**
     * @return the digest of {@code buffer[offset, offset + length)}, read as little-endian 64-bit words.
     * @throws IllegalArgumentException  if {@code length} is not a multiple of 8.
     * @throws IndexOutOfBoundsException if the range is outside the buffer.
     */
    public static long of(final UnsafeBuffer buffer, final int offset, final int length, final long seed)
    {
        if ((length & 7) != 0)
        {
            throw new IllegalArgumentException("digest length must be a multiple of 8: " + length);
        }
        if (offset < 0 || length < 0 || offset > buffer.capacity() - length)
        {
            throw new IndexOutOfBoundsException(
                "buffer: range [" + offset + ", " + offset + " + " + length + ") is outside its capacity " +
                buffer.capacity());
        }
        long h = seed;
        for (int i = 0; i < length; i += Long.BYTES)
        {
            h = (h ^ buffer.getLong(offset + i, ByteOrder.LITTLE_ENDIAN)) * PRIME;
        }
        return h ^ length;
    }

    /** @return the digest of {@code words}, each word one little-endian 8-byte group ({@code 8 * length} bytes). */
    public static long of(final long[] words, final long seed)
    {
        long h = seed;
        for (final long w : words)
        {
            h = (h ^ w) * PRIME;
        }
        return h ^ ((long)words.length * Long.BYTES);
    }
}
