package io.livemig.bench.migration;

import io.livemig.bench.BenchJvm;
import io.livemig.bench.state.BenchTls;
import io.livemig.migration.LinkCopy;
import io.livemig.migration.link.MigrationLink;
import io.livemig.migration.link.TcpLink;
import io.livemig.migration.tls.TlsConfig;
import io.livemig.migration.result.MigrationResult;
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
import java.lang.management.ManagementFactory;
import java.util.concurrent.TimeUnit;

/**
 * Page channels (QEMU's multifd) on TCP loopback: {@link LargeGuestBenchmark}'s 1 GiB guest, idle ({@code
 * fill=0}) or written once ({@code fill=1.0}), migrated at unlimited bandwidth over 1, 2 or 4 channels, as
 * {@code scripts/migrate --memory 1g --writers 0 --fill F --bandwidth 0 --link tcp --channels N}. The issue's
 * goal: the written guest at 3 GB/s or more with the best N on the 2-core machine (one channel: 1.6-1.8 GB/s).
 *
 * <p>The score is one shot (link opening included); the {@link Figures} counters give the migration's own
 * {@code totalMs} and GB/s of guest memory moved, the process's CPU seconds per GB moved (every thread: the
 * JVM's {@code getProcessCpuTime} around the shot), and the same split by the migration's threads (the
 * source's migration thread, its senders, the destination's thread, its receivers; from each thread's own
 * CPU clock), so that where the machine cannot reach the goal the run shows where the CPU goes.
 *
 * <p>Baseline: {@code baselineLoopbackCopy}, every page of a 1 GiB guest copied raw over the same N loopback
 * connections in the same run, by a sender and a receiver thread per connection ({@link LinkCopy}): what a
 * plain copy loop pays for the bytes that the written guest's migration sends raw. It takes no {@code fill}: the copy
 * costs the same whatever the pages hold. Its {@link Figures} have GB/s, CPU per GB, and the senders' and
 * receivers' CPU in their columns.
 *
 * <p>{@code tls=true} runs every connection inside TLS 1.3 ({@code --tls-creds}: both peers authenticated, one
 * session per connection, the page channels' resuming the main connection's, {@code suite} the one cipher suite
 * offered; JSSE's {@link javax.net.ssl.SSLSocket}
 * streams, fed 64 KiB per call, which JSSE cuts into 16 KiB records). Its baseline is then the floor under an
 * encrypted migration: the same copy over the same N loopback connections through bare {@link
 * javax.net.ssl.SSLEngine} wrap and unwrap loops ({@link EngineLink}). {@link Figures#linkSetupMs} is the time
 * to open the link, the TLS handshakes included: the cost TLS adds before the first page moves (the migration's
 * {@code totalMs} excludes it, as QEMU's does).
 *
 * <p>Thread-safety: JMH's; one benchmark thread.
 */
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 1, batchSize = 1)
@Measurement(iterations = 3, batchSize = 1)
@Fork(value = 1, jvmArgsAppend = {BenchJvm.ADD_OPENS, BenchJvm.MISC_OPENS, BenchJvm.NO_BOUNDS_CHECKS,
    BenchJvm.HEAP_MIN, BenchJvm.HEAP_MAX})
@State(Scope.Benchmark)
public class ChannelsBenchmark
{
    /** Links of two channels a TLS fork opens and closes before its first shot ({@link #warmTls}). */
    static final int WARM_LINKS = 50;

    /**
     * With TLS, the cipher's and the handshakes' code compiled before the first shot, as a migration service's
     * is after its first migrations: {@link EngineLink#warmUp} moves 2 GiB through a pair of engines in memory
     * (without it, shots of the same copy fell from 3.0 s to 0.9 s over five shots), then {@value #WARM_LINKS}
     * links of two channels are opened and closed (each a full handshake and two resumed ones).
     */
    @Setup(Level.Trial)
    public void warmTls() throws IOException
    {
        if (tls)
        {
            EngineLink.warmUp(BenchTls.destination(suite).credentials().context(),
                BenchTls.source(suite).credentials().context(), suite, 2L << 30);
            for (int i = 0; i < WARM_LINKS; i++)
            {
                new TcpLink(0, 2, BenchTls.destination(suite), BenchTls.source(suite)).close();
            }
        }
    }

    /** Page channels (TCP connections). */
    @Param({"1", "2", "4"})
    public int channels;

    /** Every connection inside TLS 1.3, or in clear. */
    @Param({"false", "true"})
    public boolean tls;

    /** The one TLS 1.3 cipher suite offered when {@code tls} ({@code -p suite=...} compares the others). */
    @Param({TlsConfig.DEFAULT_SUITE})
    public String suite;

    /** The migrated guest: a {@link LargeGuestBenchmark} guest, idle or written once. */
    @State(Scope.Benchmark)
    public static class Guest
    {
        /** Fraction of pages written before the migration: 0 (idle) or 1.0 (written once). */
        @Param({"0", "1.0"})
        public double fill;

        /** Guest size (the tests shrink it). */
        public long guestBytes = 1L << 30;

        final LargeGuestBenchmark guest = new LargeGuestBenchmark();

        @Setup(Level.Trial)
        public void setup()
        {
            guest.fill = fill;
            guest.guestBytes = guestBytes;
            guest.setup();
        }

        /** The destination starts empty, as a migration's does: zeroed outside the measurement. */
        @Setup(Level.Invocation)
        public void emptyDestination()
        {
            guest.emptyDestination();
        }

