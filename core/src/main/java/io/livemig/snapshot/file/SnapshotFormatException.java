package io.livemig.snapshot.file;

import java.io.IOException;

/**
 * A snapshot file that cannot be restored: cut short, malformed, or disagreeing with itself (a digest, the
 * bitmap, a block that does not fit). The message names the file offset and the reason, e.g. {@code "snapshot
 * offset 4096: page 17's digest 0x1f... does not match its bytes"}.
 *
 * <p>Immutable, so safe to share between threads once thrown.
 */
public final class SnapshotFormatException extends IOException
{
    private static final long serialVersionUID = 1L;

    private final long offset;

    /**
     * @param offset where the problem is, in bytes from the start of the file.
     * @param reason what is wrong, without the offset.
     */
    public SnapshotFormatException(final long offset, final String reason)
    {
        super("snapshot offset " + offset + ": " + reason);
        this.offset = offset;
    }

    /** @return where the problem is, in bytes from the start of the file. */
    public long offset()
    {
        return offset;
    }
}
