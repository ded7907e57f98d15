package io.livemig.snapshot.file;

import java.security.SecureRandom;

/**
 * A snapshot's 128-bit identity, random, by which a diff snapshot names its parent. Immutable.
 *
 * @param high the first 64 bits.
 * @param low  the last 64 bits.
 */
public record SnapshotId(long high, long low)
{
    /** The id of no snapshot: a full snapshot's parent. */
    public static final SnapshotId NONE = new SnapshotId(0, 0);
    private static final SecureRandom RANDOM = new SecureRandom();

    /** @return a new random id, never {@link #NONE}. */
    public static SnapshotId random()
    {
        SnapshotId id;
        do
        {
            id = new SnapshotId(RANDOM.nextLong(), RANDOM.nextLong());
        }
        while (id.equals(NONE));
        return id;
    }

    @Override
    public String toString()
    {
        return String.format("%016x%016x", high, low);
    }
}
