package io.livemig.bench.migration;

import io.livemig.bench.BenchJvm;
import io.livemig.cli.SizeParser;
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
import java.util.concurrent.TimeUnit;

/**
 * Post-copy fault latency with and without the preempt connection (issue 23, QEMU's postcopy-preempt), software
 * gates against kernel page faults (userfaultfd MISSING mode, JDK 22+), on the in-memory link and over TCP
 * loopback. One shot is one post-copy migration ({@link PostcopyShot}) of a {@code guest}-byte guest (half its
 * pages holding data) over a link of {@code bandwidth} bytes per second, with two vCPUs writing random pages flat
 * out on the destination, so that they fault on most pages not yet pushed. {@link #softwareFaults}: a vCPU parks
 * at the software gate; latency from its park to its wake-up. {@link #kernelFaults}: the vCPU blocks in the
 * kernel; latency from the fault thread's read of the fault message to the page's {@code UFFDIO_COPY} (the
 * kernel's delivery of the fault and the wake-up are not in it). Both count the request on the return path, the
 * source serving it, and the page's way back. With {@code preempt=false} a request is served by the migration
 * thread between pushed pages, behind the push's page buffer; with {@code preempt=true} the return-path thread
 * sends it at once on a connection of its own, and the push continues after it (the default locality hint).
 * {@code preempt=false} is the baseline of {@code preempt=true}: the same guest, link, bandwidth and vCPUs, in the
 * same run.
 *
 * <p>The score is the shot's wall time; the figures are the {@link Figures} aux counters, each the value of one
 * migration (per iteration, as {@link MigrationBenchmark} records them):
 * <ul>
 *   <li>{@code faults}, {@code faultP50Us}, {@code faultP99Us}, {@code faultMaxUs}: every post-copy fault of the
 *       shot and its latency percentiles (µs);</li>
 *   <li>{@code postcopyMs}: from the destination's resume to its last page placed;</li>
 *   <li>{@code preemptPages}: pages sent on the preempt connection (0 without it);</li>
 *   <li>{@code faultsByPreempt}, {@code faultsByPreemptP99Us}: the faults whose page came on the preempt
 *       connection, and their p99; {@code faultsByPush}, {@code faultsByPushP99Us}: those whose page the push
 *       brought (with preempt only: without it the push brings every page, and {@code faults} says it all). A
 *       p99 is NaN where the shot counted no such fault;</li>
 *   <li>{@code floorP50Us}, {@code floorP99Us}: the scheduling floor, measured right after the shot, in the same
 *       fork, outside the timed shot ({@link WakeFloor}): the latency of waking a thread blocked on a read of a
 *       pipe of the shot's link kind ({@code MemoryPipe} without latency, or loopback TCP with {@code
 *       TCP_NODELAY}). A fault's latency crosses at least one such wake-up; on a 2-core machine the vCPUs'
 *       writing keeps the cores busy, and the floor shows what no change to the serving path can go below;</li>
 *   <li>{@code loadedFloorP50Us}, {@code loadedFloorP99Us}: the same wake-ups while {@value #BUSY_THREADS} threads
 *       spin, as many as the shot keeps running (two vCPUs, the push, the destination's reader): the floor a
 *       fault meets on this machine, where a woken thread waits for a core.</li>
 * </ul>
 * {@code kernelFaults} needs a JDK 22+ fork and a kernel that serves userfaultfd: the runner leaves it out
 * otherwise, with the probe's reason. {@code softwareFaults} is its baseline, on the same guest, link and vCPUs
 * in the same run.
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
    @Param({"memory", "tcp"})
    public String link;

    /** Whether requested pages take the preempt connection; {@code false} is the baseline. */
    @Param({"false", "true"})
    public boolean preempt;

    /** Guest size ({@link SizeParser}); half its pages hold data. */
    @Param({"16m", "256m"})
    public String guest;

    /** The link's bandwidth, bytes per second ({@link SizeParser}). */
    @Param({"256m", "1g"})
    public String bandwidth;

    /** One migration's post-copy figures per iteration, and the scheduling floor after it (see the class comment). */
    @AuxCounters(AuxCounters.Type.EVENTS)
    @State(Scope.Thread)
    public static class Figures
    {
        public double faults;
        public double faultP50Us;
        public double faultP99Us;
        public double faultMaxUs;
        public double postcopyMs;
        public double preemptPages;
        public double faultsByPreempt;
        public double faultsByPreemptP99Us;
        public double faultsByPush;
        public double faultsByPushP99Us;
        public double floorP50Us;
        public double floorP99Us;
        public double loadedFloorP50Us;
        public double loadedFloorP99Us;
        /** The link of the shot just recorded, whose kind of pipe the floor measures; null before a shot. */
        String floorLink;

        @Setup(Level.Iteration)
        public void reset()
        {
            faults = faultP50Us = faultP99Us = faultMaxUs = postcopyMs = preemptPages = 0;
            faultsByPreempt = faultsByPreemptP99Us = faultsByPush = faultsByPushP99Us = floorP50Us = floorP99Us = 0;
            loadedFloorP50Us = loadedFloorP99Us = 0;
            floorLink = null;
        }

        /** Records the shot's figures; {@code link} is the kind of pipe whose floor {@link #floor} measures. */
        void record(final MigrationResult r, final String link)
        {
            PostcopyShot.completed(r);
            faults = r.faults();
            faultP50Us = r.faultP50Us();
            faultP99Us = r.faultP99Us();
            faultMaxUs = r.faultMaxUs();
            postcopyMs = r.postcopyMs();
            preemptPages = r.preemptPages;
            final double[] byPreempt = r.faultsBy(true);
            final double[] byPush = r.faultsBy(false);
            faultsByPreempt = PostcopyShot.count(byPreempt);
            faultsByPreemptP99Us = PostcopyShot.p99Us(byPreempt);
            faultsByPush = PostcopyShot.count(byPush);
            faultsByPushP99Us = PostcopyShot.p99Us(byPush);
            floorLink = link;
        }

        /** After each shot, outside its time: the wake-up floor of the shot's link kind. */
        @TearDown(Level.Iteration)
        public void floor() throws IOException
        {
            if (floorLink != null)
            {
                final WakeFloor.Result floor = WakeFloor.measure(floorLink, WakeFloor.SAMPLES);
                floorP50Us = floor.p50Us();
                floorP99Us = floor.p99Us();
                final WakeFloor.Result loaded = WakeFloor.measure(floorLink, LOADED_SAMPLES, BUSY_THREADS);
                loadedFloorP50Us = loaded.p50Us();
                loadedFloorP99Us = loaded.p99Us();
            }
        }
    }

    /** Threads a shot keeps running besides the serving path: its two vCPUs, the push and the destination's reader. */
    static final int BUSY_THREADS = PostcopyShot.WRITERS + 2;
    /** Wake-ups timed under that load (each may wait for a core: fewer than idle, to keep the teardown short). */
    static final int LOADED_SAMPLES = 300;

    /** @return the shot: post-copy of {@code guest} bytes over {@code link} at {@code bandwidth}, as the class says. */
    static PostcopyShot shot(final String link, final boolean kernel, final boolean preempt, final String guest,
                             final String bandwidth)
    {
        return new PostcopyShot(SizeParser.parse(guest), SizeParser.parsePerSecond(bandwidth), link, "uniform",
            kernel, preempt, PostcopyShot.DEFAULT_PREPAGE);
    }

    @Benchmark
    public MigrationResult softwareFaults(final Figures figures) throws Exception
    {
        final MigrationResult r = shot(link, false, preempt, guest, bandwidth).scenario().run();
        figures.record(r, link);
        return r;
    }

    @Benchmark
    public MigrationResult kernelFaults(final Figures figures) throws Exception
    {
        final MigrationResult r = shot(link, true, preempt, guest, bandwidth).scenario().run();
        figures.record(r, link);
        return r;
    }
}
