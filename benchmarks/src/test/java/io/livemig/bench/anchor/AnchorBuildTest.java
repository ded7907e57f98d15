package io.livemig.bench.anchor;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import io.livemig.Machine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The build step: it compiles from the classpath alone, and reports a missing or failing compiler in one line.
 * Its first test is the guard of the C anchors' tests: where this machine has a C compiler ({@link
 * TestAnchors#lacksCompiler}), the anchors must build, or it fails with the build's reason.
 */
class AnchorBuildTest
{
    @Test
    void buildsTheLibraryFromTheClasspathSourcesWithQemusFlags(@TempDir final Path dir)
    {
        final AnchorBuild.Result result = AnchorBuild.build(dir, Map.of());
        Machine.skipOnlyIfLacking(TestAnchors.lacksCompiler(), result.built() ? null : result.reason());
        assertEquals("", result.reason());
        assertTrue(Files.isRegularFile(result.library()), "library file");
        assertEquals(dir.resolve(AnchorBuild.LIBRARY_NAME), result.library());
        assertFalse(result.compilerVersion().isEmpty(), "compiler version");
        assertTrue(result.command().containsAll(List.of("-O2", "-fno-strict-aliasing", "-fwrapv", "-fPIC", "-shared")),
            result.command().toString());
        assertTrue(result.command().stream().noneMatch(arg -> arg.startsWith("-march")), "no -march");
    }

    @Test
    void aCompilerThatIsNotThereGivesAReasonNamingIt(@TempDir final Path dir)
    {
        final AnchorBuild.Result result = AnchorBuild.build(dir, Map.of("CC", "livemig-no-such-cc"));
        assertFalse(result.built());
        assertEquals("no C compiler: 'livemig-no-such-cc' not found on PATH", result.reason());
        assertTrue(result.command().isEmpty());
    }

    @Test
    void aCompilerThatFailsGivesItsFirstLine(@TempDir final Path dir) throws IOException
    {
        final Path fake = dir.resolve("bogus-cc");
        Files.writeString(fake, "#!/bin/sh\necho 'bogus-cc: error: this compiler compiles nothing' >&2\nexit 1\n");
        assumeTrue(fake.toFile().setExecutable(true), "cannot make a script executable here");
        final AnchorBuild.Result result = AnchorBuild.build(dir.resolve("work"), Map.of("CC", fake.toString()));
        assertFalse(result.built());
        assertEquals("bogus-cc failed: bogus-cc: error: this compiler compiles nothing", result.reason());
        assertFalse(result.reason().contains("\n"));
        assertEquals(fake.toString(), result.command().get(0));
    }

    @Test
    void everyFileOfTheNativeFolderIsPackagedAndCompiled() throws IOException
    {
        final List<String> listed = new ArrayList<>(AnchorBuild.SOURCES);
        listed.addAll(AnchorBuild.HEADERS);
        try (Stream<Path> files = Files.list(Path.of("src/main/native")))
        {
            final List<String> onDisk = files.map(file -> file.getFileName().toString())
                .filter(name -> name.endsWith(".c") || name.endsWith(".h"))
                .sorted()
                .toList();
            assertEquals(onDisk, listed.stream().sorted().toList());
        }
    }

    @Test
    void requireWithoutThePropertySaysHowToBuild()
    {
        for (final String unset : new String[] {null, "", "  "})
        {
            final IllegalStateException ex =
                assertThrows(IllegalStateException.class, () -> QemuAnchors.loadFrom(unset));
            assertEquals("C anchors not built: run through the bench runner (mvn -B verify -Pbench) or pass " +
                "-Dlivemig.anchors.lib=PATH", ex.getMessage());
        }
    }
}
