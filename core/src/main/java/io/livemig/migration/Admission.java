package io.livemig.migration;

import io.livemig.migration.tls.PeerSocket;
import io.livemig.migration.tls.SessionTicket;
import io.livemig.migration.tls.TlsConfig;
import io.livemig.migration.wire.ChannelHello;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.Arrays;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The destination's listening socket once a migration has begun: a thread ({@code migration-accept}) accepts
 * every connection and vets each on a thread of its own ({@code migration-vet}), at most {@value #MAX_PENDING} at
 * once, each within one link timeout: the TLS handshake with the client's name checked against the authz list
 * (when TLS is on), then a {@link ChannelHello} of this migration. A hello for a page channel not yet joined
 * joins it ({@link #channels}); once every page channel has joined, a hello for channel 0 is a reconnect after a
 * post-copy cut ({@link #resume}), and with a preempt connection one for index 1 is that reconnect's preempt
 * connection ({@link #resumePreempt}). Anything else (a plaintext peer, a wrong certificate, a stalled handshake,
 * garbage, another migration's hello, a channel twice) is closed and counted ({@link #refused()}), and never
 * delays the right connections: a stalled peer holds only its own vetting thread, until its deadline.
 *
 * <p>Thread-safety: {@link #channels} and {@link #resume} are called by the destination's threads, {@link
 * #close()} by any; the vetting threads hand over through a blocking queue and a synchronized join table.
 * {@link #close()} closes the server socket, every connection still being vetted and every admitted one not
 * taken, and waits (bounded) for the accepting thread: no thread or socket of its outlives it by more than a
 * link timeout.
 */
final class Admission implements AutoCloseable
{
    /** Most connections vetted at once; beyond it a new one is closed at once. */
    static final int MAX_PENDING = 64;

    private final ServerSocketChannel server;
    private final TlsConfig tls;
    private final long channelsId;
    private final boolean recover;
    private final long resumeId;
    private final long timeoutMs;
    private final PeerSocket[] joined;
    private int joinedCount;
    private final LinkedBlockingQueue<PeerSocket> resumes = new LinkedBlockingQueue<>();
    /** Reconnects' preempt connections (hello index 1), when the migration has one. */
    private final LinkedBlockingQueue<PeerSocket> preemptResumes = new LinkedBlockingQueue<>();
    private final boolean preempt;
    private final Set<SocketChannel> pending = ConcurrentHashMap.newKeySet();
    private final Semaphore slots = new Semaphore(MAX_PENDING);
    private final AtomicLong refused = new AtomicLong();
    private final Thread acceptor;
    private volatile boolean closed;

    /**
     * Starts accepting.
     *
     * @param tls        the destination's TLS, or null in clear.
     * @param channelsId the id the page channels' hellos carry ({@link ChannelHello}).
     * @param recover    whether the source may reconnect after a post-copy cut.
     * @param resumeId   the id a reconnect's hello carries.
     * @param channels   page channels still to join (0: the pages travel on the main connection), the preempt
     *                   connection counted as the last.
     * @param preempt    whether a reconnect brings a preempt connection too (hello index 1).
     */
    Admission(final ServerSocketChannel server, final TlsConfig tls, final long channelsId, final boolean recover,
        final long resumeId, final int channels, final boolean preempt, final long timeoutMs)
    {
        this.preempt = preempt;
        this.server = server;
        this.tls = tls;
        this.channelsId = channelsId;
        this.recover = recover;
        this.resumeId = resumeId;
        this.timeoutMs = timeoutMs;
        this.joined = new PeerSocket[channels];
        this.acceptor = new Thread(this::acceptLoop, "migration-accept");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    /**
     * Waits until every page channel has joined.
     *
     * @return the channels' connections, in channel order; they belong to the caller.
     * @throws SocketTimeoutException naming how many joined, at the deadline.
     */
    synchronized PeerSocket[] channels(final long deadlineNs, final String peer) throws IOException
    {
        while (joinedCount < joined.length)
        {
            final long leftNs = deadlineNs - System.nanoTime();
            if (leftNs <= 0 || closed)
            {
                throw new SocketTimeoutException("only " + joinedCount + " of " + joined.length + " page channels from " +
                    peer + " joined within " + timeoutMs + " ms");
            }
            try
            {
                TimeUnit.NANOSECONDS.timedWait(this, leftNs);
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while page channels joined", ex);
            }
        }
        final PeerSocket[] all = joined.clone();
        Arrays.fill(joined, null);
        return all;
    }

    /** @return the next connection that resumes this migration, or null at the deadline; it belongs to the caller. */
    PeerSocket resume(final long deadlineNs) throws IOException
    {
        return next(resumes, deadlineNs, "the source to reconnect");
    }

    /**
     * @return the next reconnect's preempt connection (the one that follows a {@link #resume}), or null at the
     *         deadline; it belongs to the caller.
     */
    PeerSocket resumePreempt(final long deadlineNs) throws IOException
    {
        return next(preemptResumes, deadlineNs, "the source's preempt connection");
    }

    private static PeerSocket next(final LinkedBlockingQueue<PeerSocket> queue, final long deadlineNs,
        final String what) throws IOException
    {
        try
        {
            return queue.poll(Math.max(0, deadlineNs - System.nanoTime()), TimeUnit.NANOSECONDS);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while waiting for " + what, ex);
        }
    }

    /** @return connections closed without joining: refused by TLS or authz, bad hellos, stalls, over the limit. */
    long refused()
    {
        return refused.get();
    }

    private void acceptLoop()
    {
        while (!closed)
        {
            final SocketChannel channel;
            try
            {
                channel = server.accept();
            }
            catch (final IOException ex)
            {
                return; // the server socket was closed: admission is over
            }
            if (closed || !slots.tryAcquire())
            {
                close(channel);
                continue;
            }
            pending.add(channel);
            if (closed)
            {
                close(channel);
                pending.remove(channel);
                slots.release();
                continue;
            }
            final Thread vet = new Thread(() -> vet(channel), "migration-vet");
            vet.setDaemon(true);
            vet.start();
        }
    }

    private void vet(final SocketChannel channel)
    {
        final long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        try
        {
            final PeerSocket socket = PeerSocket.accepted(channel, tls, timeoutMs);
            final String refusal = tls == null ? null : tls.refusal(socket.session());
            if (refusal != null)
            {
                throw new IOException(refusal);
            }
            final ByteBuffer hello = readHello(socket, deadline);
            socket.untimed();
            if (!admit(socket, hello))
            {
                throw new IOException("not a connection of this migration");
            }
        }
        catch (final IOException | RuntimeException ex)
        {
            close(channel);
        }
        finally
        {
            pending.remove(channel);
            slots.release();
        }
    }

    /** Reads the hello's bytes before the deadline, however slowly the peer sends them. */
    private static ByteBuffer readHello(final PeerSocket socket, final long deadlineNs) throws IOException
    {
        final ByteBuffer b = ByteBuffer.allocate(ChannelHello.LENGTH);
        while (b.hasRemaining())
        {
            final long leftMs = TimeUnit.NANOSECONDS.toMillis(deadlineNs - System.nanoTime());
            if (leftMs <= 0)
            {
                throw new SocketTimeoutException("no hello within the link timeout");
            }
            final ReadableByteChannel in = socket.timed(leftMs);
            if (in.read(b) < 0)
            {
                throw new IOException("the connection ended inside its hello");
            }
        }
        return b.flip();
    }

    /** @return whether the hello joined a page channel or offered a reconnect; false: it is refused. */
    private boolean admit(final PeerSocket socket, final ByteBuffer hello) throws IOException
    {
        synchronized (this)
        {
            if (closed)
            {
                return false;
            }
            final boolean joining = joinedCount < joined.length;
            if (!joining && !recover)
            {
                return false;
            }
            final boolean[] taken = new boolean[joining ? joined.length : preempt ? 2 : 1];
            for (int c = 0; joining && c < joined.length; c++)
            {
                taken[c] = joined[c] != null;
            }
            final int c = ChannelHello.read(Channels.newChannel(new ByteArrayInputStream(hello.array(), 0, hello.limit())),
                joining ? channelsId : resumeId, taken);
            pending.remove(socket.channel()); // the caller's now: a close from here on must not take it
            if (joining)
            {
                if (socket.session() != null)
                {
                    SessionTicket.send(socket); // before the channel is the migration's: one byte, never blocks
                }
                joined[c] = socket;
                joinedCount++;
                notifyAll();
                return true;
            }
            // Every channel joined: a channel-0 hello is a reconnect after a cut, index 1 its preempt connection.
            (c == 0 ? resumes : preemptResumes).add(socket);
            return true;
        }
    }

    @Override
    public void close()
    {
        stop();
    }

    /** Ends admission at once (the {@link #close()} of a migration that takes no more connections). */
    void stop()
    {
        synchronized (this)
        {
            closed = true;
            notifyAll();
        }
        try
        {
            server.close();
        }
        catch (final IOException ignored)
        {
            // Closing a server socket that failed already: nothing more to release.
        }
        for (final SocketChannel channel : pending)
        {
            close(channel);
        }
        PeerSocket left;
        while ((left = resumes.poll()) != null || (left = preemptResumes.poll()) != null)
        {
            left.close();
        }
        synchronized (this)
        {
            for (final PeerSocket s : joined)
            {
                if (s != null)
                {
                    s.close();
                }
            }
        }
        try
        {
            acceptor.join(timeoutMs);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }

    private void close(final SocketChannel channel)
    {
        refused.incrementAndGet();
        PeerSocket.close(channel);
    }
}
