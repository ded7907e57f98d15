package io.livemig.migration;

import io.livemig.dirty.DirtyLog;
import io.livemig.memory.GuestMemory;
import io.livemig.migration.link.MigrationLink;
import io.livemig.migration.options.MigrationOptions;
import io.livemig.migration.result.MigrationResult;
import io.livemig.stream.PageStreamWriter;
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
    /** Reads before it clears. Test-only. */
    static final class ReadBeforeClear extends Migration
    {
        ReadBeforeClear(final MigrationOptions o, final GuestMemory s, final DirtyLog l, final GuestMemory d,
            final GuestWorkload w, final MigrationLink link)
        {
            super(o, s, l, d, w, link);
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
        MigrationResult r = null;
        for (int attempt = 0; attempt < 3; attempt++)
        {
            r = MigrationCorrectnessTest.run("precopy", link, "sequential").factory(ReadBeforeClear::new).run();
            assertNull(r.error(), r.summary());
            if (Boolean.FALSE.equals(r.verified()))
            {
                break;
            }
        }
        final MigrationResult last = r;
        assertEquals(Boolean.FALSE, last.verified(), () -> "the broken engine went unnoticed: " + last.summary());
        assertTrue(!last.mismatchPages().isEmpty() || last.sweepViolation() >= 0);
    }
}
