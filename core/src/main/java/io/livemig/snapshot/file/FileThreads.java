package io.livemig.snapshot.file;

import java.io.IOException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;

/**
 * One piece of file I/O on {@code threads} threads: the caller's and {@code threads - 1} started for it, each
 * running the same task with its index, all joined before {@link #run} returns (which publishes whatever they
 * wrote to the caller). The first failure of any thread is kept; the others see it through the task's {@code
 * stop} and end at their next step, and {@link #run} throws it. The joins have no deadline: a thread ends when
 * its share of the file is done, and a file system that never returns from a read or a write would hold a
 * single-threaded caller just as long.
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
     * Runs {@code task} on {@code threads} threads named {@code name-1} ... (the caller's is the first).
     *
     * @throws IOException the first failure of any thread (another throwable wrapped, named by {@code name}).
     */
    public static void run(final String name, final int threads, final Task task)
        throws IOException, InterruptedException
    {
        final AtomicReference<Throwable> failure = new AtomicReference<>();
        final BooleanSupplier stop = () -> failure.get() != null;
        final Thread[] started = new Thread[threads - 1];
        for (int i = 1; i < threads; i++)
        {
            final int index = i;
            started[i - 1] = new Thread(() -> runCatching(task, index, stop, failure), name + "-" + i);
            started[i - 1].setDaemon(true);
            started[i - 1].start();
        }
        runCatching(task, 0, stop, failure);
        for (final Thread t : started)
        {
            t.join();
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
