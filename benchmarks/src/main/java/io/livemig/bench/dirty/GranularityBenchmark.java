package io.livemig.bench.dirty;

import io.livemig.bench.BenchJvm;
import io.livemig.dirty.AtomicDirtyBitmap;
import io.livemig.dirty.DirtyLog;
import io.livemig.dirty.DirtyScanner;
import io.livemig.workload.AccessPattern;
import io.livemig.workload.DirtyTrace;
import io.livemig.workload.PageSequence;
import io.livemig.workload.Patterns;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * What one dirty bit should cover: the migration side's cost per round (harvest the guest's log into the
 * migration bitmap, then scan-and-clear every dirty unit) against the transfer amplification a coarse unit
 * causes (a whole unit is sent when any of its pages was written).
 *
 * <p>Workload: a 4 GiB guest of 4 KiB pages ({@value #PAGES} pages); each round the guest writes
 * {@value #WRITES_PER_ROUND} pages (2 % of them, repeats allowed) drawn from the {@link Workload#pattern},
 * seeded, with {@value #ROUNDS} distinct rounds prepared in advance and replayed in turn. Both logs are
 * {@link AtomicDirtyBitmap}s at {@code pagesPerBit} pages per bit, as QEMU's KVM log and migration bitmap.
 *
 * <p>Reported per round: the time of {@link #harvestAndScan} (µs/op), and through {@link Transfer}'s
 * auxiliary counters the pages sent ({@code sentPages}), the distinct pages really written ({@code
 * writtenPages}) and the rounds run ({@code rounds}): amplification = sentPages / writtenPages, 1 at one
 * page per bit. {@link #baselineMemoryRead} reads as many 64-bit words as the two bitmaps hold, the floor of
 * one pass over both.
 *
 * <p>A real guest's dirty trace ({@code pattern = trace:FILE}, a {@link DirtyTrace} recorded from a QEMU
 * stream): each round is one interval of the trace (its non-empty sections in order, at most {@value
 * #MAX_TRACE_ROUNDS}), tiled over the 4 GiB guest (copies of the traced guest side by side, so that the writes
 * keep their clustering and their share of memory; a trace of a larger guest is scaled down). The rounds then
 * hold the trace's pages, not {@value #WRITES_PER_ROUND} writes.
 *
 * <p>Single-threaded: one benchmark thread plays guest (in the untimed per-invocation setup) and migration.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(jvmArgsAppend = {BenchJvm.ADD_OPENS, BenchJvm.MISC_OPENS, BenchJvm.NO_BOUNDS_CHECKS, BenchJvm.HEAP_MIN,
    BenchJvm.HEAP_MAX})
public class GranularityBenchmark
{
    /** Guest size in 4 KiB pages: 4 GiB. */
    public static final int PAGES = 1 << 20;
    /** Page writes per round: 2 % of the guest. */
    public static final int WRITES_PER_ROUND = PAGES / 50;
    /** Distinct prepared rounds, replayed in turn. */
    public static final int ROUNDS = 8;
    /** Hot set: 10 % of the pages take 90 % of the writes. */
    public static final double HOT_FRACTION = 0.1;
    /** Share of the writes that fall in the hot set. */
    public static final double HOT_PROBABILITY = 0.9;
    /** Zipf exponent, as in YCSB. */
    public static final double ZIPF_EXPONENT = 0.99;
    private static final long SEED = 0x6C1FE_6A11L;
    /** Most rounds taken from a trace. */
    public static final int MAX_TRACE_ROUNDS = 64;

    /**
     * @param name one of {@code uniform, hotset, zipf, sequential}.
     * @return the pattern this benchmark names so, over {@code pages} pages.
     */
    public static AccessPattern pattern(final String name, final long pages)
    {
        switch (name)
        {
            case "uniform": return AccessPattern.uniform(pages);
            case "hotset": return AccessPattern.hotSet(pages, HOT_FRACTION, HOT_PROBABILITY);
            case "zipf": return AccessPattern.zipf(pages, ZIPF_EXPONENT);
            case "sequential": return AccessPattern.sequential(pages);
            default: throw new IllegalArgumentException("unknown pattern '" + name +
                "' (expected uniform, hotset, zipf or sequential)");
        }
    }

    /**
     * @param pattern {@code trace:FILE}.
     * @param pages   the guest's pages.
     * @return the trace's non-empty intervals (at most {@value #MAX_TRACE_ROUNDS}), each tiled over {@code
     *         pages}: page {@code p} of a trace of {@code T} pages is written at {@code p + k * T} for every copy
     *         {@code k} that fits, or at {@code p * pages / T} if the trace's guest is larger.
     * @throws IllegalArgumentException if the file is not a trace or dirties nothing.
     */
    public static long[][] traceRounds(final String pattern, final int pages)
    {
        final DirtyTrace trace;
        try
        {
            trace = DirtyTrace.read(Path.of(pattern.substring(Patterns.TRACE.length())));
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
        final long tracePages = trace.pageCount();
        final long copies = Math.max(1, pages / tracePages);
        final List<long[]> rounds = new ArrayList<>();
        for (final DirtyTrace.Entry e : trace.entries())
        {
            if (e.pages().length == 0 || rounds.size() == MAX_TRACE_ROUNDS)
            {
                continue;
            }
            final long[] round = new long[(int)(e.pages().length * copies)];
            int i = 0;
            for (long k = 0; k < copies; k++)
            {
                for (final long p : e.pages())
                {
                    round[i++] = tracePages <= pages ? p + k * tracePages : p * pages / tracePages;
                }
            }
            rounds.add(round);
        }
        if (rounds.isEmpty())
        {
            throw new IllegalArgumentException(pattern + " dirties no page after the first pass");
        }
        return rounds.toArray(new long[0][]);
    }

    /** The guest, its logs, the prepared rounds and the baseline's words; shared by every method. */
    @State(Scope.Thread)
    public static class Workload
    {
        /** Access pattern of the guest's writes; also {@code trace:FILE} (see the class comment). */
        @Param({"uniform", "hotset", "zipf", "sequential"})
        public String pattern;

        /** Pages covered by one dirty bit (a power of two). */
        @Param({"1", "2", "4", "8", "16", "32", "64", "128", "256", "512"})
        public int pagesPerBit;

        DirtyLog guestLog;
        DirtyLog migrationLog;
        DirtyScanner scanner;
        /** The prepared rounds: page numbers written, {@link #WRITES_PER_ROUND} per round (or a trace's). */
        long[][] rounds;
        /** Distinct pages written in each prepared round. */
        long[] distinctPages;
        int nextRound;
        /** Distinct pages of the round the guest wrote last. */
        long writtenThisRound;
        /** The baseline's input: as many words as both bitmaps, seeded. */
        long[] words;

        /** Builds the logs and prepares the rounds. */
        @Setup(Level.Trial)
        public void setUp()
        {
            if (pagesPerBit <= 0 || Integer.bitCount(pagesPerBit) != 1)
            {
                throw new IllegalArgumentException("pagesPerBit must be a power of two: " + pagesPerBit);
            }
            final int shift = Integer.numberOfTrailingZeros(pagesPerBit);
            guestLog = new AtomicDirtyBitmap(PAGES, shift);
            migrationLog = new AtomicDirtyBitmap(PAGES, shift);
            scanner = new DirtyScanner(migrationLog);
            rounds = pattern.startsWith(Patterns.TRACE) ? traceRounds(pattern, PAGES) : patternRounds(pattern);
            distinctPages = new long[rounds.length];
            final BitSet seen = new BitSet(PAGES);
            for (int r = 0; r < rounds.length; r++)
            {
                seen.clear();
                for (final long page : rounds[r])
                {
                    seen.set((int)page);
                }
                distinctPages[r] = seen.cardinality();
            }
            words = new long[2 * guestLog.wordCount()];
            final SplittableRandom random = new SplittableRandom(SEED);
            for (int i = 0; i < words.length; i++)
            {
                words[i] = random.nextLong();
            }
        }

        private static long[][] patternRounds(final String pattern)
        {
            final PageSequence sequence = pattern(pattern, PAGES).sequence(SEED, 0, 1);
            final long[][] rounds = new long[ROUNDS][WRITES_PER_ROUND];
            for (int r = 0; r < ROUNDS; r++)
            {
                for (int i = 0; i < WRITES_PER_ROUND; i++)
                {
                    rounds[r][i] = sequence.nextPage();
                }
            }
            return rounds;
        }

        /** Marks the next prepared round into the guest log. @return the round's distinct pages. */
        long dirtyNextRound()
        {
            final int r = nextRound;
            nextRound = r + 1 == rounds.length ? 0 : r + 1;
            final DirtyLog log = guestLog;
            for (final long page : rounds[r])
            {
                log.mark(page);
            }
            return distinctPages[r];
        }

        /** The timed work of {@link GranularityBenchmark#harvestAndScan}: harvest, then hand out every dirty unit. */
        long round()
        {
            final DirtyLog log = migrationLog;
            final DirtyScanner scanner = this.scanner;
            guestLog.harvestInto(log);
            long sent = 0;
            for (long unit = scanner.next(); unit >= 0; unit = scanner.next())
            {
                sent += log.pagesIn(unit);
            }
            return sent;
        }
    }

    /**
     * The guest's side of a round, untimed: writes (marks) the next prepared round's pages. It also hands the
     * benchmark its {@link Workload}: JMH gives a helper method's state argument its own instance, so the
     * benchmark method must reach the workload through here to see the pages this setup marked.
     */
    @State(Scope.Thread)
    public static class Guest
    {
        Workload workload;

        /** Binds the workload whose guest this is. */
        @Setup(Level.Trial)
        public void bind(final Workload workload)
        {
            this.workload = workload;
        }

        /** Marks the next round into the guest log. */
        @Setup(Level.Invocation)
        public void write()
        {
            workload.writtenThisRound = workload.dirtyNextRound();
        }
    }

    /**
     * Pages sent and pages really written, summed over an iteration; their quotient is the transfer
     * amplification. Reset by JMH before each iteration.
     */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.EVENTS)
    public static class Transfer
    {
        /** Pages sent because their unit was dirty. */
        public long sentPages;
        /** Distinct pages the guest wrote. */
        public long writtenPages;
        /** Rounds run, to turn the sums into per-round figures. */
        public long rounds;
    }

    /**
     * One migration round: harvest the guest log into the migration bitmap, then hand out every dirty unit
     * (its bit cleared before the page would be read) and count the pages that would be sent.
     *
     * @return pages to send this round.
     */
    @Benchmark
    public long harvestAndScan(final Guest guest, final Transfer transfer)
    {
        final Workload workload = guest.workload;
        final long sent = workload.round();
        transfer.sentPages += sent;
        transfer.writtenPages += workload.writtenThisRound;
        transfer.rounds++;
        return sent;
    }

    /** Sums as many 64-bit words as both bitmaps hold, with four independent accumulators. */
    @Benchmark
    public long baselineMemoryRead(final Workload workload)
    {
        final long[] words = workload.words;
        long a = 0, b = 0, c = 0, d = 0;
        int i = 0;
        for (; i + 3 < words.length; i += 4)
        {
            a += words[i];
            b += words[i + 1];
            c += words[i + 2];
            d += words[i + 3];
        }
        for (; i < words.length; i++)
        {
            a += words[i];
        }
        return a + b + c + d;
    }
}
