package io.livemig.workload;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Patterns by name, and a trace's replay: order, scaling to another guest size, and its pace. */
class PatternsTest
{
    @TempDir
    Path dir;

    @Test
    void namesMakeTheirPatterns() throws IOException
    {
        assertEquals("uniform", Patterns.of("uniform", 10).name());
        assertEquals("hotset(h=0.1,p=0.9)", Patterns.of("hotset", 10).name());
        assertEquals("zipf(s=0.99)", Patterns.of("zipf", 10).name());
        assertEquals("sequential", Patterns.of("sequential", 10).name());
        assertFalse(Patterns.of("uniform", 10).isPaced());
        assertEquals("pattern must be uniform, hotset, zipf, sequential or trace:FILE: bogus",
            assertThrows(IllegalArgumentException.class, () -> Patterns.of("bogus", 10)).getMessage());
        assertThrows(IllegalArgumentException.class, () -> Patterns.of("trace:", 10));
        assertThrows(UncheckedIOException.class, () -> Patterns.of("trace:" + dir.resolve("none"), 10));
        final Path bad = Files.writeString(dir.resolve("bad"), "nope\n");
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Patterns.of("trace:" + bad, 10)).getMessage()
            .contains("line 1"));
    }

    @Test
    void aTraceIsReplayedInOrderAtItsPace() throws IOException
    {
        final Path file = Files.writeString(dir.resolve("t.txt"), String.join("\n",
            "livemig-dirty-trace 1", "pages 100", "section 1 0 10-13", "section 2 40 -", "section 3 100 50", ""));
        final AccessPattern trace = Patterns.of("trace:" + file, 100);
        assertTrue(trace.isPaced());
        // intervals of 40 ms, 60 ms (no page) and, the last, the mean of the others: 50 ms; 5 pages in 150 ms
        assertEquals("trace(t.txt: 3 intervals, 5 pages at 33 pages/s)", trace.name());
        final PageSequence one = trace.sequence(1, 0, 1);
        final long[] expected = {10, 11, 12, 13, 50, 10, 11};
        final long[] interval = {10_000_000, 10_000_000, 10_000_000, 10_000_000, 50_000_000, 10_000_000, 10_000_000};
        for (int i = 0; i < expected.length; i++)
        {
            assertEquals(expected[i], one.nextPage(), "write " + i);
            assertEquals(interval[i], one.intervalNanos(), "interval of write " + i);
        }
        // two writers share each interval; each writes half as often
        final PageSequence second = trace.sequence(1, 1, 2);
        assertEquals(11, second.nextPage());
        assertEquals(20_000_000, second.intervalNanos());
        assertEquals(13, second.nextPage());
        assertEquals(11, second.nextPage(), "interval 3 has one page, writer 1 none: it goes on to interval 1");
        // a guest of half the size folds the trace's pages together
        final PageSequence half = Patterns.of("trace:" + file, 50).sequence(1, 0, 1);
        assertEquals(5, half.nextPage());
        assertEquals(5, half.nextPage());
        assertEquals(6, half.nextPage());
    }
}
