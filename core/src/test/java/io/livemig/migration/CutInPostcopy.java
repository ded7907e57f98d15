package io.livemig.migration;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.util.List;

/**
 * A source-side link for tests that cuts it once the destination is certainly in post-copy: at the first
 * return-path bytes the source reads (a page request, which only a destination running its vCPUs sends) after
 * at least {@code minForwardBytes} forward bytes. A byte trigger alone can land before the destination has
 * read POSTCOPY_RUN (the bytes in flight are lost with the link), which is a switch-over cut, not a post-copy
 * one. The cut itself is a {@link FaultyLink} phase rule.
 *
 * <p>Thread-safety: as {@link MigrationLink}.
 */
final class CutInPostcopy implements MigrationLink
{
    private final FaultyLink link;
    private final long minForwardBytes;

    CutInPostcopy(final MigrationLink inner, final long minForwardBytes)
    {
        this.link = new FaultyLink(inner, new FaultPlan(List.of(new FaultPlan.Rule(FaultPlan.Action.CUT,
            FaultPlan.Trigger.atPhase("postcopy", -1), 0, 0))));
        this.minForwardBytes = minForwardBytes;
    }

    /** @return whether the cut has fired. */
    boolean isCut()
    {
        return link.isCut();
    }

    @Override
    public String name()
    {
        return link.name();
    }

    @Override
    public WritableByteChannel sourceOut()
    {
        return link.sourceOut();
    }

    @Override
    public ReadableByteChannel destinationIn()
    {
        return link.destinationIn();
    }

    @Override
    public WritableByteChannel destinationOut()
    {
        return link.destinationOut();
    }

    @Override
    public ReadableByteChannel sourceIn()
    {
        final ReadableByteChannel in = link.sourceIn();
        return new ReadableByteChannel()
        {
            @Override
            public int read(final ByteBuffer dst) throws IOException
            {
                final int n = in.read(dst);
                if (n > 0 && link.forwardBytes() >= minForwardBytes)
                {
                    link.phase("postcopy", 0);
                }
                return n;
            }

            @Override
            public boolean isOpen()
            {
                return in.isOpen();
            }

            @Override
            public void close() throws IOException
            {
                in.close();
            }
        };
    }

    @Override
    public void finishSource() throws IOException
    {
        link.finishSource();
    }

    @Override
    public void finishDestination() throws IOException
    {
        link.finishDestination();
    }

    @Override
    public void close()
    {
        link.close();
    }
}
