package io.livemig.migration;

import io.livemig.dirty.DirtyMarker;
import io.livemig.kernel.KernelTracking;
import io.livemig.memory.GuestMemory;
import io.livemig.migration.destination.MigrationDestination;
import io.livemig.migration.link.MigrationLink;
import io.livemig.migration.link.SocketLink;
import io.livemig.migration.options.MigrationMode;
import io.livemig.migration.options.MigrationOptions;
import io.livemig.migration.result.MigrationResult;
import io.livemig.migration.wire.ChannelHello;
import io.livemig.migration.wire.Handshake;
import io.livemig.migration.wire.HandshakeReply;
import io.livemig.migration.wire.MigrationRefusedException;
import io.livemig.stream.ChannelInput;
import io.livemig.stream.ChannelOutput;
import io.livemig.stream.PageStreamException;
import io.livemig.workload.GuestWorkload;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;

/**
 * The destination process ({@code scripts/migrate --listen}): waits for one source, reads its {@link
 * Handshake}, refuses what it cannot apply before any page moves, else builds the guest the proposal
 * describes (memory of its size and page size, the same vCPUs, which start on this side after switch-over,
 * or at POSTCOPY_RUN), runs the {@link MigrationDestination} role over the socket, runs the guest for the
 * proposal's after-phase to measure its rate, and returns the destination's result.
 *
 * <p>The vCPUs here are new threads running the same workload from its start: the simulated vCPUs' own
 * state is not part of the device state, so {@code --pattern sequential}'s sweep invariant is checked only
 * in one process; digests verify the memory.
 *
 * <p>When the proposal asks for post-copy recovery, the source sends a migration id after the reply and this
 * side keeps listening: after a cut in post-copy the destination role pauses and accepts connections until
 * one opens with a {@link ChannelHello} of that id for channel 0 (anything else is closed), within {@link
 * #recoverTimeout}; the page stream resumes on it.
 *
 * <p>Not thread-safe: {@link #open()}, then {@link #run} once, on one thread.
 */
public final class MigrationListen implements AutoCloseable
{
    private final InetSocketAddress bind;
    private final long acceptTimeoutMs;
    private final long linkTimeoutMs;
    private ServerSocketChannel server;
    private boolean kernelFaults;
    private long recoverTimeoutMs = MigrationOptions.DEFAULT_RECOVER_TIMEOUT_MS;
    private final List<SocketLink> resumed = new ArrayList<>();

    /** How long one post-copy pause waits for the source to reconnect, if the source asks for recovery. */
    public MigrationListen recoverTimeout(final long ms)
    {
        if (ms < 1)
        {
            throw new IllegalArgumentException("recover timeout must be at least 1 ms: " + ms);
        }
        recoverTimeoutMs = ms;
        return this;
    }

    /**
     * @param bind            address and port to listen on (port 0: an ephemeral port, see {@link #open()}).
     * @param acceptTimeoutMs how long to wait for the source.
     * @param linkTimeoutMs   bound of every read and write that moves no byte.
     */
    public MigrationListen(final InetSocketAddress bind, final long acceptTimeoutMs, final long linkTimeoutMs)
    {
        if (acceptTimeoutMs < 1 || linkTimeoutMs < 1)
        {
            throw new IllegalArgumentException("timeouts must be at least 1 ms: " + acceptTimeoutMs + ", " + linkTimeoutMs);
        }
        this.bind = bind;
        this.acceptTimeoutMs = acceptTimeoutMs;
        this.linkTimeoutMs = linkTimeoutMs;
    }

    /**
     * Post-copy and hybrid migrations received here take their page faults in the kernel (userfaultfd MISSING
     * mode, {@link KernelTracking#openFaulting}) rather than at software gates; pre-copy ones are unchanged.
     * The caller checks {@link KernelTracking#faultsUnavailable()} first.
     */
    public MigrationListen kernelFaults(final boolean value)
    {
        kernelFaults = value;
        return this;
    }

    /** Binds; @return the address sources connect to (with the port chosen when asked for 0). */
    public InetSocketAddress open() throws IOException
    {
        server = ServerSocketChannel.open();
        try
        {
            server.bind(bind, 1 + MigrationLink.MAX_CHANNELS);
        }
        catch (final IOException ex)
        {
            server.close();
            throw new IOException("cannot listen on " + bind + ": " + ex.getMessage(), ex);
        }
        return (InetSocketAddress)server.getLocalAddress();
    }

    /**
     * Waits for one migration and receives it.
     *
     * @param availableBytes memory this process may still allocate, or -1 if unknown (for the refusal).
     * @return the destination's result.
     * @throws MigrationRefusedException if this side refused the source's proposal (the source was told why).
     */
    public MigrationResult run(final long availableBytes) throws IOException, InterruptedException
    {
        try (SocketLink main = SocketLink.accept(server, acceptTimeoutMs, linkTimeoutMs))
        {
            final Handshake proposal = answer(main, availableBytes);
            final long id = proposal.recover() ? ChannelHello.readId(main.channel()) : 0;
            try (SocketLink link = proposal.channels() > 1 ? acceptChannels(main, proposal.channels()) : main)
            {
                if (!proposal.recover())
                {
                    server.close();
                }
                return receive(link, proposal, id);
            }
            finally
            {
                for (final SocketLink l : resumed)
                {
                    l.close();
                }
                server.close();
            }
        }
    }

