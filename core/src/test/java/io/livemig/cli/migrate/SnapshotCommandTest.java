package io.livemig.cli.migrate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.livemig.kernel.KernelAssume;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code scripts/migrate --to file:PATH} and {@code --from file:PATH} in-process: a running guest saved and
 * verified, restored eagerly and lazily and verified, and the refusals, each one line: options that do not
 * apply, a damaged file (exit 1, naming the offset, nothing resumed), a missing file.
 */
@Timeout(120)
class SnapshotCommandTest
{
    @TempDir
    Path dir;

    private static MigrateCommandTest.Run migrate(final String... args)
    {
        return new MigrateCommandTest.Run(MigrateCommand.commandLine(), args);
    }

    private Path saved(final String mode) throws Exception
    {
        final Path file = dir.resolve("guest.snap");
        final MigrateCommandTest.Run r = migrate("--to", "file:" + file, "--memory", "16m", "--writers", "2",
            "--snapshot", mode, "--channels", "2", "--before", "20ms", "--after", "20ms", "--device-state", "4k",
            "--downtime", "5ms", "--verify", "--json");
        assertEquals(0, r.code, r.err);
        final JsonNode j = new ObjectMapper().readTree(r.out);
        assertEquals("save", j.get("operation").asText());
        assertEquals(mode, j.get("snapshotMode").asText());
        assertTrue(j.get("verified").asBoolean(), r.out);
        assertEquals(0, j.get("mismatchPages").asLong());
        assertEquals(4096, j.get("presentPages").asLong() + j.get("zeroPages").asLong());
        assertTrue(j.get("writesPerSecAfter").asDouble() > 0, "the vCPUs run on after the save: " + r.out);
        return file;
    }

    @Test
    void aLiveSaveRestoresEagerlyAndLazily() throws Exception
    {
        final Path file = saved("live");
        final MigrateCommandTest.Run eager = migrate("--from", "file:" + file, "--channels", "2", "--verify",
            "--after", "20ms");
        assertEquals(0, eager.code, eager.err);
        assertTrue(eager.out.startsWith("Snapshot restore: completed"), eager.out);
        assertTrue(eager.out.contains("verified: true"), eager.out);
        final MigrateCommandTest.Run lazy = migrate("--from", "file:" + file, "--restore", "lazy", "--verify",
            "--after", "20ms", "--json");
        assertEquals(0, lazy.code, lazy.err);
        final JsonNode j = new ObjectMapper().readTree(lazy.out);
        assertEquals("lazy", j.get("restoreMode").asText());
        assertEquals("software", j.get("faults").get("path").asText());
        assertTrue(j.get("verified").asBoolean(), lazy.out);
        // The prefetch may bring every page before the vCPUs' threads have started: no order between the two.
        assertTrue(j.get("completeMs").asDouble() > 0 && j.get("resumeMs").asDouble() > 0, lazy.out);
        assertTrue(j.get("writesPerSecAfter").asDouble() > 0, "the restored vCPUs run: " + lazy.out);
    }

    @Test
    void aDiffSnapshotAndItsChain() throws Exception
    {
        // An idle parent: its diff certainly holds no page (the unit tests write pages into one), and its chain
        // restores the parent's every page.
        final Path base = dir.resolve("guest.snap");
        assertEquals(0, migrate("--to", "file:" + base, "--memory", "16m", "--writers", "0", "--quiet").code);
        final Path diff = dir.resolve("diff.snap");
        final MigrateCommandTest.Run save = migrate("--to", "file:" + diff, "--diff-from", "file:" + base,
            "--before", "20ms", "--after", "0", "--channels", "2", "--verify", "--json");
        assertEquals(0, save.code, save.err);
        final JsonNode s = new ObjectMapper().readTree(save.out);
        assertEquals("guest.snap", s.get("parent").asText());
        assertTrue(s.get("verified").asBoolean(), save.out);
        assertEquals(0, s.get("presentPages").asLong(), "an idle guest wrote nothing since its parent: " + save.out);
        assertTrue(Files.size(diff) == Files.size(base), "the same layout, mostly holes");
        for (final String mode : new String[] {"eager", "lazy"})
        {
            final MigrateCommandTest.Run r = migrate("--from", "file:" + diff, "--restore", mode, "--verify",
                "--after", "20ms", "--json");
            assertEquals(0, r.code, r.err);
            final JsonNode j = new ObjectMapper().readTree(r.out);
            assertEquals(2, j.get("chain").asInt(), r.out);
            assertTrue(j.get("verified").asBoolean(), r.out);
        }
        final MigrateCommandTest.Run shaped = migrate("--to", "file:" + dir.resolve("d2.snap"), "--diff-from",
            "file:" + base, "--memory", "8m");
        assertEquals(MigrateCommand.EXIT_USAGE, shaped.code);
        assertTrue(shaped.err.startsWith("migrate: --memory does not apply with --diff-from"), shaped.err);
        final MigrateCommandTest.Run onItsParent = migrate("--to", "file:" + base, "--diff-from", "file:" + base);
        assertEquals(MigrateCommand.EXIT_FAILED, onItsParent.code);
        assertTrue(onItsParent.err.contains("would overwrite"), onItsParent.err);
        assertTrue(Files.exists(base), "the parent is untouched");
    }

