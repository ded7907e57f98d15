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
import io.livemig.migration.tls.PeerSocket;
import io.livemig.migration.tls.TlsConfig;
import io.livemig.migration.tls.TlsHandshakeTimeoutException;
import io.livemig.migration.wire.ChannelHello;
import io.livemig.migration.wire.Handshake;
import io.livemig.migration.wire.HandshakeReply;
import io.livemig.migration.wire.MigrationRefusedException;
import io.livemig.stream.ChannelInput;
import io.livemig.stream.ChannelOutput;
import io.livemig.stream.PageStreamException;
import io.livemig.workload.GuestContents;
import io.livemig.workload.GuestWorkload;
import io.livemig.workload.WriteRate;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import javax.net.ssl.SSLHandshakeException;

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
 * side keeps listening: after a cut in post-copy the destination role pauses and takes the first connection
 * that opens with a {@link ChannelHello} of that id for channel 0, within {@link #recoverTimeout}; the page
 * stream resumes on it. Page channels and reconnects come through {@link Admission}, which vets every
 * connection concurrently once the migration has begun, so that no stray or hostile peer delays them.
 *
 * <p>With {@link #tls}, every connection is TLS 1.3 with both peers authenticated; the main connection's client
 * name is checked against the authz list before its proposal is answered, and a refused source is told why.
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
    private boolean requirePreempt;
    private long recoverTimeoutMs = MigrationOptions.DEFAULT_RECOVER_TIMEOUT_MS;
    private final List<SocketLink> resumed = new ArrayList<>();
    private TlsConfig tls;

    /** TLS 1.3 on every connection, with this destination's credentials and authz list; null: in clear. */
    public MigrationListen tls(final TlsConfig config)
    {
        tls = config;
        return this;
    }

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

    /**
     * With {@code value}, this destination was given {@code --postcopy-preempt} too, as QEMU's capability is set on
     * both sides: a source that does not ask for the preempt connection is refused, with the reason. Without it
     * the destination follows the source's proposal either way.
     */
    public MigrationListen requirePreempt(final boolean value)
    {
        requirePreempt = value;
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
        try (SocketLink main = acceptMain())
        {
            final Handshake proposal = answer(main, availableBytes, tls, requirePreempt);
            final long resumeId = proposal.recover() ? ChannelHello.readId(main.channel()) : 0;
            final int channels = proposal.channels() > 1 ? proposal.channels() : 0;
            // The preempt connection joins as one more channel, after the page channels (ChannelHello).
            final int joining = channels + (proposal.preempt() ? 1 : 0);
            final long channelsId = joining > 0 ? ChannelHello.readId(main.channel()) : 0;
            if (joining == 0 && !proposal.recover())
            {
                server.close();
            }
            try (Admission admission = joining == 0 && !proposal.recover() ? null :
                new Admission(server, tls, channelsId, proposal.recover(), resumeId, joining, proposal.preempt(),
                    linkTimeoutMs);
                 SocketLink link = joining > 0 ? joined(main, admission, channels, proposal.preempt()) : main)
            {
                if (!proposal.recover() && admission != null)
                {
                    admission.stop(); // every channel joined; nobody else may connect
                }
                final MigrationResult result = receive(link, proposal, admission);
                if (tls != null)
                {
                    result.tls(main.session(), 1 + joining + resumed.size(), link.resumedSessions());
                }
                result.refusedConnections = admission == null ? 0 : admission.refused();
                return result;
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

    /** @return {@code main} with the {@code channels} page channels and, with {@code preempt}, the preempt connection. */
    private SocketLink joined(final SocketLink main, final Admission admission, final int channels,
        final boolean preempt) throws IOException
    {
        final PeerSocket[] all = admission.channels(System.nanoTime() + linkTimeoutMs * 1_000_000L, main.peer());
        return main.withChannels(Arrays.copyOf(all, channels), preempt ? all[channels] : null);
    }

    /** The source's main connection; a TLS handshake that fails is refused in one line. */
    private SocketLink acceptMain() throws IOException
    {
        try
        {
            return SocketLink.accept(server, acceptTimeoutMs, linkTimeoutMs, tls);
        }
        catch (final SSLHandshakeException ex)
        {
            throw new MigrationRefusedException("refused " + ex.getMessage());
        }
        catch (final TlsHandshakeTimeoutException ex)
        {
            throw new MigrationRefusedException("refused the source: " + ex.getMessage());
        }
    }

    /**
     * Paused post-copy: the next connection that resumes this migration, with its preempt connection when the
     * migration has one, or null at the deadline. A reconnect whose preempt connection does not come within the
     * link timeout is closed and the next one awaited; one paired with another attempt's preempt connection (an
     * attempt that died between its two connections) fails its first read, and the destination takes the next.
     */
    private MigrationLink acceptResume(final Admission admission, final long deadlineNs, final boolean preempt)
        throws IOException
    {
        while (true)
        {
            final PeerSocket socket = admission.resume(deadlineNs);
            if (socket == null)
            {
                return null;
            }
            final SocketLink link = SocketLink.destinationEnd(socket, linkTimeoutMs);
            resumed.add(link);
            if (!preempt)
            {
                return link;
            }
            final PeerSocket p = admission.resumePreempt(Math.min(deadlineNs,
                System.nanoTime() + linkTimeoutMs * 1_000_000L));
            if (p == null)
            {
                link.close(); // a reconnect without its preempt connection: wait for the next one
                continue;
            }
            final SocketLink both = link.withChannels(new PeerSocket[0], p);
            resumed.add(both);
            return both;
        }
    }

    private MigrationResult receive(final SocketLink link, final Handshake proposal, final Admission admission)
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
                    destination.recover(deadline -> acceptResume(admission, deadline, proposal.preempt()),
                        recoverTimeoutMs);
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
                    result.writesPerSecAfter = WriteRate.measure(workload, proposal.afterMs(), vcpuAfter);
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

    /**
     * Reads the proposal and answers it. A client that TLS authenticated but the authz list does not name is
     * refused with that reason (its proposal read, so that closing the connection does not reset it before the
     * source reads why).
     *
     * @param tls the destination's TLS, or null in clear.
     * @return the proposal if accepted.
     */
    static Handshake answer(final SocketLink link, final long availableBytes, final TlsConfig tls,
        final boolean requirePreempt) throws IOException
    {
        Handshake proposal = null;
        String refusal;
        try
        {
            proposal = Handshake.read(new ChannelInput(link.channel(), 4096));
            refusal = tls == null ? null : tls.refusal(link.session());
            if (refusal == null)
            {
                refusal = proposal.refusal(availableBytes);
            }
            if (refusal == null && requirePreempt && !proposal.preempt())
            {
                refusal = "this destination was started with --postcopy-preempt, the source does not ask for it " +
                    "(give --postcopy-preempt to both sides, or to neither)";
            }
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
