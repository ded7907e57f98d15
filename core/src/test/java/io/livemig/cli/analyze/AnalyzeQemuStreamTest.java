package io.livemig.cli.analyze;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * analyze-stream on a hand-made QEMU stream (pc.ram of 256 pages, a ROM of one): the summary by block and
 * kind, its JSON, --extract-ram, and --compare-ram with and without a left-out range, with exit 1 exactly when
 * pages differ; and a malformed stream's one line.
 */
class AnalyzeQemuStreamTest
{
    private static final int PAGE = 4096;
    private static final int PAGES = 256;

    @TempDir
    Path dir;

    private Path stream;
    private byte[] ram;
    private String out;
    private String err;

    private int run(final String... args)
    {
        final StringWriter o = new StringWriter();
        final StringWriter e = new StringWriter();
        final CommandLine cl = AnalyzeStreamCommand.commandLine();
        cl.setOut(new PrintWriter(o));
        cl.setErr(new PrintWriter(e));
        final int code = cl.execute(args);
        out = o.toString();
        err = e.toString();
        return code;
    }

    /**
     * Pages 0-199 of pc.ram raw (page p filled with p), the rest zero, page 7 then XBZRLE-changed at byte 9
     * (to 0x55) in a second part; the ROM raw (0xEE); device state "timer" and the description.
     */
    @BeforeEach
    void build() throws IOException
    {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        final DataOutputStream d = new DataOutputStream(bytes);
        d.writeInt(0x5145564d);
        d.writeInt(3);
        d.writeByte(7);
        d.writeInt(13);
        d.writeBytes("pc-i440fx-7.2");
        d.writeByte(1);
        d.writeInt(2);
        name(d, "ram");
        d.writeInt(0);
        d.writeInt(4);
        d.writeLong((PAGES + 1L) * PAGE | 4);
        name(d, "pc.ram");
        d.writeLong((long)PAGES * PAGE);
        name(d, "pc.rom");
        d.writeLong(PAGE);
        d.writeLong(0x10);
        footer(d);
        ram = new byte[PAGES * PAGE];
        d.writeByte(2);
        d.writeInt(2);
        for (int p = 0; p < PAGES; p++)
        {
            d.writeLong((long)p * PAGE | (p < 200 ? 8 : 2) | (p == 0 ? 0 : 0x20));
            if (p == 0)
            {
                name(d, "pc.ram");
            }
            if (p < 200)
            {
                final byte[] page = new byte[PAGE];
                Arrays.fill(page, (byte)p);
                d.write(page);
                System.arraycopy(page, 0, ram, p * PAGE, PAGE);
            }
            else
            {
                d.writeByte(0);
            }
        }
        d.writeLong(8);
        name(d, "pc.rom");
        final byte[] rom = new byte[PAGE];
        Arrays.fill(rom, (byte)0xEE);
        d.write(rom);
        d.writeLong(0x10);
        footer(d);
        d.writeByte(3);
        d.writeInt(2);
        d.writeLong(7L * PAGE | 0x40);
        name(d, "pc.ram");
        d.writeByte(1);
        d.writeShort(3);
        d.write(new byte[] {9, 1, 0x55});
        ram[7 * PAGE + 9] = 0x55;
        d.writeLong(0x10);
        footer(d);
        d.writeByte(4);
        d.writeInt(0);
        name(d, "timer");
        d.writeInt(0);
        d.writeInt(2);
        d.write(new byte[] {0, 0, 1, 0x1f});
        d.writeByte(0x7e);
        d.writeInt(0);
        d.writeByte(0);
        final byte[] json = "{\"page_size\": 4096, \"devices\": [{\"name\": \"timer\", \"instance_id\": 0}]}"
            .getBytes(StandardCharsets.US_ASCII);
        d.writeByte(6);
        d.writeInt(json.length);
        d.write(json);
        stream = Files.write(dir.resolve("qemu.mig"), bytes.toByteArray());
    }

    private static void name(final DataOutputStream d, final String name) throws IOException
    {
        d.writeByte(name.length());
        d.writeBytes(name);
    }

    private static void footer(final DataOutputStream d) throws IOException
    {
        d.writeByte(0x7e);
        d.writeInt(2);
    }