    @Test
    void aLazyRestoreUnderTheKernel() throws Exception
    {
        KernelAssume.faults();
        final Path file = saved("stopped");
        final MigrateCommandTest.Run lazy = migrate("--from", "file:" + file, "--restore", "lazy", "--faults",
            "kernel", "--verify", "--after", "20ms", "--json");
        assertEquals(0, lazy.code, lazy.err);
        final JsonNode j = new ObjectMapper().readTree(lazy.out);
        assertEquals("kernel", j.get("faults").get("path").asText());
        assertTrue(j.get("verified").asBoolean(), lazy.out);
    }

    @Test
    void aDamagedFileIsRefusedAndNothingResumes() throws Exception
    {
        final Path file = saved("stopped");
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE))
        {
            ch.write(ByteBuffer.wrap(new byte[] {1, 2, 3}), 4096 * 5); // inside the RAM
            ch.truncate(Files.size(file) - 1);
        }
        final MigrateCommandTest.Run r = migrate("--from", "file:" + file, "--verify");
        assertEquals(MigrateCommand.EXIT_FAILED, r.code);
        assertEquals("", r.out, "nothing resumed, nothing reported");
        assertTrue(r.err.matches("migrate: " + java.util.regex.Pattern.quote(file.toString()) + ": snapshot offset \\d+: the file is \\d+ bytes, its layout needs exactly " +
            "\\d+ \\(cut short\\)\\R"), r.err);
    }

    @Test
    void theListsOfWhatEachTakesNameRealOptions()
    {
        final java.util.Set<String> names = new java.util.HashSet<>();
        MigrateCommand.commandLine().getCommandSpec().options().forEach(o -> names.add(o.longestName()));
        assertTrue(names.containsAll(SnapshotRole.SAVE), SnapshotRole.SAVE::toString);
        assertTrue(names.containsAll(SnapshotRole.RESTORE), SnapshotRole.RESTORE::toString);
    }

    @Test
    void optionsThatDoNotApplyAreRefused()
    {
        final MigrateCommandTest.Run save = migrate("--to", "file:" + dir.resolve("x.snap"), "--xbzrle");
        assertEquals(MigrateCommand.EXIT_USAGE, save.code);
        assertTrue(save.err.startsWith("migrate: --xbzrle does not apply to a snapshot save"), save.err);
        assertFalse(Files.exists(dir.resolve("x.snap")));
        final MigrateCommandTest.Run restore = migrate("--from", "file:" + dir.resolve("x.snap"), "--memory", "8m");
        assertEquals(MigrateCommand.EXIT_USAGE, restore.code);
        assertTrue(restore.err.startsWith("migrate: --memory does not apply to a snapshot restore"), restore.err);
        final MigrateCommandTest.Run eagerKernel = migrate("--from", "file:" + dir.resolve("x.snap"), "--faults",
            "kernel");
        assertEquals(MigrateCommand.EXIT_USAGE, eagerKernel.code, eagerKernel.err);
        final MigrateCommandTest.Run unknown = migrate("--to", "file:" + dir.resolve("x.snap"), "--snapshot",
            "later");
        assertEquals(MigrateCommand.EXIT_USAGE, unknown.code);
        assertTrue(unknown.err.contains("--snapshot must be stopped, live or background"), unknown.err);
        final MigrateCommandTest.Run missing = migrate("--from", "file:" + dir.resolve("none.snap"));
        assertEquals(MigrateCommand.EXIT_FAILED, missing.code);
        assertEquals(1, missing.err.lines().count(), missing.err);
        assertTrue(missing.err.contains("no such file"), missing.err);
    }
}
