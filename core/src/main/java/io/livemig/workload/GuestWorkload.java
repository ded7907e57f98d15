package io.livemig.workload;

import io.livemig.memory.GuestMemory;
import io.livemig.memory.PagePlacer;

import java.util.concurrent.locks.LockSupport;

/**
 * A simulated guest: writer threads (its vCPUs) that write guest memory in an {@link AccessPattern}, flat
 * out or paced to a target dirty rate, and that can be throttled, paused and moved to another memory.
 *
 * <h2>What one write does</h2>
 * <ul>
 *   <li>{@linkplain AccessPattern#sequential sequential}: QEMU's migration test guest: increments the first
 *       byte of the next page of the writer's slice (read, add one, store), sweeping the slice for ever;</li>
 *   <li>any other pattern: stores {@code bytesPerTouch} bytes of a running counter at an offset owned by
 *       the writer ({@code writerIndex * bytesPerTouch}), so writers never overwrite each other's bytes and
 *       a page that keeps being written changes in one small run, as XBZRLE likes.</li>
 * </ul>
 * Every write goes through {@link GuestMemory}, so it is marked dirty after its data is stored.
 *
 * <h2>Controls</h2>
 * <ul>
 *   <li>{@link #pause()} stops every writer between two writes and returns once all have stopped: the
 *       vCPUs are stopped for the downtime;</li>
 *   <li>{@link #resume(VcpuTarget)} runs them again, possibly on another memory (the destination) behind a
 *       {@link PageGate} (post-copy faults);</li>
 *   <li>{@link #setComputeVcpus(int)}, before {@link #start}, makes the last vCPUs compute on guest memory
 *       (read a byte of each page they visit, never writing), so that a guest can mix vCPUs that dirty fast
 *       with vCPUs that compute; their counters count reads;</li>
 *   <li>{@link #setThrottlePercent(int)} makes each writer sleep that fraction of the time, in 10 ms run
 *       slices, as QEMU's CPU throttle (what auto-converge turns) does.</li>
 * </ul>
 *
 * <p>Thread-safety: the control methods are synchronized and may be called from any thread (e.g. the
 * source pauses, the destination resumes); a control call happens-before the writers act on it. Progress
 * counters ({@link #writes()}) may be read from any thread at any time.
 */
public final class GuestWorkload implements AutoCloseable
{
    /** Length of one run slice under a throttle, as QEMU's CPU_THROTTLE_TIMESLICE_NS. */
    public static final long THROTTLE_SLICE_NS = 10_000_000L;
    /** Largest throttle accepted, as QEMU's cpu-throttle maximum. */
    public static final int MAX_THROTTLE_PERCENT = 99;
    /** How long {@link #close} waits for the writers to stop before it wakes those blocked in a page fault. */
    public static final long STOP_TIMEOUT_MS = 10_000;

    private static final int RUNNING = 0;
    private static final int PAUSED = 1;
    private static final int STOPPED = 2;

    private final AccessPattern pattern;
    private final int writerCount;
    private final long dirtyRatePagesPerSecond;
    private final int bytesPerTouch;
    private final long seed;
    private final boolean sweep;
    private final WriterProgress[] progress;
    private final Thread[] threads;

    private volatile int state = PAUSED;
    private volatile int throttlePercent;
    private int computeVcpus;
    private volatile VcpuTarget target;
    private volatile Throwable failure;
    private int parked;
    private boolean started;

    /**
     * @param pattern                 the pages written.
     * @param writerCount             number of writer threads, 1 to 256.
     * @param dirtyRatePagesPerSecond writes per second summed over writers, or 0 for flat out.
     * @param bytesPerTouch           bytes stored per write (non-sequential patterns), 1 to {@code pageSize /
     *                                writerCount} (checked when a target is given).
     * @param seed                    seed of the writers' random choices.
     */
    public GuestWorkload(
        final AccessPattern pattern, final int writerCount, final long dirtyRatePagesPerSecond,
        final int bytesPerTouch, final long seed)
    {
        if (pattern == null)
        {
            throw new NullPointerException("pattern");
        }
        if (writerCount < 1 || writerCount > 256)
        {
            throw new IllegalArgumentException("writers must be 1 to 256: " + writerCount);
        }
        if (dirtyRatePagesPerSecond < 0)
        {
            throw new IllegalArgumentException("dirty rate must be 0 (flat out) or positive: " + dirtyRatePagesPerSecond);
        }
        if (bytesPerTouch < 1)
        {
            throw new IllegalArgumentException("bytes per touch must be positive: " + bytesPerTouch);
        }
        this.pattern = pattern;
        this.writerCount = writerCount;
        this.dirtyRatePagesPerSecond = dirtyRatePagesPerSecond;
        this.bytesPerTouch = bytesPerTouch;
        this.seed = seed;
        this.sweep = "sequential".equals(pattern.name());
        this.progress = new WriterProgress[writerCount];
        this.threads = new Thread[writerCount];
        for (int i = 0; i < writerCount; i++)
        {
            progress[i] = new WriterProgress();
        }
    }

