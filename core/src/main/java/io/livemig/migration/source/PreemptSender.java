package io.livemig.migration.source;

import io.livemig.migration.link.MigrationLink;
import io.livemig.migration.postcopy.RequestQueue;
import io.livemig.stream.ChannelOutput;
import io.livemig.stream.PageStreamOptions;
import io.livemig.stream.write.PageStreamWriter;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

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
 * that arrives while this sender is not active (before post-copy runs, and during a recovery, while the
 * migration bitmap is rebuilt) goes to the push's queue, as without preempt: the push's thread serves it after
 * the rebuild, so no page is claimed from a bitmap being rebuilt and sent twice.
 *
 * <p>After a post-copy cut ({@link SourceRecovery}) the sender {@link #pause pauses}, then {@link #reattach}es to
 * the new link's preempt connection (a new stream, MEM_SIZE first) and is activated again once the bitmap holds
 * exactly what the destination lacks; what was in flight on the old connection is among it.
 *
 * <p>Thread-safety: {@link #request} on the return-path thread; the rest on the migration thread. The writer is
 * used under this object's lock (uncontended but at the end and at a reattach); the writer reference, the hint
 * and the counters are volatile, so figures are read without the lock.
 */
final class PreemptSender
{
    private final SourceSession s;
    private final RequestQueue fallback;
    private final PageStreamOptions stream;
    /** Writers of connections given up after cuts: their figures still count. */
    private final List<PageStreamWriter> retired = new CopyOnWriteArrayList<>();
    private ChannelOutput out; // guarded by this
    private volatile PageStreamWriter writer;
    private volatile boolean active;
    private boolean finished; // guarded by this
    /** The page after the last one served here, -1 before the first: where the push continues. */
    private volatile long follow = -1;
    private volatile long pages;

    PreemptSender(final SourceSession session, final RequestQueue fallback)
    {
        this.s = session;
        this.fallback = fallback;
        this.stream = PageStreamOptions.defaults().withLz4(session.options.lz4());
        connect(session.link);
    }

    /** Caller holds the lock, or constructs. */
    private void connect(final MigrationLink link)
    {
        out = new ChannelOutput(link.sourcePreempt(), s.pageBufferBytes());
        writer = new PageStreamWriter(out, s.memory, stream);
    }

    /** Setup: the connection's MEM_SIZE, so the destination's reader knows the block before any page. */
    synchronized void open() throws IOException
    {
        writer.writeMemSize();
        out.flush();
    }

    /** Post-copy runs (or runs again after a recovery): requests from now on are served here. */
    void activate()
    {
        active = true;
    }

    /** A cut: requests go to the push's queue until {@link #activate}. */
    void pause()
    {
        active = false;
    }

    /** Takes {@code next}'s preempt connection after a cut: a new stream on it, MEM_SIZE first. */
    synchronized void reattach(final MigrationLink next) throws IOException
    {
        if (!retired.contains(writer))
        {
            retired.add(writer);
        }
        connect(next);
        finished = false;
        open();
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

    /** @return pages sent on the preempt connections. */
    long pages()
    {
        return pages;
    }

    /** @return bytes sent on the preempt connections (acquire loads: the progress line reads them while pages go). */
    long wireBytes()
    {
        long bytes = writer.stats().wireBytes();
        for (final PageStreamWriter w : retired)
        {
            bytes += w.stats().wireBytes();
        }
        return bytes;
    }

    /** @return the current connection's writer, then those of connections given up: their figures join the result's. */
    List<PageStreamWriter> writers()
    {
        final List<PageStreamWriter> all = new ArrayList<>();
        final PageStreamWriter current = writer;
        if (!retired.contains(current))
        {
            all.add(current);
        }
        all.addAll(retired);
        return all;
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
