package io.livemig.bench.migration;

import io.livemig.migration.link.MemoryPipe;
import io.livemig.migration.link.RoleThreads;
import org.HdrHistogram.Histogram;

import java.io.Closeable;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.channels.WritableByteChannel;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;

/**
 * The scheduling floor under a post-copy fault's latency, for {@link PostcopyFaultsBenchmark}: how long a thread
 * blocked on a read of a pipe takes to wake and run once a byte is written, on a pipe of the link's own kind (the
 * in-memory {@link MemoryPipe} without latency, whose reader waits on a condition as the memory link's readers
 * do, or a loopback TCP connection with {@code TCP_NODELAY}, a blocking socket read as the TCP link's). A
 * requested page crosses at least one such wake-up (the source's return-path reader), and on this project's
 * 2-core machines, with two vCPUs writing flat out, that wake-up waits for a core: no fault can be served faster
 * than this floor.
 *
 * <p>One measurement: {@code samples} one-byte writes, one in flight at a time; before each the writer waits
 * until the reader has taken the previous byte and then sleeps {@value #GAP_NANOS} ns, so that the reader is
 * blocked in its read again when the byte comes; the write is stamped with {@link System#nanoTime()} just
 * before it, the reader takes the time as soon as its read returns, and the difference goes into an HdrHistogram
 * (nanoseconds, 3 significant digits). Bounded: the whole measurement gives up after {@value #DEADLINE_MS} ms,
 * the reader thread is joined with a deadline, and the pipe or both sockets are closed on every path.
 *
 * <p>Stateless; thread-safe: each call owns its pipe, its reader thread and its histogram.
 */
final class WakeFloor
{
    /** Samples per measurement. */
    static final int SAMPLES = 2000;
    /** Sleep before each write, so the reader is blocked again: longer than its way back into the read. */
    static final long GAP_NANOS = 20_000;
    /** The longest one measurement may take, all samples included. */
    static final long DEADLINE_MS = 10_000;
    /** How long the reader has to finish once its pipe is closed. */
    private static final long JOIN_MS = 2_000;

    /**
     * The floor: wake-up latency percentiles in microseconds.
     *
     * @param p50Us   median.
     * @param p99Us   99th percentile.
     * @param samples wake-ups measured.
     */
    record Result(double p50Us, double p99Us, long samples)
    {
    }

    private WakeFloor()
    {
    }

    /**
     * @param link    {@code memory} or {@code tcp}, as the migration's link.
     * @param samples one-byte writes to time, at least 1.
     * @return the wake-up latency of a reader blocked on a pipe of that kind, on an otherwise idle machine.
     * @throws IOException if the pipe fails, the reader does not finish in time or the deadline passes.
     */
    static Result measure(final String link, final int samples) throws IOException
    {
        return measure(link, samples, 0);
    }

    /**
     * As {@link #measure(String, int)}, while {@code busy} more threads spin for the whole measurement (the
     * threads a post-copy shot keeps running: its vCPUs, the push, the destination's reader), so the wake-up
     * waits for a core as a fault's does; they are stopped and joined before this returns.
     */
    static Result measure(final String link, final int samples, final int busy) throws IOException
    {
        if (samples < 1 || busy < 0)
        {
            throw new IllegalArgumentException("samples must be at least 1 and busy threads at least 0: " + samples +
                ", " + busy);
        }
        final AtomicBoolean stop = new AtomicBoolean();
        final Thread[] spinners = new Thread[busy];
        for (int i = 0; i < busy; i++)
        {
            spinners[i] = new Thread(() ->
            {
                while (!stop.get())
                {
                    Thread.onSpinWait();
                }
            }, "wake-floor-busy-" + i);
            spinners[i].setDaemon(true);
            spinners[i].start();
        }
        try
        {
            return measureOn(link, samples);
        }
        finally
        {
            stop.set(true);
            for (final Thread t : spinners)
            {
                join(t);
            }
        }
    }

