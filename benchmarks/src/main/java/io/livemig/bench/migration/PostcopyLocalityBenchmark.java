package io.livemig.bench.migration;

import io.livemig.bench.BenchJvm;
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
 * Post-copy's locality hint on and off (issue 23, section 2; QEMU's 2025 hint): after serving a fault for page P,
 * the push continues from P + 1 ({@code prepage=8}, the default window) or keeps its own bitmap order ({@code
 * prepage=0}). One shot is one post-copy migration ({@link PostcopyShot}) of a {@value #GUEST_MIB} MiB guest (half
 * its pages holding data) over the in-memory link at {@value #BANDWIDTH_MIB} MiB/s, software faults, the preempt
 * connection on, and two destination vCPUs writing flat out with access {@code pattern}: {@code uniform} (no
 * locality: the hint should cost nothing), {@code hotset} (90 % of writes to 10 % of the pages) and {@code
 * sequential} (each vCPU sweeps the guest in order: the next fault is the next page). {@code prepage=0} is the
 * baseline of {@code prepage=8}, with the same guest, pattern and link, in the same run.
 *
 * <p>The score is the shot's wall time; the figures are the {@link Figures} aux counters, each the value of one
 * migration: {@code postcopyMs} (destination resume to its last page placed), {@code faults}, {@code
 * faultP50Us}, {@code faultP99Us} (every post-copy fault, µs), {@code preemptPages} (pages that faults asked
 * for, sent on the preempt connection) and {@code pushedPages} (pages the push sent).
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
public class PostcopyLocalityBenchmark
{
    static final int GUEST_MIB = 64;
    static final int BANDWIDTH_MIB = 256;

    /** The vCPUs' access pattern. */
    @Param({"uniform", "hotset", "sequential"})
    public String pattern;

    /** The push's window after a fault: 0, it does not follow faults; 8, the default, it does. */
    @Param({"0", "8"})
    public int prepage;

    /** One migration's post-copy figures per iteration (see the class comment). */
    @AuxCounters(AuxCounters.Type.EVENTS)
    @State(Scope.Thread)
    public static class Figures
    {
        public double postcopyMs;
        public double faults;
        public double faultP50Us;
        public double faultP99Us;
        public double preemptPages;
        public double pushedPages;

        @Setup(Level.Iteration)
        public void reset()
        {
            postcopyMs = faults = faultP50Us = faultP99Us = preemptPages = pushedPages = 0;
        }

        void record(final MigrationResult r)
        {
            PostcopyShot.completed(r);
            postcopyMs = r.postcopyMs();
            faults = r.faults();
            faultP50Us = r.faultP50Us();
            faultP99Us = r.faultP99Us();
            preemptPages = r.preemptPages;
            pushedPages = r.pushedPages();
        }
    }

    /** @return the shot: the {@value #GUEST_MIB} MiB guest written with {@code pattern}, the push's window as given. */
    static PostcopyShot shot(final String pattern, final int prepage)
    {
        return new PostcopyShot((long)GUEST_MIB << 20, (long)BANDWIDTH_MIB << 20, "memory", pattern, false, true,
            prepage);
    }

    @Benchmark
    public MigrationResult migrate(final Figures figures) throws Exception
    {
        final MigrationResult r = shot(pattern, prepage).scenario().run();
        figures.record(r);
        return r;
    }
}
