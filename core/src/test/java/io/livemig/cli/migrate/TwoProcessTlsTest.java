package io.livemig.cli.migrate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.livemig.migration.tls.TestCredentials;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code scripts/migrate --listen --tls-creds} and {@code --to --tls-creds} as two JVMs: a migration over two
 * page channels inside TLS verifies and both results name their peer; a source whose certificate's name the
 * destination's {@code --tls-authz} does not list is refused with exit status 1 and one line on each side.
 */
class TwoProcessTlsTest
{
    private static final long DEADLINE_MS = 90_000;

    @TempDir
    Path dir;

    private final List<Process> processes = new ArrayList<>();

    private Process[] pair(final Path creds, final String authz, final String... sourceArgs) throws Exception
    {
        final long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(DEADLINE_MS);
        final Process destination = MigrateProcesses.start(List.of(), dir.resolve("destination.err"), "--listen",
            "127.0.0.1:0", "--json", "--quiet", "--result", dir.resolve("destination.json").toString(),
            "--accept-timeout", "60s", "--link-timeout", "20s", "--tls-creds", creds.toString(), "--tls-authz", authz);
        processes.add(destination);
        final String port = MigrateProcesses.awaitPort(destination, dir.resolve("destination.err"), deadline);
        final List<String> args = new ArrayList<>(List.of("--to", "127.0.0.1:" + port, "--memory", "16m", "--writers",
            "2", "--before", "20ms", "--after", "20ms", "--verify", "--json", "--quiet", "--result",
            dir.resolve("source.json").toString(), "--link-timeout", "20s", "--tls-creds", creds.toString()));
        args.addAll(List.of(sourceArgs));
        final Process source = MigrateProcesses.start(List.of(), dir.resolve("source.err"), args.toArray(new String[0]));
        processes.add(source);
        return new Process[] {source, destination};
    }

    @Test
    void twoJvmsMigrateInsideTlsAndNameTheirPeers() throws Exception
    {
        final Path creds = TestCredentials.good(dir.resolve("creds"));
        try
        {
            final Process[] p = pair(creds, TestCredentials.CLIENT_DN, "--channels", "2");
            final long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(DEADLINE_MS);
            assertEquals(0, MigrateProcesses.await(p[0], deadline, dir.resolve("source.err")),
                () -> MigrateProcesses.read(dir.resolve("source.err")));
            assertEquals(0, MigrateProcesses.await(p[1], deadline, dir.resolve("destination.err")),
                () -> MigrateProcesses.read(dir.resolve("destination.err")));
            final JsonNode s = new ObjectMapper().readTree(dir.resolve("source.json").toFile());
            final JsonNode d = new ObjectMapper().readTree(dir.resolve("destination.json").toFile());
            assertTrue(s.get("verified").asBoolean() && d.get("verified").asBoolean(), s + "\n" + d);
            assertEquals("CN=localhost,O=livemig tests", s.get("tls").get("peer").asText(), s::toString);
            assertEquals(TestCredentials.CLIENT_DN, d.get("tls").get("peer").asText(), d::toString);
            assertEquals(3, d.get("tls").get("sessions").asInt(), d::toString);
        }
        finally
        {
            for (final Process p : processes)
            {
                MigrateProcesses.kill(p);
            }
        }
    }

    @Test
    void aSourceTheAuthzListDoesNotNameIsRefusedOnBothSidesWithExitOne() throws Exception
    {
        final Path creds = TestCredentials.good(dir.resolve("creds"));
        try
        {
            final Process[] p = pair(creds, "CN=someone else,O=livemig tests");
            final long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(DEADLINE_MS);
            assertEquals(1, MigrateProcesses.await(p[0], deadline, dir.resolve("source.err")));
            assertEquals(1, MigrateProcesses.await(p[1], deadline, dir.resolve("destination.err")));
            final String why = "client CN=source,O=livemig tests is not in the destination's authz list";
            for (final String side : List.of("source.err", "destination.err"))
            {
                final String err = MigrateProcesses.read(dir.resolve(side)).strip();
                // (the JVM's own notice of the incubating Vector API module is not the command's)
                final List<String> lines = err.lines().filter(l -> !l.startsWith("migrate: listening on ") &&
                    !l.startsWith("WARNING: Using incubator modules")).toList();
                assertEquals(1, lines.size(), side + ": " + err);
                assertTrue(lines.get(0).startsWith("migrate: ") && lines.get(0).endsWith(why), side + ": " + err);
            }
        }
        finally
        {
            for (final Process p : processes)
            {
                MigrateProcesses.kill(p);
            }
        }
    }
}