        @TearDown(Level.Trial)
        public void tearDown()
        {
            guest.tearDown();
        }
    }

    /** The baseline's pair of guests (idle: a raw copy costs the same whatever the pages hold). */
    @State(Scope.Benchmark)
    public static class Pair
    {
        /** Guest size (the tests shrink it). */
        public long guestBytes = 1L << 30;

        final LargeGuestBenchmark guest = new LargeGuestBenchmark();
        LinkCopy copy;

        @Setup(Level.Trial)
        public void setup()
        {
            guest.fill = 0;
            guest.guestBytes = guestBytes;
            guest.setup();
            copy = new LinkCopy(guest.source(), guest.destination());
        }

        @TearDown(Level.Trial)
        public void tearDown()
        {
            guest.tearDown();
        }
    }

    /** The shot's figures; CPU in seconds per GB (10^9 bytes) of guest memory moved. */
    @AuxCounters(AuxCounters.Type.EVENTS)
    @State(Scope.Thread)
    public static class Figures
    {
        public double totalMs;
        public double gbPerSecond;
        public double cpuSecondsPerGb;
        public double migrationCpuSecondsPerGb;
        public double sendersCpuSecondsPerGb;
        public double destinationCpuSecondsPerGb;
        public double receiversCpuSecondsPerGb;
        /** Time to open the link, ms: connections, and with TLS every handshake. */
        public double linkSetupMs;

        @Setup(Level.Iteration)
        public void reset()
        {
            totalMs = gbPerSecond = cpuSecondsPerGb = linkSetupMs = 0;
            migrationCpuSecondsPerGb = sendersCpuSecondsPerGb = destinationCpuSecondsPerGb = receiversCpuSecondsPerGb = 0;
        }

        void record(final MigrationResult r, final long guestBytes, final long processCpuNanos)
        {
            if (r.error() != null)
            {
                throw new IllegalStateException("migration failed: " + r.error());
            }
            final double gb = guestBytes / 1e9;
            totalMs = r.totalMs();
            gbPerSecond = gb / (r.totalMs() / 1e3);
            cpuSecondsPerGb = processCpuNanos / 1e9 / gb;
            final double[] cpu = r.cpuMs();
            migrationCpuSecondsPerGb = cpu[0] / 1e3 / gb;
            sendersCpuSecondsPerGb = cpu[1] / 1e3 / gb;
            destinationCpuSecondsPerGb = cpu[2] / 1e3 / gb;
            receiversCpuSecondsPerGb = cpu[3] / 1e3 / gb;
        }

        void recordCopy(final long nanos, final long guestBytes, final long processCpuNanos, final LinkCopy copy)
        {
            final double gb = guestBytes / 1e9;
            totalMs = nanos / 1e6;
            gbPerSecond = gb / (nanos / 1e9);
            cpuSecondsPerGb = processCpuNanos / 1e9 / gb;
            migrationCpuSecondsPerGb = destinationCpuSecondsPerGb = 0;
            sendersCpuSecondsPerGb = copy.sendersCpuNanos() / 1e9 / gb;
            receiversCpuSecondsPerGb = copy.receiversCpuNanos() / 1e9 / gb;
        }
    }

    @Benchmark
    public MigrationResult migrate(final Guest guest, final Figures figures) throws IOException
    {
        final long cpu0 = processCpuNanos();
        final long t0 = System.nanoTime();
        try (TcpLink link = tls ? new TcpLink(0, channels, BenchTls.destination(suite), BenchTls.source(suite)) :
            new TcpLink(0, channels))
        {
            final double setupMs = (System.nanoTime() - t0) / 1e6;
            final MigrationResult r = guest.guest.migrate(link);
            figures.record(r, guest.guestBytes, processCpuNanos() - cpu0);
            if (tls)
            {
                r.tls(link.session(), link.channels() > 1 ? 1 + link.channels() : 1, link.resumedSessions());
            }
            figures.linkSetupMs = setupMs;
            return r;
        }
    }

    /**
     * Baseline: every page copied raw over the same {@code channels} loopback connections; with {@code tls},
     * through bare SSLEngine wrap and unwrap loops ({@link EngineLink}).
     */
    @Benchmark
    public long baselineLoopbackCopy(final Pair pair, final Figures figures) throws IOException, InterruptedException
    {
        final long t0 = System.nanoTime();
        try (MigrationLink link = tls ? new EngineLink(channels, BenchTls.destination(suite).credentials().context(),
            BenchTls.source(suite).credentials().context(), new String[] {suite}) : new TcpLink(0, channels))
        {
            final double setupMs = (System.nanoTime() - t0) / 1e6;
            final long cpu0 = processCpuNanos();
            final long t1 = System.nanoTime(); // from here, as the migration's totalMs: link setup excluded
            pair.copy.copy(link);
            figures.recordCopy(System.nanoTime() - t1, pair.guestBytes, processCpuNanos() - cpu0, pair.copy);
            figures.linkSetupMs = setupMs;
        }
        return pair.guestBytes;
    }

    /** @return the process's CPU time so far, ns (all threads), or 0 where the JVM cannot tell. */
    static long processCpuNanos()
    {
        final java.lang.management.OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
        return os instanceof com.sun.management.OperatingSystemMXBean ?
            Math.max(0, ((com.sun.management.OperatingSystemMXBean)os).getProcessCpuTime()) : 0;
    }

}
