package io.livemig.migration.destination;

import io.livemig.memory.PagePlacer;
import io.livemig.migration.postcopy.PostcopyGate;
import io.livemig.migration.wire.PageDigests;
import io.livemig.stream.PageKind;
import io.livemig.stream.PageStreamListener;
import io.livemig.stream.read.PageStreamReader;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The destination's side of the digest exchange ({@link PageDigests}): every page is hashed at the last instant
 * before a vCPU may write it here. For pre-copy that is at COMPLETE, before the resume (the hash is part of the
 * downtime); for post-copy at POSTCOPY_RUN for the pages present, and each missing page as it arrives, before
 * the gate lets a vCPU touch it (with kernel faults, from the bytes about to be placed, since a vCPU blocked on
 * the page writes it the instant it is placed). After COMPLETE the source's digests are compared with these.
 * Without digests every method here only passes pages on to the gate.
 *
 * <p>Thread-safety: each reader that may bring post-copy pages (the main channel's, each page channel's, the
 * preempt connection's) hashes on its own thread through its own {@link #attach attached} hasher, into distinct
 * pages' slots (each page arrives once); the sum of their times is read at COMPLETE, after the page channels'
 * last round and the preempt connection's EOS, which order it. The rest is the destination thread's.
 */
final class DestinationDigests
{
    private final DestinationSession s;
    /** One digest per page, or null without digests. */
    private final long[] digests;
    private final byte[] scratch;
    /** The hashers attached to readers; each one's time is its own thread's until the reader has ended. */
    private final List<Hasher> hashers = new CopyOnWriteArrayList<>();
    /** Time spent hashing the present pages, on the destination's thread. */
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

    /**
     * Makes {@code reader}, the reader of {@code connection} ({@link PostcopyGate#PUSH} or {@link
     * PostcopyGate#PREEMPT}), tell the gate of every page, through a hash of its own with digests on, and with
     * kernel faults place pages through that hash.
     */
    void attach(final PageStreamReader reader, final int connection)
    {
        if (digests == null)
        {
            reader.setListener(s.gate.listener(connection));
            return;
        }
        final Hasher hasher = new Hasher(connection);
        hashers.add(hasher);
        reader.setListener(hasher::onPage);
        if (s.kernelFaults())
        {
            reader.placeThrough(hasher.new DigestingPlacer(s.memory.placer()));
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
        long nanos = hashNanos;
        for (final Hasher h : hashers)
        {
            nanos += h.nanos;
        }
        s.result.digests(source, digests, nanos / 1e6);
    }

    /** @return this side's digests, to send on the return path after SHUT 0. */
    long[] digests()
    {
        return digests;
    }

    /** One reader's hashing of the pages it brings in post-copy, with its own scratch page. */
    private final class Hasher
    {
        private final int connection;
        private final byte[] page = new byte[s.memory.pageSize()];
        private final UnsafeBuffer view = new UnsafeBuffer(0, 0);
        /** Written by the reader's thread; read after it has ended (or, for the main reader, on its thread). */
        long nanos;

        Hasher(final int connection)
        {
            this.connection = connection;
        }

        /** The reader's listener: a page arriving in post-copy is hashed before the gate opens it. */
        void onPage(final long p, final PageKind kind, final int wireBytes, final long streamOffset)
        {
            if (s.postcopyStarted && !s.gate.isPresent(p) && !s.kernelFaults())
            {
                final long t0 = System.nanoTime();
                digests[(int)p] = PageDigests.digest(s.memory, p, page);
                nanos += System.nanoTime() - t0;
            }
            s.gate.arrived(p, connection);
        }

        /**
         * With kernel faults and digests: a page arriving in post-copy is hashed from the bytes about to be
         * placed, before {@code UFFDIO_COPY} maps it, since a vCPU blocked on it writes it the instant it is placed.
         */
        private final class DigestingPlacer implements PagePlacer
        {
            private final PagePlacer placer;

            DigestingPlacer(final PagePlacer placer)
            {
                this.placer = placer;
            }

            @Override
            public boolean isPlaced(final long p)
            {
                return placer.isPlaced(p);
            }

            @Override
            public boolean place(final long p, final long srcAddress)
            {
                if (s.postcopyStarted && !s.gate.isPresent(p))
                {
                    final long t0 = System.nanoTime();
                    final int pageSize = s.memory.pageSize();
                    view.wrap(srcAddress, pageSize);
                    view.getBytes(0, page, 0, pageSize);
                    digests[(int)p] = PageDigests.digest(page, pageSize);
                    nanos += System.nanoTime() - t0;
                }
                return placer.place(p, srcAddress);
            }

            @Override
            public void releaseWaiters()
            {
                placer.releaseWaiters();
            }

            @Override
            public boolean placeZero(final long p)
            {
                if (s.postcopyStarted && !s.gate.isPresent(p))
                {
                    Arrays.fill(page, (byte)0);
                    digests[(int)p] = PageDigests.digest(page, s.memory.pageSize());
                }
                return placer.placeZero(p);
            }
        }
    }
}
