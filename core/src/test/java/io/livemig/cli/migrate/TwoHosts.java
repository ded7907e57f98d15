package io.livemig.cli.migrate;

import io.livemig.Machine;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * One {@code scripts/two-hosts} pair of network namespaces for a test: a random name and a random /30 of
 * 10.199.0.0/16, so that tests in parallel worktrees do not meet; {@link #close()} removes them in any case.
 * Where the script cannot run (no root, no iproute2) {@link #upOrSkip} skips the test with the reason;
 * {@code TwoHostsGuardTest} fails where the machine has them and the pair does not come up.
 * Not thread-safe: one test thread drives it; every script call is bounded by 30 s.
 */
final class TwoHosts implements AutoCloseable
{
    static final Path SCRIPT = Path.of("..", "scripts", "two-hosts").toAbsolutePath().normalize();
    private static final long SCRIPT_TIMEOUT_S = 30;

    private final Path dir;
    private final String name;
    private final String subnet;

    private TwoHosts(final Path dir, final String name, final String subnet)
    {
        this.dir = dir;
        this.name = name;
        this.subnet = subnet;
    }

    /**
     * Brings a new pair up, its link shaped to {@code rate} (tc's syntax). Skips the test, saying why, only where
     * the script refuses for want of root or iproute2 and the machine indeed lacks them ({@link
     * Machine#lacksNamespaces}); fails it on any other refusal, and wherever the machine has them.
     */
    static TwoHosts upOrSkip(final Path dir, final String rate) throws IOException, InterruptedException
    {
        assertTrue(Files.isExecutable(SCRIPT), () -> "no executable " + SCRIPT + " in this checkout");
        final String name = "lmt" + Integer.toString(ThreadLocalRandom.current().nextInt(1 << 16), 36);
        final String subnet = "10.199." + (4 * ThreadLocalRandom.current().nextInt(1, 63));
        final Path err = dir.resolve("two-hosts-up.err");
        final int up = run(err, "up", "--name", name, "--subnet", subnet, "--rate", rate);
        final TwoHosts hosts = new TwoHosts(dir, name, subnet);
        if (up != 0)
        {
            final String upErr = MigrateProcesses.read(err).strip();
            hosts.close();
            final boolean wantsRootOrIproute2 = upErr.contains("needs root") || upErr.contains("needs iproute2");
            Machine.skipOnlyIfLacking(wantsRootOrIproute2 ? Machine.lacksNamespaces() : null,
                "two hosts unavailable: " + upErr);
        }
        return hosts;
    }

    /** @return the script's {@code status} output: one line per namespace, its addresses or "absent". */
    String status() throws IOException, InterruptedException
    {
        final Path out = dir.resolve("two-hosts-status.out");
        assertEquals(0, run(out, "status", "--name", name), () -> "two-hosts status: " + MigrateProcesses.read(out));
        return MigrateProcesses.read(out);
    }

    /** @return the source namespace's address. */
    String sourceIp()
    {
        return subnet + ".1";
    }

    /** @return the destination namespace's address. */
    String destinationIp()
    {
        return subnet + ".2";
    }

    /** @return the command prefix that runs a command inside the {@code src} or {@code dst} namespace. */
    List<String> in(final String side)
    {
        return List.of(SCRIPT.toString(), "exec", side, "--name", name, "--");
    }

    /** Takes the veth link down ({@code false}) or brings it back up ({@code true}), failing if the script does. */
    void link(final boolean up) throws IOException, InterruptedException
    {
        final Path err = dir.resolve("two-hosts-link.err");
        final String state = up ? "up" : "down";
        assertEquals(0, run(err, "link", state, "--name", name),
            () -> "two-hosts link " + state + ": " + MigrateProcesses.read(err));
    }

    /** Removes both namespaces (and the veth pair with them); harmless if they are gone already. */
    @Override
    public void close() throws IOException, InterruptedException
    {
        run(dir.resolve("two-hosts-down.err"), "down", "--name", name);
    }

    /** Runs the script with {@code args}, its stdout and stderr into {@code output}; @return its exit code. */
    private static int run(final Path output, final String... args) throws IOException, InterruptedException
    {
        final List<String> command = new ArrayList<>(List.of(SCRIPT.toString()));
        command.addAll(List.of(args));
        final Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile()).start();
        if (!p.waitFor(SCRIPT_TIMEOUT_S, TimeUnit.SECONDS))
        {
            p.destroyForcibly();
            fail(String.join(" ", command) + ": no exit within " + SCRIPT_TIMEOUT_S + " s");
        }
        return p.exitValue();
    }
}
