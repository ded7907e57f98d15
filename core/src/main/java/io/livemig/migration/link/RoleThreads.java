package io.livemig.migration.link;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;

/**
 * What every role's threads share: a join that an interrupt cannot cut short, the thread CPU clock, and a
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
        boolean interrupted = false;
        while (thread.isAlive())
        {
            try
            {
                thread.join();
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
    }
}
