package io.livemig.bench.snapshot;

import io.livemig.snapshot.restore.LazyRestore;
import org.HdrHistogram.Histogram;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * {@link SnapshotBenchmark}'s shot figures, JMH auxiliary counters the report reads by name: a shot's bytes per
 * second and I/O path ({@link Figures}), a lazy restore's resume and fault latencies ({@link FaultFigures}), a
 * background save's vCPU rates and copies before write ({@link BackgroundFigures}).
 *
 * <p>Thread-safety: JMH's; each is a thread's state, reset per iteration.
 */
public final class SnapshotCounters
{
    private SnapshotCounters()
    {
    }

    /** A background save's vCPUs: their write rate before the shot and during it, and its copies before write. */
    @AuxCounters(AuxCounters.Type.EVENTS)
    @State(Scope.Thread)
    public static class BackgroundFigures
    {
        public double gbPerSecond;
        public double writesPerSecBefore;
        public double writesPerSecDuring;
        /** Pages a vCPU's write fault copied into the file before its store landed. */
        public double copiedByFaults;

        @Setup(Level.Iteration)
        public void reset()
        {
            gbPerSecond = writesPerSecBefore = writesPerSecDuring = copiedByFaults = 0;
        }
    }

    /** A shot's bytes per second and I/O path (see the class comment). */
    @AuxCounters(AuxCounters.Type.EVENTS)
    @State(Scope.Thread)
    public static class Figures
    {
        /** The guest's bytes (10^9) over the shot's wall time. */
        public double gbPerSecond;
        /** 1 where the shot's writes (the save's RAM, or the plain I/O) went with {@code O_DIRECT}, else 0. */
        public double directIo;

        @Setup(Level.Iteration)
        public void reset()
        {
            gbPerSecond = directIo = 0;
        }

        void record(final long bytes, final long nanos, final boolean direct)
        {
            gbPerSecond = bytes / (double)nanos;
            directIo = direct ? 1 : 0;
        }
    }

    /** A lazy restore's shot: its resume and its vCPUs' faults (µs), the report's fault-latency chart. */
    @AuxCounters(AuxCounters.Type.EVENTS)
    @State(Scope.Thread)
    public static class FaultFigures
    {
        public double resumeMs;
        public double faults;
        public double faultP50Us;
        public double faultP90Us;
        public double faultP99Us;
        public double faultP999Us;
        public double faultMaxUs;
        /** Pages the prefetch thread loaded (the rest came by faults). */
        public double prefetchedPages;

        @Setup(Level.Iteration)
        public void reset()
        {
            resumeMs = faults = faultP50Us = faultP90Us = faultP99Us = faultP999Us = faultMaxUs = prefetchedPages = 0;
        }

        void record(final long resumeNanos, final LazyRestore restore)
        {
            final Histogram h = restore.latency();
            resumeMs = resumeNanos / 1e6;
            faults = h.getTotalCount();
            faultP50Us = h.getValueAtPercentile(50);
            faultP90Us = h.getValueAtPercentile(90);
            faultP99Us = h.getValueAtPercentile(99);
            faultP999Us = h.getValueAtPercentile(99.9);
            faultMaxUs = h.getMaxValue();
            prefetchedPages = restore.prefetched();
        }
    }
}
