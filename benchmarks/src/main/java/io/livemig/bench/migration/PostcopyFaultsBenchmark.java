package io.livemig.bench.migration;

import io.livemig.bench.BenchJvm;
import io.livemig.migration.MigrationRun;
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
 * Post-copy fault latency, software gates against kernel page faults (userfaultfd MISSING mode, JDK 22+), on
 * the in-memory link and over TCP loopback: one shot is one post-copy migration of a 16 MiB guest (half its
 * pages holding data) over a 256 MiB/s link, with two vCPUs writing random pages flat out on the destination,
 * so that they fault on most pages not yet pushed. {@link #softwareFaults}: a vCPU parks at the software gate;
 * latency from its park to its wake-up. {@link #kernelFaults}: the vCPU blocks in the kernel; latency from the
 * fault thread's read of the fault message to the page's {@code UFFDIO_COPY} (the kernel's delivery of the
 * fault and the wake-up are not in it). Both count the request on the return path, the source serving it
 * between pushed pages, and the page's way back.
 *
 * <p>The score is the shot's wall time; the figures are the {@link Figures} aux counters, each the value of
 * one migration (per iteration, as {@link MigrationBenchmark} records them): faults, faultP50Us, faultP99Us,
 * faultMaxUs, postcopyMs. {@code kernelFaults} needs a JDK 22+ fork and a kernel that serves userfaultfd: the
 * runner leaves it out otherwise, with the probe's reason. {@code softwareFaults} is its baseline, on the same
 * guest, link and vCPUs in the same run.
 *
 * <p>Thread-safety: JMH's; one benchmark thread.
 */
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 1, batchSize = 1)
@Measurement(iterations = 3, batchSize = 1)
@Fork(value = 1, jvmArgsAppend = {BenchJvm.ADD_OPENS, BenchJvm.MISC_OPENS, BenchJvm.NO_BOUNDS_CHECKS,
    BenchJvm.HEAP_MIN, BenchJvm.HEAP_MAX, BenchJvm.NATIVE_ACCESS})
@State(Scope.Benchmark)
public class PostcopyFaultsBenchmark
{
    static final long GUEST_BYTES = 16L << 20;
    static final long BANDWIDTH = 256L << 20;

    @Param({"memory", "tcp"})
    public String link;

    /** One migration's post-copy figures per iteration (see {@link MigrationBenchmark.Figures}). */
    @AuxCounters(AuxCounters.Type.EVENTS)
    @State(Scope.Thread)
    public static class Figures
    {
        public double faults;
        public double faultP50Us;
        public double faultP99Us;
        public double faultMaxUs;
        public double postcopyMs;

        @Setup(Level.Iteration)
        public void reset()
        {
            faults = faultP50Us = faultP99Us = faultMaxUs = postcopyMs = 0;
        }

        void record(final MigrationResult r)
        {
            if (r.error() != null)
            {
                throw new IllegalStateException("migration failed: " + r.error());
            }
            faults = r.faults();
            faultP50Us = r.faultP50Us();
            faultP99Us = r.faultP99Us();
            faultMaxUs = r.faultMaxUs();
            postcopyMs = r.postcopyMs();
        }
    }

    /** @return the shot: post-copy of the 16 MiB guest over {@code link}, faults in the kernel or not. */
    static MigrationRun scenario(final String link, final boolean kernel)
    {
        final MigrationOptions options = MigrationOptions.defaults().withMode(MigrationMode.POSTCOPY)
            .withBandwidth(BANDWIDTH);
        return new MigrationRun().memoryBytes(GUEST_BYTES).pattern("uniform").writers(2).dirtyRate(0)
            .bytesPerTouch(8).fill(0.5).seed(11).phasesMs(20, 0).link(link).options(options).kernelFaults(kernel);
    }

    @Benchmark
    public MigrationResult softwareFaults(final Figures figures) throws Exception
    {
        final MigrationResult r = scenario(link, false).run();
        figures.record(r);
        return r;
    }

    @Benchmark
    public MigrationResult kernelFaults(final Figures figures) throws Exception
    {
        final MigrationResult r = scenario(link, true).run();
        figures.record(r);
        return r;
    }
}
