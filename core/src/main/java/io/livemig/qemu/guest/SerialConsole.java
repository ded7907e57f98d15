package io.livemig.qemu.guest;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The guest's serial port, served by QEMU on a unix socket: a daemon thread reads the guest's lines as they
 * come and keeps them; {@link #await} waits, with a deadline, for a line that starts with a marker; {@link
 * #send} writes a line to the guest.
 *
 * <p>Thread-safe: the reader thread appends under this object's lock, and waiters wait on it.
 */
final class SerialConsole implements AutoCloseable
{
    private final UnixLines lines;
    private final Thread reader;
    private final List<String> received = new ArrayList<>();
    private boolean ended;

    private SerialConsole(final UnixLines lines)
    {
        this.lines = lines;
        this.reader = new Thread(this::readLines, "livemig-qemu-serial");
        reader.setDaemon(true);
        reader.start();
    }

    /** Connects to the serial socket at {@code path}, retrying until it exists or {@code deadlineNanos}. */
    static SerialConsole connect(final Path path, final long deadlineNanos) throws IOException
    {
        return new SerialConsole(UnixLines.connect(path, deadlineNanos));
    }

    private void readLines()
    {
        try
        {
            String line;
            while ((line = lines.readLine(System.nanoTime() + TimeUnit.HOURS.toNanos(1))) != null)
            {
                synchronized (this)
                {
                    received.add(line);
                    notifyAll();
                }
            }
        }
        catch (final IOException | RuntimeException ex)
        {
            // closed (a closed selector throws unchecked), or QEMU went away: waiters see the end
        }
        finally
        {
            synchronized (this)
            {
                ended = true;
                notifyAll();
            }
        }
    }

    /**
     * Waits for a line that contains {@code marker}, received since line {@code from}.
     *
     * @return the index of that line.
     * @throws IOException if it does not come before {@code deadlineNanos}, or the port closes first.
     */
    synchronized int await(final String marker, final int from, final long deadlineNanos) throws IOException
    {
        int next = from;
        while (true)
        {
            for (; next < received.size(); next++)
            {
                if (received.get(next).contains(marker))
                {
                    return next;
                }
            }
            final long left = deadlineNanos - System.nanoTime();
            if (ended || left <= 0)
            {
                throw new IOException("the guest did not print " + marker + (ended ? " before its serial port " +
                    "closed" : " in time") + "; its last lines: " + tail(5));
            }
            try
            {
                TimeUnit.NANOSECONDS.timedWait(this, left);
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted", ex);
            }
        }
    }

    /** @return the number of lines received so far. */
    synchronized int count()
    {
        return received.size();
    }

    /** @return the last {@code n} lines received, joined with " | ". */
    synchronized String tail(final int n)
    {
        return String.join(" | ", received.subList(Math.max(0, received.size() - n), received.size()));
    }

    /** @return every line received so far. */
    synchronized List<String> lines()
    {
        return List.copyOf(received);
    }

    /** Sends {@code line} and a newline to the guest. */
    void send(final String line, final long deadlineNanos) throws IOException
    {
        lines.write(line + "\n", deadlineNanos);
    }

    @Override
    public void close() throws IOException
    {
        lines.close();
        try
        {
            reader.join(TimeUnit.SECONDS.toMillis(2));
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }
}
