package io.livemig.migration;

import io.livemig.migration.options.MigrationOptions;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * Small migrations run on a thread of their own before a one-shot process's real one, so that the JIT has
 * compiled the engine's hot paths (the scanner's drain, the page stream's writer and reader, the zero check and
 * the codecs, the link) before the real migration's clock starts. Started before the real guest is built, they
 * overlap that on the other core; {@link #await} then waits for them, and then for the JIT's compiler threads to
 * finish the compilations the warm-up queued (on Linux, until they use under {@value #QUIET_BUSY_PERCENT} % of a
 * core over {@value #QUIET_POLL_MS} ms, at most {@value #QUIET_WAIT_MS} ms), so that neither competes with the real
 * migration for a core: on a 2-core machine C2 was still busy for the first 60 ms of a cold process's idle 1 GiB
 * migration. They run the real run's link kind, page size, channels, mode and codecs on a
 * {@value #GUEST_MIB} MiB guest, alternately idle and written, at unlimited bandwidth, with no writers, faults,
 * capture or recovery.
 *
 * <p>A process that runs many migrations (a benchmark, a test) warms up by itself; this is for the command line,
 * where a cold JVM would otherwise measure its interpreter. Its cost is reported ({@link #describe()}), and the
 * real migration's own times exclude it, as QEMU's exclude QEMU's start.
 *
 * <p>Thread-safety: {@link #start} on one thread, {@link #await} and {@link #describe} on the same one after.
 */
final class WarmUp
{
    /** The warm-up guest's size, MiB. */
    static final int GUEST_MIB = 16;
    /** Migrations run: 16 MiB each, half idle, half written; past C2's thresholds for the per-page paths. */
    static final int RUNS = 4;
    /** Longest wait for the warm-up; it goes on in the background past it (each of its runs is bounded). */
    private static final long WAIT_MS = 10_000;

    /** Longest wait for the compiler threads to go quiet after the warm-up. */
    static final long QUIET_WAIT_MS = 2_000;
    /** One look at the compiler threads' CPU time. */
    static final long QUIET_POLL_MS = 20;
    /** The share of a core under which the compiler threads count as quiet over one poll. */
    static final int QUIET_BUSY_PERCENT = 10;
    private static final Path TASKS = Path.of("/proc/self/task");

    private final Thread thread;
    private double quietMs = -1;
    private boolean quiet;
    private final long startNs = System.nanoTime();
    private volatile long endNs;
    private volatile int runs;
    private volatile Throwable failure;

    private WarmUp(final Thread thread)
    {
        this.thread = thread;
    }

    /**
     * Starts the warm-up migrations for a run like {@code real}.
     *
     * @param linkKind {@code memory} or {@code tcp}.
     */
    static WarmUp start(final MigrationOptions options, final String linkKind, final int pageSize, final int channels)
    {
        final MigrationOptions warm = options.withBandwidth(0).withRecover(false).withDigests(false)
            .withAutoConverge(false).withDirtyLimit(0)
            .withMirrorForVerify(false).withDeviceStateBytes(Math.min(options.deviceStateBytes(), 4096));
        final WarmUp[] self = new WarmUp[1];
        final Thread thread = new Thread(() -> self[0].run(warm, linkKind, pageSize, channels), "livemig-warm-up");
        thread.setDaemon(true);
        self[0] = new WarmUp(thread);
        thread.start();
        return self[0];
    }

    private void run(final MigrationOptions options, final String linkKind, final int pageSize, final int channels)
    {
        try
        {
            for (int i = 0; i < RUNS; i++)
            {
                new MigrationRun().memoryBytes((long)GUEST_MIB << 20).pageSize(pageSize).writers(0)
                    .fill(i % 2 == 0 ? 0 : 1.0).seed(i).link(linkKind).channels(channels).options(options)
                    .phasesMs(0, 0).run();
                runs = i + 1;
            }
        }
        catch (final Throwable t)
        {
            failure = t; // the warm-up is an optimisation: a failure of it costs time, not the real run
        }
        finally
        {
            endNs = System.nanoTime();
        }
    }

    /**
     * Waits for the warm-up to end (at most {@value #WAIT_MS} ms), then for the compiler threads to go quiet (at
     * most {@value #QUIET_WAIT_MS} ms more).
     */
    void await() throws InterruptedException
    {
        thread.join(TimeUnit.MILLISECONDS.toMillis(WAIT_MS));
        final long start = System.nanoTime();
        long before = compilerCpuNs(TASKS);
        if (before < 0)
        {
            return; // no per-thread CPU times here: the migration starts at once, as before
        }
        while (!quiet && System.nanoTime() - start < TimeUnit.MILLISECONDS.toNanos(QUIET_WAIT_MS))
        {
            Thread.sleep(QUIET_POLL_MS);
            final long now = compilerCpuNs(TASKS);
            quiet = now - before < TimeUnit.MILLISECONDS.toNanos(QUIET_POLL_MS) * QUIET_BUSY_PERCENT / 100;
            before = now;
        }
        quietMs = (System.nanoTime() - start) / 1e6;
    }

    /**
     * @param tasks a process's {@code /proc/<pid>/task} directory.
     * @return the CPU time, ns, of the process's JIT compiler threads (named {@code C1 CompilerThread<n>} and {@code
     *         C2 CompilerThread<n>}, 15 characters of which the kernel keeps) from each one's {@code schedstat}, or
     *         -1 where none can be read (not Linux, no schedstat).
     */
    static long compilerCpuNs(final Path tasks)
    {
        long sum = 0;
        boolean any = false;
        try (DirectoryStream<Path> threads = Files.newDirectoryStream(tasks))
        {
            for (final Path task : threads)
            {
                try
                {
                    final String comm = Files.readString(task.resolve("comm")).trim();
                    if (comm.startsWith("C1 CompilerThre") || comm.startsWith("C2 CompilerThre"))
                    {
                        final String stat = Files.readString(task.resolve("schedstat")).trim();
                        final int space = stat.indexOf(' ');
                        sum += Long.parseLong(space < 0 ? stat : stat.substring(0, space));
                        any = true;
                    }
                }
                catch (final IOException | NumberFormatException gone)
                {
                    // a compiler thread that ended between the listing and the read: its time no longer counts
                }
            }
        }
        catch (final IOException | RuntimeException unreadable)
        {
            return -1;
        }
        return any ? sum : -1;
    }

    /** @return one line: what the warm-up ran and how long it took, or how it ended early. */
    String describe()
    {
        final long end = endNs;
        final double ms = ((end == 0 ? System.nanoTime() : end) - startNs) / 1e6;
        final Throwable f = failure;
        final String jit = quietMs < 0 ? "" : quiet ? String.format(Locale.ROOT, ", the JIT quiet %.0f ms after it",
            quietMs) : String.format(Locale.ROOT, ", the JIT still compiling %.0f ms after it", quietMs);
        return String.format(Locale.ROOT, "warm-up: %d of %d migrations of a %d MiB guest in %.0f ms%s before the " +
            "migration%s", runs, RUNS, GUEST_MIB, ms, jit, f != null ? " (stopped: " + f + ")" : end == 0 ?
            " (still running: the migration did not wait longer)" : "");
    }

    /** @return the warm-up's time so far, ms. */
    double ms()
    {
        final long end = endNs;
        return ((end == 0 ? System.nanoTime() : end) - startNs) / 1e6;
    }
}
