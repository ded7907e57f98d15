package io.livemig.snapshot.file;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * The pages of a snapshot as a restore reads them: one file ({@link SnapshotReader}) or a diff with its
 * ancestors ({@link SnapshotChain}). Thread-safety: every method from any number of threads once opened.
 */
public interface SnapshotPages
{
    /** @return the header of the guest a restore resumes (the newest file's). */
    SnapshotHeader header();

    /** @return whether page {@code page}'s bytes are in the snapshot (else it is zero). */
    boolean isPresent(long page);

    /** @return bitmap word {@code w}: the present pages among {@code 64w} to {@code 64w + 63}. */
    long presentWord(int w);

    /** @return a copy of the whole bitmap, word {@code w} as {@link #presentWord} gives it. */
    default long[] presentWords()
    {
        final long[] words = new long[header().bitmapWords()];
        for (int w = 0; w < words.length; w++)
        {
            words[w] = presentWord(w);
        }
        return words;
    }

    /** @return pages whose bytes are in the snapshot. */
    long presentPages();

    /**
     * Reads pages {@code [first, first + dst.remaining() / pageSize)}, every one present, into {@code dst} from its
     * position to its limit, and leaves the position at the limit.
     */
    void readPages(long first, ByteBuffer dst) throws IOException;

    /**
     * Checks page {@code page}'s bytes, a page at {@code offset} in {@code src}, against the snapshot's digest.
     *
     * @throws SnapshotFormatException naming the page if they differ.
     */
    void check(long page, ByteBuffer src, int offset) throws SnapshotFormatException;
}
