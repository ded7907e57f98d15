package io.livemig.cli.migrate;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The training run of the JDK's ahead-of-time cache (JEP 483, with JDK 25's method profiles, JEP 515):
 * {@code scripts/livemig-java --train-aot} runs this main under {@code -XX:AOTCacheOutput}, with the very JVM
 * options {@code scripts/migrate} uses, so that a later {@code scripts/migrate} starts with its classes loaded and
 * linked and its hot methods' profiles known. It runs the migrations users time: the 1 GiB guest idle and written
 * once over TCP, and a small guest with writers, XBZRLE and LZ4 in pre-copy and post-copy; then README's three
 * snapshot commands (a live save, an eager and a lazy restore) on a file in a temporary directory, deleted after.
 * Their output is discarded; a failed training run exits 1 with the command's own line.
 *
 * <p>Not thread-safe; one run per JVM.
 */
public final class AotTraining
{
    /** The migrations of the training run, each as {@code scripts/migrate}'s arguments. */
    static final List<List<String>> RUNS = List.of(
        List.of("--memory", "1g", "--writers", "0", "--fill", "0", "--bandwidth", "0", "--link", "tcp", "--quiet"),
        List.of("--memory", "1g", "--writers", "0", "--fill", "1.0", "--bandwidth", "0", "--link", "tcp", "--quiet"),
        List.of("--memory", "64m", "--writers", "2", "--dirty-rate", "20000", "--xbzrle", "--lz4", "--verify",
            "--quiet"),
        List.of("--memory", "64m", "--writers", "2", "--mode", "postcopy", "--link", "tcp", "--verify", "--quiet"));

    private AotTraining()
    {
    }

    /** @return the snapshot commands of the training run, on {@code file}. */
    static List<List<String>> snapshotRuns(final Path file)
    {
        final String at = "file:" + file;
        return List.of(
            List.of("--to", at, "--memory", "256m", "--writers", "2", "--snapshot", "live", "--channels", "2",
                "--verify", "--quiet"),
            List.of("--from", at, "--channels", "2", "--verify", "--quiet"),
            List.of("--from", at, "--restore", "lazy", "--verify", "--quiet"));
    }

    /** Runs every training migration and snapshot; exits 1 on the first that fails. */
    public static void main(final String[] args) throws IOException
    {
        final PrintStream stdout = System.out;
        System.setOut(new PrintStream(OutputStream.nullOutputStream()));
        final Path dir = Files.createTempDirectory("livemig-aot-training");
        final Path file = dir.resolve("training.snap");
        final boolean done;
        try
        {
            done = run(stdout, RUNS) && run(stdout, snapshotRuns(file));
        }
        finally
        {
            Files.deleteIfExists(file);
            Files.delete(dir);
        }
        System.setOut(stdout);
        if (!done)
        {
            System.exit(1);
        }
    }

    /** @return whether every run exited 0 (else the first failure is printed, and the rest not run). */
    private static boolean run(final PrintStream stdout, final List<List<String>> runs)
    {
        for (final List<String> run : runs)
        {
            final StringWriter err = new StringWriter();
            final int status = MigrateCommand.commandLine().setOut(new PrintWriter(OutputStream.nullOutputStream()))
                .setErr(new PrintWriter(err)).execute(run.toArray(new String[0]));
            if (status != 0)
            {
                stdout.flush();
                System.err.println("AOT training: migrate " + String.join(" ", run) + " exited " + status + ": " +
                    err.toString().strip());
                return false;
            }
        }
        return true;
    }
}
