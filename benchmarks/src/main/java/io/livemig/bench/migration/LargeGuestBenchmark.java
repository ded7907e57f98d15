package io.livemig.bench.migration;

import io.livemig.bench.BenchJvm;
import io.livemig.dirty.AtomicDirtyBitmap;
import io.livemig.dirty.DirtyMarker;
import io.livemig.memory.GuestMemory;
import io.livemig.migration.Migration;
import io.livemig.migration.link.TcpLink;
import io.livemig.migration.options.MigrationOptions;
import io.livemig.migration.result.MigrationResult;
import org.agrona.concurrent.UnsafeBuffer;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.io.IOException;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * A whole 1 GiB guest with no writers, migrated over TCP loopback at unlimited bandwidth, as {@code
 * scripts/migrate --memory 1g --writers 0 --fill F --bandwidth 0 --link tcp --before 0ms --after 0ms} does:
 * {@code fill=0} is the idle guest (every page zero: the zero-page path end to end, QEMU moved it in 56-91 ms
 * on the reference machine), {@code fill=1.0} a guest written once (every page random, sent raw: about 1 GiB
 * on the wire).
 *
 * <p>The score is one shot: opening the TCP link, then {@link Migration#run()} to the destination's resume;
 * the {@link Figures} counters give the migration's own {@code totalMs} (from its start to resume, link
 * setup excluded, the figure {@code scripts/migrate} prints) and GB/s of guest memory moved. The guests are
 * allocated once per fork (2 GiB of off-heap memory, faulted in by zeroing: seconds on a VM), the source
 * written once; before each shot the destination is zeroed again, outside the measurement, since a
 * migration's destination starts empty.
 *
 * <p>Baseline: {@code baselineMemoryRead}, one plain read of every word of the source guest in the same run,
 * the floor under the idle guest's migration (every page is read once by the zero check).
 */
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 1, batchSize = 1)
@Measurement(iterations = 3, batchSize = 1)
@Fork(value = 1, jvmArgsAppend = {BenchJvm.ADD_OPENS, BenchJvm.MISC_OPENS, BenchJvm.NO_BOUNDS_CHECKS,
    BenchJvm.HEAP_MIN, BenchJvm.HEAP_MAX})
@State(Scope.Benchmark)
public class LargeGuestBenchmark
{
    static final int PAGE = 4096;

    /** Fraction of pages written before the migration: 0 (idle) or 1.0 (written once). */
    @Param({"0", "1.0"})
    public double fill;

    /** Guest size (the tests shrink it). */
    public long guestBytes = 1L << 30;

    private GuestMemory source;
    private AtomicDirtyBitmap sourceLog;
    private GuestMemory destination;
    private MigrationOptions options;
    private final UnsafeBuffer view = new UnsafeBuffer(0, 0);

    /** The migration's own figures, one shot per iteration (see {@link MigrationBenchmark.Figures}). */
    @AuxCounters(AuxCounters.Type.EVENTS)
    @State(Scope.Thread)
    public static class Figures
    {
        public double totalMs;
        public double gbPerSecond;

        @Setup(Level.Iteration)
        public void reset()
        {
            totalMs = gbPerSecond = 0;
        }

        void record(final MigrationResult r, final long guestBytes)
        {
            if (r.error() != null)
            {
                throw new IllegalStateException("migration failed: " + r.error());
            }
            totalMs = r.totalMs();
            gbPerSecond = guestBytes / (r.totalMs() * 1e6);
        }
    }

    @Setup(Level.Trial)
    public void setup()
    {
        final long pages = guestBytes / PAGE;
        sourceLog = new AtomicDirtyBitmap(pages, 0);
        source = new GuestMemory(guestBytes, PAGE, sourceLog);
        destination = new GuestMemory(guestBytes, PAGE, DirtyMarker.NONE);
        final SplittableRandom random = new SplittableRandom(7);
        final byte[] page = new byte[PAGE];
        for (long p = 0; p < pages; p++)
        {
            if (random.nextDouble() < fill)
            {
                for (int i = 0; i < PAGE; i += 8)
                {
                    final long v = random.nextLong();
                    for (int b = 0; b < 8; b++)
                    {
                        page[i + b] = (byte)(v >>> (8 * b));
                    }
                }
                source.writePage(p, page, 0);
            }
        }
        options = MigrationOptions.defaults().withBandwidth(0);
    }

    /** The destination starts empty, as a migration's does: zeroed outside the measurement. */
    @Setup(Level.Invocation)
    public void emptyDestination()
    {
        destination.fill(0, guestBytes, (byte)0);
    }

    @TearDown(Level.Trial)
    public void tearDown()
    {
        source.close();
        destination.close();
    }

    @Benchmark
    public MigrationResult migrate(final Figures figures) throws IOException
    {
        final MigrationResult r = migrate(1);
        figures.record(r, guestBytes);
        return r;
    }

    /** One migration of the guest over a TCP link of {@code channels} page channels ({@link ChannelsBenchmark}). */
    MigrationResult migrate(final int channels) throws IOException
    {
        try (TcpLink link = new TcpLink(0, channels))
        {
            return migrate(link);
        }
    }

    /** One migration of the guest over {@code link}, which the caller opened and closes. */
    MigrationResult migrate(final TcpLink link)
    {
        return new Migration(options, source, sourceLog, destination, null, link).run();
    }

    /**
     * Baseline: one plain read of every word of the source guest, page by page through the same view the
     * writer's live zero check uses; the floor under the idle guest's migration, which reads every page once.
     *
     * @return the OR of the words (0 for the idle guest), so the reads are not dead code.
     */
    @Benchmark
    public long baselineMemoryRead()
    {
        final GuestMemory source = this.source;
        final UnsafeBuffer view = this.view;
        long any = 0;
        for (long p = 0, pages = guestBytes / PAGE; p < pages; p++)
        {
            source.wrapPage(p, view);
            for (int i = 0; i < PAGE; i += 32)
            {
                any |= view.getLong(i) | view.getLong(i + 8) | view.getLong(i + 16) | view.getLong(i + 24);
            }
        }
        return any;
    }

    /** @return the guests, for the benchmark's own test. */
    GuestMemory source()
    {
        return source;
    }

    GuestMemory destination()
    {
        return destination;
    }
}