    /**
     * Paused post-copy: accepts connections until one says it resumes migration {@code id}, or the deadline.
     *
     * @return the new link, or null at the deadline.
     */
    private MigrationLink acceptResume(final long id, final long deadlineNs) throws IOException
    {
        while (true)
        {
            final long leftMs = (deadlineNs - System.nanoTime()) / 1_000_000L;
            if (leftMs <= 0)
            {
                return null;
            }
            final SocketLink link;
            try
            {
                link = SocketLink.accept(server, leftMs, linkTimeoutMs);
            }
            catch (final java.net.SocketTimeoutException ex)
            {
                return null;
            }
            try
            {
                ChannelHello.read(link.channel(), id, new boolean[1]);
                resumed.add(link);
                return link;
            }
            catch (final IOException ex)
            {
                link.close(); // a stray connection, or another migration's: never joined
            }
        }
    }

    /**
     * Accepts the source's page channels ({@link ChannelHello}) within the link timeout: reads the migration id
     * on {@code main}, then accepts connections until every channel has joined, closing any whose hello does
     * not belong to this migration.
     *
     * @return {@code main} with the channels; on failure every socket accepted here is closed.
     */
    private SocketLink acceptChannels(final SocketLink main, final int channels) throws IOException
    {
        final long id = ChannelHello.readId(main.channel());
        final SocketChannel[] sockets = new SocketChannel[channels];
        final boolean[] taken = new boolean[channels];
        final long deadline = System.nanoTime() + linkTimeoutMs * 1_000_000L;
        int joined = 0;
        try
        {
            while (joined < channels)
            {
                final long leftMs = (deadline - System.nanoTime()) / 1_000_000L;
                if (leftMs <= 0)
                {
                    throw new SocketTimeoutException("only " + joined + " of " + channels + " page channels from " +
                        main.peer() + " joined within " + linkTimeoutMs + " ms");
                }
                server.socket().setSoTimeout((int)Math.min(Integer.MAX_VALUE, leftMs));
                final SocketChannel socket;
                try
                {
                    socket = server.socket().accept().getChannel();
                }
                catch (final SocketTimeoutException ex)
                {
                    continue; // the deadline check above names the channels missing
                }
                try
                {
                    socket.socket().setSoTimeout((int)Math.min(Integer.MAX_VALUE, Math.max(1, leftMs)));
                    final int c = ChannelHello.read(Channels.newChannel(socket.socket().getInputStream()), id, taken);
                    socket.socket().setSoTimeout(0);
                    taken[c] = true;
                    sockets[c] = socket;
                    joined++;
                }
                catch (final IOException ex)
                {
                    // A stray connection, or one of another migration: refused, never joined.
                    SocketLink.closeQuietly(socket);
                }
            }
            return main.withChannels(sockets);
        }
        catch (final IOException | RuntimeException ex)
        {
            SocketLink.closeQuietly(sockets);
            throw ex;
        }
    }

    private MigrationResult receive(final SocketLink link, final Handshake proposal, final long id)
        throws IOException, InterruptedException
    {
        final long pages = proposal.memoryBytes() / proposal.pageSize();
        final boolean kernel = kernelFaults && proposal.mode() != MigrationMode.PRECOPY;
        try (GuestMemory memory = kernel ?
            KernelTracking.openFaulting(GuestMemory.DEFAULT_BLOCK_NAME, proposal.memoryBytes(), proposal.pageSize()).memory() :
            new GuestMemory(proposal.memoryBytes(), proposal.pageSize(), DirtyMarker.NONE))
        {
            final GuestWorkload workload = proposal.writers() == 0 ? null : new GuestWorkload(
                RunGuest.pattern(proposal.patternName(), pages), proposal.writers(), proposal.dirtyRate(),
                proposal.bytesPerTouch(), proposal.seed());
            try
            {
                if (workload != null)
                {
                    workload.setComputeVcpus(proposal.computeVcpus());
                }
                final MigrationDestination destination =
                    new MigrationDestination(link, memory, workload, null, proposal.digests());
                if (proposal.recover())
                {
                    destination.recover(deadline -> acceptResume(id, deadline), recoverTimeoutMs);
                }
                destination.run();
                final MigrationResult result = destination.result();
                result.mode = proposal.mode().label();
                result.link = link.name();
                result.channels = proposal.channels();
                result.reason = (result.error() == null ? "received from " : "failed receiving from ") + link.peer();
                if (workload != null && result.error() == null && proposal.afterMs() > 0)
                {
                    final double[] vcpuAfter = new double[proposal.writers()];
                    result.writesPerSecAfter = RunGuest.rate(workload, proposal.afterMs(), vcpuAfter);
                    result.vcpuWritesPerSecAfter = vcpuAfter;
                }
                return result;
            }
            finally
            {
                if (workload != null)
                {
                    workload.close();
                }
            }
        }
    }

    /** Reads the proposal and answers it; @return it if accepted. */
    static Handshake answer(final SocketLink link, final long availableBytes) throws IOException
    {
        Handshake proposal = null;
        String refusal;
        try
        {
            proposal = Handshake.read(new ChannelInput(link.channel(), 4096));
            refusal = proposal.refusal(availableBytes);
        }
        catch (final PageStreamException ex)
        {
            if (ex.getCause() instanceof IOException)
            {
                throw ex; // the connection failed: nobody to answer
            }
            refusal = "byte " + ex.streamOffset() + " of the handshake: " + ex.reason();
        }
        final ChannelOutput out = new ChannelOutput(link.channel(), 2048);
        (refusal == null ? HandshakeReply.accept() : HandshakeReply.refuse(refusal)).write(out);
        out.flush();
        if (refusal != null)
        {
            throw new MigrationRefusedException("refused the migration from " + link.peer() + ": " + refusal);
        }
        return proposal;
    }

    @Override
    public void close() throws IOException
    {
        if (server != null)
        {
            server.close();
        }
    }
}
