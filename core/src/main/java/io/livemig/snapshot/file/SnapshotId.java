package io.livemig.snapshot.file;

import java.security.SecureRandom;
import java.util.HexFormat;

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
    private static final HexFormat HEX = HexFormat.of();

    /** @return a new random id, never {@link #NONE}. */
    public static SnapshotId random()
    {
        SnapshotId id;
        do
        {
            id = new SnapshotId(Random.SOURCE.nextLong(), Random.SOURCE.nextLong());
        }
        while (id.equals(NONE));
        return id;
    }

    @Override
    public String toString()
    {
        return HEX.toHexDigits(high) + HEX.toHexDigits(low);
    }

    /** The saver's source, made on first use: a restore that only reads ids never seeds one (milliseconds, cold). */
    private static final class Random
    {
        static final SecureRandom SOURCE = new SecureRandom();
    }
}
