package io.livemig.cli.migrate;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * {@code scripts/migrate} as separate JVMs for the multi-process tests: started on the test's own classpath
 * (optionally behind a command prefix such as {@code two-hosts exec dst --}), stderr to a file, each wait bounded
 * by the test's deadline. Callers kill every process they start in a {@code finally}.
 */
final class MigrateProcesses
{
    private static final Pattern LISTENING = Pattern.compile("migrate: listening on (\\S+):(\\d+)");

    private MigrateProcesses()
    {
    }

    /** Starts {@code prefix... java ... MigrateCommand args...}, stdout discarded, stderr to {@code stderr}. */
    static Process start(final List<String> prefix, final Path stderr, final String... args) throws IOException
    {
        final List<String> command = new ArrayList<>(prefix);
        command.addAll(List.of(
            Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-Xmx512m", "-XX:+UseSerialGC", "-Dlivemig.warmup=false", "--add-opens", "java.base/jdk.internal.misc=ALL-UNNAMED",
            "--add-modules", "jdk.incubator.vector",
            "-cp", System.getProperty("java.class.path"), MigrateCommand.class.getName()));
        command.addAll(List.of(args));
        return new ProcessBuilder(command).redirectOutput(ProcessBuilder.Redirect.DISCARD)
            .redirectError(stderr.toFile()).start();
    }

    /** @return the port a {@code --listen} destination printed, failing if it ends or the deadline passes first. */
    static String awaitPort(final Process destination, final Path stderr, final long deadlineNs) throws Exception
    {
        while (System.nanoTime() < deadlineNs)
        {
            final Matcher m = LISTENING.matcher(read(stderr));
            if (m.find())
            {
                return m.group(2);
            }
            if (!destination.isAlive())
            {
                fail("the destination ended before listening: " + read(stderr));
            }
            TimeUnit.MILLISECONDS.sleep(20);
        }
        return fail("the destination printed no port before the deadline: " + read(stderr));
    }

    /** @return the exit code, failing if the process is still running at the deadline. */
    static int await(final Process p, final long deadlineNs, final Path stderr) throws Exception
    {
        if (!p.waitFor(Math.max(1, deadlineNs - System.nanoTime()), TimeUnit.NANOSECONDS))
        {
            fail("no exit before the deadline: " + read(stderr));
        }
        return p.exitValue();
    }

    /** Kills a process started here, if any, and waits a little for it to go. */
    static void kill(final Process p) throws InterruptedException
    {
        if (p != null)
        {
            p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }

    /** @return the file's text, empty if absent. */
    static String read(final Path file)
    {
        try
        {
            return new File(file.toString()).exists() ? Files.readString(file) : "";
        }
        catch (final IOException ex)
        {
            return "(unreadable: " + ex + ")";
        }
    }
}
