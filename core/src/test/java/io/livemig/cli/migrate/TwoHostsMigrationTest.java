package io.livemig.cli.migrate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Two hosts on one machine: {@code scripts/two-hosts} puts the destination and the source JVMs in network
 * namespaces of their own, joined by a veth pair shaped to 200 Mbit/s each way, and they migrate a 16 MiB guest
 * over it with {@code --listen}/{@code --to}, over 1 and over 2 page channels, and verify by digests. The namespaces have a name and a /30 of
 * 10.199.0.0/16 drawn at random for this run, and are removed in any case. Without root or iproute2 the test
 * says so and is skipped. Prints the source's total time and wire rate beside the link's rate.
 */
class TwoHostsMigrationTest
{
    private static final long DEADLINE_MS = 120_000;

    @TempDir
    Path dir;

    @ParameterizedTest(name = "{0} channel(s)")
    @ValueSource(ints = {1, 2})
    void aMigrationCrossesARateShapedLinkBetweenTwoNamespacesAndVerifies(final int channels) throws Exception
    {
        try (TwoHosts hosts = TwoHosts.upOrSkip(dir, "200mbit"))
        {
            runOver(hosts, channels);
        }
    }

    private void runOver(final TwoHosts hosts, final int channels) throws Exception
    {
        Process destination = null;
        Process source = null;
        try
        {
            final String destIp = hosts.destinationIp();
            final Path destJson = dir.resolve("destination.json");
            final Path srcJson = dir.resolve("source.json");
            final Path destErr = dir.resolve("destination.err");
            final Path srcErr = dir.resolve("source.err");
            final long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(DEADLINE_MS);
            destination = MigrateProcesses.start(hosts.in("dst"), destErr, "--listen", destIp + ":0",
                "--json", "--quiet", "--result", destJson.toString(), "--accept-timeout", "60s", "--link-timeout", "20s");
            final String port = MigrateProcesses.awaitPort(destination, destErr, deadline);
            source = MigrateProcesses.start(hosts.in("src"), srcErr, "--to", destIp + ":" + port, "--mode",
                "precopy", "--memory", "16m", "--writers", "2", "--dirty-rate", "20000", "--downtime", "50ms", "--max-time", "20s", "--on-give-up", "stop", "--xbzrle",
                "--before", "20ms", "--after", "50ms", "--verify", "--json", "--quiet", "--result", srcJson.toString(),
                "--link-timeout", "20s", "--channels", String.valueOf(channels));
            final int srcExit = MigrateProcesses.await(source, deadline, srcErr);
            final int destExit = MigrateProcesses.await(destination, deadline, destErr);
            assertEquals(0, srcExit, () -> "source: " + MigrateProcesses.read(srcErr));
            assertEquals(0, destExit, () -> "destination: " + MigrateProcesses.read(destErr));
            final JsonNode s = new ObjectMapper().readTree(srcJson.toFile());
            final JsonNode d = new ObjectMapper().readTree(destJson.toFile());
            assertTrue(s.get("verified").asBoolean() && d.get("verified").asBoolean(), s + "\n" + d);
            assertEquals(s.get("digest").get("source"), d.get("digest").get("destination"));
            final double seconds = s.get("totalMs").asDouble() / 1e3;
            final double wireMbit = s.get("wireBytes").asDouble() * 8 / 1e6 / seconds;
            assertTrue(wireMbit < 200 * 1.1, "the link's 200 Mbit/s shape holds: " + wireMbit + " Mbit/s");
            System.out.printf("two hosts (200 Mbit/s veth), %d channel(s): 16 MiB guest pre-copy, %.0f ms, %.0f Mbit/s " +
                "on the wire%n", channels, seconds * 1e3, wireMbit);
        }
        finally
        {
            MigrateProcesses.kill(source);
            MigrateProcesses.kill(destination);
        }
    }
}
