package io.livemig.workload;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The dirty trace file: written and read back the same, its intervals and rate, and each malformed line refused. */
class DirtyTraceTest
{
    @TempDir
    Path dir;

    static DirtyTrace random(final long seed)
    {
        final Random random = new Random(seed);
        final long pages = 1 + random.nextInt(5000);
        final List<DirtyTrace.Entry> entries = new ArrayList<>();
        final boolean timed = random.nextBoolean();
        long tenths = random.nextInt(1000);
        int section = random.nextInt(5);
        for (int e = 0, n = random.nextInt(8); e < n; e++)
        {
            final TreeSet<Long> set = new TreeSet<>();
            for (int i = 0, k = random.nextInt(300); i < k; i++)
            {
                final long start = random.nextInt((int)pages);
                for (long p = start; p < Math.min(pages, start + random.nextInt(20)); p++)
                {
                    set.add(p);
                }
            }
            entries.add(new DirtyTrace.Entry(section, timed ? tenths / 10.0 : Double.NaN,
                set.stream().mapToLong(Long::longValue).toArray()));
            section += 1 + random.nextInt(3);
            tenths += random.nextInt(10_000);
        }
        final Map<String, String> header = new LinkedHashMap<>();
        header.put("source", "a test, seed " + seed);
        return new DirtyTrace(4096, pages, header, entries);
    }

    @Property(tries = 200)
    void writtenTracesReadBackTheSame(@ForAll final long seed) throws IOException
    {
        final DirtyTrace trace = random(seed);
        final Path file = Files.createTempFile("livemig-trace", ".txt");
        final DirtyTrace read;
        try
        {
            trace.write(file);
            read = DirtyTrace.read(file);
        }
        finally
        {
            Files.delete(file);
        }
        assertEquals(trace.pageCount(), read.pageCount());
        assertEquals(trace.entries(), read.entries());
        assertEquals(trace.header(), read.header());
    }

    @Test
    void intervalsAndRate() throws IOException
    {
        final Path file = Files.writeString(dir.resolve("t.txt"), String.join("\n",
            "livemig-dirty-trace 1", "# a comment", "pages 100", "page-size 4096", "source the test", "",
            "section 2 100 0-9,20", "section 3 150.5 -", "section 5 300 99", ""));
        final DirtyTrace trace = DirtyTrace.read(file);
        assertEquals(3, trace.entries().size());
        assertArrayEquals(new long[] {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 20}, trace.entries().get(0).pages());
        assertEquals(12, trace.totalPages());
        assertArrayEquals(new double[] {50.5, 149.5, 100}, trace.durationsMs(), 1e-9);
        assertEquals(12 * 1000.0 / 300, trace.pagesPerSecond(), 1e-9);
        assertEquals(Map.of("source", "the test"), trace.header());
        final DirtyTrace untimed = new DirtyTrace(4096, 10, Map.of(),
            List.of(new DirtyTrace.Entry(1, Double.NaN, new long[] {1})));
        assertEquals(null, untimed.durationsMs());
        assertTrue(Double.isNaN(untimed.pagesPerSecond()));
    }

    @Test
    void malformedTracesAreRefusedWithTheirLine() throws IOException
    {
        final String[][] cases = {
            {"not a trace\npages 10\n", "line 1: expected \"livemig-dirty-trace 1\""},
            {"livemig-dirty-trace 1\nsection 1 0 1\n", "line 2: \"pages\" must come before the first section"},
            {"livemig-dirty-trace 1\npages 10\nsection 1 0 10\n", "line 3: range 10 is not within 0-9"},
            {"livemig-dirty-trace 1\npages 10\nsection 1 0 5-3\n", "line 3: range 5-3"},
            {"livemig-dirty-trace 1\npages 10\nsection 1 0 1,1\n", "line 3: pages must ascend"},
            {"livemig-dirty-trace 1\npages 10\nsection 2 0 1\nsection 2 1 2\n", "line 4: sections and times must increase"},
            {"livemig-dirty-trace 1\npages 10\nsection 2 5 1\nsection 3 1 2\n", "line 4: sections and times must increase"},
            {"livemig-dirty-trace 1\npages 10\nsection 1 0\n", "line 3: a section is"},
            {"livemig-dirty-trace 1\npages x\n", "line 2: not a number"},
            {"livemig-dirty-trace 1\npages 0\n", "line 2: pages must be positive"},
            {"livemig-dirty-trace 1\npages 10\npage-size 3000\n", "line 3: page-size must be a power of two"},
            {"livemig-dirty-trace 1\npages 10\nsection 1 0 1\nsource x\n", "line 4: header line \"source\" after a section"},
            {"livemig-dirty-trace 1\npages 10\nsection 1 -5 1\n", "line 3: time must be a number of ms or -"},
            {"livemig-dirty-trace 1\n", "has no \"pages\" line"},
            {"", "is empty"},
        };
        for (final String[] c : cases)
        {
            final Path file = Files.writeString(dir.resolve("bad.txt"), c[0]);
            final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class, () -> DirtyTrace.read(file),
                c[0]);
            assertTrue(ex.getMessage().startsWith("trace " + file), ex.getMessage());
            assertTrue(ex.getMessage().contains(c[1]), () -> c[0] + " -> " + ex.getMessage());
        }
    }

    @Property(tries = 100)
    void traceSequencesWriteEachIntervalsPagesOnceAcrossWriters(@ForAll final long seed,
        @ForAll @IntRange(min = 1, max = 5) final int writers)
    {
        final DirtyTrace trace = random(seed);
        if (trace.totalPages() == 0)
        {
            assertThrows(IllegalArgumentException.class, () -> new TracePattern("t", trace, trace.pageCount()));
            return;
        }
        final TracePattern pattern = new TracePattern("t", trace, trace.pageCount());
        final List<Long> expected = new ArrayList<>();
        final List<long[]> nonEmpty = new ArrayList<>();
        trace.entries().stream().filter(e -> e.pages().length > 0).forEach(e -> nonEmpty.add(e.pages()));
        final List<List<Long>> byWriter = new ArrayList<>();
        for (int w = 0; w < writers; w++)
        {
            final PageSequence s = pattern.sequence(seed, w, writers);
            final List<Long> got = new ArrayList<>();
            long writes = 0;
            for (final long[] interval : nonEmpty)
            {
                writes += (interval.length - w + writers - 1) / writers;
            }
            for (long i = 0; i < writes; i++)
            {
                got.add(s.nextPage());
            }
            byWriter.add(got);
        }
        // every page of every interval, once, shared out round robin
        for (final long[] interval : nonEmpty)
        {
            for (final long p : interval)
            {
                expected.add(p);
            }
        }
        final List<Long> merged = new ArrayList<>();
        final int[] at = new int[writers];
        for (final long[] interval : nonEmpty)
        {
            for (int j = 0; j < interval.length; j++)
            {
                merged.add(byWriter.get(j % writers).get(at[j % writers]++));
            }
        }
        assertEquals(expected, merged);
        assertEquals(trace.timed(), pattern.isPaced());
    }
}
