package io.livemig;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The architecture in the house style: packages rest only on those before them in {@link #ORDER}, in every
 * main source set (the JDK 17 one, the vector kernels and the JDK 22 FFM code).
 */
class PackageOrderTest
{
    static final List<String> ORDER = List.of("dirty", "memory", "kernel", "codec", "stream", "workload", "qemu", "migration", "cli");
    private static final Pattern IMPORT = Pattern.compile("^import (?:static )?io\\.livemig\\.(\\w+)\\.", Pattern.MULTILINE);

    @Test
    void importsRunOneWayOnly() throws IOException
    {
        final List<String> violations = new ArrayList<>();
        int files = 0;
        for (final String root : List.of("src/main/java", "src/main/java-vector", "src/main/java22"))
        {
            final Path dir = Path.of(root, "io", "livemig");
            if (!Files.isDirectory(dir))
            {
                continue;
            }
            try (Stream<Path> paths = Files.walk(dir))
            {
                for (final Path file : paths.filter(p -> p.toString().endsWith(".java")).toList())
                {
                    files++;
                    final String pkg = dir.relativize(file).getName(0).toString();
                    final int rank = ORDER.indexOf(pkg);
                    assertTrue(rank >= 0, "package " + pkg + " is not in the order: " + file);
                    final Matcher m = IMPORT.matcher(Files.readString(file));
                    while (m.find())
                    {
                        if (ORDER.indexOf(m.group(1)) > rank)
                        {
                            violations.add(file + " imports io.livemig." + m.group(1));
                        }
                    }
                }
            }
        }
        assertTrue(files > 50, "found the sources: " + files);
        assertEquals(List.of(), violations);
    }
}
