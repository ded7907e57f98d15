package io.livemig.qemu.guest;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A running QEMU guest of livemig: the process (TCG by default, KVM only if asked for), its QMP monitor and its
 * serial console, both on unix sockets in a private temporary directory. {@link #start} boots it paused,
 * connects both sockets, lets it run and waits until the guest says its workload runs.
 *
 * <p>Bounded: QEMU runs under coreutils' {@code timeout}, which kills it at its deadline even if this JVM dies
 * first; {@link #close()} asks it to quit, then kills it, reaps it and removes the sockets, on every path
 * (use try-with-resources).
 *
 * <p>Not thread-safe: one thread drives a guest.
 */
public final class QemuGuest implements AutoCloseable
{
    /** Deadline of the boot: from start until the guest prints that its workload runs (TCG boots Linux in ~2 s). */
    public static final long BOOT_TIMEOUT_MS = 120_000;
    /** Deadline of the sockets' appearance. */
    static final long CONNECT_TIMEOUT_MS = 20_000;

    private final Process process;
    private final Path sockets;
    private final Path log;
    private final GuestKind kind;
    private final long memoryBytes;
    private QmpClient qmp;
    private SerialConsole serial;

    private QemuGuest(final Process process, final Path sockets, final Path log, final GuestKind kind,
        final long memoryBytes)
    {
        this.process = process;
        this.sockets = sockets;
        this.log = log;
        this.kind = kind;
        this.memoryBytes = memoryBytes;
    }

    /**
     * Boots a guest and waits until its workload runs.
     *
     * @param images       QEMU and, for a Linux guest, its kernel and initramfs.
     * @param kind         which guest.
     * @param memoryBytes  guest RAM, a multiple of 1 MiB.
     * @param counterPages for the counter guest, how many pages it writes from 2 MiB.
     * @param accel        {@code tcg} or {@code kvm}.
     * @param workDir      where QEMU's log (and the counter guest's image) go.
     * @param lifetimeMs   after this, QEMU is killed whatever happens.
     * @throws IOException if QEMU does not start, or the guest does not get ready in time (QEMU is then gone).
     */
    public static QemuGuest start(final GuestImages images, final GuestKind kind, final long memoryBytes,
        final int counterPages, final String accel, final Path workDir, final long lifetimeMs) throws IOException
    {
        return launch(images, kind, memoryBytes, counterPages, accel, workDir, lifetimeMs, null);
    }

    /**
     * Starts QEMU as the destination of a migration from a file ({@code -incoming "exec:cat FILE"}), with the
     * machine of {@link #start} (the same devices and RAM blocks), paused: its memory, once {@link
     * QemuMigration#load} has seen the load complete, is what QEMU itself makes of the stream.
     *
     * @throws IOException if QEMU does not start.
     */
    public static QemuGuest incoming(final GuestImages images, final GuestKind kind, final long memoryBytes,
        final int counterPages, final String accel, final Path workDir, final long lifetimeMs, final Path stream)
        throws IOException
    {
        return launch(images, kind, memoryBytes, counterPages, accel, workDir, lifetimeMs, stream);
    }

    private static QemuGuest launch(final GuestImages images, final GuestKind kind, final long memoryBytes,
        final int counterPages, final String accel, final Path workDir, final long lifetimeMs, final Path incoming)
        throws IOException
    {
        if (memoryBytes % (1 << 20) != 0 || memoryBytes <= 0)
        {
            throw new IllegalArgumentException("guest memory must be a positive number of MiB: " + memoryBytes);
        }
        if (kind.isLinux() && images.kernel() == null)
        {
            throw new IllegalArgumentException("a Linux guest needs images prepared with the kernel");
        }
        if (incoming != null && (incoming.toString().contains("'") || incoming.toString().contains(" ")))
        {
            throw new IllegalArgumentException("the stream's path goes to a shell: no quote or space in it: " + incoming);
        }
        Files.createDirectories(workDir);
        final Path sockets = Files.createTempDirectory("lmq");
        final Path log = workDir.resolve(incoming == null ? "qemu.log" : "qemu-destination.log");
        final List<String> command = new ArrayList<>();
        if (Commands.onPath("timeout") != null)
        {
            command.addAll(List.of("timeout", "--kill-after=5", TimeUnit.MILLISECONDS.toSeconds(lifetimeMs) + 1 + "s"));
        }
        command.addAll(List.of(images.qemu().toString(), "-M", "pc", "-m", (memoryBytes >> 20) + "M", "-accel", accel,
            "-display", "none", "-monitor", "none", "-no-user-config", "-no-reboot", "-S",
            "-chardev", "socket,id=serial0,path=" + sockets.resolve("serial.sock") + ",server=on,wait=off",
            "-serial", "chardev:serial0",
            "-qmp", "unix:" + QmpClient.socketIn(sockets) + ",server=on,wait=off"));
        if (kind.isLinux())
        {
            command.addAll(List.of("-kernel", images.kernel().toString(), "-initrd", images.initramfs().toString(),
                "-append", "console=ttyS0 quiet livemig.workload=" + kind.cliName()));
        }
        else
        {
            final Path image = workDir.resolve("counter.img");
            Files.write(image, CounterGuestImage.build(counterPages));
            command.addAll(List.of("-kernel", image.toString()));
        }
        if (incoming != null)
        {
            command.addAll(List.of("-incoming", "exec:cat " + incoming.toAbsolutePath()));
        }
        final Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile())
            .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile())).start();
        final QemuGuest guest = new QemuGuest(process, sockets, log, kind, memoryBytes);
        try
        {
            final long connectBy = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(CONNECT_TIMEOUT_MS);
            guest.qmp = QmpClient.connect(QmpClient.socketIn(sockets), connectBy);
            guest.serial = SerialConsole.connect(sockets.resolve("serial.sock"), connectBy);
            if (incoming == null)
            {
                guest.qmp.execute("cont", null);
                guest.serial.await(kind.isLinux() ? GuestInit.READY : CounterGuestImage.READY, 0,
                    System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(BOOT_TIMEOUT_MS));
            }
            return guest;
        }
        catch (final IOException | RuntimeException ex)
        {
            final String qemuSays = guest.qemuLog();
            guest.close();
            throw new IOException("the " + kind.cliName() + (incoming == null ? " guest" : " destination") +
                " did not start: " + ex.getMessage() + (qemuSays.isEmpty() ? "" : "; QEMU said: " + qemuSays), ex);
        }
    }

    /** Has the guest's workload stop writing, and waits until it says it has. */
    public void stopWriting() throws IOException
    {
        final int from = serial.count();
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        serial.send("stop", deadline);
        serial.await(kind.isLinux() ? GuestInit.STOPPED : CounterGuestImage.STOPPED, from, deadline);
    }

    /** @return the QMP monitor. */
    public QmpClient qmp()
    {
        return qmp;
    }

    /** @return the guest's kind. */
    public GuestKind kind()
    {
        return kind;
    }

    /** @return the guest's RAM in bytes. */
    public long memoryBytes()
    {
        return memoryBytes;
    }

    /** @return the directory of the sockets (a migration's socket may go there too: its path is short). */
    Path sockets()
    {
        return sockets;
    }

    /** @return what the guest printed on its serial port so far. */
    public List<String> serialLines()
    {
        return serial == null ? List.of() : serial.lines();
    }

    /** @return the last lines QEMU printed (warnings, errors), joined; "" if none. */
    public String qemuLog()
    {
        try
        {
            final List<String> lines = Files.readAllLines(log);
            return String.join(" | ", lines.subList(Math.max(0, lines.size() - 5), lines.size())).strip();
        }
        catch (final IOException ex)
        {
            return "";
        }
    }

    /** Quits QEMU (QMP {@code quit}), kills it if it has not gone within 3 s, reaps it and removes the sockets. */
    @Override
    public void close() throws IOException
    {
        try
        {
            if (qmp != null && process.isAlive())
            {
                try
                {
                    qmp.execute("quit", null);
                }
                catch (final IOException ex)
                {
                    // QEMU may close the monitor before it answers; it is killed below if need be
                }
            }
            if (!process.waitFor(3, TimeUnit.SECONDS))
            {
                Commands.kill(process);
            }
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            Commands.kill(process);
        }
        finally
        {
            Commands.kill(process);
            try
            {
                if (qmp != null)
                {
                    qmp.close();
                }
                if (serial != null)
                {
                    serial.close();
                }
            }
            finally
            {
                try (Stream<Path> files = Files.walk(sockets))
                {
                    for (final Path p : files.sorted(Comparator.reverseOrder()).toList())
                    {
                        Files.deleteIfExists(p);
                    }
                }
            }
        }
    }
}
