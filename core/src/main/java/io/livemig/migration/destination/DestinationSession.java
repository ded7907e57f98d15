package io.livemig.migration.destination;

import io.livemig.kernel.FaultingGuest;
import io.livemig.memory.GuestMemory;
import io.livemig.migration.channel.ReceiverChannels;
import io.livemig.migration.link.MigrationLink;
import io.livemig.migration.postcopy.KernelPostcopyGate;
import io.livemig.migration.postcopy.PostcopyGate;
import io.livemig.migration.result.MigrationResult;
import io.livemig.stream.ChannelInput;
import io.livemig.stream.ChannelOutput;
import io.livemig.stream.read.PageStreamReader;
import io.livemig.workload.GuestWorkload;
import io.livemig.workload.VcpuTarget;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * What one run of the destination role shares among its parts ({@link EnvelopeReader}, {@link
 * DestinationDigests}, {@link DestinationRecovery}, {@link DestinationFigures}): the link and its return path,
 * the memory and its gate, the readers, the page channels, and the instants and flags the result is made of.
 *
 * <p>Thread-safety: the destination's thread writes everything. The instants, flags, failure and counters
 * that others read while it runs (the source's thread in one process, tests, the figures after the join) are
 * volatile; the rest is read only after the destination's thread has been joined, which orders it.
 */
final class DestinationSession
{
    static final int RP_BUFFER_BYTES = 4096;

    volatile MigrationLink link;
    final GuestMemory memory;
    final GuestWorkload workload;
    final GuestMemory mirror;
    final PostcopyGate gate;
    final MigrationResult result = new MigrationResult();
    final int channelCount;
    ChannelOutput rpOut;
    /** The page channels, or null with one channel. */
    ReceiverChannels channels;
    /** Post-copy's preempt connection (the current link's), or null without one. */
    PreemptReceiver preempt;
    /** Every preempt connection's receiver, one per link: their figures add up. */
    final List<PreemptReceiver> preempts = new CopyOnWriteArrayList<>();
    /** CHANNEL_SYNC sections read: rounds every channel must apply before anything else. */
    int announced;
    volatile PageStreamReader reader;
    /** Every main-channel reader, one per link: their stats add up. */
    final List<PageStreamReader> readers = new CopyOnWriteArrayList<>();

    boolean memSizeRead;
    boolean discarded;
    boolean device;
    /** SHUT has been written: with 0 at a pre-copy COMPLETE it is the acknowledgement that hands the guest over. */
    boolean shutSent;
    volatile boolean postcopyStarted;
    /** Where the stream was as this side saw it: setup, precopy, stop-and-copy (from DEVICE), postcopy. */
    volatile String phase = "setup";
    volatile boolean paused;
    volatile long startNs;
    volatile long resumeNs;
    volatile long completeNs;
    /** When this role ended, successfully or not. */
    volatile long endNs;
    volatile long writesAtResume;
    volatile long writesAtComplete;
    volatile Throwable failure;
    /** The partial guest was discarded after a failure before resume. */
    volatile boolean guestDiscarded;
    volatile long wireBytes;
    volatile double cpuMs = Double.NaN;
    volatile double receiversCpuMs = Double.NaN;
    volatile int pauses;
    volatile long pausedNanos;
    volatile long maxPauseNanos;
    volatile long cutNs;

    DestinationSession(final MigrationLink link, final GuestMemory memory, final GuestWorkload workload,
        final GuestMemory mirror)
    {
        this.link = link;
        this.channelCount = link.channels();
        this.memory = memory;
        this.workload = workload;
        this.mirror = mirror;
        this.rpOut = new ChannelOutput(link.destinationOut(), RP_BUFFER_BYTES);
        this.gate = memory.placer() instanceof FaultingGuest kernel ?
            new KernelPostcopyGate(kernel, memory.pageSize(), memory.blockName(), rpOut) :
            new PostcopyGate(memory.pageCount(), memory.pageSize(), memory.blockName(),
                workload == null ? 1 : workload.writerCount(), rpOut);
    }

    /** @return an input over {@code from}'s forward stream, large enough for any page record. */
    ChannelInput input(final MigrationLink from)
    {
        return new ChannelInput(from.destinationIn(), inputBufferBytes());
    }

    int inputBufferBytes()
    {
        return Math.max(256 << 10, PageStreamReader.requiredBufferBytes(memory.pageSize()));
    }

    /** @return whether vCPUs block in kernel faults (userfaultfd MISSING) rather than at a software gate. */
    boolean kernelFaults()
    {
        return gate.vcpuGate() == null;
    }

    /** Resumes the guest's vCPUs here, behind {@code withGate}'s software gate if any (post-copy). */
    void resume(final PostcopyGate withGate)
    {
        if (workload != null)
        {
            workload.startOrResume(new VcpuTarget(memory, withGate == null ? null : withGate.vcpuGate(), mirror));
            resumeNs = System.nanoTime();
            writesAtResume = workload.writes();
            return;
        }
        resumeNs = System.nanoTime();
    }
}
