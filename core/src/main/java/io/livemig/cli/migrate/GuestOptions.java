package io.livemig.cli.migrate;

import io.livemig.cli.BadOption;
import io.livemig.cli.SizeParser;
import io.livemig.cli.TimeParser;
import io.livemig.memory.GuestMemory;
import io.livemig.migration.MigrationRun;
import io.livemig.workload.Patterns;
import picocli.CommandLine.Option;

import static io.livemig.cli.BadOption.check;

/**
 * {@code migrate}'s guest and workload: the simulated guest's size and pages, its vCPUs and how they write,
 * and how long it runs before and after the migration. The source's choice: a {@code --listen} destination
 * learns the guest from the handshake. Filled by picocli, then read on the command's thread; not thread-safe.
 */
public final class GuestOptions
{
    @Option(names = "--memory", paramLabel = "SIZE", defaultValue = "64m", converter = SizeParser.Converter.class,
        description = "guest RAM (k, m, g suffixes; default ${DEFAULT-VALUE})")
    long memory;

    @Option(names = "--page-size", paramLabel = "SIZE", defaultValue = "4k", converter = SizeParser.Converter.class,
        description = "page size, a power of two from 4k to 2m (default ${DEFAULT-VALUE})")
    long pageSize;

    @Option(names = "--writers", paramLabel = "N", defaultValue = "1",
        description = "writer threads (vCPUs), 0 for an idle guest (default ${DEFAULT-VALUE})")
    int writers;

    @Option(names = "--compute-vcpus", paramLabel = "N", defaultValue = "0",
        description = "of the --writers vCPUs, the last N only read guest memory (compute), never dirtying it "
        + "(default ${DEFAULT-VALUE})")
    int computeVcpus;

    @Option(names = "--pattern", paramLabel = "NAME", defaultValue = "uniform",
        description = "uniform, hotset, zipf, sequential, or trace:FILE, a real guest's dirty trace replayed at its " +
            "rate (docs/qemu.md) (default ${DEFAULT-VALUE})")
    String pattern;

    @Option(names = "--dirty-rate", paramLabel = "PAGES/S", defaultValue = "0",
        description = "target writes per second over all writers, 0 for flat out (default ${DEFAULT-VALUE})")
    long dirtyRate;

    @Option(names = "--bytes-per-touch", paramLabel = "N", defaultValue = "8",
        description = "bytes each write stores (default ${DEFAULT-VALUE})")
    int bytesPerTouch;

    @Option(names = "--fill", paramLabel = "FRACTION", defaultValue = "0.5",
        description = "fraction of pages holding data before migration (default ${DEFAULT-VALUE})")
    double fill;

    @Option(names = "--before", paramLabel = "TIME", defaultValue = "200ms", converter = TimeParser.MillisConverter.class,
        description = "guest runs this long before migration, to measure its rate (default ${DEFAULT-VALUE})")
    long beforeMs;

    @Option(names = "--after", paramLabel = "TIME", defaultValue = "200ms", converter = TimeParser.MillisConverter.class,
        description = "and this long after, on the destination (default ${DEFAULT-VALUE})")
    long afterMs;

    @Option(names = "--seed", paramLabel = "N", defaultValue = "1", description = "seed of data and writers")
    long seed;

    /** Checks the page size and the guest's size, the rules the other pieces' checks rely on. */
    void checkPages() throws BadOption
    {
        check(pageSize >= GuestMemory.MIN_PAGE_SIZE && pageSize <= GuestMemory.MAX_PAGE_SIZE &&
            Long.bitCount(pageSize) == 1, "--page-size", "must be a power of two from 4k to 2m", pageSize);
        check(memory > 0 && memory % pageSize == 0 && memory / pageSize <= (1L << 31),
            "--memory", "must be a positive multiple of the page size " + pageSize + " (at most 2^31 pages)", memory);
    }

    /**
     * Checks the workload.
     *
     * @param toDestination whether a {@code --listen} destination in another process runs {@code --after}.
     */
    void checkWorkload(final boolean toDestination) throws BadOption
    {
        final String problem = Patterns.problem(pattern);
        check(problem == null, "--pattern", "must be uniform, hotset, zipf, sequential or trace:FILE (" + problem + ")",
            pattern);
        check(writers >= 0 && writers <= 256, "--writers", "must be 0 to 256", writers);
        check(computeVcpus >= 0 && (computeVcpus == 0 || computeVcpus < writers), "--compute-vcpus",
            "must be 0 to --writers - 1", computeVcpus);
        check(computeVcpus == 0 || !pattern.equals("sequential"), "--compute-vcpus",
            "must be 0 for --pattern sequential (every vCPU of the sweep writes), not", computeVcpus);
        check(dirtyRate >= 0, "--dirty-rate", "must be 0 (flat out) or positive", dirtyRate);
        check(bytesPerTouch >= 1 && (writers == 0 || (long)bytesPerTouch * writers <= pageSize),
            "--bytes-per-touch", "must be 1 to page size / writers", bytesPerTouch);
        check(fill >= 0 && fill <= 1, "--fill", "must be 0 to 1", fill);
        check(!toDestination || afterMs <= 3_600_000, "--after", "must be at most 1h with --to (the destination runs it)",
            afterMs);
    }

    /** @return {@code run} with this guest and workload. */
    MigrationRun applyTo(final MigrationRun run)
    {
        return run.memoryBytes(memory).pageSize((int)pageSize).pattern(pattern).writers(writers).dirtyRate(dirtyRate)
            .bytesPerTouch(bytesPerTouch).fill(fill).seed(seed).phasesMs(beforeMs, afterMs).computeVcpus(computeVcpus);
    }
}
