package io.livemig.migration.link;

import java.io.IOException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * Puts {@code --link-timeout} on a link in one process, as {@link SocketLink} does on a socket: a read or write
 * that moves no byte for the timeout makes a watchdog thread ({@code link-deadline}) close the inner link, so
 * the call and every later one fail with a {@link SocketTimeoutException} that names the channel and the time.
 * A stall longer than the timeout ({@link io.livemig.migration.fault.FaultyLink}) thus becomes a cut, and no role waits forever. The one
 * reads allowed to wait without bound are the source's return path while the source is still sending (a
 * pre-copy destination says nothing until SHUT; after {@link #finishSource} it is bounded too) and the
 * destination's preempt connection, silent while no vCPU faults (its end is bounded by the destination's own
 * wait for it).
 *
 * <p>Thread-safety: as {@link MigrationLink}. The call instants are volatile, written by the calling thread
 * and read by the watchdog; a call that ends just as the watchdog fires may still fail (benign: the link was
 * silent for the whole timeout up to that instant).
 */
public final class DeadlineLink implements MigrationLink
{
    private final MigrationLink inner;
    private final long timeoutNs;
    /** Every end handed out, for the watchdog. Ends are wrapped when first asked for (a {@link SocketLink} has one role's). */
    private final List<Timed> calls = new CopyOnWriteArrayList<>();
    private Timed sourceOut; // guarded by this, as the ends below
    private Timed destinationIn;
    private Timed destinationOut;
    private Timed sourceIn;
    private Timed preemptOut;
    private Timed preemptIn;
    private final Timed[] pageOut;
    private final Timed[] pageIn;
    private final Thread watchdog;
    private volatile boolean sourceFinished;
    private volatile boolean closed;
    private volatile String expired;

