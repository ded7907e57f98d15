package io.livemig.cli.analyze;

import io.livemig.qemu.guest.GuestImages;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * scripts/qemu-guest in-process: a counter guest's run (QEMU's figures beside livemig's, the dump check, the
 * files), and bad options on one line each.
 */
class QemuGuestCommandTest
{
    @TempDir
    Path dir;

    private String out;
    private String err;

    private int run(final String... args)
    {
        final StringWriter o = new StringWriter();
        final StringWriter e = new StringWriter();
        final CommandLine cl = QemuGuestCommand.commandLine();
        cl.setOut(new PrintWriter(o));
        cl.setErr(new PrintWriter(e));
        final int code = cl.execute(args);
        out = o.toString();
        err = e.toString();
        return code;
    }

    @Test
    void migratesACounterGuestAndChecksItsRam() throws IOException
    {
        final String why = GuestImages.whyNoQemu();
        Assumptions.assumeTrue(why == null, () -> "no QEMU here: " + why);
        assertEquals(0, run("--guest", "counter", "--counter-pages", "256", "--stop-first", "--xbzrle",
            "--run-before", "200ms", "--out", dir.toString()), err);
        assertTrue(out.startsWith("counter guest, 64m, tcg, QEMU "), out);
        assertTrue(out.contains("the guest stopped writing first"), out);
        assertTrue(out.matches("(?s).*\nQEMU: completed in \\d+ ms.*"), out);
        assertTrue(out.matches("(?s).*\nzero pages +(\\d+) +\\1\n.*"), out);
        assertTrue(out.matches("(?s).*\nraw pages +(\\d+) +\\1\n.*"), out);
        assertTrue(out.contains("pc.ram against the dump (0xa0000-0xfffff left out): 0 of 16384 pages differ"), out);
        final JsonNode result = new ObjectMapper().readTree(dir.resolve("result.json").toFile());
        assertEquals("completed", result.at("/queryMigrate/status").asText());
        assertEquals(result.at("/queryMigrate/ram/duplicate").asLong(), result.at("/stream/blocks").findValues("zero")
            .stream().mapToLong(JsonNode::asLong).sum());
        assertEquals(0, result.at("/compare/differing").asInt());
        assertEquals(result.at("/xbzrleReplay/records").asLong(), result.at("/xbzrleReplay/identical").asLong());
        assertTrue(Files.size(dir.resolve("stream.mig")) > 1 << 20);
        assertEquals(64L << 20, Files.size(dir.resolve("ram.dump")));
        assertTrue(Files.readString(dir.resolve("serial.log")).contains("LIVEMIG-STOPPED"));
        assertTrue(Files.readString(dir.resolve("trace.txt")).startsWith("livemig-dirty-trace 1\npage-size 4096\n" +
            "pages 16384\nsource counter guest, QEMU "));
        assertTrue(out.contains("dirty trace: "), out);
    }

    @Test
    void badOptionsAreOneLine()
    {
        final String[][] cases = {
            {"--guest", "windows"},
            {"--guest", "mix", "--memory", "64m"},
            {"--guest", "counter", "--counter-pages", "20000"},
            {"--xbzrle-cache", "3m"},
            {"--accel", "hvf"},
            {"--max-bandwidth", "fast"},
            {"--bogus"},
        };
        for (final String[] args : cases)
        {
            assertEquals(QemuGuestCommand.EXIT_USAGE, run(args), String.join(" ", args) + " -> " + err);
            assertTrue(err.startsWith("qemu-guest: "), err);
            assertEquals(1, err.split("\n").length, "one line: " + err);
            assertEquals("", out);
        }
    }
}
