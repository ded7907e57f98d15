package io.livemig.migration.source;

import io.livemig.dirty.DirtyScanner;
import io.livemig.migration.link.Reconnect;
import io.livemig.migration.options.MigrationMode;
import io.livemig.stream.write.PageStreamWriter;

import java.io.IOException;

import static io.livemig.migration.wire.MigrationEnvelopeDescriptor.SECTION_COMPLETE;
import static io.livemig.migration.wire.MigrationEnvelopeDescriptor.SECTION_DISCARD;
import static io.livemig.migration.wire.MigrationEnvelopeDescriptor.SECTION_POSTCOPY_RUN;

/**
 * Post-copy on the source, as QEMU's {@code postcopy-ram.c}: the vCPUs stop, the last sync is taken, the
 * dirty pages are announced (DISCARD), the device state sent and the destination told to run (POSTCOPY_RUN).
 * Then the source pushes every remaining page once, in bitmap order, and before each page serves the requests
 * of faulting vCPUs, each with a window of pages around it (pre-paging), continuing the push after the fault
 * as QEMU's page search does; every page is claimed with an atomic test-and-clear of its bit, so none is sent
 * twice. Post-copy pages never use XBZRLE. With recovery on, a cut pauses here and {@link SourceRecovery}
 * brings the push back on a new link.
 *
 * <p>With a preempt connection ({@link PreemptSender}) the return-path thread sends each requested page itself,
 * at once; the push then only follows the faults: after each it continues from the page after the one served
 * (QEMU's locality hint), so pre-paging and the hint are one mechanism, the window being what the push sends
 * next. {@code --prepage 0} turns the following off in both cases. A huge page being pushed is not cut in
 * chunks for a request, as QEMU's preempt does: the request takes the other connection, and the link's
 * bandwidth lets its bytes go first ({@code TokenBucket#acquireUrgent}), so it waits for no pushed byte.
 *
 * <p>Not thread-safe: the source's migration thread runs it; requests arrive through the session's queue.
 */
final class PostcopyPush
{
    private final SourceSession s;
    private final SwitchOver switchOver;
    private final SourceRecovery recovery;
    private final SourceFinish finish;

    PostcopyPush(final SourceSession session, final SwitchOver switchOver, final SourceRecovery recovery,
        final SourceFinish finish)
    {
        this.s = session;
        this.switchOver = switchOver;
        this.recovery = recovery;
        this.finish = finish;
    }

    /** Switches to post-copy and pushes every page the destination lacks, recovering from cuts where allowed. */
    void run(final byte[] deviceState, final String reason) throws IOException
    {
        switchOver.stop("postcopy", reason);
        sendDiscard();
        switchOver.sendDevice(deviceState);
        if (s.preempt != null)
        {
            s.preempt.activate(); // before POSTCOPY_RUN: no request can come earlier
        }
        s.envOut.putByte(SECTION_POSTCOPY_RUN);
        final Reconnect reconnect = recovery.reconnect();
        boolean ramOpen = false;
        while (true)
        {
            try
            {
                if (!ramOpen)
                {
                    s.startRamSection();
                    s.postcopyRunSent = true; // flushed: the guest is the destination's now (resumeIfOwner)
                    ramOpen = true;
                    s.switchNs = System.nanoTime();
                }
                pushAndServe();
                if (s.preempt != null)
                {
                    s.preempt.finish(); // every requested page is on the wire before COMPLETE
                }
                s.writer.writeEos();
                s.pageOut.flush();
                s.envOut.putByte(SECTION_COMPLETE);
                s.envOut.flush();
                if (reconnect != null)
                {
                    finish.endStream(); // a cut before SHUT is recovered from like one during the pages
                }
                break;
            }
            catch (final IOException | IllegalStateException ex)
            {
                if (reconnect == null || s.returnPath.shutCode() > 0)
                {
                    throw ex;
                }
                if (!recovery.pauseAndRecover(reconnect, ex))
                {
                    // The destination had every page and wrote SHUT 0 before the cut: it owns the guest, done.
                    s.postcopyRunSent = true;
                    s.returnPath.assumeAcked();
                    s.streamFinished = true;
                    break;
                }
                s.postcopyRunSent = true; // the destination took a recovery link: it runs in post-copy
                ramOpen = true;
                if (s.switchNs == 0)
                {
                    s.switchNs = System.nanoTime();
                }
            }
        }
        if (s.options.mode() == MigrationMode.POSTCOPY)
        {
            s.result.converged = true;
        }
    }

    /** DISCARD: every run of pages dirty in the bitmap, which the destination must fetch again. */
    private void sendDiscard() throws IOException
    {
        final long pages = s.bitmap.size();
        int runs = 0;
        for (long u = s.bitmap.nextDirty(0); u >= 0; u = s.bitmap.nextDirty(runEnd(u, pages)))
        {
            runs++;
        }
        s.envOut.putByte(SECTION_DISCARD);
        s.envOut.putInt(runs);
        for (long u = s.bitmap.nextDirty(0); u >= 0; )
        {
            final long end = runEnd(u, pages);
            s.envOut.putLong(u);
            s.envOut.putInt((int)(end - u));
            u = s.bitmap.nextDirty(end);
        }
    }

    /** @return the first clean unit after {@code u}, runs capped at 2^31 pages. */
    private long runEnd(final long u, final long pages)
    {
        long end = u + 1;
        while (end < pages && end - u < Integer.MAX_VALUE && s.bitmap.isDirty(end))
        {
            end++;
        }
        return end;
    }

    private void pushAndServe() throws IOException
    {
        final DirtyScanner scanner = s.scanner;
        final PageStreamWriter writer = s.writer;
        final PreemptSender preempt = s.preempt;
        final boolean followFaults = s.options.prepageWindow() > 0;
        long followed = -1;
        long pushed = 0;
        while (true)
        {
            if (serveRequests())
            {
                s.pageOut.flush();
            }
            if (preempt != null)
            {
                final long from = preempt.follow();
                if (from != followed)
                {
                    // A fault was served on the preempt connection: the push continues right after it.
                    followed = from;
                    if (followFaults)
                    {
                        scanner.seek(from < s.bitmap.size() ? from : 0);
                    }
                }
            }
            final long unit = scanner.next();
            if (unit < 0)
            {
                break;
            }
            writer.writePage(unit, false);
            s.result.pushedPages++;
            pushed++;
            s.roundRemaining--;
            if ((pushed & 255) == 0)
            {
                s.reportProgress(false);
                s.returnPath.check();
            }
        }
    }

    /** Sends the pages faults asked for, each with its pre-paging window; @return whether any was sent. */
    private boolean serveRequests() throws IOException
    {
        final long pages = s.bitmap.size();
        final int window = s.options.prepageWindow();
        boolean any = false;
        long page;
        while ((page = s.requests.poll()) >= 0)
        {
            if (s.bitmap.testAndClear(page))
            {
                s.writer.writePage(page, false);
                s.result.requestedPages++;
                s.roundRemaining--;
                any = true;
            }
            final long lo = Math.max(0, page - window / 2);
            final long hi = Math.min(pages, lo + window + 1);
            for (long p = lo; p < hi; p++)
            {
                if (p != page && s.bitmap.testAndClear(p))
                {
                    s.writer.writePage(p, false);
                    s.result.prepagedPages++;
                    s.roundRemaining--;
                    any = true;
                }
            }
            if (window > 0)
            {
                // Continue the background push after the fault, as QEMU's page search does.
                s.scanner.seek(hi < pages ? hi : 0);
            }
        }
        return any;
    }
}