    @Test
    void summarisesByBlockAndKind()
    {
        assertEquals(0, run(stream.toString()), err);
        assertEquals("", err);
        assertTrue(out.startsWith(stream + ": QEMU migration stream (version 3), "), out);
        assertTrue(out.contains("machine pc-i440fx-7.2"), out);
        assertTrue(out.contains("RAM: 2 blocks of 1052672 bytes in all, 3 RAM sections"), out);
        assertTrue(out.matches("(?s).*\npc\\.ram +1m +56 +504 +200 +\\d+ +1 +\\d+\n.*"), out);
        assertTrue(out.matches("(?s).*\npc\\.rom +4k +0 +0 +1 +4111 +0 +0\n.*"), out);
        assertTrue(out.contains("XBZRLE pages: 1"), out);
        assertTrue(out.contains("first section \"timer\""), out);
        assertTrue(out.contains("1 device sections: timer"), out);
        assertTrue(out.contains("pages applied: 258"), out);
    }

    @Test
    void printsJson() throws IOException
    {
        assertEquals(0, run(stream.toString(), "--json"), err);
        final JsonNode json = new ObjectMapper().readTree(out);
        assertEquals("qemu", json.get("format").asText());
        assertEquals(56, json.at("/blocks/pc.ram/zero").asLong());
        assertEquals(200, json.at("/blocks/pc.ram/page").asLong());
        assertEquals(1, json.at("/blocks/pc.ram/xbzrle").asLong());
        assertEquals(1, json.at("/blocks/pc.rom/page").asLong());
        assertEquals(3, json.get("ramSections").asInt());
        assertEquals(19 + 4 + 5, json.get("deviceStateBytes").asLong());
        assertEquals("timer", json.at("/devices/0").asText());
    }

    @Test
    void extractsAndComparesRam() throws IOException
    {
        final Path extracted = dir.resolve("ram.bin");
        assertEquals(0, run(stream.toString(), "--extract-ram", "pc.ram=" + extracted), err);
        assertArrayEquals(ram, Files.readAllBytes(extracted));

        final Path dump = Files.write(dir.resolve("dump.bin"), Arrays.copyOf(ram, ram.length + PAGE));
        assertEquals(0, run(stream.toString(), "--compare-ram", "pc.ram=" + dump), err);
        assertTrue(out.contains("compare pc.ram with " + dump + ": 256 pages, 0 left out, 0 differ"), out);

        final byte[] changed = ram.clone();
        changed[3 * PAGE] ^= 1;
        changed[170 * PAGE + 4095] ^= 1;
        changed[220 * PAGE + 1] = 9;
        Files.write(dump, changed);
        assertEquals(AnalyzeStreamCommand.EXIT_MALFORMED, run(stream.toString(), "--compare-ram", "pc.ram=" + dump,
            "--json"), err);
        final JsonNode json = new ObjectMapper().readTree(out);
        assertEquals("[3,170,220]", json.at("/compare/pc.ram/differingPages").toString());
        assertEquals(3, json.at("/compare/pc.ram/first").asLong());

        assertEquals(AnalyzeStreamCommand.EXIT_MALFORMED, run(stream.toString(), "--compare-ram", "pc.ram=" + dump,
            "--ignore-range", "0xaa000-0xaafff"), err);
        assertTrue(out.contains("256 pages, 1 left out, 2 differ, first at page 3 (offset 0x3000)"), out);
        assertTrue(out.contains("differing pages: 3 220"), out);
    }

    @Test
    void badRequestsAndMalformedStreams() throws IOException
    {
        assertEquals(AnalyzeStreamCommand.EXIT_USAGE, run(stream.toString(), "--extract-ram", "vga=x"));
        assertEquals("analyze-stream: --extract-ram: the stream has no block \"vga\"; it has \"pc.ram\", \"pc.rom\"\n",
            err);
        assertEquals(AnalyzeStreamCommand.EXIT_USAGE, run(stream.toString(), "--compare-ram", "pc.ram"));
        assertTrue(err.startsWith("analyze-stream: ") && err.contains("expected BLOCK=PATH"), err);
        final Path small = Files.write(dir.resolve("small.bin"), new byte[PAGE]);
        assertEquals(AnalyzeStreamCommand.EXIT_USAGE, run(stream.toString(), "--compare-ram", "pc.ram=" + small));
        assertTrue(err.contains("fewer than block pc.ram's"), err);

        assertEquals(AnalyzeStreamCommand.EXIT_MALFORMED, run(stream.toString(), "--memory", "1m"));
        assertEquals("page stream offset 43: MEM_SIZE declares 1052672 bytes of RAM, above this reader's limit of " +
            "1048576 bytes\n", err);
        final byte[] bytes = Files.readAllBytes(stream);
        final Path cut = Files.write(dir.resolve("cut.mig"), Arrays.copyOf(bytes, bytes.length - 3));
        assertEquals(AnalyzeStreamCommand.EXIT_MALFORMED, run(cut.toString()));
        assertTrue(err.matches("page stream offset " + (bytes.length - 3) + ": stream does not end with its end of " +
            "stream \\(0x00\\) and a VM description[^\n]*\n"), err);
    }
}
