package io.livemig.bench.run;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * What {@code env.json} records about a run: the forks' JDK, the machine, the source tree and the run's
 * settings. Everything is gathered best-effort: a fact that cannot be read is recorded as {@code "unknown"}
 * rather than failing a run that has already measured.
 *
 * <p>Stateless; thread-safe.
 */
public final class Environment
{
    static final String UNKNOWN = "unknown";

    private Environment()
    {
    }

    /**
     * @param java  the forks' java executable.
     * @return vendor, version, VM name and version of that JVM, read from {@code java -XshowSettings:properties}.
     */
    public static Map<String, String> jdk(final Path java)
    {
        final Map<String, String> jdk = new LinkedHashMap<>();
        jdk.put("java", java.toString());
        final String settings = run(List.of(java.toString(), "-XshowSettings:properties", "-version"), null);
        for (final String key : List.of("java.vendor", "java.version", "java.runtime.version", "java.vm.name",
            "java.vm.version"))
        {
            jdk.put(key, property(settings, key));
        }
        return jdk;
    }

    /** @return the value of {@code key = value} in JVM settings output, or {@link #UNKNOWN}. */
    static String property(final String settings, final String key)
    {
        for (final String line : settings.split("\\R"))
        {
            final String trimmed = line.trim();
            if (trimmed.startsWith(key + " = "))
            {
                return trimmed.substring(key.length() + 3).trim();
            }
        }
        return UNKNOWN;
    }

    /** @return CPU model, logical cores, memory, OS and kernel of this machine. */
    public static Map<String, Object> machine()
    {
        final Map<String, Object> machine = new LinkedHashMap<>();
        machine.put("cpu", firstValue(read(Path.of("/proc/cpuinfo")), "model name"));
        machine.put("cores", Runtime.getRuntime().availableProcessors());
        machine.put("memory", firstValue(read(Path.of("/proc/meminfo")), "MemTotal"));
        String os = System.getProperty("os.name") + " " + System.getProperty("os.arch");
        final String release = firstValue(read(Path.of("/etc/os-release")).replace('=', ':'), "PRETTY_NAME");
        if (!release.equals(UNKNOWN))
        {
            os = release.replace("\"", "") + " (" + os + ")";
        }
        machine.put("os", os);
        machine.put("kernel", System.getProperty("os.version"));
        return machine;
    }

    /** @return the first {@code key: value} value in a /proc-style text, or {@link #UNKNOWN}. */
    static String firstValue(final String text, final String key)
    {
        for (final String line : text.split("\\R"))
        {
            final int colon = line.indexOf(':');
            if (colon > 0 && line.substring(0, colon).trim().equals(key))
            {
                return line.substring(colon + 1).trim();
            }
        }
        return UNKNOWN;
    }

    /** @return the commit checked out in {@code dir} and whether the tree has uncommitted changes. */
    public static Map<String, Object> git(final Path dir)
    {
        final Map<String, Object> git = new LinkedHashMap<>();
        final String commit = run(List.of("git", "rev-parse", "HEAD"), dir).trim();
        git.put("commit", commit.matches("[0-9a-f]{40}") ? commit : UNKNOWN);
        final String status = run(List.of("git", "status", "--porcelain", "--untracked-files=no"), dir);
        git.put("dirty", commit.matches("[0-9a-f]{40}") ? (Object)!status.isBlank() : UNKNOWN);
        return git;
    }

    private static String read(final Path file)
    {
        try
        {
            return Files.readString(file, StandardCharsets.UTF_8);
        }
        catch (final IOException | RuntimeException ex)
        {
            return "";
        }
    }

    /** Runs a command for its combined output; empty on any failure. */
    static String run(final List<String> command, final Path dir)
    {
        try
        {
            final ProcessBuilder builder = new ProcessBuilder(new ArrayList<>(command)).redirectErrorStream(true);
            if (dir != null)
            {
                builder.directory(dir.toFile());
            }
            final Process process = builder.start();
            process.getOutputStream().close();
            final byte[] output;
            try (InputStream in = process.getInputStream())
            {
                output = in.readAllBytes();
            }
            if (!process.waitFor(30, TimeUnit.SECONDS) || process.exitValue() != 0)
            {
                process.destroy();
                return "";
            }
            return new String(output, StandardCharsets.UTF_8);
        }
        catch (final IOException ex)
        {
            return "";
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            return "";
        }
    }
}
