package io.livemig.cli.migrate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.livemig.migration.tls.TestCredentials;
import io.livemig.migration.tls.TlsCredentials;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import javax.security.auth.x500.X500Principal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * {@code scripts/migrate --tls-creds} and its companions: one process over {@code --link tcp} runs every
 * connection inside TLS 1.3 and says so in the JSON and the summary; what the options do not apply to is refused
 * with one line and exit status 2.
 */
class MigrateTlsOptionTest
{
    @TempDir
    Path dir;

    private static MigrateCommandTest.Run migrate(final String... args)
    {
        return new MigrateCommandTest.Run(MigrateCommand.commandLine(), args);
    }

    @Test
    void oneProcessOverTcpRunsInsideTlsAndSaysSo() throws Exception
    {
        final Path creds = TestCredentials.good(dir.resolve("creds"));
        final MigrateCommandTest.Run r = migrate("--memory", "8m", "--bandwidth", "256m/s", "--before", "10ms",
            "--after", "10ms", "--writers", "2", "--link", "tcp", "--channels", "2", "--tls-creds", creds.toString(),
            "--quiet", "--json", "--verify");
        assertEquals(0, r.code, r.err);
        final JsonNode tls = new ObjectMapper().readTree(r.out).get("tls");
        assertTrue(tls.get("enabled").asBoolean(), r.out);
        assertEquals("TLSv1.3", tls.get("protocol").asText(), r.out);
        assertEquals("CN=localhost,O=livemig tests", tls.get("peer").asText(), r.out);
        assertEquals(3, tls.get("sessions").asInt(), r.out);
        final MigrateCommandTest.Run plain = migrate("--memory", "8m", "--writers", "0", "--quiet", "--json");
        assertEquals(0, plain.code, plain.err);
        final JsonNode clear = new ObjectMapper().readTree(plain.out).get("tls");
        assertTrue(!clear.get("enabled").asBoolean() && clear.get("protocol").isNull(), plain.out);
    }

    @Test
    void theCredentialsScriptMakesADirectoryBothRolesLoadAndRefusesToOverwriteIt() throws Exception
    {
        final Path script = Path.of("..", "scripts", "tls-creds").toAbsolutePath().normalize();
        assumeTrue(new ProcessBuilder("sh", "-c", "command -v openssl").start().waitFor() == 0,
            "openssl is not installed: scripts/tls-creds needs it");
        final Path creds = dir.resolve("made");
        final Process p = new ProcessBuilder(script.toString(), creds.toString(), "--client-dn", "CN=src1,O=example",
            "--server-name", "10.199.0.2").redirectErrorStream(true).start();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "tls-creds finished");
        final String out = new String(p.getInputStream().readAllBytes());
        assertEquals(0, p.exitValue(), out);
        final TlsCredentials server = TlsCredentials.load(creds, true);
        assertEquals(new X500Principal("CN=src1,O=example"),
            TlsCredentials.load(creds, false).certificate().getSubjectX500Principal());
        assertTrue(server.certificate().getSubjectAlternativeNames().stream()
            .anyMatch(n -> n.get(1).equals("10.199.0.2")), out);
        final Process again = new ProcessBuilder(script.toString(), creds.toString()).redirectErrorStream(true).start();
        assertTrue(again.waitFor(60, TimeUnit.SECONDS));
        assertEquals(2, again.exitValue(), "a directory that holds credentials is not overwritten");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "--tls-hostname dst.example | --tls-hostname needs --tls-creds",
        "--tls-authz CN=a | --tls-authz needs --tls-creds",
        "--tls-creds CREDS | --tls-creds needs a TCP connection: --to, --listen or --link tcp",
        "--tls-creds CREDS --to 127.0.0.1:9 --tls-authz CN=a | --tls-authz applies to the destination",
        "--tls-creds CREDS --link tcp --tls-authz not-a-name | --tls-authz authz name is not a distinguished name",
        "--tls-creds NONE --link tcp | --tls-creds TLS credentials: ",
        "--listen 127.0.0.1:0 --tls-creds CREDS --tls-hostname x | --tls-hostname does not apply to --listen"})
    void refusesWhatTheTlsOptionsDoNotApplyTo(final String args, final String message) throws Exception
    {
        final Path creds = TestCredentials.good(dir.resolve("creds"));
        final String line = ((args.startsWith("--listen") ? "" : "--memory 8m ") + args)
            .replace("CREDS", creds.toString()).replace("NONE", dir.resolve("none").toString());
        final MigrateCommandTest.Run r = migrate(line.split(" "));
        assertEquals(2, r.code, r.out + r.err);
        assertTrue(r.err.startsWith("migrate: " + message), r.err);
        assertEquals(1, r.err.strip().lines().count(), r.err);
    }
}
