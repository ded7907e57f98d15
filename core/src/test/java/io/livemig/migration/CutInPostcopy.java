package io.livemig.migration;

import io.livemig.migration.fault.FaultPlan;
import io.livemig.migration.fault.FaultyLink;
import io.livemig.migration.link.MigrationLink;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.WritableByteChannel;
import java.util.List;

/**
 * A source-side link for tests that cuts it in post-copy for certain, at a forward byte chosen in advance: once
 * the destination has certainly started post-copy (the source has read a page request, which only a destination
 * running its vCPUs sends) and at least {@code cutAt} forward bytes have passed. A byte trigger alone can land
 * before the destination has read POSTCOPY_RUN (the bytes in flight are lost with the link), which is a
 * switch-over cut, not a post-copy one; a request alone need not come late in the stream, or at all.
 *
 * <p>So the push is held until the first request ({@link HoldPostcopyPush}): a request is certain before any page
 * goes out, and the cut then falls exactly at byte {@code cutAt} (the write that reaches it is split there), or,
 * where {@code cutAt} lies before the push, at that first request, with nothing pushed: the vCPU that asked waits
 * across the whole pause. Either way it fires whenever the stream is at least {@code cutAt} bytes long. The cut
 * itself is a {@link FaultyLink} phase rule, fired by this link alone: the source's own phase announcements are
 * not passed on.
 *
 * <p>For pure post-copy over one channel, as {@link HoldPostcopyPush}. Thread-safety: as {@link MigrationLink}.
 */
final class CutInPostcopy extends HoldPostcopyPush
{
    private final FaultyLink link;
    private final long cutAt;
    private volatile boolean requested;

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
        if (link.forwardBytes() >= cutAt)
        {
            link.phase("postcopy", 0);
        }
        super.onReturnPathBytes(); // after the cut: a held push then meets it
    }

    @Override
    int pass(final WritableByteChannel out, final ByteBuffer src) throws IOException
    {
        final long passed = link.forwardBytes();
        if (!requested || passed >= cutAt)
        {
            return out.write(src);
        }
        final int limit = src.limit();
        src.limit(src.position() + (int)Math.min(src.remaining(), cutAt - passed));
        try
        {
            final int n = out.write(src);
            if (link.forwardBytes() >= cutAt)
            {
                link.phase("postcopy", 0);
            }
            return n;
        }
        finally
        {
            src.limit(limit);
        }
    }

    @Override
    public void phase(final String phase, final long round)
    {
        // Only this link's own trigger cuts (see the class comment).
    }
}
