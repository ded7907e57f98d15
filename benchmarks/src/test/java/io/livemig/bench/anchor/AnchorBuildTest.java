package io.livemig.bench.anchor;

import io.livemig.Machine;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

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
        assertTrue(result.command().containsAll(List.of("-O2", "-fno-strict-aliasing", "-fwrapv", "-fPIC",
            "-fvisibility=hidden", "-shared")), result.command().toString());
        assertTrue(result.command().stream().noneMatch(arg -> arg.startsWith("-march")), "no -march");
    }

    /**
     * The built library as QEMU's shapes need it, read from its machine code with objdump: no anchor function
     * calls another through the PLT (only the C library is reached that way, as from QEMU's binary), only the JNI
     * entry points are exported, and the AVX-512BW encoder loads each step with a masked load in its source (QEMU
     * 8.1+'s shape) and keeps a masked load in its machine code for the residual step. Skipped only where objdump
     * is not installed.
     */
    @Test
    void noAnchorCallGoesThroughThePltAndTheAvx512EncoderLoadsMasked(@TempDir final Path dir) throws IOException
    {
        final AnchorBuild.Result result = AnchorBuild.build(dir, Map.of());
        Machine.skipOnlyIfLacking(TestAnchors.lacksCompiler(), result.built() ? null : result.reason());
        Machine.skipOnlyIfLacking(Machine.lacksCommand("objdump"), Machine.lacksCommand("objdump"));
        final String objdump = run(List.of("objdump", "-d", "--no-show-raw-insn", result.library().toString()));
        assertTrue(objdump != null, "objdump ran");
        final List<String> pltCalls = objdump.lines().filter(l -> l.contains("@plt>") &&
            (l.contains("call") || l.contains("jmp")) && !l.contains("<.plt")).map(String::strip).toList();
        assertTrue(pltCalls.stream().noneMatch(l -> l.contains("<lm_") || l.contains("<Java_")),
            "anchor functions called through the PLT: " + pltCalls);
        final String symbols = run(List.of("objdump", "-T", result.library().toString()));
        final List<String> exported = symbols.lines().filter(l -> l.contains(" .text")).map(String::strip).toList();
        assertFalse(exported.isEmpty(), "the JNI entry points are exported");
        assertTrue(exported.stream().allMatch(l -> l.contains("Java_io_livemig_bench_anchor_")),
            "only JNI entry points are exported: " + exported);

        final String source = Files.readString(Path.of("src/main/native/xbzrle.c"));
        final String encoder = source.substring(source.indexOf("int lm_xbzrle_encode_avx512("));
        final String body = encoder.substring(0, encoder.indexOf("\n}\n"));
        assertEquals(2, body.split("_mm512_mask_loadu_epi8\\(", -1).length - 1, "both pages, every step, masked");
        assertFalse(body.contains("_mm512_loadu_si512") || body.contains("_mm512_maskz_loadu"), "no other load");
        final List<String> code = function(objdump, "lm_xbzrle_encode_avx512");
        if (!code.isEmpty())
        {
            assertTrue(code.stream().anyMatch(l -> l.contains("vmovdqu8") && l.contains("{%k")),
                "a masked 64-byte load in the machine code: " + code);
        }
    }

    /** @return the disassembly lines of {@code name}, empty if the library has no such function. */
    private static List<String> function(final String objdump, final String name)
    {
        final List<String> lines = new ArrayList<>();
        boolean in = false;
        for (final String line : objdump.lines().toList())
        {
            if (line.endsWith("<" + name + ">:"))
            {
                in = true;
            }
            else if (in && line.isBlank())
            {
                break;
            }
            else if (in)
            {
                lines.add(line);
            }
        }
        return lines;
    }

    /** @return the command's output, or null if it cannot be started. */
    private static String run(final List<String> command)
    {
        try
        {
            final Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            process.getOutputStream().close();
            final String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(process.waitFor(60, TimeUnit.SECONDS), "objdump finished");
            return process.exitValue() == 0 ? output : null;
        }
        catch (final IOException ex)
        {
            return null;
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(ex);
        }
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
