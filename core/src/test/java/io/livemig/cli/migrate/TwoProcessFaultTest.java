package io.livemig.cli.migrate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code --fault} on a {@code --to} source, with the destination in another JVM that sees only what the network
 * shows it: a pre-copy cut (a reset) and a stall longer than {@code --link-timeout} (a silent socket) both end
 * with both processes failed, naming the phase, the guest on the source, and within the deadline.
 */
class TwoProcessFaultTest
{
    private static final long DEADLINE_MS = 60_000;

    @TempDir
    Path dir;

    @ParameterizedTest(name = "{0}")
    // 1 MiB into round 0, which every pre-copy has and which sends the guest's 4 MiB of data: a trigger in a later
    // round would fire only if the writer dirtied enough meanwhile, a race with the round on a busy machine.
    @CsvSource({"cut@1m, link cut by fault injection", "stall:60s@1m, link timeout"})
    void aFaultOnTheSourcesLinkFailsBothProcessesAndTheGuestStaysOnTheSource(final String fault,
        final String reason) throws Exception
    {
        final Path destJson = dir.resolve("destination.json");
        final Path srcJson = dir.resolve("source.json");
        final Path destErr = dir.resolve("destination.err");
        final Path srcErr = dir.resolve("source.err");
        final long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(DEADLINE_MS);
        Process destination = null;
        Process source = null;
        try
        {
            destination = MigrateProcesses.start(List.of(), destErr, "--listen", "127.0.0.1:0", "--json", "--quiet",
                "--result", destJson.toString(), "--accept-timeout", "30s", "--link-timeout", "1s");
            final String port = MigrateProcesses.awaitPort(destination, destErr, deadline);
            source = MigrateProcesses.start(List.of(), srcErr, "--to", "127.0.0.1:" + port, "--memory", "8m",
                "--writers", "1", "--bandwidth", "64m", "--downtime", "1ms", "--before", "0", "--after", "0",
                "--fault", fault, "--link-timeout", "1s", "--json", "--quiet", "--result", srcJson.toString());
            final long t0 = System.nanoTime();
            final int srcExit = MigrateProcesses.await(source, deadline, srcErr);
            final int destExit = MigrateProcesses.await(destination, deadline, destErr);
            final long ms = (System.nanoTime() - t0) / 1_000_000;
            assertEquals(1, srcExit, () -> "source: " + MigrateProcesses.read(srcErr));
            assertEquals(1, destExit, () -> "destination: " + MigrateProcesses.read(destErr));
            assertTrue(ms < 30_000, "a 60 s stall ends at the 1 s link timeout, not after " + ms + " ms");
            final JsonNode s = new ObjectMapper().readTree(srcJson.toFile());
            final JsonNode d = new ObjectMapper().readTree(destJson.toFile());
            assertEquals("failed", s.get("status").asText(), s::toString);
            assertEquals("failed", d.get("status").asText(), d::toString);
            assertEquals("precopy round 0", s.get("failure").get("phase").asText(), s::toString);
            assertEquals("precopy", d.get("failure").get("phase").asText(), d::toString);
            assertTrue(s.get("failure").get("reason").asText().contains(reason), s::toString);
            assertTrue(d.get("failure").get("reason").asText().contains("partial guest discarded"), d::toString);
            assertEquals("source", s.get("guestRunsOn").asText(), s::toString);
            assertEquals("source", d.get("guestRunsOn").asText(), d::toString);
        }
        finally
        {
            MigrateProcesses.kill(source);
            MigrateProcesses.kill(destination);
        }
    }
}
