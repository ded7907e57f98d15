package io.livemig.bench.dirty;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** GranularityBenchmark on a dirty trace: each round is one interval of the trace, tiled over the guest. */
class GranularityTraceTest
{
    @TempDir
    Path dir;

    @Test
    void roundsAreTheTracesIntervalsTiled() throws IOException
    {
        final Path trace = Files.writeString(dir.resolve("t.txt"), String.join("\n", "livemig-dirty-trace 1",
            "pages 1024", "section 2 0 0-1,1023", "section 3 10 -", "section 4 20 512", ""));
        final long[][] rounds = GranularityBenchmark.traceRounds("trace:" + trace, 4096);
        assertEquals(2, rounds.length, "the empty interval is left out");
        assertArrayEquals(new long[] {0, 1, 1023, 1024, 1025, 2047, 2048, 2049, 3071, 3072, 3073, 4095},
            Arrays.stream(rounds[0]).sorted().toArray());
        assertArrayEquals(new long[] {512, 1536, 2560, 3584}, rounds[1]);
        // a trace of a larger guest is scaled down
        assertArrayEquals(new long[] {0, 0, 511}, GranularityBenchmark.traceRounds("trace:" + trace, 512)[0]);

        final GranularityBenchmark.Workload bench = new GranularityBenchmark.Workload();
        bench.pattern = "trace:" + trace;
        bench.pagesPerBit = 64;
        bench.setUp();
        final int copies = GranularityBenchmark.PAGES / 1024;
        assertEquals(3 * copies, bench.dirtyNextRound());
        assertEquals(2L * copies * 64, bench.round(), "pages 0 and 1 share a unit: 2 units per copy of the guest");
        assertEquals(copies, bench.dirtyNextRound());
        bench.round();
        assertEquals(3 * copies, bench.dirtyNextRound(), "the rounds repeat");

        final Path empty = Files.writeString(dir.resolve("e.txt"), "livemig-dirty-trace 1\npages 8\nsection 1 0 -\n");
        assertThrows(IllegalArgumentException.class, () -> GranularityBenchmark.traceRounds("trace:" + empty, 64));
    }
}
