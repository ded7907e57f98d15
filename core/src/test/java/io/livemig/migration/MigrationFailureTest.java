package io.livemig.migration;

import io.livemig.dirty.DirtyMarker;
import io.livemig.dirty.SummaryDirtyBitmap;
import io.livemig.memory.GuestMemory;
import io.livemig.migration.link.MigrationLink;
import io.livemig.migration.options.MigrationMode;
import io.livemig.migration.options.MigrationOptions;
import io.livemig.migration.result.MigrationResult;
import io.livemig.workload.AccessPattern;
import io.livemig.workload.GuestWorkload;
import io.livemig.workload.VcpuTarget;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;

/** A link that breaks mid-migration fails the migration with a message, in every mode, without hanging. */
@Timeout(60)
@SuppressWarnings("try") // the link is closed on purpose inside its try block
class MigrationFailureTest
{
    @ParameterizedTest
    @CsvSource({"precopy, memory", "precopy, tcp", "postcopy, memory", "postcopy, tcp", "hybrid, tcp"})
    void aLinkThatBreaksFailsTheMigration(final String mode, final String kind) throws Exception
    {
        final long pages = 2048;
        final SummaryDirtyBitmap log = new SummaryDirtyBitmap(pages, 0);
        try (GuestMemory src = new GuestMemory(pages * 4096, 4096, log);
             GuestMemory dst = new GuestMemory(pages * 4096, 4096, DirtyMarker.NONE);
             MigrationLink link = MigrationLink.open(kind, 16L << 20, 0);
             GuestWorkload w = new GuestWorkload(AccessPattern.sequential(pages), 1, 20_000, 1, 1))
        {
            for (long p = 0; p < pages; p++)
            {
                src.fill(p * 4096 + 64, 2000, (byte)p);
            }
            w.start(VcpuTarget.of(src));
            final MigrationResult r = new Migration(MigrationOptions.defaults().withMode(MigrationMode.parse(mode))
                .withBandwidth(16L << 20).withDowntimeLimitMs(1).withPostcopyAfterRounds(1), src, log, dst, w, link)
                .progress((phase, round, remaining, dirty, wire, throttle) ->
                {
                    if (remaining < pages / 2)
                    {
                        link.close(); // the cable is pulled half-way through
                    }
                })
                .run();
            assertNotNull(r.error(), r::summary);
            assertFalse(r.converged(), r::summary);
        }
    }
}
