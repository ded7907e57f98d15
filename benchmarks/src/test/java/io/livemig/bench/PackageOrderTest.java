package io.livemig.bench;

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
 * The benchmarks' architecture in the house style, as core's {@code io.livemig.PackageOrderTest} checks the
 * library's: every package of the benchmarks rests only on the packages of the levels below it in
 * {@link #LEVELS}. Packages on one level are siblings and never use each other: the benchmarks of one concern
 * never reach into another's, the runner's environment never into its presets. A use is an import (static ones
 * included) or a fully qualified name outside comments; a javadoc link may point anywhere. Uses of the library
 * ({@code io.livemig.dirty}, ...) are core's to order: every one is below every package here. Each package says
 * its level in its {@code package-info.java}.
 */
class PackageOrderTest
{
    /** From the bottom up, relative to {@code io.livemig}; the order is also written in each package-info.java. */
    static final List<List<String>> LEVELS = List.of(
        List.of("bench"),
        List.of("bench.anchor"),
        List.of("bench.state"),
        List.of("bench.codec", "bench.dirty", "bench.stream", "bench.migration"),
        List.of("bench.run.env", "bench.run.preset"),
        List.of("bench.run.setup"),
        List.of("bench.run"),
        List.of("bench.report.stats"),
        List.of("bench.report.result"),
        List.of("bench.report.analysis"),
        List.of("bench.report.chart"),
        List.of("bench.report.section"),
        List.of("bench.report"));

    private static final Path ROOT = Path.of("src", "main", "java", "io", "livemig");
    private static final Pattern USE = Pattern.compile("\\bio\\.livemig\\.(bench(?:\\.[a-z]\\w*)*)\\.[A-Z*]");
    private static final Pattern COMMENT = Pattern.compile("/\\*.*?\\*/|//[^\n]*", Pattern.DOTALL);
    private static final Pattern LEVEL = Pattern.compile("Level (\\d+)\\b");

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
        assertTrue(files > 80, "found the sources: " + files);
        assertEquals(List.of(), violations);
    }

    @Test
    void everyPackageIsInTheOrderAndSaysItsLevel() throws IOException
    {
        final Set<String> packages = new TreeSet<>();
        for (final Path file : mainSources())
        {
            packages.add(packageOf(file));
        }
        final List<String> missing = new ArrayList<>();
        for (final String pkg : packages)
        {
            final int rank = level(pkg);
            if (rank < 0)
            {
                missing.add(pkg + ": not in LEVELS");
            }
            final Path info = ROOT.resolve(pkg.replace('.', '/')).resolve("package-info.java");
            if (!Files.isRegularFile(info))
            {
                missing.add(pkg + ": no package-info.java");
                continue;
            }
            final Matcher said = LEVEL.matcher(Files.readString(info));
            if (rank >= 0 && (!said.find() || Integer.parseInt(said.group(1)) != rank + 1))
            {
                missing.add(pkg + ": package-info.java does not say \"Level " + (rank + 1) + "\" first");
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
        try (Stream<Path> paths = Files.walk(ROOT.resolve("bench")))
        {
            return paths.filter(p -> p.toString().endsWith(".java")).toList();
        }
    }

    /** @return the file's package relative to {@code io.livemig}, from where it sits under the source set. */
    private static String packageOf(final Path file)
    {
        return ROOT.relativize(file.getParent()).toString().replace('/', '.');
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
