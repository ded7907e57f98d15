package io.livemig.migration;

import io.livemig.dirty.DirtyLog;
import io.livemig.memory.GuestMemory;
import io.livemig.migration.link.MigrationLink;
import io.livemig.migration.options.MigrationOptions;
import io.livemig.migration.result.MigrationResult;
import io.livemig.stream.write.PageStreamWriter;
import io.livemig.workload.GuestWorkload;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The checks of {@link MigrationCorrectnessTest} must catch an engine that breaks the invariant: this one
 * reads (sends) every dirty page of a round first and clears the dirty log only after the pass, so every
 * write made while the round ran is lost unless the page is written again later. With the guest stopped
 * right after the last round, the writes of that round stay lost, the destination differs from the source
 * and the sweep shows a second step.
 */
class BrokenEngineTest
{
    /**
     * Reads before it clears. Test-only. So that a write lands while a round runs for certain, not only when the
     * writers happen to get the CPU then, the pass itself acts as a guest once: after it has read the first page
     * of its first round, it writes that page's last byte (which no writer owns), as a vCPU could at that moment.
     */
    static final class ReadBeforeClear extends Migration
    {
        private final GuestMemory source;
        private boolean wrote;

        ReadBeforeClear(final MigrationOptions o, final GuestMemory s, final DirtyLog l, final GuestMemory d,
            final GuestWorkload w, final MigrationLink link)
        {
            super(o, s, l, d, w, link);
            this.source = s;
        }

        @Override
        protected long sendDirtyPages(final boolean allowXbzrle) throws IOException
        {
            final DirtyLog bitmap = migrationBitmap();
            final PageStreamWriter writer = pageWriter();
            long sent = 0;
            for (long u = bitmap.nextDirty(0); u >= 0; u = bitmap.nextDirty(u + 1))
            {
                writer.writePage(u, allowXbzrle); // read ...
                sent++;
                if (!wrote)
                {
                    wrote = true;
                    final long last = u * source.pageSize() + source.pageSize() - 1;
                    source.putByte(last, (byte)(source.getByte(last) + 1)); // a write after the read, in the round
                }
            }
            sourceLog().harvestInto(bitmap); // ... then clear: writes made meanwhile are dropped below
            bitmap.clearRange(0, bitmap.size());
            return sent;
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"memory", "tcp"})
    void verificationCatchesReadBeforeClear(final String link) throws Exception
    {
        final MigrationResult r = MigrationCorrectnessTest.run("precopy", link, "sequential").factory(ReadBeforeClear::new)
            .run();
        assertNull(r.error(), r::summary);
        assertEquals(Boolean.FALSE, r.verified(), () -> "the broken engine went unnoticed: " + r.summary());
        assertTrue(!r.mismatchPages().isEmpty() || r.sweepViolation() >= 0, r::summary);
    }
}
