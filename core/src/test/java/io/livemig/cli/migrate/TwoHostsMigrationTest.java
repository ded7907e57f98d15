package io.livemig.cli.migrate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.livemig.migration.tls.TestCredentials;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Two hosts on one machine: {@code scripts/two-hosts} puts the destination and the source JVMs in network
 * namespaces of their own, joined by a veth pair shaped to 200 Mbit/s each way, and they migrate a 16 MiB guest
 * over it with {@code --listen}/{@code --to}, over 1 and over 2 page channels, in clear and inside TLS 1.3 (one
 * credentials directory for both), and verify by digests. The namespaces have a name and a /30 of
 * 10.199.0.0/16 drawn at random for this run, and are removed in any case. Without root or iproute2 the test
 * says so and is skipped. Prints the source's total time and wire rate beside the link's rate.
 */
class TwoHostsMigrationTest
{
    private static final long DEADLINE_MS = 120_000;

    @TempDir
    Path dir;

    @ParameterizedTest(name = "{0} channel(s), TLS {1}")
    @CsvSource({"1, false", "1, true", "2, true"})
    void aMigrationCrossesARateShapedLinkBetweenTwoNamespacesAndVerifies(final int channels, final boolean tls)
        throws Exception
    {
        try (TwoHosts hosts = TwoHosts.upOrSkip(dir, "200mbit"))
        {
            runOver(hosts, channels, tls);
        }
    }

    private void runOver(final TwoHosts hosts, final int channels, final boolean tls) throws Exception
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
            // With TLS both sides take one credentials directory; the certificate names localhost, not the namespace's
            // address, so the source checks it against --tls-hostname.
            final List<String> tlsArgs = tls ? List.of("--tls-creds", TestCredentials.good(dir.resolve("creds")).toString())
                : List.of();
            final List<String> destArgs = new ArrayList<>(List.of("--listen", destIp + ":0", "--json", "--quiet",
                "--result", destJson.toString(), "--accept-timeout", "60s", "--link-timeout", "20s"));
            destArgs.addAll(tlsArgs);
            destination = MigrateProcesses.start(hosts.in("dst"), destErr, destArgs.toArray(new String[0]));
            final String port = MigrateProcesses.awaitPort(destination, destErr, deadline);
            final List<String> srcArgs = new ArrayList<>(List.of("--to", destIp + ":" + port, "--mode",
                "precopy", "--memory", "16m", "--writers", "2", "--dirty-rate", "20000", "--downtime", "50ms", "--max-time", "20s", "--on-give-up", "stop", "--xbzrle",
                "--before", "20ms", "--after", "50ms", "--verify", "--json", "--quiet", "--result", srcJson.toString(),
                "--link-timeout", "20s", "--channels", String.valueOf(channels)));
            srcArgs.addAll(tlsArgs);
            if (tls)
            {
                srcArgs.addAll(List.of("--tls-hostname", "localhost"));
            }
            source = MigrateProcesses.start(hosts.in("src"), srcErr, srcArgs.toArray(new String[0]));
            final int srcExit = MigrateProcesses.await(source, deadline, srcErr);
            final int destExit = MigrateProcesses.await(destination, deadline, destErr);
            assertEquals(0, srcExit, () -> "source: " + MigrateProcesses.read(srcErr));
            assertEquals(0, destExit, () -> "destination: " + MigrateProcesses.read(destErr));
            final JsonNode s = new ObjectMapper().readTree(srcJson.toFile());
            final JsonNode d = new ObjectMapper().readTree(destJson.toFile());
            assertTrue(s.get("verified").asBoolean() && d.get("verified").asBoolean(), s + "\n" + d);
            assertEquals(s.get("digest").get("source"), d.get("digest").get("destination"));
            assertEquals(tls, s.get("tls").get("enabled").asBoolean(), s::toString);
            assertEquals(tls, d.get("tls").get("enabled").asBoolean(), d::toString);
            if (tls)
            {
                assertEquals(TestCredentials.CLIENT_DN, d.get("tls").get("peer").asText());
                assertEquals(1 + (channels > 1 ? channels : 0), s.get("tls").get("sessions").asInt(), s::toString);
            }
            final double seconds = s.get("totalMs").asDouble() / 1e3;
            final double wireMbit = s.get("wireBytes").asDouble() * 8 / 1e6 / seconds;
            assertTrue(wireMbit < 200 * 1.1, "the link's 200 Mbit/s shape holds: " + wireMbit + " Mbit/s");
            System.out.printf("two hosts (200 Mbit/s veth), %d channel(s)%s: 16 MiB guest pre-copy, %.0f ms, %.0f Mbit/s " +
                "on the wire%n", channels, tls ? ", TLS" : "", seconds * 1e3, wireMbit);
        }
        finally
        {
            MigrateProcesses.kill(source);
            MigrateProcesses.kill(destination);
        }
    }
}
