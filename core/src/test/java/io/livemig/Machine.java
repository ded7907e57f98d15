package io.livemig;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.opentest4j.AssertionFailedError;
import org.opentest4j.TestAbortedException;

/**
 * What this machine has, found without the product's probes, for tests that need a platform feature: a test
 * skips only where the machine lacks what it needs, and fails where the machine has it but the product says it
 * cannot run ({@link #skipOnlyIfLacking}). Each {@code lacks...} method returns {@code null} where the machine
 * has the thing, else one line naming what it lacks.
 *
 * <p>Thread-safety: stateless; safe for any thread.
 */
public final class Machine
{
    /** Oldest Linux release with every userfaultfd feature the kernel trackers use ({@code UFFD_FEATURE_WP_ASYNC}). */
    public static final String KERNEL_TRACKERS_LINUX = "6.7";

    private static final Pattern RELEASE = Pattern.compile("^(\\d+)\\.(\\d+)");

    private Machine()
    {
    }

    /** @return {@code null} if this process runs as root (effective uid 0), else why not. */
    public static String lacksRoot()
    {
        final Path status = Path.of("/proc/self/status");
        try
        {
            for (final String line : Files.readAllLines(status))
            {
                if (line.startsWith("Uid:"))
                {
                    final String effective = line.substring(4).trim().split("\\s+")[1];
                    return effective.equals("0") ? null : "not root (effective uid " + effective + ")";
                }
            }
            return "not root (no Uid line in " + status + ")";
        }
        catch (final IOException ex)
        {
            return "not root (" + status + " unreadable: " + ex.getMessage() + ")";
        }
    }

    /** @return {@code null} if an executable {@code name} is on {@code PATH}, else why not. */
    public static String lacksCommand(final String name)
    {
        final String path = System.getenv().getOrDefault("PATH", "");
        final boolean found = Arrays.stream(path.split(File.pathSeparator)).filter(dir -> !dir.isEmpty())
            .map(dir -> Path.of(dir, name)).anyMatch(p -> Files.isExecutable(p) && !Files.isDirectory(p));
        return found ? null : "no '" + name + "' on PATH";
    }

    /** @return {@code null} if this is Linux at release {@code release} ("major.minor") or later, else why not. */
    public static String lacksLinux(final String release)
    {
        final String os = System.getProperty("os.name");
        if (!"Linux".equals(os))
        {
            return "not Linux (" + os + ")";
        }
        final String version = System.getProperty("os.version");
        final int have = releaseNumber(version);
        return have >= releaseNumber(release) ? null : "Linux " + version + " < " + release;
    }

    /** @return {@code null} if the running JDK's feature release is at least {@code feature}, else why not. */
    public static String lacksJdk(final int feature)
    {
        final int have = Runtime.version().feature();
        return have >= feature ? null : "JDK " + have + " < " + feature;
    }

    /** @return {@code null} on x86-64, else the architecture (the kernel trackers are tested there only). */
    public static String lacksX86()
    {
        final String arch = System.getProperty("os.arch").toLowerCase(Locale.ROOT);
        return arch.equals("amd64") || arch.equals("x86_64") ? null : "not x86-64 (" + arch + ")";
    }

    /**
     * @return {@code null} where the kernel trackers and kernel page faults must run: Linux {@value
     *         #KERNEL_TRACKERS_LINUX} or later on x86-64, as root, on JDK 22 or later; else what is missing.
     */
    public static String lacksKernelTrackers()
    {
        return first(lacksJdk(22), lacksLinux(KERNEL_TRACKERS_LINUX), lacksX86(), lacksRoot());
    }

    /** @return {@code null} where {@code scripts/two-hosts} must run: root, with {@code ip} and {@code tc}. */
    public static String lacksNamespaces()
    {
        return first(lacksRoot(), lacksCommand("ip"), lacksCommand("tc"));
    }

    /**
     * For a test that needs a feature: returns if the product says the feature runs ({@code unavailable} is
     * {@code null}); skips the test with the product's one-line reason where the machine lacks it ({@code lacks}
     * non-null); fails it where the machine has it, for then the skip would hide a bug.
     *
     * @param lacks       what the machine lacks, from this class, or {@code null}.
     * @param unavailable the product's reason why the feature cannot run, or {@code null}.
     */
    public static void skipOnlyIfLacking(final String lacks, final String unavailable)
    {
        if (unavailable == null)
        {
            return;
        }
        if (lacks != null)
        {
            throw new TestAbortedException(unavailable);
        }
        throw new AssertionFailedError("this machine has what it needs (" + describe() + "), yet: " + unavailable);
    }

    /** @return one line: OS release, architecture, JDK, uid. */
    public static String describe()
    {
        return System.getProperty("os.name") + " " + System.getProperty("os.version") + " " +
            System.getProperty("os.arch") + ", JDK " + Runtime.version() + ", " +
            (lacksRoot() == null ? "root" : lacksRoot());
    }

    /** @return the first non-null reason, or {@code null}. */
    private static String first(final String... reasons)
    {
        for (final String r : reasons)
        {
            if (r != null)
            {
                return r;
            }
        }
        return null;
    }

    /** @return {@code major * 1000 + minor} of a release string, or -1 if it has no such prefix. */
    private static int releaseNumber(final String release)
    {
        final Matcher m = RELEASE.matcher(release);
        return m.find() ? Integer.parseInt(m.group(1)) * 1000 + Integer.parseInt(m.group(2)) : -1;
    }
}
