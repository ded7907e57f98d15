package io.livemig.migration.source;

import io.livemig.migration.postcopy.RequestQueue;
import io.livemig.stream.ChannelOutput;
import io.livemig.stream.PageStreamOptions;
import io.livemig.stream.write.PageStreamWriter;

import java.io.IOException;

/**
 * Post-copy's preempt connection on the source, QEMU's postcopy-preempt channel: a page that a faulting vCPU
 * asked for is sent at once, on a connection of its own, by the thread that read the request (the return
 * path's), so it never waits behind the push's buffer or the page being pushed. The push keeps the forward
 * stream and, after each request, continues from the page after it ({@link #follow()}: QEMU's locality hint,
 * livemig's pre-paging done by the push).
 *
 * <p>The connection carries a page stream of its own: MEM_SIZE at setup, then the requested pages (never
 * XBZRLE), EOS when the push has ended, before COMPLETE, so that the destination has placed every requested
 * page before it checks that none is missing. A page is claimed with the bitmap's atomic test-and-clear,
 * the same claim the push's scanner makes, so each page goes once, on one of the two connections. A request
 * that arrives before post-copy runs ({@link #activate}) goes to the push's queue, as without preempt.
 *
 * <p>Thread-safety: {@link #request} on the return-path thread; {@link #open}, {@link #activate}, {@link
 * #finish} and the figures on the migration thread. The writer is used under this object's lock (uncontended
 * but at the end); the hint and the counters are volatile.
 */
final class PreemptSender
{
    private final SourceSession s;
    private final RequestQueue fallback;
    private final ChannelOutput out;
    private final PageStreamWriter writer;
    private volatile boolean active;
    private boolean finished; // guarded by this
    /** The page after the last one served here, -1 before the first: where the push continues. */
    private volatile long follow = -1;
    private volatile long pages;

    PreemptSender(final SourceSession session, final RequestQueue fallback)
    {
        this.s = session;
        this.fallback = fallback;
        this.out = new ChannelOutput(session.link.sourcePreempt(), session.pageBufferBytes());
        this.writer = new PageStreamWriter(out, session.memory, PageStreamOptions.defaults().withLz4(session.options.lz4()));
    }

    /** Setup: the connection's MEM_SIZE, so the destination's reader knows the block before any page. */
    synchronized void open() throws IOException
    {
        writer.writeMemSize();
        out.flush();
    }

    /** Post-copy is about to run: requests from now on are served here. */
    void activate()
    {
        active = true;
    }

    /** Return-path thread: page {@code page} was asked for; sends it now unless it went already. */
    void request(final long page) throws IOException
    {
        if (!active)
        {
            fallback.offer(page);
            return;
        }
        synchronized (this)
        {
            if (finished || !s.bitmap.testAndClear(page))
            {
                return; // sent already, by the push or an earlier request
            }
            writer.writePage(page, false);
            out.flush();
            pages++; // one writer: this thread, under the lock
            follow = page + 1;
        }
    }

    /** @return the page after the last one served here, -1 before the first. */
    long follow()
    {
        return follow;
    }

    /** @return pages sent on the preempt connection. */
    long pages()
    {
        return pages;
    }

    /** @return bytes sent on the preempt connection (an acquire load: the progress line reads it while pages go). */
    long wireBytes()
    {
        return writer.stats().wireBytes();
    }

    /** @return the connection's writer, whose figures join the result's. */
    PageStreamWriter writer()
    {
        return writer;
    }

    /** The push has ended (or pre-copy completes): EOS ends the connection's page stream; requests are dropped. */
    synchronized void finish() throws IOException
    {
        if (!finished)
        {
            finished = true;
            writer.writeEos();
            out.flush();
        }
    }
}
