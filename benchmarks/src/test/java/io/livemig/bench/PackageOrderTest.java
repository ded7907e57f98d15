package io.livemig.bench;

import io.livemig.PackageLevels;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

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
        List.of("bench.codec", "bench.dirty", "bench.stream", "bench.migration", "bench.snapshot"),
        List.of("bench.run.env", "bench.run.preset"),
        List.of("bench.run.setup"),
        List.of("bench.run"),
        List.of("bench.report.stats"),
        List.of("bench.report.result"),
        List.of("bench.report.analysis"),
        List.of("bench.report.chart"),
        List.of("bench.report.section"),
        List.of("bench.report"));

    private static final PackageLevels HOUSE =
        new PackageLevels(LEVELS, List.of(Path.of("src/main/java/io/livemig")), "bench(?:\\.[a-z]\\w*)*");

    @Test
    void importsRunOneWayOnly() throws IOException
    {
        final int files = HOUSE.sources().size();
        assertTrue(files > 80, "found the sources: " + files);
        assertEquals(List.of(), HOUSE.violations());
    }

    @Test
    void everyPackageIsInTheOrderAndSaysItsLevel() throws IOException
    {
        assertEquals(List.of(), HOUSE.missing(true));
    }
}
