package io.livemig.migration;

import io.livemig.migration.fault.FaultPlan;
import io.livemig.migration.fault.FaultyLink;
import io.livemig.migration.link.MigrationLink;

import java.nio.channels.ReadableByteChannel;
import java.util.List;

/**
 * A source-side link for tests that cuts it once the destination is certainly in post-copy: at the first
 * return-path bytes the source reads (a page request, which only a destination running its vCPUs sends) after
 * at least {@code minForwardBytes} forward bytes. A byte trigger alone can land before the destination has
 * read POSTCOPY_RUN (the bytes in flight are lost with the link), which is a switch-over cut, not a post-copy
 * one. The cut itself is a {@link FaultyLink} phase rule, fired by this link alone: the source's own phase
 * announcements are not passed on.
 *
 * <p>Thread-safety: as {@link MigrationLink}.
 */
final class CutInPostcopy extends ForwardingLink
{
    private final FaultyLink link;
    private final long minForwardBytes;

    CutInPostcopy(final MigrationLink inner, final long minForwardBytes)
    {
        this(new FaultyLink(inner, new FaultPlan(List.of(new FaultPlan.Rule(FaultPlan.Action.CUT,
            FaultPlan.Trigger.atPhase("postcopy", -1), 0, 0)))), minForwardBytes);
    }

    private CutInPostcopy(final FaultyLink link, final long minForwardBytes)
    {
        super(link);
        this.link = link;
        this.minForwardBytes = minForwardBytes;
    }

    /** @return whether the cut has fired. */
    boolean isCut()
    {
        return link.isCut();
    }

    @Override
    public ReadableByteChannel sourceIn()
    {
        return reading(link.sourceIn(), (in, dst) ->
        {
            final int n = in.read(dst);
            if (n > 0 && link.forwardBytes() >= minForwardBytes)
            {
                link.phase("postcopy", 0);
            }
            return n;
        });
    }

    @Override
    public void phase(final String phase, final long round)
    {
        // Only this link's own trigger cuts (see the class comment).
    }
}