    /**
     * @param inner     the link to bound; closed when a call expires and by {@link #close}.
     * @param timeoutMs the longest a call may move no byte, at least 1.
     */
    public DeadlineLink(final MigrationLink inner, final long timeoutMs)
    {
        if (timeoutMs < 1)
        {
            throw new IllegalArgumentException("link timeout must be at least 1 ms: " + timeoutMs);
        }
        this.inner = inner;
        this.timeoutNs = TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        final int channels = inner.channels() > 1 ? inner.channels() : 0;
        this.pageOut = new Timed[channels];
        this.pageIn = new Timed[channels];
        this.watchdog = new Thread(this::watch, "link-deadline");
        watchdog.setDaemon(true);
        watchdog.start();
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
            sourceOut = timed("the forward stream (source)", null, inner.sourceOut());
        }
        return sourceOut;
    }

    @Override
    public synchronized ReadableByteChannel destinationIn()
    {
        if (destinationIn == null)
        {
            destinationIn = timed("the forward stream (destination)", inner.destinationIn(), null);
        }
        return destinationIn;
    }

    @Override
    public synchronized WritableByteChannel destinationOut()
    {
        if (destinationOut == null)
        {
            destinationOut = timed("the return path (destination)", null, inner.destinationOut());
        }
        return destinationOut;
    }

    @Override
    public synchronized ReadableByteChannel sourceIn()
    {
        if (sourceIn == null)
        {
            sourceIn = timed("the return path (source)", inner.sourceIn(), null);
        }
        return sourceIn;
    }

    private Timed timed(final String name, final ReadableByteChannel in, final WritableByteChannel out)
    {
        final Timed t = new Timed(name, in, out);
        calls.add(t);
        return t;
    }

    @Override
    public int channels()
    {
        return inner.channels();
    }

    @Override
    public synchronized WritableByteChannel sourceOut(final int channel)
    {
        if (pageOut[channel] == null)
        {
            pageOut[channel] = timed("page channel " + channel + " (source)", null, inner.sourceOut(channel));
        }
        return pageOut[channel];
    }

    @Override
    public synchronized ReadableByteChannel destinationIn(final int channel)
    {
        if (pageIn[channel] == null)
        {
            pageIn[channel] = timed("page channel " + channel + " (destination)", inner.destinationIn(channel), null);
        }
        return pageIn[channel];
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

    @Override
    public synchronized WritableByteChannel sourcePreempt()
    {
        if (preemptOut == null)
        {
            preemptOut = timed("the preempt connection (source)", null, inner.sourcePreempt());
        }
        return preemptOut;
    }

    @Override
    public synchronized ReadableByteChannel destinationPreempt()
    {
        if (preemptIn == null)
        {
            preemptIn = timed("the preempt connection (destination)", inner.destinationPreempt(), null);
        }
        return preemptIn;
    }

    @Override
    public void phase(final String phase, final long round)
    {
        inner.phase(phase, round);
    }

    @Override
    public void finishSource() throws IOException
    {
        sourceFinished = true;
        inner.finishSource();
    }

    @Override
    public void finishDestination() throws IOException
    {
        inner.finishDestination();
    }

    @Override
    public void close()
    {
        closed = true;
        watchdog.interrupt();
        inner.close();
    }

    private void watch()
    {
        final long tick = Math.max(1_000_000L, Math.min(timeoutNs / 4, 100_000_000L));
        while (!closed)
        {
            try
            {
                TimeUnit.NANOSECONDS.sleep(tick);
            }
            catch (final InterruptedException ex)
            {
                return;
            }
            final long now = System.nanoTime();
            for (final Timed call : calls)
            {
                final long since = call.since;
                if (since != 0 && now - since > timeoutNs && !call.waitsForRequests &&
                    (!call.returnPathOfSource || sourceFinished) && !closed)
                {
                    expired = "link timeout: no bytes on " + call.name + " for " +
                        TimeUnit.NANOSECONDS.toMillis(timeoutNs) + " ms";
                    inner.close();
                    return;
                }
            }
        }
    }

    /** One end of a channel, every call timed for the watchdog. */
    private final class Timed implements ReadableByteChannel, WritableByteChannel
    {
        final String name;
        final boolean returnPathOfSource;
        /** The destination's preempt connection: silent while no vCPU faults, for as long as that lasts. */
        final boolean waitsForRequests;
        final ReadableByteChannel in;
        final WritableByteChannel out;
        /** When the call now blocked began, or 0 between calls. */
        volatile long since;

        Timed(final String name, final ReadableByteChannel in, final WritableByteChannel out)
        {
            this.name = name;
            this.returnPathOfSource = name.equals("the return path (source)");
            this.waitsForRequests = name.equals("the preempt connection (destination)");
            this.in = in;
            this.out = out;
        }

        @Override
        public int read(final ByteBuffer dst) throws IOException
        {
            checkExpired(null);
            since = System.nanoTime();
            try
            {
                return in.read(dst);
            }
            catch (final IOException ex)
            {
                checkExpired(ex);
                throw ex;
            }
            finally
            {
                since = 0;
            }
        }

        @Override
        public int write(final ByteBuffer src) throws IOException
        {
            checkExpired(null);
            since = System.nanoTime();
            try
            {
                return out.write(src);
            }
            catch (final IOException ex)
            {
                checkExpired(ex);
                throw ex;
            }
            finally
            {
                since = 0;
            }
        }

        @Override
        public boolean isOpen()
        {
            return expired == null && (in != null ? in.isOpen() : out.isOpen());
        }

        @Override
        public void close() throws IOException
        {
            if (in != null)
            {
                in.close();
            }
            else
            {
                out.close();
            }
        }

        private void checkExpired(final IOException cause) throws IOException
        {
            final String why = expired;
            if (why != null)
            {
                final SocketTimeoutException ex = new SocketTimeoutException(why);
                if (cause != null)
                {
                    ex.initCause(cause);
                }
                throw ex;
            }
        }
    }
}
