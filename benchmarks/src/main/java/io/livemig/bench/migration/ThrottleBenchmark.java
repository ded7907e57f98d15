package io.livemig.bench.migration;

import io.livemig.bench.BenchJvm;
import io.livemig.dirty.DirtyTracker;
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
 * Auto-converge against dirty-limit on the non-converging scenario of issue 9, as single shots: a 64 MiB
 * guest with 3 vCPUs on the ring tracker, 2 dirtying random pages as fast as they can and 1 computing
 * (reading only), migrated over a 32 MiB/s in-memory link with a 50 ms downtime limit and at most
 * {@value #MAX_TIME_MS} ms of pre-copy, with {@code throttle} {@code auto-converge} or {@code dirty-limit}
 * (1 MB/s per vCPU, QEMU's default, enforced every 1000 ms). The same as {@code scripts/migrate --memory 64m
 * --writers 3 --compute-vcpus 1 --pattern uniform --bandwidth 32m --downtime 50ms --max-time 10s --on-give-up stop --tracker
 * ring --auto-converge | --dirty-limit 1m}.
 *
 * <p>The score is the wall time of a scenario (guest setup and the 200 ms before and after included); the
 * figures are the {@link Figures} aux counters of the migration: converged (1/0), convergeMs (the
 * migration's total time, which is the time to converge when converged is 1 and the time given up after when
 * it is 0), and the guest's lost write throughput in % (1 - writes/s during ÷ writes/s before) of the
 * dirtying vCPUs ({@code writerLossPct}, their mean) and of the compute vCPU ({@code computeLossPct}), the
 * figure where dirty-limit, which throttles only the vCPUs that dirty too fast, differs from auto-converge.
 * The guest runs {@value #BEFORE_MS} ms before migrating so that its writers are compiled by then; a negative
 * loss means a vCPU ran faster during the migration than before it (warm-up not yet over, or the other vCPUs
 * throttled on a machine with fewer cores than threads).
 * As in {@link MigrationBenchmark}, each iteration records one scenario's figures; the report shows their
 * mean.
 *
 * <p>Single-shot, seconds each: no warm-up and 2 measured shots here; the presets size it per class.
 */
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 0, batchSize = 1)
@Measurement(iterations = 2, batchSize = 1)
@Fork(value = 1, jvmArgsAppend = {BenchJvm.ADD_OPENS, BenchJvm.MISC_OPENS, BenchJvm.NO_BOUNDS_CHECKS,
    BenchJvm.HEAP_MIN, BenchJvm.HEAP_MAX})
@State(Scope.Benchmark)
public class ThrottleBenchmark
{
    /** Pre-copy gives up after this long, as {@code --max-time 10s}. */
    static final long MAX_TIME_MS = 10_000;
    /** The guest runs this long before migration: its writes/s then are what the throttles' loss is against. */
    static final long BEFORE_MS = 1000;
    static final int VCPUS = 3;
    static final int COMPUTE_VCPUS = 1;

    @Param({"auto-converge", "dirty-limit"})
    public String throttle;

    /** The migration's figures, one scenario per iteration (see the class comment). */
    @AuxCounters(AuxCounters.Type.EVENTS)
    @State(Scope.Thread)
    public static class Figures
    {
        public double converged;
        public double convergeMs;
        public double writerLossPct;
        public double computeLossPct;

        @Setup(Level.Iteration)
        public void reset()
        {
            converged = convergeMs = writerLossPct = computeLossPct = 0;
        }

        void record(final MigrationResult r)
        {
            if (r.error() != null)
            {
                throw new IllegalStateException("migration failed: " + r.error());
            }
            converged = r.converged() ? 1 : 0;
            convergeMs = r.totalMs();
            final double[] before = r.vcpuWritesPerSecBefore();
            final double[] during = r.vcpuWritesPerSecDuring();
            writerLossPct = lossPct(before, during, 0, VCPUS - COMPUTE_VCPUS);
            computeLossPct = lossPct(before, during, VCPUS - COMPUTE_VCPUS, VCPUS);
        }
    }

    /** @return the mean over vCPUs {@code [from, to)} of {@code 100 * (1 - during / before)}; NaN if unmeasured. */
    static double lossPct(final double[] before, final double[] during, final int from, final int to)
    {
        if (before == null || during == null || before.length < to || during.length < to)
        {
            return Double.NaN;
        }
        double sum = 0;
        for (int i = from; i < to; i++)
        {
            sum += before[i] > 0 ? 100 * (1 - during[i] / before[i]) : 0;
        }
        return sum / (to - from);
    }

    /** @return the scenario with {@code throttle} ({@code auto-converge} or {@code dirty-limit}). */
    static MigrationRun scenario(final String throttle, final long maxTimeMs)
    {
        MigrationOptions options = MigrationOptions.defaults().withMode(MigrationMode.PRECOPY)
            .withBandwidth(32L << 20).withDowntimeLimitMs(50).withOnGiveUp(GiveUp.STOP).withMaxTimeMs(maxTimeMs);
        switch (throttle)
        {
            case "auto-converge": options = options.withAutoConverge(true); break;
            case "dirty-limit": options = options.withDirtyLimit(1L << 20); break;
            default: throw new IllegalArgumentException("throttle " + throttle + " is not auto-converge or dirty-limit");
        }
        return new MigrationRun().memoryBytes(64L << 20).pattern("uniform").writers(VCPUS)
            .computeVcpus(COMPUTE_VCPUS).bytesPerTouch(8).fill(0.5).seed(1).phasesMs(BEFORE_MS, 200).link("memory")
            .tracker(DirtyTracker.RING).options(options);
    }

    @Benchmark
    public MigrationResult migrate(final Figures figures) throws Exception
    {
        final MigrationResult r = scenario(throttle, MAX_TIME_MS).run();
        figures.record(r);
        return r;
    }
}
