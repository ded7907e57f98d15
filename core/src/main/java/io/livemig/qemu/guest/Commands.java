package io.livemig.qemu.guest;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs the host commands that preparing a QEMU guest needs ({@code apt-get}, {@code apt-cache}, {@code
 * dpkg-deb}), each with a deadline: output goes to a temporary file (so a chatty command never blocks on a
 * full pipe), the process is killed and reaped if it overruns, and a failure names the command, its exit
 * status and the last lines it printed. Stateless; thread-safe.
 */
public final class Commands
{
    private Commands()
    {
    }

    /** @return the executable {@code name} on the {@code PATH}, or null. */
    public static Path onPath(final String name)
    {
        final String path = System.getenv("PATH");
        if (path == null)
        {
            return null;
        }
        for (final String dir : path.split(":"))
        {
            final Path candidate = Path.of(dir.isEmpty() ? "." : dir, name);
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate))
            {
                return candidate;
            }
        }
        return null;
    }

    /** @return whether this process runs as root (the owner of {@code /proc/self}). */
    public static boolean isRoot()
    {
        try
        {
            return ((Number)Files.getAttribute(Path.of("/proc/self"), "unix:uid")).intValue() == 0;
        }
        catch (final IOException | UnsupportedOperationException | IllegalArgumentException ex)
        {
            return false;
        }
    }

    /**
     * Runs {@code command} in {@code dir} with {@code environment} added, and waits at most {@code timeoutMs}.
     *
     * @return what it printed (stdout and stderr together).
     * @throws IOException if it cannot start, overruns (it is then killed) or exits non-zero.
     */
    public static String run(final List<String> command, final Path dir, final Map<String, String> environment,
        final long timeoutMs) throws IOException
    {
        final Path output = Files.createTempFile("livemig-cmd-", ".log");
        try
        {
            final ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(output.toFile()).redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
            if (dir != null)
            {
                pb.directory(dir.toFile());
            }
            pb.environment().putAll(environment);
            final Process process = pb.start();
            try
            {
                if (!process.waitFor(timeoutMs, TimeUnit.MILLISECONDS))
                {
                    throw new IOException(String.join(" ", command) + " did not finish in " + timeoutMs + " ms; " +
                        "killed. Last output: " + tail(output));
                }
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while " + command.get(0) + " ran", ex);
            }
            finally
            {
                kill(process);
            }
            final String text = Files.readString(output, StandardCharsets.UTF_8);
            if (process.exitValue() != 0)
            {
                throw new IOException(String.join(" ", command) + " exited with status " + process.exitValue() +
                    ": " + tail(output));
            }
            return text;
        }
        finally
        {
            Files.deleteIfExists(output);
        }
    }

    /**
     * Sleeps {@code ms} milliseconds.
     *
     * @throws IOException if interrupted (the interrupt is kept).
     */
    public static void sleep(final long ms) throws IOException
    {
        try
        {
            TimeUnit.MILLISECONDS.sleep(ms);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", ex);
        }
    }

    /** Kills {@code process} (and its descendants) if it still runs, and reaps it, waiting at most 5 s. */
    static void kill(final Process process)
    {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        try
        {
            process.waitFor(5, TimeUnit.SECONDS);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }

    private static String tail(final Path output) throws IOException
    {
        final List<String> lines = Files.readAllLines(output, StandardCharsets.UTF_8);
        return String.join(" | ", lines.subList(Math.max(0, lines.size() - 4), lines.size())).strip();
    }
}
