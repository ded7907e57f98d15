package io.livemig.migration;

import io.livemig.migration.fault.FaultPlan;
import io.livemig.migration.fault.FaultyLink;
import io.livemig.migration.link.MigrationLink;

import java.nio.channels.WritableByteChannel;
import java.util.List;

/**
 * A source-side link for tests that cuts it a chosen number of forward bytes after the source announces a
 * phase: exactly there (the write that reaches it is split), so a test that knows how many bytes a phase
 * certainly sends can place a cut in them that is certain to fire, e.g. in the tail after {@code stop-and-copy}
 * (the last round's pages, the device state and COMPLETE). The cut is a {@link FaultyLink} rule on the phase
 * {@code postcopy}, which this link fires itself; use it where the source never announces post-copy.
 *
 * <p>Thread-safety: as {@link MigrationLink}; the phase and the forward writes come from the source's thread.
 */
final class CutAfterPhase extends ForwardingLink
{
    private final FaultyLink link;
    private final String phase;
    private final long bytesAfter;
    /** Forward byte of the cut, once the phase was announced; else -1. */
    private volatile long cutAt = -1;

    CutAfterPhase(final MigrationLink inner, final String phase, final long bytesAfter)
    {
        this(new FaultyLink(inner, new FaultPlan(List.of(new FaultPlan.Rule(FaultPlan.Action.CUT,
            FaultPlan.Trigger.atPhase("postcopy", -1), 0, 0)))), phase, bytesAfter);
    }

    private CutAfterPhase(final FaultyLink link, final String phase, final long bytesAfter)
    {
        super(link);
        this.link = link;
        this.phase = phase;
        this.bytesAfter = bytesAfter;
    }

    /** @return whether the cut has fired. */
    boolean isCut()
    {
        return link.isCut();
    }

    @Override
    public void phase(final String announced, final long round)
    {
        if (cutAt < 0 && announced.equals(phase))
        {
            cutAt = link.forwardBytes() + bytesAfter;
            cutIfReached();
        }
    }

    @Override
    public WritableByteChannel sourceOut()
    {
        return writing(link.sourceOut(), (out, src) ->
        {
            final long at = cutAt;
            final long passed = link.forwardBytes();
            if (at < 0 || passed >= at)
            {
                return out.write(src);
            }
            final int limit = src.limit();
            src.limit(src.position() + (int)Math.min(src.remaining(), at - passed));
            try
            {
                final int n = out.write(src);
                cutIfReached();
                return n;
            }
            finally
            {
                src.limit(limit);
            }
        });
    }

    private void cutIfReached()
    {
        if (cutAt >= 0 && link.forwardBytes() >= cutAt)
        {
            link.phase("postcopy", 0);
        }
    }
}
