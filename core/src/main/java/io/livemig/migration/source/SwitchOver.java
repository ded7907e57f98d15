package io.livemig.migration.source;

import java.io.IOException;
import java.util.zip.CRC32C;

import static io.livemig.migration.wire.MigrationEnvelopeDescriptor.SECTION_COMPLETE;
import static io.livemig.migration.wire.MigrationEnvelopeDescriptor.SECTION_DEVICE;

/**
 * The switch-over: the vCPUs stop (dirty-limit's sleepers woken first, so that they stop at once), the last
 * dirty-log sync is taken, and either the stop-and-copy round, the device state and COMPLETE follow, or
 * post-copy takes over ({@link PostcopyPush}) with the bitmap holding what remains.
 *
 * <p>Not thread-safe: the source's migration thread runs it.
 */
final class SwitchOver
{
    private final SourceSession s;
    private final PrecopyRounds rounds;

    SwitchOver(final SourceSession session, final PrecopyRounds rounds)
    {
        this.s = session;
        this.rounds = rounds;
    }

    /** The last round with the vCPUs stopped, the device state, then COMPLETE. */
    void stopAndCopy(final byte[] deviceState, final String reason) throws IOException
    {
        stop("stop-and-copy", reason);
        s.announce("stop-and-copy", 0);
        s.reportProgress(true);
        rounds.sendRound(s.options.xbzrle() && s.round > 0);
        sendDevice(deviceState);
        if (s.preempt != null)
        {
            s.preempt.finish(); // unused in pre-copy: its stream ends empty
        }
        s.envOut.putByte(SECTION_COMPLETE);
        s.envOut.flush();
        s.switchNs = System.nanoTime();
    }

    /** Stops the vCPUs and takes the last dirty-log sync: what remains is in the bitmap. */
    void stop(final String newPhase, final String reason)
    {
        s.result.reason = reason;
        s.phase = newPhase;
        s.stopNs = System.nanoTime();
        if (s.workload != null)
        {
            s.workload.requestPause();
        }
        if (s.dirtyLimit != null)
        {
            // Ends the penalties after the pause was asked for: a vCPU woken from one stops at its next write,
            // rather than writing unthrottled until the pause reaches it.
            s.dirtyLimit.close();
        }
        if (s.workload != null)
        {
            s.workload.awaitPaused();
        }
        s.writesAtStop = s.writes();
        s.vcpuWritesAtStop = s.vcpuWrites();
        s.log.harvestInto(s.bitmap);
        s.roundRemaining = s.bitmap.cardinality();
    }

    /** DEVICE: the device state with its CRC-32C. */
    void sendDevice(final byte[] deviceState) throws IOException
    {
        final CRC32C crc = new CRC32C();
        crc.update(deviceState, 0, deviceState.length);
        s.envOut.putByte(SECTION_DEVICE);
        s.envOut.putInt(deviceState.length);
        s.envOut.putBytes(deviceState, 0, deviceState.length);
        s.envOut.putInt((int)crc.getValue());
    }
}
