package io.livemig.snapshot.file;

import java.io.IOException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;

/**
 * One piece of file I/O on {@code threads} threads started for it, each running the same task with its index,
 * all joined before {@link #run} returns (which publishes whatever they wrote to the caller). The first failure
 * of any thread is kept; the others see it through the task's {@code stop} and end at their next step, and
 * {@link #run} throws it. The joins have a deadline ({@link #deadlineMs}): a thread still running at it (a file
 * system that does not return from a read or a write) fails the run, which stops the others and interrupts every
 * thread still running (an interrupted {@link java.nio.channels.FileChannel} closes, so its blocked calls
 * return), and the caller returns at the deadline whether or not they have ended (they are daemons).
 *
 * <p>Stateless; thread-safe.
 */
public final class FileThreads
{
    /** A thread's share of the work. */
    @FunctionalInterface
    public interface Task
    {
        /**
         * @param thread the thread's index, {@code [0, threads)}; 0 is the caller's.
         * @param stop   true once another thread has failed: end at the next step.
         */
        void run(int thread, BooleanSupplier stop) throws IOException;
    }

    private FileThreads()
    {
    }

    /**
     * @return the deadline for I/O of {@code bytes}: a minute, and a second per 10 MB beyond, a rate far below
     * any disk's, so only a stuck file system reaches it.
     */
    public static long deadlineMs(final long bytes)
    {
        return 60_000 + bytes / 10_000;
    }

    /**
     * Runs {@code task} on {@code threads} threads named {@code name-0} ..., and waits for them until {@code
     * deadlineMs} have passed.
     *
     * @throws IOException the first failure of any thread (another throwable wrapped, named by {@code name}), or
     *                     the deadline's.
     */
    public static void run(final String name, final int threads, final long deadlineMs, final Task task)
        throws IOException, InterruptedException
    {
        final AtomicReference<Throwable> failure = new AtomicReference<>();
        final BooleanSupplier stop = () -> failure.get() != null;
        final Thread[] started = new Thread[threads];
        for (int i = 0; i < threads; i++)
        {
            final int index = i;
            started[i] = new Thread(() -> runCatching(task, index, stop, failure), name + "-" + i);
            started[i].setDaemon(true);
            started[i].start();
        }
        final long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(deadlineMs);
        try
        {
            for (final Thread t : started)
            {
                final long left = deadline - System.nanoTime();
                if (left > 0)
                {
                    TimeUnit.NANOSECONDS.timedJoin(t, left);
                }
                if (t.isAlive())
                {
                    failure.compareAndSet(null, new IOException(name + ": " + t.getName() +
                        " had not finished its share of the file after " + deadlineMs / 1e3 + " s"));
                    break;
                }
            }
        }
        finally
        {
            for (final Thread t : started)
            {
                if (t.isAlive())
                {
                    t.interrupt(); // past the deadline, or the caller interrupted: stop, not wait
                }
            }
        }
        final Throwable t = failure.get();
        if (t instanceof IOException)
        {
            throw (IOException)t;
        }
        if (t != null)
        {
            throw new IOException(name + ": " + t, t);
        }
    }

    private static void runCatching(final Task task, final int index, final BooleanSupplier stop,
        final AtomicReference<Throwable> failure)
    {
        try
        {
            task.run(index, stop);
        }
        catch (final Throwable t)
        {
            failure.compareAndSet(null, t);
        }
    }
}
