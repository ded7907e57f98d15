package io.livemig.cli.analyze;

import io.livemig.dirty.DirtyMarker;
import io.livemig.memory.GuestMemory;
import io.livemig.stream.ChannelOutput;
import io.livemig.stream.PageStreamOptions;
import io.livemig.stream.write.PageStreamWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The analyze-stream command in-process: output of a valid capture, and each bad input's exit code and line. */
class AnalyzeStreamCommandTest
{
    @TempDir
    Path dir;

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
     * Captures 3 iterations of a 16-page guest with XBZRLE and LZ4, every page touched (byte 7) before each
     * send: pages 0-1 (one non-zero byte) and the even pages 2-14 (mostly 'a') compress, the odd pages 3-15
     * are random. Rounds 1 and 2 send 9 LZ4 + 7 PAGE (round 2: every page is an XBZRLE cache miss); round 3
     * sends 16 one-byte XBZRLE deltas of 3 bytes (zrun 7, nzrun 1, the byte).
     */
    private Path capture() throws IOException
    {
        final Path file = dir.resolve("capture.bin");
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            GuestMemory guest = new GuestMemory(16 * 4096, 4096, DirtyMarker.NONE))
        {
            final Random random = new Random(9);
            final byte[] page = new byte[4096];
            for (int p = 2; p < 16; p++)
            {
                random.nextBytes(page);
                if (p % 2 == 0)
                {
                    Arrays.fill(page, 100, 4096, (byte)'a');
                }
                guest.writePage(p, page, 0);
            }
            final ChannelOutput out = new ChannelOutput(ch, PageStreamWriter.requiredBufferBytes(4096));
            final PageStreamWriter writer = new PageStreamWriter(out, guest,
                PageStreamOptions.defaults().withXbzrle(true).withXbzrleCacheBytes(1 << 20).withLz4(true));
            writer.writeMemSize();
            for (int round = 1; round <= 3; round++)
            {
                writer.startRound(round);
                for (int p = 0; p < 16; p++)
                {
                    guest.putByte(p * 4096L + 7, (byte)round);
                    writer.writePage(p, true);
                }
                writer.writeEos();
            }
        }
        return file;
    }

    @Test
    void summarisesAValidCapture() throws IOException
    {
        final Path file = capture();
        assertEquals(0, run(file.toString(), "--memory", "64k"), err);
        assertEquals("", err);
        final String[] lines = out.split("\n");
        assertTrue(lines[0].contains("guest pc.ram of 64k in 4k pages"), out);
        assertTrue(out.matches("(?s).*\nZERO +0 +0\n.*"), out);
        assertTrue(out.matches("(?s).*\nPAGE +14 +" + 14 * (8 + 4096) + "\n.*"), out);
        // 16 records of header 8 + prefix 3 + delta 3, and the block name (7 bytes) on the round's first.
        assertTrue(out.matches("(?s).*\nXBZRLE +16 +" + (16 * 14 + 7) + "\n.*"), out);
        assertTrue(out.matches("(?s).*\nLZ4 +18 +\\d+\n.*"), out);
        assertTrue(out.matches("(?s).*\nMEM_SIZE +1 +23\n.*"), out);
        assertTrue(out.matches("(?s).*\nEOS +3 +24\n.*"), out);
        assertTrue(out.matches("(?s).*\ntotal +52 +" + Files.size(file) + "\n.*"), out);
        assertTrue(out.contains("iterations: 3, pages applied: 48"), out);
    }

    @Test
    void listsEveryRecord() throws IOException
    {
        final Path file = capture();
        assertEquals(0, run(file.toString(), "--memory", "65536", "--page-size", "4K", "--records"), err);
        final String[] lines = out.split("\n");
        assertTrue(lines[0].matches(" *offset +page +kind +wire-bytes"), lines[0]);
        // MEM_SIZE is 23 bytes: the first page record starts there, names the block, and page 0 is not zero.
        assertTrue(lines[1].matches(" +23 +0 +(PAGE|LZ4) +\\d+"), lines[1]);
        assertEquals(48, Arrays.stream(lines).filter(l -> l.matches(" +\\d+ +\\d+ +[A-Z0-9]+ +\\d+")).count(), out);
    }

    @Test
    void malformedStreamIsExitOneWithTheReadersMessage() throws IOException
    {
        final byte[] bytes = Files.readAllBytes(capture());
        bytes[23 + 7] |= 0x01;   // the first page record's flags gain QEMU's obsolete FULL flag
        final Path bad = Files.write(dir.resolve("bad.bin"), bytes);
        assertEquals(AnalyzeStreamCommand.EXIT_MALFORMED, run(bad.toString(), "--memory", "64k"));
        assertEquals("page stream offset 23: undefined flags FULL in header flags LZ4|FULL\n", err);

        final Path cut = Files.write(dir.resolve("cut.bin"), Arrays.copyOf(bytes, 23));
        assertEquals(AnalyzeStreamCommand.EXIT_MALFORMED, run(cut.toString(), "--memory", "64k"));
        assertEquals("page stream offset 23: stream ends without EOS\n", err);

        assertEquals(AnalyzeStreamCommand.EXIT_MALFORMED, run(capture().toString(), "--memory", "128k"));
        assertEquals("page stream offset 0: MEM_SIZE says block \"pc.ram\" has 65536 bytes, the destination has 131072\n",
            err);
    }

    @Test
    void badUsageIsExitTwoOnOneLine() throws IOException
    {
        final String file = capture().toString();
        final String[][] cases = {
            {file},
            {file, "--memory", "12x"},
            {file, "--memory", "64k", "--page-size", "3000"},
            {file, "--memory", "64k", "--page-size", "4m"},
            {file, "--memory", "6000"},
            {file, "--memory", "0"},
            {dir.resolve("missing.bin").toString(), "--memory", "64k"},
            {dir.toString(), "--memory", "64k"},
            {file, "--memory", "64k", "--bogus"},
            {"--memory", "64k"},
        };
        for (final String[] args : cases)
        {
            assertEquals(AnalyzeStreamCommand.EXIT_USAGE, run(args), String.join(" ", args) + " -> " + err);
            assertTrue(err.startsWith("analyze-stream: "), err);
            assertEquals(1, err.split("\n").length, "one line: " + err);
            assertEquals("", out);
        }
        run(file, "--memory", "12x");
        assertTrue(err.contains("invalid size '12x'"), err);
        run(dir.resolve("missing.bin").toString(), "--memory", "64k");
        assertTrue(err.contains("no such file"), err);
    }
}
