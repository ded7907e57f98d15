package io.livemig.migration.destination;

import io.livemig.memory.PagePlacer;
import io.livemig.migration.wire.PageDigests;
import io.livemig.stream.PageKind;
import io.livemig.stream.PageStreamListener;
import io.livemig.stream.read.PageStreamReader;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.Arrays;

/**
 * The destination's side of the digest exchange ({@link PageDigests}): every page is hashed at the last instant
 * before a vCPU may write it here. For pre-copy that is at COMPLETE, before the resume (the hash is part of the
 * downtime); for post-copy at POSTCOPY_RUN for the pages present, and each missing page as it arrives, before
 * the gate lets a vCPU touch it (with kernel faults, from the bytes about to be placed, since a vCPU blocked on
 * the page writes it the instant it is placed). After COMPLETE the source's digests are compared with these.
 * Without digests every method here only passes pages on to the gate.
 *
 * <p>Not thread-safe: the destination's thread hashes. Post-copy pages come on the main channel only, so the
 * hashing of arriving pages runs there too; page channels' readers only pass pages on to the gate.
 */
final class DestinationDigests
{
    private final DestinationSession s;
    /** One digest per page, or null without digests. */
    private final long[] digests;
    private final byte[] scratch;
    /** Time spent hashing, on the destination's thread only. */
    private long hashNanos;

    DestinationDigests(final DestinationSession session, final boolean enabled)
    {
        this.s = session;
        this.digests = enabled ? new long[Math.toIntExact(session.memory.pageCount())] : null;
        this.scratch = enabled ? new byte[session.memory.pageSize()] : null;
    }

    boolean enabled()
    {
        return digests != null;
    }

    /** @return the listener of every reader: the gate, behind a hash of each page arriving in post-copy. */
    PageStreamListener listener()
    {
        return digests == null ? s.gate : this::onPage;
    }

    /** Makes {@code reader} tell this of every page, and with kernel faults place pages through a hash. */
    void attach(final PageStreamReader reader)
    {
        reader.setListener(listener());
        if (digests != null && s.kernelFaults())
        {
            reader.placeThrough(new DigestingPlacer(s.memory.placer()));
        }
    }

    /** Hashes every page present, before any vCPU runs here. */
    void hashPresentPages()
    {
        if (digests == null)
        {
            return;
        }
        final long t0 = System.nanoTime();
        try
        {
            for (int p = 0; p < digests.length; p++)
            {
                if (s.gate.isPresent(p))
                {
                    digests[p] = PageDigests.digest(s.memory, p, scratch);
                }
            }
        }
        finally
        {
            hashNanos += System.nanoTime() - t0;
        }
    }

    /** Compares the source's digests with this side's: the verdict goes into the result. */
    void compare(final long[] source)
    {
        s.result.digests(source, digests, hashNanos / 1e6);
    }

    /** @return this side's digests, to send on the return path after SHUT 0. */
    long[] digests()
    {
        return digests;
    }

    /** The reader's listener with digests on: a page arriving in post-copy is hashed before the gate opens it. */
    private void onPage(final long page, final PageKind kind, final int wireBytes, final long streamOffset)
    {
        if (s.postcopyStarted && !s.gate.isPresent(page) && !s.kernelFaults())
        {
            final long t0 = System.nanoTime();
            digests[(int)page] = PageDigests.digest(s.memory, page, scratch);
            hashNanos += System.nanoTime() - t0;
        }
        s.gate.onPage(page, kind, wireBytes, streamOffset);
    }

    /**
     * With kernel faults and digests: a page arriving in post-copy is hashed from the bytes about to be placed,
     * before {@code UFFDIO_COPY} maps it, since a vCPU blocked on it writes it the instant it is placed.
     */
    private final class DigestingPlacer implements PagePlacer
    {
        private final PagePlacer placer;
        private final UnsafeBuffer view = new UnsafeBuffer(0, 0);

        DigestingPlacer(final PagePlacer placer)
        {
            this.placer = placer;
        }

        @Override
        public boolean isPlaced(final long page)
        {
            return placer.isPlaced(page);
        }

        @Override
        public boolean place(final long page, final long srcAddress)
        {
            if (s.postcopyStarted && !s.gate.isPresent(page))
            {
                final long t0 = System.nanoTime();
                final int pageSize = s.memory.pageSize();
                view.wrap(srcAddress, pageSize);
                view.getBytes(0, scratch, 0, pageSize);
                digests[(int)page] = PageDigests.digest(scratch, pageSize);
                hashNanos += System.nanoTime() - t0;
            }
            return placer.place(page, srcAddress);
        }

        @Override
        public boolean placeZero(final long page)
        {
            if (s.postcopyStarted && !s.gate.isPresent(page))
            {
                Arrays.fill(scratch, (byte)0);
                digests[(int)page] = PageDigests.digest(scratch, s.memory.pageSize());
            }
            return placer.placeZero(page);
        }
    }
}
