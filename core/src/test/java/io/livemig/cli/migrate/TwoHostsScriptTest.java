package io.livemig.cli.migrate;

import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * {@code scripts/two-hosts} refuses bad usage before it touches the network: exit 2 and one line on stderr
 * that names what was wrong, for every command and option it parses. None of these needs root: the checks come
 * first, so the test runs everywhere and no namespace is ever created.
 */
class TwoHostsScriptTest
{
    private static final Path SCRIPT = Path.of("..", "scripts", "two-hosts").toAbsolutePath().normalize();

    @TempDir
    Path dir;

    @ParameterizedTest(name = "[{index}] two-hosts {0}")
    @CsvSource(delimiter = '|', value = {
        "''                                   | usage: two-hosts",
        "sideways                             | usage: two-hosts",
        "link                                 | link needs up or down, got ''",
        "link sideways                        | link needs up or down, got 'sideways'",
        "exec                                 | exec needs src or dst, got ''",
        "exec middle -- true                  | exec needs src or dst, got 'middle'",
        "status --name BAD!                   | --name must be 1 to 8 lower-case letters or digits, got 'BAD!'",
        "status --name waytoolongname         | --name must be 1 to 8 lower-case letters or digits",
        "up --subnet 10.1                     | --subnet must be A.B.C, got '10.1'",
        "up --subnet 10.1.2.3                 | --subnet must be A.B.C, got '10.1.2.3'",
        "down --colour red                    | unknown option '--colour'",
    })
    void badUsageExitsTwoWithOneLineNamingIt(final String args, final String expected) throws Exception
    {
        assertTrue(Files.isExecutable(SCRIPT), () -> "no executable " + SCRIPT + " in this checkout");
        final List<String> command = new ArrayList<>(List.of(SCRIPT.toString()));
        if (!args.isBlank())
        {
            command.addAll(Arrays.asList(args.trim().split("\\s+")));
        }
        final Path err = dir.resolve("err");
        final Process p = new ProcessBuilder(command).redirectOutput(ProcessBuilder.Redirect.DISCARD)
            .redirectError(err.toFile()).start();
        if (!p.waitFor(30, TimeUnit.SECONDS))
        {
            p.destroyForcibly();
            fail(command + ": no exit within 30 s");
        }
        final String stderr = Files.readString(err).strip();
        assertEquals(2, p.exitValue(), () -> command + " printed: " + stderr);
        assertTrue(stderr.startsWith("two-hosts: ") && stderr.contains(expected), () -> command + " printed: " + stderr);
        assertFalse(stderr.contains("\n"), () -> "one line: " + stderr);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"--rate", "--name", "--subnet"})
    void anOptionWithoutItsValueIsRefusedByName(final String option) throws Exception
    {
        assertTrue(Files.isExecutable(SCRIPT), () -> "no executable " + SCRIPT + " in this checkout");
        final Path err = dir.resolve("err");
        final Process p = new ProcessBuilder(SCRIPT.toString(), "status", option)
            .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(err.toFile()).start();
        if (!p.waitFor(30, TimeUnit.SECONDS))
        {
            p.destroyForcibly();
            fail(option + ": no exit within 30 s");
        }
        final String stderr = Files.readString(err).strip();
        assertTrue(p.exitValue() != 0, () -> option + " without a value exited 0");
        assertTrue(stderr.contains(option + " needs a value"), () -> "printed: " + stderr);
    }
}
