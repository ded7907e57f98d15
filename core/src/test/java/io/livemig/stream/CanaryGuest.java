package io.livemig.stream;

import io.livemig.dirty.DirtyMarker;
import io.livemig.memory.GuestMemory;

import java.util.Arrays;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * A destination guest whose every byte is accounted for: a model ({@code expected}) holds each page as the
 * last record the reader reported applying left it, and every report checks that no other page changed
 * since (a write outside the named page is caught at the record that made it, whichever page it hit). At the
 * end {@link #checkUntouched()} compares the whole guest: a refused record must leave memory as it was.
 *
 * <p>Canary mode fills the guest with seeded bytes first, so a stray write of any value shows; zero mode
 * starts it zeroed, for a reader told that its destination starts zero.
 *
 * <p>Not thread-safe: the reader's thread calls {@link #onPage}.
 */
public final class CanaryGuest implements PageStreamListener, AutoCloseable
{
    private final GuestMemory memory;
    private final int pageSize;
    private final byte[] expected;
    private final byte[] actual;
    private long inputLength;
    private long lastOffset;

    /** @param pages pages of {@code pageSize} bytes, in a block named {@code pc.ram}. */
    public CanaryGuest(final int pages, final int pageSize)
    {
        this.memory = new GuestMemory((long)pages * pageSize, pageSize, DirtyMarker.NONE);
        this.pageSize = pageSize;
        this.expected = new byte[pages * pageSize];
        this.actual = new byte[pages * pageSize];
    }

    /** @return the guest, for a reader to write. */
    public GuestMemory memory()
    {
        return memory;
    }

    /**
     * Prepares for a read of an input of {@code inputLength} bytes: the guest zeroed, or filled with bytes
     * drawn from {@code seed}.
     *
     * @return this guest, to set as the reader's listener.
     */
    public CanaryGuest reset(final boolean zero, final long seed, final int inputLength)
    {
        if (zero)
        {
            Arrays.fill(expected, (byte)0);
        }
        else
        {
            final SplittableRandom random = new SplittableRandom(seed);
            for (int i = 0; i < expected.length; i += 8)
            {
                final long v = random.nextLong();
                for (int b = 0; b < 8; b++)
                {
                    expected[i + b] = (byte)(v >>> (b << 3));
                }
            }
        }
        memory.putBytes(0, expected, 0, expected.length);
        this.inputLength = inputLength;
        this.lastOffset = -1;
        return this;
    }

    @Override
    public void onPage(final long page, final PageKind kind, final int wireBytes, final long streamOffset)
    {
        if (page < 0 || page >= memory.pageCount() || kind == null || wireBytes < PageStreamDescriptor.HEADER_LENGTH ||
            streamOffset <= lastOffset || streamOffset + wireBytes > inputLength)
        {
            fail("reader reported page " + page + " (" + kind + ", " + wireBytes + " wire bytes at offset " +
                streamOffset + ") outside a guest of " + memory.pageCount() + " pages or an input of " +
                inputLength + " bytes, or out of order (previous record at " + lastOffset + ")");
        }
        lastOffset = streamOffset;
        memory.getBytes(0, actual, 0, actual.length);
        final int from = (int)page * pageSize;
        checkEqual(0, from, "before the record at offset " + streamOffset + " for page " + page);
        checkEqual(from + pageSize, actual.length, "before the record at offset " + streamOffset + " for page " + page);
        System.arraycopy(actual, from, expected, from, pageSize);
    }

    /** Asserts that the guest holds exactly what the records reported applied left in it. */
    public void checkUntouched()
    {
        memory.getBytes(0, actual, 0, actual.length);
        checkEqual(0, actual.length, "after the last record reported applied");
    }

    private void checkEqual(final int from, final int to, final String when)
    {
        final int at = Arrays.mismatch(expected, from, to, actual, from, to);
        if (at >= 0)
        {
            fail("page " + (from + at) / pageSize + " byte " + (from + at) % pageSize + " changed " + when +
                ", though no applied record named it");
        }
    }

    @Override
    public void close()
    {
        memory.close();
    }
}
