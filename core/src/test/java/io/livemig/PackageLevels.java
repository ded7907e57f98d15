package io.livemig;

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

/**
 * The house's architecture check, for core's and the benchmarks' {@code PackageOrderTest}: every package of the
 * given source roots rests only on the packages of the levels below it, packages on one level are siblings that
 * never use each other, and each package has a {@code package-info.java} (stating {@code Level N} where asked). A
 * use is an import (static ones included) or a fully qualified name outside comments, of a package that {@code
 * scope} matches; a javadoc link may point anywhere. Stateless apart from its settings; thread-safe.
 */
public final class PackageLevels
{
    private static final Pattern COMMENT = Pattern.compile("/\\*.*?\\*/|//[^\n]*", Pattern.DOTALL);
    private static final Pattern LEVEL = Pattern.compile("Level (\\d+)\\b");

    private final List<List<String>> levels;
    private final List<Path> roots;
    private final String scope;
    private final Pattern use;

    /**
     * @param levels from the bottom up, packages relative to {@code io.livemig}.
     * @param roots  source roots, each the {@code io/livemig} folder of a source set (missing ones are skipped).
     * @param scope  the packages whose uses count, relative to {@code io.livemig}, as a regex (e.g. {@code bench(?:\.\w+)*}).
     */
    public PackageLevels(final List<List<String>> levels, final List<Path> roots, final String scope)
    {
        this.levels = levels;
        this.roots = roots;
        this.scope = scope;
        this.use = Pattern.compile("\\bio\\.livemig\\.(" + scope + ")\\.[A-Z*]");
    }

    /** @return every use that runs back up or sideways, one line each, naming the file and the package used. */
    public List<String> violations() throws IOException
    {
        final List<String> violations = new ArrayList<>();
        for (final Path file : sources())
        {
            final String pkg = packageOf(file);
            final int rank = level(pkg);
            final Matcher m = use.matcher(COMMENT.matcher(Files.readString(file)).replaceAll(" "));
            while (m.find())
            {
                final String used = m.group(1);
                final int usedRank = level(used);
                if (used.equals(pkg))
                {
                    continue;
                }
                if (rank < 0)
                {
                    violations.add(file + " is in " + pkg + ", which is in no level");
                }
                else if (usedRank < 0)
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
        return violations;
    }

    /**
     * @param levelStated whether each package-info must say {@code Level N} (its level from 1) before any other
     *                    level.
     * @return every package not in the levels or without a package-info (or one that misstates its level), and
     *         every level's package without sources, one line each.
     */
    public List<String> missing(final boolean levelStated) throws IOException
    {
        final Set<String> packages = new TreeSet<>();
        for (final Path file : sources())
        {
            packages.add(packageOf(file));
        }
        final List<String> missing = new ArrayList<>();
        for (final String pkg : packages)
        {
            final int rank = level(pkg);
            if (rank < 0)
            {
                missing.add(pkg + ": not in the levels");
            }
            final Path info = roots.get(0).resolve(pkg.replace('.', '/')).resolve("package-info.java");
            if (!Files.isRegularFile(info))
            {
                missing.add(pkg + ": no package-info.java");
                continue;
            }
            final Matcher said = LEVEL.matcher(Files.readString(info));
            if (levelStated && rank >= 0 && (!said.find() || Integer.parseInt(said.group(1)) != rank + 1))
            {
                missing.add(pkg + ": package-info.java does not say \"Level " + (rank + 1) + "\" first");
            }
        }
        for (final List<String> level : levels)
        {
            for (final String pkg : level)
            {
                if (!packages.contains(pkg))
                {
                    missing.add(pkg + ": in the levels but has no sources");
                }
            }
        }
        return missing;
    }

    /** @return the main sources found under the roots. */
    public List<Path> sources() throws IOException
    {
        final List<Path> all = new ArrayList<>();
        for (final Path root : roots)
        {
            if (Files.isDirectory(root))
            {
                try (Stream<Path> paths = Files.walk(root))
                {
                    paths.filter(p -> p.toString().endsWith(".java") && packageOf(p).matches(scope))
                        .forEach(all::add);
                }
            }
        }
        return all;
    }

    private String packageOf(final Path file)
    {
        for (final Path root : roots)
        {
            if (file.startsWith(root))
            {
                return root.relativize(file.getParent()).toString().replace('/', '.');
            }
        }
        throw new IllegalArgumentException("not under a source root: " + file);
    }

    private int level(final String pkg)
    {
        for (int i = 0; i < levels.size(); i++)
        {
            if (levels.get(i).contains(pkg))
            {
                return i;
            }
        }
        return -1;
    }
}
