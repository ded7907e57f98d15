package io.livemig;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The architecture in the house style: every package rests only on the packages of the levels below it in
 * {@link #LEVELS}, in every main source set (the JDK 17 one, the vector kernels and the JDK 22 FFM code).
 * Packages on one level are siblings and never use each other: the source and destination roles meet only
 * through the link. A use is an import or a fully qualified name outside comments; a javadoc link may point
 * anywhere. Each package says its place in its {@code package-info.java}.
 */
class PackageOrderTest
{
    /** From the bottom up, relative to {@code io.livemig}; the order is also written in each package-info.java. */
    static final List<List<String>> LEVELS = List.of(
        List.of("dirty"),
        List.of("memory"),
        List.of("kernel"),
        List.of("codec"),
        List.of("stream"),
        List.of("stream.read", "stream.write", "stream.returnpath"),
        List.of("workload"),
        List.of("qemu.stream", "qemu.guest"),
        List.of("qemu"),
        List.of("migration.link"),
        List.of("migration.fault"),
        List.of("migration.options"),
        List.of("migration.wire"),
        List.of("migration.channel", "migration.postcopy", "migration.throttle"),
        List.of("migration.result"),
        List.of("migration.source", "migration.destination"),
        List.of("migration"),
        List.of("cli"),
        List.of("cli.migrate", "cli.analyze"));

    private static final List<String> SOURCE_SETS = List.of("src/main/java", "src/main/java-vector", "src/main/java22",
        "src/main/java22-vector");
    private static final Pattern USE = Pattern.compile("\\bio\\.livemig\\.((?:[a-z]\\w*\\.)*[a-z]\\w*)\\.[A-Z*]");
    private static final Pattern COMMENT = Pattern.compile("/\\*.*?\\*/|//[^\n]*", Pattern.DOTALL);

    @Test
    void importsRunOneWayOnly() throws IOException
    {
        final List<String> violations = new ArrayList<>();
        int files = 0;
        for (final Path file : mainSources())
        {
            files++;
            final String pkg = packageOf(file);
            final int rank = level(pkg);
            assertTrue(rank >= 0, "package " + pkg + " is not in the order: " + file);
            final Matcher m = USE.matcher(COMMENT.matcher(Files.readString(file)).replaceAll(" "));
            while (m.find())
            {
                final String used = m.group(1);
                final int usedRank = level(used);
                if (used.equals(pkg))
                {
                    continue;
                }
                if (usedRank < 0)
                {
                    violations.add(file + " uses io.livemig." + used + ", which is in no level");
                }
                else if (usedRank > rank)
                {
                    violations.add(file + " (" + pkg + ") uses io.livemig." + used + ", a level above it");
                }
                else if (usedRank == rank)
                {
                    violations.add(file + " (" + pkg + ") uses its sibling io.livemig." + used);
                }
            }
        }
        assertTrue(files > 50, "found the sources: " + files);
        assertEquals(List.of(), violations);
    }

    @Test
    void everyPackageIsInTheOrderAndSaysWhere() throws IOException
    {
        final Set<String> packages = new TreeSet<>();
        for (final Path file : mainSources())
        {
            packages.add(packageOf(file));
        }
        final List<String> missing = new ArrayList<>();
        for (final String pkg : packages)
        {
            if (level(pkg) < 0)
            {
                missing.add(pkg + ": not in LEVELS");
            }
            final Path info = Path.of("src/main/java", "io", "livemig").resolve(pkg.replace('.', '/'))
                .resolve("package-info.java");
            if (!Files.isRegularFile(info))
            {
                missing.add(pkg + ": no package-info.java");
            }
        }
        for (final List<String> level : LEVELS)
        {
            for (final String pkg : level)
            {
                if (!packages.contains(pkg))
                {
                    missing.add(pkg + ": in LEVELS but has no sources");
                }
            }
        }
        assertEquals(List.of(), missing);
    }

    private static List<Path> mainSources() throws IOException
    {
        final List<Path> all = new ArrayList<>();
        for (final String root : SOURCE_SETS)
        {
            final Path dir = Path.of(root, "io", "livemig");
            if (!Files.isDirectory(dir))
            {
                continue;
            }
            try (Stream<Path> paths = Files.walk(dir))
            {
                paths.filter(p -> p.toString().endsWith(".java")).forEach(all::add);
            }
        }
        return all;
    }

    /** @return the file's package relative to {@code io.livemig}, from where it sits under its source set. */
    private static String packageOf(final Path file)
    {
        for (final String root : SOURCE_SETS)
        {
            final Path dir = Path.of(root, "io", "livemig");
            if (file.startsWith(dir))
            {
                return dir.relativize(file.getParent()).toString().replace('/', '.');
            }
        }
        throw new IllegalArgumentException("not under a source set: " + file);
    }

    private static int level(final String pkg)
    {
        for (int i = 0; i < LEVELS.size(); i++)
        {
            if (LEVELS.get(i).contains(pkg))
            {
                return i;
            }
        }
        return -1;
    }
}
