package io.livemig.migration.destination;

import io.livemig.migration.link.MigrationLink;
import io.livemig.migration.link.Reconnect;
import io.livemig.migration.link.RoleThreads;
import io.livemig.migration.postcopy.PostcopyGate;
import io.livemig.stream.ChannelInput;
import io.livemig.stream.ChannelOutput;
import io.livemig.stream.read.PageStreamReader;

import java.io.IOException;

/**
 * Post-copy recovery on the destination: a failure of the link after POSTCOPY_RUN pauses the role ({@code
 * postcopy-paused}) instead of failing the migration. The vCPUs on pages present here keep running; those that
 * touch a missing page stay parked at the gate. It waits for a new link, sends on the new return path which
 * pages it holds (the gate's received bitmap), asks again for the pages its vCPUs wait for, and reads the new
 * forward stream's header; {@link EnvelopeReader} goes on with a RAM section of every page still absent, then
 * COMPLETE. With a preempt connection its receiver ends with the cut link before the received bitmap is taken (so
 * no page lands behind the bitmap's back), and the new link's receiver applies pages at once. A page record cut short never wrote a page it had not checked whole, and a page only becomes
 * present after it was written whole, so what the destination holds at the cut is exactly what it reports.
 *
 * <p>Not thread-safe: the destination's thread runs it.
 */
final class DestinationRecovery
{
    private final DestinationSession s;
    private final EnvelopeReader envelope;
    private final DestinationDigests digests;
    private final Reconnect reconnect;
    private final long timeoutMs;

    DestinationRecovery(final DestinationSession session, final EnvelopeReader envelope,
        final DestinationDigests digests, final Reconnect reconnect, final long timeoutMs)
    {
        this.s = session;
        this.envelope = envelope;
        this.digests = digests;
        this.reconnect = reconnect;
        this.timeoutMs = timeoutMs;
    }

    /**
     * Waits for new links until one carries the source's header, then reports what is here on it.
     *
     * @return the new forward stream, its header read.
     * @throws IOException naming the cut, when no link brought the header within the timeout.
     */
    ChannelInput pauseAndRecover(final IOException cut) throws IOException
    {
        final long pausedAt = System.nanoTime();
        if (s.cutNs == 0)
        {
            s.cutNs = pausedAt;
        }
        s.paused = true;
        s.gate.pause(pausedAt);
        s.link.close();
        if (s.preempt != null)
        {
            // Its reads fail with the link; once it has ended, what the gate holds is settled for the bitmap.
            s.preempt.begin(true);
            s.preempt.join(PreemptReceiver.END_TIMEOUT_MS);
        }
        final long deadline = pausedAt + timeoutMs * 1_000_000L;
        IOException last = cut;
        while (true)
        {
            final MigrationLink next = reconnect.nextWhilePaused(deadline);
            if (next == null)
            {
                throw new IOException("post-copy paused after \"" + RoleThreads.describe(cut) + "\" was not " +
                    "recovered within the recover timeout of " + timeoutMs + " ms" +
                    (last == cut ? "" : " (last attempt: " + RoleThreads.describe(last) + ")"), cut);
            }
            s.link = next;
            try
            {
                s.rpOut = new ChannelOutput(next.destinationOut(), DestinationSession.RP_BUFFER_BYTES);
                s.gate.reattach(s.rpOut);
                final ChannelInput in = s.input(next);
                envelope.readHeader(in);
                final PageStreamReader previous = s.reader;
                final PageStreamReader r = new PageStreamReader(in, s.memory);
                r.destinationStartsZero(previous.writtenBits());
                digests.attach(r, PostcopyGate.PUSH);
                s.reader = r;
                s.readers.add(r);
                s.memSizeRead = false;
                if (next.preempt())
                {
                    envelope.openPreempt(true);
                }
                final long took = System.nanoTime() - pausedAt;
                s.pausedNanos += took;
                s.maxPauseNanos = Math.max(s.maxPauseNanos, took);
                s.pauses++;
                s.paused = false;
                return in;
            }
            catch (final IOException ex)
            {
                last = ex;
                next.close();
            }
        }
    }
}
