package io.livemig.cli.migrate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** scripts/migrate --pattern trace:FILE: a trace is replayed (verified migration), a bad trace is one line. */
class MigrateTraceTest
{
    @TempDir
    Path dir;

    @Test
    void replaysATraceAndVerifies() throws IOException
    {
        final Path trace = Files.writeString(dir.resolve("trace.txt"), String.join("\n",
            "livemig-dirty-trace 1", "pages 4096", "section 3 0.0 0-99,2000-2049", "section 4 20.0 100-199",
            "section 5 35.5 3000", ""));
        final MigrateCommandTest.Run r = new MigrateCommandTest.Run(MigrateCommand.commandLine(), "--memory", "16m",
            "--bandwidth", "256m/s", "--before", "10ms", "--after", "10ms", "--writers", "2", "--pattern",
            "trace:" + trace, "--verify", "--json", "--quiet");
        assertEquals(0, r.code, r.out + r.err);
        final JsonNode json = new ObjectMapper().readTree(r.out);
        assertTrue(json.toString().contains("\"verified\":true"), r.out);
    }

    @Test
    void aBadTraceIsOneLine() throws IOException
    {
        final Path trace = Files.writeString(dir.resolve("bad.txt"), "livemig-dirty-trace 1\npages 10\nsection 1 0 10\n");
        final MigrateCommandTest.Run r = new MigrateCommandTest.Run(MigrateCommand.commandLine(), "--memory", "16m",
            "--pattern", "trace:" + trace);
        assertEquals(2, r.code, r.out + r.err);
        assertEquals(1, r.err.split("\n").length, r.err);
        assertTrue(r.err.startsWith("migrate: --pattern must be") && r.err.contains("line 3: range 10"), r.err);
    }
}
