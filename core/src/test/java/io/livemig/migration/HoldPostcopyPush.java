package io.livemig.migration;

import io.livemig.migration.link.MigrationLink;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

import static io.livemig.migration.wire.MigrationEnvelopeDescriptor.HEADER_LENGTH;
import static io.livemig.migration.wire.MigrationEnvelopeDescriptor.SECTION_DEVICE;
import static io.livemig.migration.wire.MigrationEnvelopeDescriptor.SECTION_DISCARD;
import static io.livemig.migration.wire.MigrationEnvelopeDescriptor.SECTION_POSTCOPY_RUN;
import static io.livemig.migration.wire.MigrationEnvelopeDescriptor.SECTION_RAM;
import static io.livemig.migration.wire.MigrationEnvelopeDescriptor.sectionName;

/**
 * A source-side link for tests that need a post-copy fault to be certain: it passes the forward stream up to
 * and including POSTCOPY_RUN and the RAM section byte that follows it, then holds every later forward byte
 * (the push) until the source reads its first return-path bytes, which only a page request can be: a vCPU on
 * the destination waits for a page that nothing has sent. So at least one vCPU faults, however fast the push
 * would have been. {@link CutInPostcopy} builds on it to cut at a byte of post-copy that is certain to come.
 *
 * <p>For pure post-copy over one channel (the forward stream is the envelope's header, DISCARD, DEVICE,
 * POSTCOPY_RUN, RAM, then post-copy's pages: {@code MigrationEnvelopeDescriptor}); anything else before
 * POSTCOPY_RUN fails the write that carries it. If the release does not come within {@link #HOLD_MS}, the push
 * goes on and {@link #requestBeforePush()} says so.
 *
 * <p>Thread-safety: as {@link MigrationLink}: the forward end is written by one thread at a time (the source's),
 * the return path read by another (the source's return-path thread); they meet in volatile flags.
 */
class HoldPostcopyPush extends ForwardingLink
{
    /** How long the push waits for its release before it goes on regardless. */
    static final long HOLD_MS = 20_000;

    private final BooleanSupplier release;
    /** The envelope's bytes until the push's start is known; guarded by the forward writer. */
    private final ByteArrayOutputStream prefix = new ByteArrayOutputStream();
    /** Forward bytes passed; written by the forward writer only. */
    private long forward;
    /** Forward offset of the push's first byte, or -1 until the envelope shows it. */
    private long pushStart = -1;
    private volatile boolean requestRead;
    private volatile boolean released;
    private volatile boolean timedOut;

    /** Holds the push until the source reads a page request. */
    HoldPostcopyPush(final MigrationLink inner)
    {
        this(inner, null);
    }

    /** Holds the push until {@code release} says so (polled), or, if it is {@code null}, until a page request is read. */
    HoldPostcopyPush(final MigrationLink inner, final BooleanSupplier release)
    {
        super(inner);
        this.release = release == null ? () -> requestRead : release;
    }

    /** @return whether the source read a page request before the push's first byte went out (not after {@link #HOLD_MS}). */
    boolean requestBeforePush()
    {
        return requestRead && !timedOut;
    }

    /** @return whether the source has read a page request (return-path bytes), whenever that was. */
    boolean requestRead()
    {
        return requestRead;
    }

    /** The source has read return-path bytes: a page request (see the class comment). */
    void onReturnPathBytes()
    {
        requestRead = true;
    }

    /** Writes the part of {@code src} the hold lets through to {@code out}; @return bytes written. */
    int pass(final WritableByteChannel out, final ByteBuffer src) throws IOException
    {
        return out.write(src);
    }

    @Override
    public WritableByteChannel sourceOut()
    {
        return writing(inner.sourceOut(), this::write);
    }

    @Override
    public ReadableByteChannel sourceIn()
    {
        return reading(inner.sourceIn(), (in, dst) ->
        {
            final int n = in.read(dst);
            if (n > 0)
            {
                onReturnPathBytes();
            }
            return n;
        });
    }

    private int write(final WritableByteChannel out, final ByteBuffer src) throws IOException
    {
        if (pushStart < 0)
        {
            final int known = (int)(prefix.size() - forward); // bytes of src already in the prefix
            final ByteBuffer more = src.duplicate();
            more.position(more.position() + Math.max(0, known));
            final byte[] bytes = new byte[more.remaining()];
            more.get(bytes);
            prefix.write(bytes, 0, bytes.length);
            pushStart = pushStart(prefix.toByteArray());
        }
        if (pushStart >= 0 && forward >= pushStart)
        {
            awaitRelease();
            return pass(out, src);
        }
        final int limit = src.limit();
        if (pushStart >= 0)
        {
            src.limit(src.position() + (int)Math.min(src.remaining(), pushStart - forward));
        }
        try
        {
            final int n = pass(out, src);
            forward += n;
            return n;
        }
        finally
        {
            src.limit(limit);
        }
    }

    private void awaitRelease() throws IOException
    {
        final long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(HOLD_MS);
        while (!released && !release.getAsBoolean())
        {
            if (System.nanoTime() - deadline >= 0)
            {
                timedOut = true;
                break;
            }
            LockSupport.parkNanos(100_000);
            if (Thread.interrupted())
            {
                throw new InterruptedIOException("interrupted while holding the post-copy push");
            }
        }
        released = true;
    }

    /**
     * @return the forward offset just past POSTCOPY_RUN and the RAM section byte after it, or -1 if {@code b}
     *         is too short to tell.
     * @throws IllegalStateException if the stream is not pure post-copy's.
     */
    static long pushStart(final byte[] b)
    {
        long at = HEADER_LENGTH;
        if (b.length < at + 5)
        {
            return -1;
        }
        expect(b, at, SECTION_DISCARD);
        at += 5 + 12L * Integer.toUnsignedLong(intAt(b, (int)at + 1)); // be32 runs, then (be64 page, be32 count) each
        if (b.length < at + 5)
        {
            return -1;
        }
        expect(b, at, SECTION_DEVICE);
        at += 5 + Integer.toUnsignedLong(intAt(b, (int)at + 1)) + 4; // be32 length, the state, be32 CRC-32C
        if (b.length < at + 2)
        {
            return -1;
        }
        expect(b, at, SECTION_POSTCOPY_RUN);
        expect(b, at + 1, SECTION_RAM);
        return at + 2;
    }

    private static void expect(final byte[] b, final long at, final int section)
    {
        final int type = b[(int)at] & 0xFF;
        if (type != section)
        {
            throw new IllegalStateException("not a pure post-copy stream: " + sectionName(type) + " at forward byte " +
                at + " where " + sectionName(section) + " belongs");
        }
    }

    private static int intAt(final byte[] b, final int at)
    {
        return ByteBuffer.wrap(b, at, 4).getInt();
    }
}
