package io.livemig.bench.migration;

import io.livemig.bench.BenchJvm;
import io.livemig.migration.MigrationRun;
import io.livemig.migration.options.GiveUp;
import io.livemig.migration.options.MigrationMode;
import io.livemig.migration.options.MigrationOptions;
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
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;

/**
 * Whole migrations as single-shot scenarios: a 16 MiB guest with one writer dirtying random pages at
 * {@code ratio} x the link's bandwidth (in pages per second), migrated over a 256 MiB/s in-memory link with
 * a 5 ms downtime limit (the whole guest takes 64 ms to send: the same proportion as QEMU's 300 ms default
 * for 1 GiB at 128 MiB/s, scaled down so that a scenario takes well under a second), in each {@code mode}:
 * <ul>
 *   <li>{@code precopy}: plain pre-copy; {@code precopy-ac}: with auto-converge; {@code precopy-xbzrle}:
 *       with XBZRLE (16 MiB cache); all capped at 8 rounds or 250 ms of pre-copy, then forced through;</li>
 *   <li>{@code postcopy}: switch at once; {@code hybrid}: two pre-copy rounds, then post-copy.</li>
 * </ul>
 * The score is the wall time of one whole scenario (guest setup included); the figures a reader wants are
 * the {@link Figures} aux counters of the migration itself: totalMs, downtimeMs, wireBytes, rounds,
 * faultP99Us, converged (1/0) and switchedToPostcopy (1/0: a hybrid run handed its pre-copy over to
 * post-copy, which the engine reports as not converged although it completed as designed). JMH sums EVENTS
 * counters over the measured iterations, so each iteration records its figure divided by the number of
 * measured iterations: the reported value is the mean per scenario (converged: the fraction of scenarios that
 * converged). {@link #baselineIdle} migrates the same guest with no writers: the floor that every dirty rate
 * is paid on top of.
 *
 * <p>Single-shot: the iteration counts are set here (1 warm-up, 3 measured). A runner that imposes its own
 * iteration counts multiplies this class's run time accordingly.
 */
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 1, batchSize = 1)
@Measurement(iterations = 3, batchSize = 1)
@Fork(value = 1, jvmArgsAppend = {BenchJvm.ADD_OPENS, BenchJvm.MISC_OPENS, BenchJvm.NO_BOUNDS_CHECKS,
    BenchJvm.HEAP_MIN, BenchJvm.HEAP_MAX})
@State(Scope.Benchmark)
public class MigrationBenchmark
{
    static final long GUEST_BYTES = 16L << 20;
    static final long BANDWIDTH = 256L << 20;
    static final int PAGE = 4096;

    @Param({"precopy", "precopy-ac", "precopy-xbzrle", "postcopy", "hybrid"})
    public String mode;

    @Param({"0.1", "0.25", "0.5", "1.0", "1.5", "2.0"})
    public double ratio;

    /**
     * The migration's own figures, one scenario per iteration. JMH records each iteration's values in the raw
     * data and, for EVENTS counters, sums them over the iterations in its score; the report shows the mean
     * of the raw values, i.e. the figures of one migration.
     */
    @AuxCounters(AuxCounters.Type.EVENTS)
    @State(Scope.Thread)
    public static class Figures
    {
        public double totalMs;
        public double downtimeMs;
        public double wireBytes;
        public double rounds;
        public double faultP99Us;
        public double converged;
        /** 1 when a hybrid run ended its pre-copy by switching to post-copy (a success, not a forced stop). */
        public double switchedToPostcopy;

        @Setup(Level.Iteration)
        public void reset()
        {
            totalMs = downtimeMs = wireBytes = rounds = faultP99Us = converged = switchedToPostcopy = 0;
        }

        void record(final MigrationResult r)
        {
            if (r.error() != null)
            {
                throw new IllegalStateException("migration failed: " + r.error());
            }
            totalMs = r.totalMs();
            downtimeMs = r.downtimeMs();
            wireBytes = r.wireBytes();
            rounds = r.rounds();
            faultP99Us = r.faultP99Us();
            converged = r.converged() ? 1 : 0;
            switchedToPostcopy = switchedToPostcopy(r) ? 1 : 0;
        }
    }

    /**
     * @return whether {@code r} is a hybrid migration whose pre-copy handed over to post-copy: the engine
     *         reports it as not converged (pre-copy did not fit the downtime), but it completed as designed.
     */
    static boolean switchedToPostcopy(final MigrationResult r)
    {
        return r.error() == null && "hybrid".equals(r.mode()) && r.reason().startsWith("switched to post-copy");
    }

    /** @return the scenario for {@code mode} at {@code ratio}; {@code idle} takes the writers away. */
    static MigrationRun scenario(final String mode, final double ratio, final boolean idle, final long guestBytes)
    {
        MigrationOptions options = MigrationOptions.defaults().withBandwidth(BANDWIDTH).withDowntimeLimitMs(5)
            .withOnGiveUp(GiveUp.STOP).withMaxRounds(8).withMaxTimeMs(250).withPostcopyAfterRounds(2);
        switch (mode)
        {
            case "precopy": options = options.withMode(MigrationMode.PRECOPY); break;
            case "precopy-ac": options = options.withMode(MigrationMode.PRECOPY).withAutoConverge(true); break;
            case "precopy-xbzrle":
                options = options.withMode(MigrationMode.PRECOPY).withXbzrle(true).withXbzrleCacheBytes(16 << 20);
                break;
            case "postcopy": options = options.withMode(MigrationMode.POSTCOPY); break;
            case "hybrid": options = options.withMode(MigrationMode.HYBRID); break;
            default: throw new IllegalArgumentException("unknown mode " + mode);
        }
        return new MigrationRun().memoryBytes(guestBytes).pattern("uniform").writers(idle ? 0 : 1)
            .dirtyRate((long)(ratio * BANDWIDTH / PAGE)).bytesPerTouch(8).fill(0.5).seed(7)
            .phasesMs(idle ? 0 : 20, 0).link("memory").options(options);
    }

    @Benchmark
    public MigrationResult migrate(final Figures figures) throws Exception
    {
        final MigrationResult r = scenario(mode, ratio, false, GUEST_BYTES).run();
        figures.record(r);
        return r;
    }

    @Benchmark
    public MigrationResult baselineIdle(final Figures figures) throws Exception
    {
        final MigrationResult r = scenario(mode, ratio, true, GUEST_BYTES).run();
        figures.record(r);
        return r;
    }
}
