package io.livemig.migration.fault;

import io.livemig.migration.link.MigrationLink;
import io.livemig.migration.link.TokenBucket;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * A {@link MigrationLink} that injects the faults of a {@link FaultPlan} into another link: it counts the forward
 * bytes that pass, and fires each rule once, when its byte count is reached (exactly: the write is split there)
 * or when the migration announces the rule's phase ({@link #phase}).
 * <ul>
 *   <li>A <b>cut</b> closes the inner link, as a connection reset would: reads blocked on either side return or
 *       fail at once, and every later read, write or finish on this link throws an {@link IOException} that
 *       names the rule ("link cut by fault injection ...").</li>
 *   <li>A <b>stall</b> holds every channel: writes wait before sending, reads wait before returning what they
 *       read, until the stall ends, so neither side sees a byte meanwhile, as over a link that has gone quiet.
 *       A cut during a stall ends the wait with the cut's exception.</li>
 *   <li>A <b>throttle</b> puts a {@link TokenBucket} on the forward direction.</li>
 *   <li>A <b>preempt cut</b> closes the inner link's preempt connection alone ({@link MigrationLink#closePreempt}).</li>
 * </ul>
 * Fired rules are listed by {@link #events()}, each with the forward byte count at which it fired, for the
 * result and the logs.
 *
 * <p>Thread-safety: as {@link MigrationLink} (each channel used by one thread at a time); {@link #phase} and
 * {@link #close} may be called from any thread. The fault state is volatile; firing is synchronized, so a rule
 * fires once even when a write and a phase announcement race.
 */
public final class FaultyLink implements MigrationLink
{
    private final MigrationLink inner;
    private final List<FaultPlan.Rule> rules;
    private final boolean[] fired; // guarded by this
    private final List<String> events = new CopyOnWriteArrayList<>();
    // Each end is wrapped when first asked for: a SocketLink holds only one role's ends, and throws for the other's.
    private WritableByteChannel sourceOut; // guarded by this, as the three below
    private ReadableByteChannel destinationIn;
    private WritableByteChannel destinationOut;
    private ReadableByteChannel sourceIn;
    private WritableByteChannel preemptOut;
    private ReadableByteChannel preemptIn;

    private volatile String cut; // the cut's description, or null while the link is whole
    private volatile long stalledUntilNs;
    private volatile boolean stalled;
    private volatile TokenBucket throttle;
    private volatile long forwardBytes;
    /**
     * Set while the forward write that reaches a byte trigger is on its way: a reader that read during it
     * waits for the rule to fire before it may use what it read, so "cut after N bytes" is one instant for
     * both sides (else a destination could read the last byte, act on it and answer before the cut fires).
     */
    private volatile boolean firing;
    private volatile boolean closed;

    /**
     * @param inner the link faults are injected into; closed by a cut and by {@link #close}.
     * @param plan  the faults.
     */
    public FaultyLink(final MigrationLink inner, final FaultPlan plan)
    {
        this.inner = inner;
        this.rules = plan.rules();
        this.fired = new boolean[rules.size()];
        fireBytes(0);
    }

    /** @return the faults fired so far, each with its forward byte count, in order. */
    public List<String> events()
    {
        return List.copyOf(events);
    }

    /** @return forward bytes passed so far. */
    public long forwardBytes()
    {
        return forwardBytes;
    }

    /** @return whether a cut has fired. */
    public boolean isCut()
    {
        return cut != null;
    }

    /**
     * The migration enters {@code phase} (at {@code round}, in pre-copy): fires the rules that wait for it.
     *
     * @param phase one of {@link FaultPlan.Trigger#PHASES}.
     * @param round the pre-copy round, from 0; ignored elsewhere.
     */
    @Override
    public void phase(final String phase, final long round)
    {
        synchronized (this)
        {
            boolean first = true;
            for (int i = 0; i < rules.size(); i++)
            {
                final FaultPlan.Trigger t = rules.get(i).trigger();
                if (!fired[i] && phase.equals(t.phase()) && (t.round() < 0 || t.round() == round))
                {
                    fire(i, first ? phase + (phase.equals("precopy") ? " round " + round : "") : null);
                    first = false;
                }
            }
        }
    }

    @Override
    public String name()
    {
        return inner.name();
    }

    @Override
    public synchronized WritableByteChannel sourceOut()
    {
        if (sourceOut == null)
        {
            sourceOut = new ForwardOut(inner.sourceOut());
        }
        return sourceOut;
    }

    @Override
    public synchronized ReadableByteChannel destinationIn()
    {
        if (destinationIn == null)
        {
            destinationIn = new In(inner.destinationIn());
        }
        return destinationIn;
    }

    @Override
    public synchronized WritableByteChannel destinationOut()
    {
        if (destinationOut == null)
        {
            destinationOut = new Out(inner.destinationOut());
        }
        return destinationOut;
    }

    @Override
    public synchronized ReadableByteChannel sourceIn()
    {
        if (sourceIn == null)
        {
            sourceIn = new In(inner.sourceIn());
        }
        return sourceIn;
    }

    @Override
    public boolean preempt()
    {
        return inner.preempt();
    }

    @Override
    public void closePreempt()
    {
        inner.closePreempt();
    }

    /** The preempt connection's source end: a cut closes it with the rest, a stall holds it; its bytes are not counted. */
    @Override
    public synchronized WritableByteChannel sourcePreempt()
    {
        if (preemptOut == null)
        {
            preemptOut = new Out(inner.sourcePreempt());
        }
        return preemptOut;
    }

    @Override
    public synchronized ReadableByteChannel destinationPreempt()
    {
        if (preemptIn == null)
        {
            preemptIn = new In(inner.destinationPreempt());
        }
        return preemptIn;
    }

    @Override
    public void finishSource() throws IOException
    {
        checkWhole(null);
        inner.finishSource();
    }

    @Override
    public void finishDestination() throws IOException
    {
        checkWhole(null);
        inner.finishDestination();
    }

    /** Closes the inner link and ends any stall: a wait in it fails at once, as every later call. */
    @Override
    public void close()
    {
        closed = true;
        inner.close();
    }

    /** Fires the unfired byte rules whose count is {@code bytes} or less. */
    private synchronized void fireBytes(final long bytes)
    {
        for (int i = 0; i < rules.size(); i++)
        {
            final FaultPlan.Trigger t = rules.get(i).trigger();
            if (!fired[i] && t.phase() == null && t.bytes() <= bytes)
            {
                fire(i, null);
            }
        }
    }

    /** @return the first unfired byte trigger above {@code bytes}, or {@code Long.MAX_VALUE}. */
    private synchronized long nextByteTrigger(final long bytes)
    {
        long next = Long.MAX_VALUE;
        for (int i = 0; i < rules.size(); i++)
        {
            final FaultPlan.Trigger t = rules.get(i).trigger();
            if (!fired[i] && t.phase() == null && t.bytes() > bytes)
            {
                next = Math.min(next, t.bytes());
            }
        }
        return next;
    }

    /** Caller holds the lock. */
    private void fire(final int index, final String where)
    {
        fired[index] = true;
        final FaultPlan.Rule rule = rules.get(index);
        events.add(rule + " (fired at forward byte " + forwardBytes + (where == null ? "" : ", " + where) + ")");
        switch (rule.action())
        {
            case CUT:
                cut = "link cut by fault injection: " + rule + ", at forward byte " + forwardBytes;
                inner.close();
                break;
            case STALL:
                stalledUntilNs = System.nanoTime() + rule.durationNs();
                stalled = true;
                break;
            case THROTTLE:
                throttle = new TokenBucket(rule.bytesPerSecond());
                break;
            case CUT_PREEMPT:
                inner.closePreempt(); // that connection's reads and writes fail on both sides; the rest goes on
                break;
            default:
                throw new IllegalStateException(rule.action().name());
        }
    }

    /** Waits out a stall, then throws if the link is cut (with {@code cause}, if any). */
    private void checkWhole(final IOException cause) throws IOException
    {
        while (stalled && cut == null && !closed)
        {
            final long left = stalledUntilNs - System.nanoTime();
            if (left <= 0)
            {
                stalled = false;
                break;
            }
            try
            {
                TimeUnit.NANOSECONDS.sleep(Math.min(left, 10_000_000L));
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted during an injected stall");
            }
        }
        final String reason = cut;
        if (reason != null)
        {
            throw new IOException(reason, cause);
        }
        if (closed)
        {
            throw new IOException("link closed", cause);
        }
    }

    /** A write end: waits out stalls, fails once cut, with the cut's reason. */
    private class Out implements WritableByteChannel
    {
        final WritableByteChannel out;

        Out(final WritableByteChannel out)
        {
            this.out = out;
        }

        @Override
        public final int write(final ByteBuffer src) throws IOException
        {
            checkWhole(null);
            try
            {
                return pass(src);
            }
            catch (final IOException ex)
            {
                checkWhole(ex);
                throw ex;
            }
        }

        /** Writes to the inner channel. */
        int pass(final ByteBuffer src) throws IOException
        {
            return out.write(src);
        }

        @Override
        public final boolean isOpen()
        {
            return cut == null && out.isOpen();
        }

        @Override
        public final void close() throws IOException
        {
            out.close();
        }
    }

    /** The source's forward end: also counts bytes, splits writes at byte triggers, throttles. */
    private final class ForwardOut extends Out
    {
        ForwardOut(final WritableByteChannel out)
        {
            super(out);
        }

        @Override
        int pass(final ByteBuffer src) throws IOException
        {
            final int total = src.remaining();
            final int limit = src.limit();
            try
            {
                while (src.hasRemaining())
                {
                    final long passed = forwardBytes;
                    final TokenBucket bucket = throttle;
                    long chunk = Math.min(src.remaining(), nextByteTrigger(passed) - passed);
                    if (bucket != null)
                    {
                        chunk = Math.min(chunk, bucket.burstBytes());
                        bucket.acquire((int)chunk);
                    }
                    boolean triggers = passed + chunk == nextByteTrigger(passed);
                    if (triggers && chunk > 1)
                    {
                        chunk--; // the triggering byte goes alone, below: a reader waits only for one byte's write
                        triggers = false;
                    }
                    src.limit(src.position() + (int)chunk);
                    firing = triggers;
                    try
                    {
                        while (src.hasRemaining())
                        {
                            out.write(src);
                        }
                        src.limit(limit);
                        forwardBytes = passed + chunk;
                        fireBytes(passed + chunk);
                    }
                    finally
                    {
                        firing = false;
                    }
                    checkWhole(null);
                }
            }
            finally
            {
                src.limit(limit);
            }
            return total;
        }
    }

    /** A read end: what it read is returned only after any stall, and not at all once cut. */
    private final class In implements ReadableByteChannel
    {
        private final ReadableByteChannel in;

        In(final ReadableByteChannel in)
        {
            this.in = in;
        }

        @Override
        public int read(final ByteBuffer dst) throws IOException
        {
            checkWhole(null);
            final int n;
            try
            {
                n = in.read(dst);
            }
            catch (final IOException ex)
            {
                checkWhole(ex);
                throw ex;
            }
            while (firing && cut == null)
            {
                Thread.onSpinWait(); // the writer fires as soon as its write returns
            }
            checkWhole(null);
            return n;
        }

        @Override
        public boolean isOpen()
        {
            return cut == null && in.isOpen();
        }

        @Override
        public void close() throws IOException
        {
            in.close();
        }
    }
}