    /** @return the access pattern. */
    public AccessPattern pattern()
    {
        return pattern;
    }

    /** @return the number of writers. */
    public int writerCount()
    {
        return writerCount;
    }

    /** @return whether this is the sequential sweep of QEMU's migration test. */
    public boolean isSweep()
    {
        return sweep;
    }

    /**
     * Starts the writers on {@code first} and returns at once.
     *
     * @throws IllegalStateException if already started.
     */
    public synchronized void start(final VcpuTarget first)
    {
        if (started)
        {
            throw new IllegalStateException("workload already started");
        }
        checkTarget(first);
        started = true;
        target = first;
        state = RUNNING;
        for (int i = 0; i < writerCount; i++)
        {
            final Writer writer = new Writer(i, pattern.sequence(seed + 0x9E3779B97F4A7C15L * (i + 1), i, writerCount));
            final Thread thread = new Thread(writer, "vcpu-" + i);
            thread.setDaemon(true);
            threads[i] = thread;
            thread.start();
        }
    }

    /**
     * Stops every writer between two writes and returns once all of them are parked: from then on, until
     * {@link #resume}, no writer stores anything. A writer parked in a fault is waited for, at most {@link
     * #STOP_TIMEOUT_MS} ({@link #awaitPaused()}).
     */
    public synchronized void pause()
    {
        requestPause();
        awaitPaused();
    }

    /**
     * Asks every writer to stop at its next write boundary and wakes the parked ones, without waiting. A caller
     * that must wake writers asleep elsewhere (dirty-limit's penalty) does that between this and {@link
     * #awaitPaused}, so that they stop as soon as they wake instead of running unthrottled meanwhile.
     */
    public synchronized void requestPause()
    {
        if (!started || state == STOPPED)
        {
            return;
        }
        state = PAUSED;
        wakeAll();
    }

    /**
     * Waits, at most {@link #STOP_TIMEOUT_MS}, until every writer has parked after {@link #requestPause}; then no
     * writer stores anything.
     *
     * @throws IllegalStateException if a writer has not parked in time (one blocked in a page fault that nobody
     *                               serves, say), naming the writers and where they run; or the first error a
     *                               writer hit.
     */
    public void awaitPaused()
    {
        awaitPaused(STOP_TIMEOUT_MS);
    }

