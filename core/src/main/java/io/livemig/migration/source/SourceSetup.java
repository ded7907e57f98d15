package io.livemig.migration.source;

import io.livemig.dirty.AtomicDirtyBitmap;
import io.livemig.dirty.DirtyScanner;
import io.livemig.migration.channel.SenderChannels;
import io.livemig.stream.PageStreamOptions;

import java.io.IOException;

/**
 * The source's setup phase, as QEMU's {@code ram_save_setup}: the envelope's header, the page stream, the
 * migration bitmap all dirty, the page channels' threads, and sync 0, from which on the dirty log collects
 * the writes of round 0.
 *
 * <p>Not thread-safe: the source's migration thread runs it once.
 */
final class SourceSetup
{
    private final SourceSession s;

    SourceSetup(final SourceSession session)
    {
        this.s = session;
    }

    void run() throws IOException
    {
        s.announce("setup", 0);
        s.openStreams(true);
        s.writeEnvelopeHeader();
        s.envOut.flush();
        if (s.preempt != null)
        {
            s.preempt.open();
        }
        s.bitmap = new AtomicDirtyBitmap(s.memory.pageCount(), 0);
        s.scanner = new DirtyScanner(s.bitmap);
        if (s.link.channels() > 1)
        {
            s.channels = new SenderChannels(s.link, s.memory, s.bitmap, PageStreamOptions.defaults()
                .withXbzrle(s.options.xbzrle()).withLz4(s.options.lz4()), s.options.xbzrleCacheBytes(), s.capture,
                s.pageBufferBytes());
        }
        s.bitmap.setAll();
        s.log.harvestInto(s.bitmap); // sync 0: from here on the log collects the writes of round 0
        s.lastSyncNs = System.nanoTime();
        s.result.setupMs = (s.lastSyncNs - s.startNs) / 1e6;
    }
}
