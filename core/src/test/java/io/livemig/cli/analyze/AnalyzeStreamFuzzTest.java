package io.livemig.cli.analyze;

import io.livemig.stream.HostileBytes;
import com.code_intelligence.jazzer.junit.FuzzTest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Timeout;
import picocli.CommandLine;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Fuzz target of {@code scripts/analyze-stream}, the reader of capture files (scripts/fuzz
 * AnalyzeStreamFuzzTest): an input is a capture file of an 8-page, 4 KiB-page guest, as {@code
 * FuzzCorpusGenerator} records it from real migrations in every codec. The command runs in-process on it
 * ({@code FILE --memory 32k}) and must exit 0 with an empty stderr, or 1 with the reader's refusal as one
 * line naming an offset within the file; never 2 (the file and options are good), never an exception, and
 * within {@link HostileBytes}' heap budget.
 */
@Timeout(10)
class AnalyzeStreamFuzzTest
{
    private static final Pattern REFUSAL = Pattern.compile("page stream offset (\\d+): [^\\n]+\\n");

    private static Path file;

    @FuzzTest
    void analyzeCapture(final byte[] capture) throws IOException
    {
        final Path f = file();
        Files.write(f, capture);
        final StringWriter out = new StringWriter();
        final StringWriter err = new StringWriter();
        final int[] code = new int[1];
        HostileBytes.readOrRefuse(capture, () -> {
            out.getBuffer().setLength(0);
            err.getBuffer().setLength(0);
            final CommandLine cl = AnalyzeStreamCommand.commandLine();
            cl.setOut(new PrintWriter(out));
            cl.setErr(new PrintWriter(err));
            return () -> code[0] = cl.execute(f.toString(), "--memory", "32k");
        });
        switch (code[0])
        {
            case 0:
                assertEquals("", err.toString(), "a valid capture printed to stderr");
                assertTrue(out.toString().contains("pages applied: "), out::toString);
                break;
            case AnalyzeStreamCommand.EXIT_MALFORMED:
            {
                final Matcher m = REFUSAL.matcher(err.toString());
                assertTrue(m.matches(), () -> "refusal is not one line naming an offset: " + err);
                final long offset = Long.parseLong(m.group(1));
                assertTrue(offset <= capture.length, () -> "refusal names offset " + offset + " past the file's " +
                    capture.length + " bytes: " + err);
                break;
            }
            default:
                fail("analyze-stream exited " + code[0] + " on a readable " + capture.length + "-byte file: " + err);
        }
    }

    private static Path file()
    {
        if (file == null)
        {
            try
            {
                file = Files.createTempFile("livemig-fuzz-", ".capture");
            }
            catch (final IOException ex)
            {
                throw new UncheckedIOException(ex);
            }
        }
        return file;
    }

    @AfterAll
    static void deleteFile() throws IOException
    {
        if (file != null)
        {
            Files.deleteIfExists(file);
            file = null;
        }
    }
}