    /** As {@link #awaitPaused()}, waiting at most {@code timeoutMs}. */
    synchronized void awaitPaused(final long timeoutMs)
    {
        if (!started || state != PAUSED)
        {
            return;
        }
        final long deadline = System.nanoTime() + timeoutMs * 1_000_000L;
        boolean interrupted = false;
        while (parked < liveWriters())
        {
            if (System.nanoTime() - deadline >= 0)
            {
                if (interrupted)
                {
                    Thread.currentThread().interrupt();
                }
                throw new IllegalStateException("vCPUs not paused " + timeoutMs + " ms after the pause was asked: " +
                    (liveWriters() - parked) + " of " + liveWriters() + " still running; the vCPUs: " + running());
            }
            try
            {
                wait(1);
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
        rethrowFailure();
    }

    /**
     * Runs the writers again on {@code next}, which may be another memory. Returns once they are signalled.
     */
    public synchronized void resume(final VcpuTarget next)
    {
        if (!started || state == STOPPED)
        {
            throw new IllegalStateException("workload not running");
        }
        checkTarget(next);
        target = next;
        state = RUNNING;
        wakeAll();
    }

    /**
     * Runs the writers on {@code next}: starts them if they never ran (a destination in another process
     * builds its vCPUs afresh), else resumes them (the same vCPUs, moved in one process).
     */
    public synchronized void startOrResume(final VcpuTarget next)
    {
        if (started)
        {
            resume(next);
        }
        else
        {
            start(next);
        }
    }

    /**
     * Makes the last {@code count} vCPUs read instead of write (compute vCPUs). Call before {@link #start}.
     *
     * @throws IllegalArgumentException unless {@code 0 <= count < writerCount()}, or for the sequential sweep,
     *                                  whose invariant needs every vCPU to write.
     * @throws IllegalStateException    if already started.
     */
    public synchronized void setComputeVcpus(final int count)
    {
        if (started)
        {
            throw new IllegalStateException("compute vCPUs are set before start");
        }
        if (count < 0 || count >= writerCount || (count > 0 && sweep))
        {
            throw new IllegalArgumentException("compute vCPUs must be 0 to writers - 1 (" + (writerCount - 1) +
                ")" + (sweep ? " and 0 for the sequential pattern" : "") + ": " + count);
        }
        computeVcpus = count;
    }

    /** @return how many of the last vCPUs compute (read) rather than write. */
    public synchronized int computeVcpus()
    {
        return computeVcpus;
    }

    /** Sets the share of time each writer sleeps, 0 to {@value #MAX_THROTTLE_PERCENT} percent. */
    public void setThrottlePercent(final int percent)
    {
        if (percent < 0 || percent > MAX_THROTTLE_PERCENT)
        {
            throw new IllegalArgumentException("throttle must be 0 to " + MAX_THROTTLE_PERCENT + " %: " + percent);
        }
        throttlePercent = percent;
    }

    /** @return the current throttle in percent (volatile read). */
    public int throttlePercent()
    {
        return throttlePercent;
    }

    /** @return total writes so far over all writers (acquire reads of each counter). */
    public long writes()
    {
        long sum = 0;
        for (final WriterProgress p : progress)
        {
            sum += p.getAcquire();
        }
        return sum;
    }

    /** @return writer {@code i}'s progress counter. */
    public WriterProgress progress(final int i)
    {
        return progress[i];
    }

    /**
     * Stops and joins every writer, waiting at most {@link #STOP_TIMEOUT_MS} ({@link #stop}); idempotent.
     * Rethrows the first error a writer hit, if any.
     */
    @Override
    public void close()
    {
        stop(STOP_TIMEOUT_MS);
    }

    /**
     * Stops and joins every writer; idempotent. A writer still running after {@code timeoutMs} is blocked where no
     * stop flag reaches it: in a page fault that nobody serves, on memory with a {@link PagePlacer}. Then the
     * placer's waiters are released ({@link PagePlacer#releaseWaiters}: the pages they wait for read as zeros),
     * the writers are joined once more for as long, and the stop fails, naming them: the run is not to be
     * trusted, but nothing waits for ever and the memory can then be closed under no writer.
     *
     * @throws IllegalStateException if a writer did not stop in time, or (after they stopped) the first error a
     *                               writer hit.
     */
    public void stop(final long timeoutMs)
    {
        synchronized (this)
        {
            if (!started || state == STOPPED)
            {
                state = STOPPED;
                return;
            }
            state = STOPPED;
            wakeAll();
        }
        if (!joinAll(timeoutMs))
        {
            final String stuck = running();
            final PagePlacer placer = target.memory().placer();
            if (placer != null)
            {
                placer.releaseWaiters();
            }
            final boolean stopped = joinAll(timeoutMs);
            throw new IllegalStateException("vCPUs still running " + timeoutMs + " ms after the stop: " + stuck +
                (placer == null ? "" : stopped ? "; they stopped once the memory's page-fault waiters were released " +
                    "(the pages they waited for read as zeros)" : "; even after the memory's page-fault waiters were released"));
        }
        rethrowFailure();
    }

    /** Joins every writer, in all at most {@code timeoutMs}; an interrupt is restored after the wait. */
    private boolean joinAll(final long timeoutMs)
    {
        final long deadline = System.nanoTime() + timeoutMs * 1_000_000L;
        boolean interrupted = false;
        for (final Thread thread : threads)
        {
            long left;
            while (thread != null && thread.isAlive() && (left = deadline - System.nanoTime()) > 0)
            {
                try
                {
                    thread.join(Math.max(1, left / 1_000_000L));
                }
                catch (final InterruptedException ex)
                {
                    interrupted = true;
                }
            }
        }
        if (interrupted)
        {
            Thread.currentThread().interrupt();
        }
        return running().isEmpty();
    }

    /** @return the writers still alive, each with the frame it runs in; empty if none. */
    private String running()
    {
        final StringBuilder b = new StringBuilder();
        for (final Thread thread : threads)
        {
            if (thread != null && thread.isAlive())
            {
                final StackTraceElement[] stack = thread.getStackTrace();
                b.append(b.length() == 0 ? "" : ", ").append(thread.getName())
                    .append(stack.length == 0 ? "" : " in " + stack[0].getClassName() + "." + stack[0].getMethodName());
            }
        }
        return b.toString();
    }

    private void checkTarget(final VcpuTarget t)
    {
        if (t.memory().pageCount() < pattern.pageCount())
        {
            throw new IllegalArgumentException(
                "pattern of " + pattern.pageCount() + " pages does not fit " + t.memory());
        }
        if (!sweep && (long)bytesPerTouch * writerCount > t.memory().pageSize())
        {
            throw new IllegalArgumentException(
                "bytes per touch " + bytesPerTouch + " x " + writerCount + " writers exceeds the page size " +
                t.memory().pageSize());
        }
    }

    private int liveWriters()
    {
        int live = 0;
        for (final Thread thread : threads)
        {
            if (thread != null && thread.isAlive())
            {
                live++;
            }
        }
        return live;
    }

    private void wakeAll()
    {
        for (final Thread thread : threads)
        {
            if (thread != null)
            {
                LockSupport.unpark(thread);
            }
        }
    }

    private void rethrowFailure()
    {
        final Throwable t = failure;
        if (t != null)
        {
            throw new IllegalStateException("a writer failed: " + t, t);
        }
    }

    private synchronized void parkedChanged(final int delta)
    {
        parked += delta;
        notifyAll();
    }

    /** One vCPU. */
    private final class Writer implements Runnable
    {
        private final int index;
        private final PageSequence sequence;
        private final WriterProgress counter;
        private final long intervalNs;
        private long counterValue;

        Writer(final int index, final PageSequence sequence)
        {
            this.index = index;
            this.sequence = sequence;
            this.counter = progress[index];
            this.intervalNs = dirtyRatePagesPerSecond == 0 ? 0 :
                Math.max(1, 1_000_000_000L * writerCount / dirtyRatePagesPerSecond);
        }

        @Override
        public void run()
        {
            try
            {
                loop();
            }
            catch (final Throwable t)
            {
                failure = t;
                parkedChanged(1);
            }
        }

        private void loop()
        {
            while (true)
            {
                final int s = state;
                if (s == STOPPED)
                {
                    return;
                }
                if (s == PAUSED)
                {
                    parkWhilePaused();
                    continue;
                }
                runUntilPaused(target);
            }
        }

        private void parkWhilePaused()
        {
            parkedChanged(1);
            while (state == PAUSED)
            {
                LockSupport.park(this);
            }
            parkedChanged(-1);
        }

        /** The hot loop: writes until the state changes; counters are published every batch. */
        private void runUntilPaused(final VcpuTarget t)
        {
            final GuestMemory memory = t.memory();
            final GuestMemory mirror = t.mirror();
            final PageGate gate = t.gate();
            final int shift = memory.pageShift();
            final long offset = sweep ? 0 : (long)index * bytesPerTouch;
            final boolean computes = index >= writerCount - computeVcpus;
            final long interval = intervalNs;
            // a paced pattern (a replayed trace) sets each write's interval, unless the workload has a rate
            final boolean paced = interval == 0 && pattern.isPaced();
            long due = System.nanoTime();
            long sliceStart = due;
            int batch = 0;
            while (state == RUNNING)
            {
                final long page = sequence.nextPage();
                if (gate != null && !gate.isPresent(page))
                {
                    gate.awaitPresent(page, index);
                }
                final long address = (page << shift) + offset;
                if (sweep)
                {
                    memory.putByte(address, (byte)(memory.getByte(address) + 1));
                    if (mirror != null)
                    {
                        mirror.putByte(address, (byte)(mirror.getByte(address) + 1));
                    }
                }
                else if (computes)
                {
                    counterValue += memory.getByte(address); // kept in a field: the read is not dead
                }
                else
                {
                    final byte value = (byte)++counterValue;
                    memory.fill(address, bytesPerTouch, value);
                    if (mirror != null)
                    {
                        mirror.fill(address, bytesPerTouch, value);
                    }
                }
                if (++batch == 64)
                {
                    counter.addOrdered(batch);
                    batch = 0;
                }
                if (interval != 0 || paced || throttlePercent != 0)
                {
                    final long now = System.nanoTime();
                    final long step = paced ? sequence.intervalNanos() : interval;
                    if (step != 0)
                    {
                        due += step;
                        if (due - now > 50_000)
                        {
                            sleepUntil(due);
                        }
                        else if (now - due > 1_000_000)
                        {
                            due = now; // fell behind (a fault, a throttle sleep): do not burst to catch up
                        }
                    }
                    sliceStart = throttle(sliceStart, now);
                }
            }
            counter.addOrdered(batch);
        }

        private long throttle(final long sliceStart, final long now)
        {
            final int pct = throttlePercent;
            if (pct == 0)
            {
                return now;
            }
            if (now - sliceStart < THROTTLE_SLICE_NS)
            {
                return sliceStart;
            }
            sleepUntil(now + THROTTLE_SLICE_NS * pct / (100 - pct));
            return System.nanoTime();
        }

        /** Sleeps until {@code deadline} unless the state changes first. */
        private void sleepUntil(final long deadline)
        {
            long left;
            while (state == RUNNING && (left = deadline - System.nanoTime()) > 0)
            {
                LockSupport.parkNanos(this, left);
            }
        }
    }
}
