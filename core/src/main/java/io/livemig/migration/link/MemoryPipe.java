package io.livemig.migration.link;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A one-way in-process byte pipe: a ring buffer between a {@link #sink()} written by one thread and a
 * {@link #source()} read by another, with an optional one-way latency (bytes become readable {@code
 * latency} after they were written). Both ends block as sockets do: a write waits for room and returns when
 * every byte is in the pipe; a read waits for at least one readable byte and returns what there is, or -1
 * once the sink is closed and everything was read.
 *
 * <p>Thread-safety: one writer and one reader at a time; a lock guards the ring (the pipe carries whole
 * buffers per call, so the lock is taken once per buffer, not per byte). Closing either end from any thread
 * wakes the other: a writer then fails with {@link ClosedChannelException}, a blocked reader with {@link
 * AsynchronousCloseException}.
 */
public final class MemoryPipe
{
    private static final int MARKS = 4096;

    private final byte[] ring;
    private final int mask;
    private final long latencyNs;
    private final long[] markEnd = new long[MARKS];
    private final long[] markDue = new long[MARKS];
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition readable = lock.newCondition();
    private final Condition writable = lock.newCondition();
    private final WritableByteChannel sink = new Sink();
    private final ReadableByteChannel source = new Source();

    private long written;
    private long read;
    private long visible;
    private int markHead;
    private int markCount;
    private boolean sinkClosed;
    private boolean sourceClosed;

    /**
     * @param capacity  ring size in bytes, rounded up to a power of two, at least 64 KiB.
     * @param latencyNs one-way delay in nanoseconds, 0 for none.
     */
    public MemoryPipe(final int capacity, final long latencyNs)
    {
        if (capacity <= 0 || capacity > (1 << 30))
        {
            throw new IllegalArgumentException("pipe capacity must be 1 byte to 1 GiB: " + capacity);
        }
        if (latencyNs < 0)
        {
            throw new IllegalArgumentException("latency must not be negative: " + latencyNs);
        }
        final int size = Math.max(64 << 10, Integer.highestOneBit(capacity - 1) << 1);
        this.ring = new byte[size];
        this.mask = size - 1;
        this.latencyNs = latencyNs;
    }

    /** @return the writing end. */
    public WritableByteChannel sink()
    {
        return sink;
    }

    /** @return the reading end. */
    public ReadableByteChannel source()
    {
        return source;
    }

    /** Closes the writing end: the reader gets -1 after the last byte. */
    public void closeSink()
    {
        close(true);
    }

    /** Closes the reading end: writers fail, a blocked reader is woken. */
    public void closeSource()
    {
        close(false);
    }

    private int write(final ByteBuffer src) throws IOException
    {
        final int total = src.remaining();
        lock.lock();
        try
        {
            while (src.hasRemaining())
            {
                if (sinkClosed || sourceClosed)
                {
                    throw new ClosedChannelException();
                }
                final long room = ring.length - (written - read);
                if (room == 0)
                {
                    writable.awaitUninterruptibly();
                    continue;
                }
                final int n = (int)Math.min(room, src.remaining());
                copyIn(src, n);
                written += n;
                publish();
                readable.signal();
            }
            return total;
        }
        finally
        {
            lock.unlock();
        }
    }

    /** Marks the bytes written so far as readable now, or after the latency. */
    private void publish()
    {
        if (latencyNs == 0)
        {
            visible = written;
            return;
        }
        final long due = System.nanoTime() + latencyNs;
        if (markCount == MARKS)
        {
            // Full: fold into the newest mark. Its bytes arrive a little late, never early.
            final int last = (markHead + MARKS - 1) & (MARKS - 1);
            markEnd[last] = written;
            markDue[last] = due;
            return;
        }
        final int slot = (markHead + markCount) & (MARKS - 1);
        markEnd[slot] = written;
        markDue[slot] = due;
        markCount++;
    }

    private void copyIn(final ByteBuffer src, final int n)
    {
        final int at = (int)(written & mask);
        final int first = Math.min(n, ring.length - at);
        src.get(ring, at, first);
        src.get(ring, 0, n - first);
    }

    private int read(final ByteBuffer dst) throws IOException
    {
        if (!dst.hasRemaining())
        {
            return 0;
        }
        lock.lock();
        try
        {
            while (true)
            {
                if (sourceClosed)
                {
                    throw new AsynchronousCloseException();
                }
                long waitNs = -1;
                while (markCount > 0)
                {
                    final long left = markDue[markHead] - System.nanoTime();
                    if (left > 0)
                    {
                        waitNs = left;
                        break;
                    }
                    visible = markEnd[markHead];
                    markHead = (markHead + 1) & (MARKS - 1);
                    markCount--;
                }
                if (visible > read)
                {
                    final int n = (int)Math.min(visible - read, dst.remaining());
                    final int at = (int)(read & mask);
                    final int first = Math.min(n, ring.length - at);
                    dst.put(ring, at, first);
                    dst.put(ring, 0, n - first);
                    read += n;
                    writable.signal();
                    return n;
                }
                if (sinkClosed && read == written)
                {
                    return -1;
                }
                if (waitNs > 0)
                {
                    readable.awaitNanos(waitNs);
                }
                else
                {
                    readable.await(100, TimeUnit.MILLISECONDS);
                }
            }
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new AsynchronousCloseException();
        }
        finally
        {
            lock.unlock();
        }
    }

    private void close(final boolean sinkEnd)
    {
        lock.lock();
        try
        {
            if (sinkEnd)
            {
                sinkClosed = true;
            }
            else
            {
                sourceClosed = true;
            }
            readable.signalAll();
            writable.signalAll();
        }
        finally
        {
            lock.unlock();
        }
    }

    private boolean isOpen(final boolean sinkEnd)
    {
        lock.lock();
        try
        {
            return sinkEnd ? !sinkClosed && !sourceClosed : !sourceClosed;
        }
        finally
        {
            lock.unlock();
        }
    }

    private final class Sink implements WritableByteChannel
    {
        @Override
        public int write(final ByteBuffer src) throws IOException
        {
            return MemoryPipe.this.write(src);
        }

        @Override
        public boolean isOpen()
        {
            return MemoryPipe.this.isOpen(true);
        }

        @Override
        public void close()
        {
            MemoryPipe.this.close(true);
        }
    }

    private final class Source implements ReadableByteChannel
    {
        @Override
        public int read(final ByteBuffer dst) throws IOException
        {
            return MemoryPipe.this.read(dst);
        }

        @Override
        public boolean isOpen()
        {
            return MemoryPipe.this.isOpen(false);
        }

        @Override
        public void close()
        {
            MemoryPipe.this.close(false);
        }
    }
}
