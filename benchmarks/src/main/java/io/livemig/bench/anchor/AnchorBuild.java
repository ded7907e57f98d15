package io.livemig.bench.anchor;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Builds livemig's C anchors with the system C compiler at benchmark time: extracts the sources, which are
 * packaged into {@code benchmarks.jar} under {@value #RESOURCE_DIR}, into a work directory and runs
 * <pre>
 *   cc -O2 -fno-strict-aliasing -fwrapv -fPIC -fvisibility=hidden -shared -I$JAVA_HOME/include
 *      -I$JAVA_HOME/include/linux -o WORKDIR/liblivemig-anchors.so SOURCES
 * </pre>
 * QEMU's optimisation flags and no {@code -march}: the AVX2 and AVX-512 loops carry per-function target
 * attributes and are chosen at run time, as QEMU does. {@code -fvisibility=hidden} keeps every function but the
 * JNI entry points inside the library, so that a call from one anchor function to another (the enumeration loop
 * to {@code find_next_bit}, the batch loops to the per-page functions) is a direct call, as in QEMU's binary,
 * and never goes through the PLT, as it would in a shared library whose symbols may be interposed.
 *
 * <p>A missing or failing compiler is not an error: {@link #build} returns a {@link Result} with
 * {@code built == false} and a one-line reason, so that the suite still runs without its C anchors.
 *
 * <p>Stateless and thread-safe; concurrent builds must use different work directories.
 */
public final class AnchorBuild
{
    /** Classpath folder of the C sources (from {@code benchmarks/src/main/native}). */
    public static final String RESOURCE_DIR = "io/livemig/bench/anchor/native";

    /** The sources compiled, in order, and the header they share (every file of the native folder but README). */
    static final List<String> SOURCES = List.of("xbzrle.c", "bufferiszero.c", "bitmap.c", "digest.c", "anchors_jni.c");
    static final List<String> HEADERS = List.of("anchors.h");

    /** File name of the built library. */
    public static final String LIBRARY_NAME = "liblivemig-anchors.so";

    /** QEMU's flags, plus what a JNI shared library needs, and no interposable internal calls. */
    static final List<String> FLAGS =
        List.of("-O2", "-fno-strict-aliasing", "-fwrapv", "-fPIC", "-fvisibility=hidden", "-shared");

    private static final long COMPILE_SECONDS = 60;
    private static final long VERSION_SECONDS = 10;

    /**
     * What a build gave.
     *
     * @param built           whether {@code library} was built.
     * @param library         the built library, or where it would have been.
     * @param compiler        the compiler used (its path when found), or what was looked for.
     * @param compilerVersion the first line of {@code <cc> --version}, or "" if unknown.
     * @param command         the compile command run (empty if none was run).
     * @param reason          one line saying why nothing was built; "" when built.
     */
    public record Result(
        boolean built, Path library, String compiler, String compilerVersion, List<String> command, String reason)
    {
    }

    private AnchorBuild()
    {
    }

    /**
     * Builds the anchors into {@code workDir} (created if missing) with the compiler named by {@code CC} in
     * {@code env}, else {@code cc}, else {@code gcc}, found on {@code env}'s {@code PATH} (else this process's).
     * {@code env}'s entries are also added to the compiler's environment.
     *
     * @return the result; never throws for a missing or failing compiler.
     */
    public static Result build(final Path workDir, final Map<String, String> env)
    {
        final Path library = workDir.resolve(LIBRARY_NAME);
        final String requested = env.get("CC");
        final List<String> candidates = requested == null || requested.isBlank()
            ? List.of("cc", "gcc")
            : List.of(requested.trim());
        final String path = env.getOrDefault("PATH", System.getenv().getOrDefault("PATH", ""));
        String compiler = null;
        for (final String candidate : candidates)
        {
            compiler = find(candidate, path);
            if (compiler != null)
            {
                break;
            }
        }
        if (compiler == null)
        {
            final String named = String.join("', '", candidates);
            return failed(library, candidates.get(0), "", List.of(),
                "no C compiler: '" + named + "' not found on PATH");
        }
        final Path javaHome = Path.of(System.getProperty("java.home"));
        final Path include = javaHome.resolve("include");
        if (!Files.isRegularFile(include.resolve("jni.h")))
        {
            return failed(library, compiler, "", List.of(), "no jni.h under " + include);
        }
        final String version = firstLine(run(List.of(compiler, "--version"), workDir, env, VERSION_SECONDS).output);
        final List<Path> sources;
        try
        {
            sources = extract(workDir);
        }
        catch (final IOException ex)
        {
            return failed(library, compiler, version, List.of(),
                "cannot extract the C sources: " + oneLine(ex.toString()));
        }
        final List<String> command = new ArrayList<>();
        command.add(compiler);
        command.addAll(FLAGS);
        command.add("-I" + include);
        command.add("-I" + include.resolve("linux"));
        command.add("-o");
        command.add(library.toString());
        for (final Path source : sources)
        {
            command.add(source.toString());
        }
        final Outcome outcome = run(command, workDir, env, COMPILE_SECONDS);
        if (outcome.exitCode != 0 || !Files.isRegularFile(library))
        {
            final String why = outcome.exitCode == TIMED_OUT
                ? "timed out after " + COMPILE_SECONDS + " s"
                : firstError(outcome.output);
            return failed(library, compiler, version, command, Path.of(compiler).getFileName() + " failed: " + why);
        }
        return new Result(true, library, compiler, version, List.copyOf(command), "");
    }

    /** Copies every source and header from the classpath into {@code workDir}; returns the sources. */
    static List<Path> extract(final Path workDir) throws IOException
    {
        Files.createDirectories(workDir);
        final List<Path> sources = new ArrayList<>();
        final List<String> files = new ArrayList<>(HEADERS);
        files.addAll(SOURCES);
        for (final String file : files)
        {
            final String resource = RESOURCE_DIR + "/" + file;
            try (InputStream in = AnchorBuild.class.getClassLoader().getResourceAsStream(resource))
            {
                if (in == null)
                {
                    throw new IOException("missing from the classpath: " + resource);
                }
                final Path target = workDir.resolve(file);
                Files.copy(in, target, StandardCopyOption.REPLACE_EXISTING);
                if (SOURCES.contains(file))
                {
                    sources.add(target);
                }
            }
        }
        return sources;
    }

    private static Result failed(
        final Path library, final String compiler, final String version, final List<String> command, final String why)
    {
        return new Result(false, library, compiler, version, List.copyOf(command), oneLine(why));
    }

    /** @return the executable {@code name} resolves to: itself if it holds a '/', else the first on {@code path}. */
    private static String find(final String name, final String path)
    {
        if (name.contains("/"))
        {
            return Files.isExecutable(Path.of(name)) && !Files.isDirectory(Path.of(name)) ? name : null;
        }
        return Arrays.stream(path.split(File.pathSeparator))
            .filter(dir -> !dir.isEmpty())
            .map(dir -> Path.of(dir, name))
            .filter(candidate -> Files.isExecutable(candidate) && !Files.isDirectory(candidate))
            .map(Path::toString)
            .findFirst()
            .orElse(null);
    }

    private static final int TIMED_OUT = -2;
    private static final int NOT_STARTED = -3;

    private record Outcome(int exitCode, String output)
    {
    }

    /** Runs {@code command} with its output (stdout and stderr) captured in a file, within {@code seconds}. */
    private static Outcome run(
        final List<String> command, final Path workDir, final Map<String, String> env, final long seconds)
    {
        try
        {
            Files.createDirectories(workDir);
            final Path log = Files.createTempFile(workDir, "cc-", ".log");
            try
            {
                final ProcessBuilder builder = new ProcessBuilder(command)
                    .directory(workDir.toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(log.toFile());
                builder.environment().putAll(env);
                final Process process = builder.start();
                if (!process.waitFor(seconds, TimeUnit.SECONDS))
                {
                    process.destroyForcibly();
                    return new Outcome(TIMED_OUT, "");
                }
                return new Outcome(process.exitValue(), Files.readString(log, StandardCharsets.UTF_8));
            }
            finally
            {
                Files.deleteIfExists(log);
            }
        }
        catch (final IOException ex)
        {
            return new Outcome(NOT_STARTED, ex.toString());
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            return new Outcome(NOT_STARTED, "interrupted");
        }
    }

    /** @return the compiler's first line that says "error", else its first non-blank line. */
    private static String firstError(final String output)
    {
        final String[] lines = output.split("\\R");
        for (final String line : lines)
        {
            if (line.contains("error"))
            {
                return line.strip();
            }
        }
        final String first = firstLine(output);
        return first.isEmpty() ? "no output" : first;
    }

    private static String firstLine(final String output)
    {
        for (final String line : output.split("\\R"))
        {
            if (!line.isBlank())
            {
                return line.strip();
            }
        }
        return "";
    }

    private static String oneLine(final String text)
    {
        return text.replaceAll("\\s*\\R\\s*", " ").strip();
    }
}
