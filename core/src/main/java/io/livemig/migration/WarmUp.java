package io.livemig.migration;

import io.livemig.migration.options.MigrationOptions;

import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * Small migrations run on a thread of their own before a one-shot process's real one, so that the JIT has
 * compiled the engine's hot paths (the scanner's drain, the page stream's writer and reader, the zero check and
 * the codecs, the link) before the real migration's clock starts. Started before the real guest is built, they
 * overlap that on the other core; {@link #await} then waits for them, so that they never compete with the real
 * migration for a core. They run the real run's link kind, page size, channels, mode and codecs on a
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

    private final Thread thread;
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

    /** Waits for the warm-up to end (at most {@value #WAIT_MS} ms). */
    void await() throws InterruptedException
    {
        thread.join(TimeUnit.MILLISECONDS.toMillis(WAIT_MS));
    }

    /** @return one line: what the warm-up ran and how long it took, or how it ended early. */
    String describe()
    {
        final long end = endNs;
        final double ms = ((end == 0 ? System.nanoTime() : end) - startNs) / 1e6;
        final Throwable f = failure;
        return String.format(Locale.ROOT, "warm-up: %d of %d migrations of a %d MiB guest in %.0f ms before the " +
            "migration%s", runs, RUNS, GUEST_MIB, ms, f != null ? " (stopped: " + f + ")" : end == 0 ?
            " (still running: the migration did not wait longer)" : "");
    }

    /** @return the warm-up's time so far, ms. */
    double ms()
    {
        final long end = endNs;
        return ((end == 0 ? System.nanoTime() : end) - startNs) / 1e6;
    }
}
