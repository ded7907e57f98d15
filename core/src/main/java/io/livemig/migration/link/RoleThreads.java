package io.livemig.migration.link;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.concurrent.TimeUnit;

/**
 * What every role's threads share: a join (bounded or not) that an interrupt cannot cut short, the thread CPU clock, and a
 * failure's one-line description. Stateless and thread-safe.
 */
public final class RoleThreads
{
    private RoleThreads()
    {
    }

    /** @return the calling thread's CPU time, ns, or -1 if the JVM cannot measure it. */
    public static long cpuNanos()
    {
        final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        return threads.isCurrentThreadCpuTimeSupported() ? threads.getCurrentThreadCpuTime() : -1;
    }

    /** @return the failure's message, or the failure itself where it has none: one line for a result or a log. */
    public static String describe(final Throwable t)
    {
        final String message = t.getMessage();
        return message == null ? t.toString() : message;
    }

    /**
     * Waits until {@code thread} has ended. An interrupt does not cut the wait short (the thread owns state the
     * caller reads next); it is restored on the caller once the thread has ended. Every thread joined here has a
     * deadline of its own (a link timeout, a round's end), so the wait is bounded by that.
     */
    public static void join(final Thread thread)
    {
        join(thread, Long.MAX_VALUE);
    }

    /**
     * Waits until {@code thread} has ended or {@code ms} have passed, whichever comes first ({@link Long#MAX_VALUE}:
     * no bound); an interrupt does not cut the wait short and is restored once it is over.
     *
     * @return whether the thread has ended.
     */
    public static boolean join(final Thread thread, final long ms)
    {
        final boolean bounded = ms != Long.MAX_VALUE;
        final long deadline = bounded ? System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(ms) : 0;
        boolean interrupted = false;
        while (thread.isAlive())
        {
            final long left = bounded ? deadline - System.nanoTime() : 0;
            if (bounded && left <= 0)
            {
                break;
            }
            try
            {
                if (bounded)
                {
                    TimeUnit.NANOSECONDS.timedJoin(thread, left);
                }
                else
                {
                    thread.join();
                }
            }
            catch (final InterruptedException ex)
            {
                interrupted = true;
            }
        }
        if (interrupted)
        {
            Thread.currentThread().interrupt();
        }
        return !thread.isAlive();
    }
}
