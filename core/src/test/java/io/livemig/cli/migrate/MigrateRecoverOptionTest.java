package io.livemig.cli.migrate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code scripts/migrate --recover} and {@code --recover-timeout}: a post-copy run with recovery on and no cut
 * completes as without it and reports {@code recovery: null}; the options it does not apply to are refused
 * with one line and exit status 2. (Cuts are injected by {@code PostcopyRecoveryTest} and {@code
 * RemoteRecoveryTest} until {@code --fault} is wired into the command.)
 */
class MigrateRecoverOptionTest
{
    private static MigrateCommandTest.Run migrate(final String... args)
    {
        return new MigrateCommandTest.Run(MigrateCommand.commandLine(), args);
    }

    @Test
    void postcopyWithRecoverAndNoCutCompletesVerifiedWithoutARecovery() throws Exception
    {
        final MigrateCommandTest.Run r = migrate("--memory", "8m", "--bandwidth", "256m/s", "--before", "10ms",
            "--after", "10ms", "--mode", "postcopy", "--writers", "2", "--recover", "--recover-timeout", "5s",
            "--quiet", "--json", "--verify");
        assertEquals(0, r.code, r.err);
        final JsonNode j = new ObjectMapper().readTree(r.out);
        assertTrue(j.get("verified").asBoolean(), r.out);
        assertTrue(j.get("recovery").isNull(), r.out);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "--mode precopy --recover | --recover applies to post-copy",
        "--mode postcopy --recover --channels 2 | --recover needs one channel",
        "--mode postcopy --recover --recover-timeout 0ms | --recover-timeout must be 1ms to 1h",
        "--listen 127.0.0.1:0 --recover | --recover does not apply to --listen"})
    void refusesWhatRecoveryDoesNotApplyTo(final String args, final String message)
    {
        final MigrateCommandTest.Run r = migrate(((args.startsWith("--listen") ? "" : "--memory 8m ") + args).split(" "));
        assertEquals(2, r.code, r.out + r.err);
        assertTrue(r.err.startsWith("migrate: " + message), r.err);
        assertEquals(1, r.err.strip().lines().count(), r.err);
    }
}
