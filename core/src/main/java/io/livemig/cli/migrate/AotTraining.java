package io.livemig.cli.migrate;

import java.io.OutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;

/**
 * The training run of the JDK's ahead-of-time cache (JEP 483, with JDK 25's method profiles, JEP 515):
 * {@code scripts/livemig-java --train-aot} runs this main under {@code -XX:AOTCacheOutput}, with the very JVM
 * options {@code scripts/migrate} uses, so that a later {@code scripts/migrate} starts with its classes loaded and
 * linked and its hot methods' profiles known. It runs the migrations users time: the 1 GiB guest idle and written
 * once over TCP, and a small guest with writers, XBZRLE and LZ4 in pre-copy and post-copy. Their output is
 * discarded; a failed training run exits 1 with the command's own line.
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

    /** Runs every training migration; exits 1 on the first that fails. */
    public static void main(final String[] args)
    {
        final PrintStream stdout = System.out;
        System.setOut(new PrintStream(OutputStream.nullOutputStream()));
        for (final List<String> run : RUNS)
        {
            final StringWriter err = new StringWriter();
            final int status = MigrateCommand.commandLine().setOut(new PrintWriter(OutputStream.nullOutputStream()))
                .setErr(new PrintWriter(err)).execute(run.toArray(new String[0]));
            if (status != 0)
            {
                stdout.flush();
                System.err.println("AOT training: migrate " + String.join(" ", run) + " exited " + status + ": " +
                    err.toString().strip());
                System.exit(1);
            }
        }
        System.setOut(stdout);
    }
}
