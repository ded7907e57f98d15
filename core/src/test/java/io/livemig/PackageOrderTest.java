package io.livemig;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The architecture in the house style: every package rests only on the packages of the levels below it in
 * {@link #LEVELS}, in every main source set (the JDK 17 one, the vector kernels and the JDK 22 FFM code).
 * Packages on one level are siblings and never use each other: the source and destination roles meet only
 * through the link. A use is an import or a fully qualified name outside comments; a javadoc link may point
 * anywhere. Each package says its place in its {@code package-info.java}. {@link PackageLevels} does the
 * checking, for the benchmarks' order too.
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
        List.of("snapshot.file"),
        List.of("snapshot.save", "snapshot.restore"),
        List.of("snapshot"),
        List.of("migration.tls"),
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

    private static final PackageLevels HOUSE = new PackageLevels(LEVELS,
        List.of(Path.of("src/main/java/io/livemig"), Path.of("src/main/java-vector/io/livemig"),
            Path.of("src/main/java22/io/livemig"), Path.of("src/main/java22-vector/io/livemig")),
        "[a-z]\\w*(?:\\.[a-z]\\w*)*");

    @Test
    void importsRunOneWayOnly() throws IOException
    {
        final int files = HOUSE.sources().size();
        assertTrue(files > 50, "found the sources: " + files);
        assertEquals(List.of(), HOUSE.violations());
    }

    @Test
    void everyPackageIsInTheOrderAndSaysWhere() throws IOException
    {
        assertEquals(List.of(), HOUSE.missing(false));
    }
}
