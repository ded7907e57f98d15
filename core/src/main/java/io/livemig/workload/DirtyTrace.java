package io.livemig.workload;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A real guest's dirty pattern: the pages it dirtied, interval by interval, as a migration saw them (from a QEMU
 * stream, the pages sent in each RAM section after the first pass; {@code io.livemig.qemu.stream.DirtyTraceRecorder}).
 * A text file, documented in docs/qemu.md:
 * <pre>
 *   livemig-dirty-trace 1
 *   page-size 4096
 *   pages 32768
 *   source mix guest, QEMU 7.2.22, xbzrle, 32m/s   (free text; any number of "key value" lines)
 *   section 5 812.5 100-163,4000,4002
 *   section 6 - -
 * </pre>
 * Header lines are {@code key value}; {@code pages} (the guest's page count) is required, {@code page-size}
 * defaults to 4096. Each {@code section} line is one interval: the stream's RAM section number, the time in
 * milliseconds since the migration began when it started ({@code -} if unknown), and the pages dirtied, as
 * ascending, disjoint ranges {@code a} or {@code a-b} (inclusive), comma-separated ({@code -} for none).
 * Lines starting with {@code #} and blank lines are ignored. A page is below {@code pages}; sections and times
 * increase.
 *
 * <p>Immutable; thread-safe.
 */
public final class DirtyTrace
{
    /** The first line of a trace file. */
    public static final String MAGIC = "livemig-dirty-trace 1";
    /** Most pages a trace holds over all its sections. */
    public static final long MAX_PAGES = 1L << 28;

    /**
     * One interval.
     *
     * @param section the stream's RAM section number.
     * @param timeMs  when it started, ms since the migration began; NaN if unknown.
     * @param pages   the pages dirtied, ascending.
     */
    public record Entry(int section, double timeMs, long[] pages)
    {
        @Override
        public boolean equals(final Object o)
        {
            return o instanceof Entry e && e.section == section && Double.compare(e.timeMs, timeMs) == 0 &&
                Arrays.equals(e.pages, pages);
        }

        @Override
        public int hashCode()
        {
            return section * 31 + Arrays.hashCode(pages);
        }

        @Override
        public String toString()
        {
            return "section " + section + " at " + timeMs + " ms: " + pages.length + " pages";
        }
    }

    private final int pageSize;
    private final long pageCount;
    private final Map<String, String> header;
    private final List<Entry> entries;

    /**
     * @param pageSize  the guest's page size.
     * @param pageCount the guest's pages.
     * @param header    other header lines (key without spaces, value one line), in order.
     * @param entries   the intervals, sections and known times increasing, pages ascending and below {@code
     *                  pageCount}.
     * @throws IllegalArgumentException if any of that does not hold.
     */
    public DirtyTrace(final int pageSize, final long pageCount, final Map<String, String> header,
        final List<Entry> entries)
    {
        if (pageSize <= 0 || Integer.bitCount(pageSize) != 1 || pageCount <= 0)
        {
            throw new IllegalArgumentException("trace of " + pageCount + " pages of " + pageSize + " bytes");
        }
        int section = Integer.MIN_VALUE;
        double time = Double.NEGATIVE_INFINITY;
        for (final Entry e : entries)
        {
            if (e.section() <= section || (!Double.isNaN(e.timeMs()) && (e.timeMs() < time || e.timeMs() < 0)))
            {
                throw new IllegalArgumentException("sections and times must increase: " + e);
            }
            section = e.section();
            time = Double.isNaN(e.timeMs()) ? time : e.timeMs();
            for (int i = 0; i < e.pages().length; i++)
            {
                if (e.pages()[i] < 0 || e.pages()[i] >= pageCount || (i > 0 && e.pages()[i] <= e.pages()[i - 1]))
                {
                    throw new IllegalArgumentException("pages must ascend below " + pageCount + ": " + e);
                }
            }
        }
        for (final Map.Entry<String, String> h : header.entrySet())
        {
            if (h.getKey().isEmpty() || h.getKey().contains(" ") || h.getValue().contains("\n"))
            {
                throw new IllegalArgumentException("header line " + h);
            }
        }
        this.pageSize = pageSize;
        this.pageCount = pageCount;
        this.header = new LinkedHashMap<>(header);
        this.entries = List.copyOf(entries);
    }

    /** @return the guest's page size. */
    public int pageSize()
    {
        return pageSize;
    }

    /** @return the guest's pages. */
    public long pageCount()
    {
        return pageCount;
    }

    /** @return the other header lines, in order. */
    public Map<String, String> header()
    {
        return Map.copyOf(header);
    }

    /** @return the intervals. */
    public List<Entry> entries()
    {
        return entries;
    }

    /** @return the pages over all intervals. */
    public long totalPages()
    {
        return entries.stream().mapToLong(e -> e.pages().length).sum();
    }

    /** @return whether every interval has a time. */
    public boolean timed()
    {
        return !entries.isEmpty() && entries.stream().noneMatch(e -> Double.isNaN(e.timeMs()));
    }

    /**
     * @return each interval's length in ms: to the next interval's start, and for the last the mean of the
     *         others (1000 ms if it is the only one); null if the trace is not {@linkplain #timed() timed}.
     */
    public double[] durationsMs()
    {
        if (!timed())
        {
            return null;
        }
        final int n = entries.size();
        final double[] d = new double[n];
        for (int i = 0; i + 1 < n; i++)
        {
            d[i] = entries.get(i + 1).timeMs() - entries.get(i).timeMs();
        }
        d[n - 1] = n == 1 ? 1000 : (entries.get(n - 1).timeMs() - entries.get(0).timeMs()) / (n - 1);
        return d;
    }

    /** @return pages dirtied per second over the trace, or NaN if it is not timed or lasts no time. */
    public double pagesPerSecond()
    {
        final double[] d = durationsMs();
        final double total = d == null ? 0 : Arrays.stream(d).sum();
        return total > 0 ? totalPages() * 1000.0 / total : Double.NaN;
    }

    /** Writes this trace to {@code file} in the format above. */
    public void write(final Path file) throws IOException
    {
        try (Writer w = Files.newBufferedWriter(file, StandardCharsets.US_ASCII))
        {
            w.write(MAGIC + "\n");
            w.write("page-size " + pageSize + "\n");
            w.write("pages " + pageCount + "\n");
            for (final Map.Entry<String, String> h : header.entrySet())
            {
                w.write(h.getKey() + " " + h.getValue() + "\n");
            }
            w.write("# section time-ms pages\n");
            for (final Entry e : entries)
            {
                w.write("section " + e.section() + " " + (Double.isNaN(e.timeMs()) ? "-" :
                    String.format(Locale.ROOT, "%.1f", e.timeMs())) + " " + ranges(e.pages()) + "\n");
            }
        }
    }

    private static String ranges(final long[] pages)
    {
        if (pages.length == 0)
        {
            return "-";
        }
        final StringBuilder sb = new StringBuilder();
        int i = 0;
        while (i < pages.length)
        {
            int j = i;
            while (j + 1 < pages.length && pages[j + 1] == pages[j] + 1)
            {
                j++;
            }
            sb.append(sb.length() == 0 ? "" : ",").append(pages[i]);
            if (j > i)
            {
                sb.append('-').append(pages[j]);
            }
            i = j + 1;
        }
        return sb.toString();
    }

    /**
     * Reads a trace file.
     *
     * @throws IOException              if it cannot be read.
     * @throws IllegalArgumentException if it is not a trace: the message names the file, the line and what
     *                                  is wrong.
     */
    public static DirtyTrace read(final Path file) throws IOException
    {
        try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.US_ASCII))
        {
            return parse(in, file.toString());
        }
        catch (final java.nio.charset.MalformedInputException ex)
        {
            throw new IllegalArgumentException("trace " + file + ": not ASCII text");
        }
    }

    private static DirtyTrace parse(final BufferedReader in, final String name) throws IOException
    {
        final Map<String, String> header = new LinkedHashMap<>();
        final List<Entry> entries = new ArrayList<>();
        int pageSize = 4096;
        long pageCount = -1;
        long total = 0;
        String line;
        int number = 0;
        while ((line = in.readLine()) != null)
        {
            number++;
            final String where = "trace " + name + " line " + number + ": ";
            if (number == 1)
            {
                if (!line.strip().equals(MAGIC))
                {
                    throw new IllegalArgumentException(where + "expected \"" + MAGIC + "\", found \"" +
                        abbreviate(line) + "\"");
                }
                continue;
            }
            final String text = line.strip();
            if (text.isEmpty() || text.startsWith("#"))
            {
                continue;
            }
            final String[] words = text.split("\\s+", 2);
            final String value = words.length > 1 ? words[1] : "";
            try
            {
                if (words[0].equals("section"))
                {
                    if (pageCount < 0)
                    {
                        throw new IllegalArgumentException("\"pages\" must come before the first section");
                    }
                    final Entry e = entry(value, pageCount);
                    total += e.pages().length;
                    if (total > MAX_PAGES)
                    {
                        throw new IllegalArgumentException("more than " + MAX_PAGES + " pages in all");
                    }
                    entries.add(e);
                }
                else if (!entries.isEmpty())
                {
                    throw new IllegalArgumentException("header line \"" + abbreviate(words[0]) + "\" after a section");
                }
                else if (words[0].equals("pages"))
                {
                    pageCount = Long.parseLong(value);
                    if (pageCount <= 0)
                    {
                        throw new IllegalArgumentException("pages must be positive: " + value);
                    }
                }
                else if (words[0].equals("page-size"))
                {
                    pageSize = Integer.parseInt(value);
                    if (pageSize < 512 || Integer.bitCount(pageSize) != 1)
                    {
                        throw new IllegalArgumentException("page-size must be a power of two: " + value);
                    }
                }
                else
                {
                    header.put(words[0], value);
                }
                new DirtyTrace(pageSize, Math.max(pageCount, 1), Map.of(),
                    entries.isEmpty() ? List.of() : entries.subList(Math.max(0, entries.size() - 2), entries.size()));
            }
            catch (final NumberFormatException ex)
            {
                throw new IllegalArgumentException(where + "not a number: " + ex.getMessage());
            }
            catch (final IllegalArgumentException ex)
            {
                throw new IllegalArgumentException(where + ex.getMessage());
            }
        }
        if (number == 0)
        {
            throw new IllegalArgumentException("trace " + name + " is empty");
        }
        if (pageCount < 0)
        {
            throw new IllegalArgumentException("trace " + name + " has no \"pages\" line");
        }
        return new DirtyTrace(pageSize, pageCount, header, entries);
    }

    private static Entry entry(final String text, final long pageCount)
    {
        final String[] parts = text.split("\\s+");
        if (parts.length != 3)
        {
            throw new IllegalArgumentException("a section is \"section NUMBER TIME-MS PAGES\", not \"section " +
                abbreviate(text) + "\"");
        }
        final int section = Integer.parseInt(parts[0]);
        final double time = parts[1].equals("-") ? Double.NaN : Double.parseDouble(parts[1]);
        if (!Double.isNaN(time) && !(time >= 0 && time < 1e12))
        {
            throw new IllegalArgumentException("time must be a number of ms or -: " + parts[1]);
        }
        final List<long[]> ranges = new ArrayList<>();
        long count = 0;
        if (!parts[2].equals("-"))
        {
            for (final String range : parts[2].split(",", -1))
            {
                final int dash = range.indexOf('-');
                final long first = Long.parseLong(dash < 0 ? range : range.substring(0, dash));
                final long last = dash < 0 ? first : Long.parseLong(range.substring(dash + 1));
                if (first < 0 || last < first || last >= pageCount)
                {
                    throw new IllegalArgumentException("range " + abbreviate(range) + " is not within 0-" +
                        (pageCount - 1));
                }
                count += last - first + 1;
                if (count > pageCount)
                {
                    throw new IllegalArgumentException("more pages than the guest has");
                }
                ranges.add(new long[] {first, last});
            }
        }
        final long[] pages = new long[(int)count];
        int i = 0;
        for (final long[] r : ranges)
        {
            for (long p = r[0]; p <= r[1]; p++)
            {
                pages[i++] = p;
            }
        }
        return new Entry(section, time, pages);
    }

    private static String abbreviate(final String text)
    {
        return text.length() <= 40 ? text : text.substring(0, 40) + "...";
    }
}