    private static Result measureOn(final String link, final int samples) throws IOException
    {
        switch (link)
        {
            case "memory":
            {
                final MemoryPipe pipe = new MemoryPipe(64 << 10, 0);
                return run(pipe.sink(), pipe.source(), () -> {
                    pipe.closeSink();
                    pipe.closeSource();
                }, samples);
            }
            case "tcp":
                return overTcp(samples);
            default:
                throw new IllegalArgumentException("unknown link '" + link + "' (expected memory or tcp)");
        }
    }

    private static Result overTcp(final int samples) throws IOException
    {
        try (ServerSocketChannel listener = ServerSocketChannel.open())
        {
            listener.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            try (SocketChannel writer = SocketChannel.open(listener.getLocalAddress());
                 SocketChannel reader = listener.accept())
            {
                writer.setOption(StandardSocketOptions.TCP_NODELAY, true);
                reader.setOption(StandardSocketOptions.TCP_NODELAY, true);
                return run(writer, reader, () -> {
                    writer.close();
                    reader.close();
                }, samples);
            }
        }
    }

    /** Times {@code samples} wake-ups of a reader of {@code in} by writes to {@code out}; {@code close} ends both. */
    private static Result run(final WritableByteChannel out, final ReadableByteChannel in, final Closeable close,
                              final int samples) throws IOException
    {
        final Reader reader = new Reader(in, samples);
        final Thread thread = new Thread(reader, "wake-floor-reader");
        thread.setDaemon(true);
        thread.start();
        final long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(DEADLINE_MS);
        final ByteBuffer one = ByteBuffer.allocate(1);
        try
        {
            for (int i = 0; i < samples; i++)
            {
                while (reader.taken < i)
                {
                    if (reader.failure != null || System.nanoTime() - deadline > 0)
                    {
                        throw failed(reader, i);
                    }
                    Thread.onSpinWait();
                }
                LockSupport.parkNanos(GAP_NANOS);
                one.clear();
                reader.stamp = System.nanoTime();
                out.write(one);
            }
            while (reader.taken < samples)
            {
                if (reader.failure != null || System.nanoTime() - deadline > 0)
                {
                    throw failed(reader, samples);
                }
                Thread.onSpinWait();
            }
        }
        finally
        {
            close.close();
            join(thread);
        }
        if (reader.failure != null)
        {
            throw failed(reader, samples);
        }
        final Histogram h = reader.histogram; // after join: the reader's writes are visible
        return new Result(h.getValueAtPercentile(50) / 1e3, h.getValueAtPercentile(99) / 1e3, h.getTotalCount());
    }

    private static IOException failed(final Reader reader, final int sample)
    {
        return reader.failure != null ? new IOException("wake floor: the reader failed at sample " + sample,
            reader.failure) : new IOException("wake floor: sample " + sample + " not read within " + DEADLINE_MS +
            " ms");
    }

    private static void join(final Thread thread) throws IOException
    {
        if (!RoleThreads.join(thread, JOIN_MS))
        {
            throw new IOException("wake floor: " + thread.getName() + " did not end within " + JOIN_MS + " ms");
        }
    }

    /**
     * The reading end: blocks in a one-byte read, takes the time when it returns, and records it against the
     * writer's stamp. {@link #stamp} is written by the writer before each write and read here after the read
     * returns; the next write waits for {@link #taken}, so one stamp is in flight at a time.
     */
    private static final class Reader implements Runnable
    {
        final Histogram histogram = new Histogram(TimeUnit.SECONDS.toNanos(10), 3);
        private final ReadableByteChannel in;
        private final int samples;
        volatile long stamp;
        volatile int taken;
        volatile Throwable failure;

        Reader(final ReadableByteChannel in, final int samples)
        {
            this.in = in;
            this.samples = samples;
        }

        @Override
        public void run()
        {
            final ByteBuffer one = ByteBuffer.allocate(1);
            try
            {
                for (int i = 0; i < samples; i++)
                {
                    one.clear();
                    final int n = in.read(one);
                    final long now = System.nanoTime();
                    if (n < 0)
                    {
                        throw new IOException("pipe closed after " + i + " samples");
                    }
                    histogram.recordValue(Math.min(Math.max(0, now - stamp), histogram.getHighestTrackableValue()));
                    taken = i + 1;
                }
            }
            catch (final Throwable ex)
            {
                failure = ex;
            }
        }
    }
}
