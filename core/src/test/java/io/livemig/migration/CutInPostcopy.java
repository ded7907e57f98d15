package io.livemig.migration;

import io.livemig.migration.fault.FaultPlan;
import io.livemig.migration.fault.FaultyLink;
import io.livemig.migration.link.MigrationLink;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.WritableByteChannel;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A source-side link for tests that cuts it in post-copy for certain, at a forward byte chosen in advance: once
 * the destination has certainly started post-copy (the source has read a page request, which only a destination
 * running its vCPUs sends) and at least {@code cutAt} forward bytes have passed. A byte trigger alone can land
 * before the destination has read POSTCOPY_RUN (the bytes in flight are lost with the link), which is a
 * switch-over cut, not a post-copy one; a request alone need not come late in the stream, or at all.
 *
 * <p>So the push is held until the first request ({@link HoldPostcopyPush}): a request is certain before any page
 * goes out, and the cut then falls at byte {@code cutAt} (the write that reaches it is split there), or, where
 * {@code cutAt} lies before the push, at that first request, with nothing pushed: the vCPU that asked waits
 * across the whole pause. Either way it fires whenever the stream is at least {@code cutAt} bytes long.
 *
 * <p>The forward bytes counted are those of the main connection and of the preempt connection together: with
 * preempt, a page that a vCPU asked for crosses on that connection and the push skips it, so the main connection
 * alone can end below {@code cutAt}, by however many pages the vCPUs asked for first. Every page goes once on
 * one of the two, so their sum is at least the bytes a test counts on (the fault campaign's {@code
 * MIN_STREAM_BYTES}). The two are written by two threads (the push's and the return path's), so the cut
 * can land up to one write past {@code cutAt}, never before it. The cut itself is a {@link FaultyLink} phase
 * rule, fired by this link alone: the source's own phase announcements are not passed on.
 *
 * <p>For pure post-copy over one channel, with or without the preempt connection, as {@link HoldPostcopyPush}.
 * Thread-safety: as {@link MigrationLink}; the preempt bytes are an atomic count.
 */
final class CutInPostcopy extends HoldPostcopyPush
{
    private final FaultyLink link;
    private final long cutAt;
    private volatile boolean requested;
    /** Forward bytes of the preempt connection. */
    private final AtomicLong preemptBytes = new AtomicLong();

    CutInPostcopy(final MigrationLink inner, final long cutAt)
    {
        this(new FaultyLink(inner, new FaultPlan(List.of(new FaultPlan.Rule(FaultPlan.Action.CUT,
            FaultPlan.Trigger.atPhase("postcopy", -1), 0, 0)))), cutAt);
    }

    private CutInPostcopy(final FaultyLink link, final long cutAt)
    {
        super(link);
        this.link = link;
        this.cutAt = cutAt;
    }

    /** @return whether the cut has fired. */
    boolean isCut()
    {
        return link.isCut();
    }

    @Override
    void onReturnPathBytes()
    {
        requested = true;
        cutIfReached();
        super.onReturnPathBytes(); // after the cut: a held push then meets it
    }

    @Override
    int pass(final WritableByteChannel out, final ByteBuffer src) throws IOException
    {
        return passUpToCut(out, src, null);
    }

    /** The preempt connection's source end, its bytes counted with the main connection's. */
    @Override
    public WritableByteChannel sourcePreempt()
    {
        return writing(super.sourcePreempt(), (out, src) -> passUpToCut(out, src, preemptBytes));
    }

    /** Writes {@code src} to {@code out}, split at the cut once a request was read; adds what went to {@code counted}. */
    private int passUpToCut(final WritableByteChannel out, final ByteBuffer src, final AtomicLong counted)
        throws IOException
    {
        final long left = cutAt - forwardBytes();
        if (!requested || left <= 0)
        {
            return count(out.write(src), counted);
        }
        final int limit = src.limit();
        src.limit(src.position() + (int)Math.min(src.remaining(), left));
        try
        {
            final int n = count(out.write(src), counted);
            cutIfReached();
            return n;
        }
        finally
        {
            src.limit(limit);
        }
    }

    private static int count(final int n, final AtomicLong counted)
    {
        if (counted != null && n > 0)
        {
            counted.addAndGet(n);
        }
        return n;
    }

    /** @return forward bytes of both connections. */
    private long forwardBytes()
    {
        return link.forwardBytes() + preemptBytes.get();
    }

    private void cutIfReached()
    {
        if (requested && forwardBytes() >= cutAt)
        {
            link.phase("postcopy", 0);
        }
    }

    @Override
    public void phase(final String phase, final long round)
    {
        // Only this link's own trigger cuts (see the class comment).
    }
}
