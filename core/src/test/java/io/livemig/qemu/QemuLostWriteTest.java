package io.livemig.qemu;

import io.livemig.cli.analyze.AnalyzeStreamCommand;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The lost-write check on guests that write through their migration: {@code analyze-stream --compare-ram}
 * reports exactly the pages that differ between the RAM it rebuilt ({@code --extract-ram}) and QEMU's dump, as
 * this test's own page-by-page comparison finds them. It does not assert how many pages QEMU loses, or that it
 * loses any (docs/qemu.md quotes what was seen).
 */
class QemuLostWriteTest
{
    @TempDir
    Path dir;

    private void check(final QemuRuns.Run run) throws IOException
    {
        assertTrue(run.outcome().completed(), run.outcome().status()::toString);
        final Path extracted = dir.resolve("ram.bin");
        final StringWriter out = new StringWriter();
        final StringWriter err = new StringWriter();
        final CommandLine cl = AnalyzeStreamCommand.commandLine();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        final int code = cl.execute(run.stream().toString(), "--json", "--extract-ram", "pc.ram=" + extracted,
            "--compare-ram", "pc.ram=" + run.dump(), "--ignore-range", "0xa0000-0xfffff");
        final JsonNode json = new ObjectMapper().readTree(out.toString());
        final List<Long> reported = new ArrayList<>();
        json.at("/compare/pc.ram/differingPages").forEach(p -> reported.add(p.asLong()));

        final byte[] ram = Files.readAllBytes(extracted);
        final byte[] dump = Files.readAllBytes(run.dump());
        final List<Long> found = new ArrayList<>();
        for (int p = 0; p < ram.length / 4096; p++)
        {
            final boolean hole = p >= 0xA0 && p <= 0xFF;
            if (!hole && !Arrays.equals(ram, p * 4096, (p + 1) * 4096, dump, p * 4096, (p + 1) * 4096))
            {
                found.add((long)p);
            }
        }
        assertEquals(found, reported);
        assertEquals(found.size(), json.at("/compare/pc.ram/differing").asInt());
        assertEquals(found.isEmpty() ? 0 : AnalyzeStreamCommand.EXIT_MALFORMED, code, err::toString);
        assertEquals(96, json.at("/compare/pc.ram/ignored").asInt());
    }

    @Test
    void counterGuest() throws IOException
    {
        check(QemuRuns.counterWriting());
    }

    @Test
    void linuxGuest() throws IOException
    {
        check(QemuRuns.linuxWriting());
    }
}
