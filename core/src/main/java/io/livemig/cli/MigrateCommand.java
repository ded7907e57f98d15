package io.livemig.cli;

import io.livemig.codec.CodecWarmUp;
import io.livemig.dirty.DirtyRingLog;
import io.livemig.dirty.DirtyTracker;
import io.livemig.kernel.KernelTracker;
import io.livemig.kernel.KernelTracking;
import io.livemig.memory.GuestMemory;
import io.livemig.migration.MigrationListen;
import io.livemig.migration.MigrationRun;
import io.livemig.migration.link.MigrationLink;
import io.livemig.migration.options.GiveUp;
import io.livemig.migration.options.MigrationMode;
import io.livemig.migration.options.MigrationOptions;
import io.livemig.migration.options.StopPolicy;
import io.livemig.migration.result.MigrationResult;
import io.livemig.workload.Patterns;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine;

import java.io.IOException;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * {@code scripts/migrate}: migrates a simulated guest inside this process, with writers running, and prints
 * the result: a live progress line on stderr, then one {@code info migrate}-style line (or, with {@code
 * --json}, one JSON object) on stdout. With {@code --to HOST:PORT} this process is the source only, with
 * {@code --listen HOST:PORT} the destination only ({@link MigrationListen}), and they meet over TCP. {@code --verify} compares the destination with the source page by
 * page; {@code --capture FILE} records the page stream exactly as sent.
 *
 * <p>Exit codes: 0 done (and verified, if asked); 1 the migration failed, was refused or timed out, or
 * verification found differing pages; 2 a bad option (one line on stderr naming it). Not thread-safe; one run per instance.
 */
@Command(name = "migrate", mixinStandardHelpOptions = true, sortOptions = false,
    description = "Live-migrates a simulated guest in this process, or between two (--listen, --to), and prints the result.")
public final class MigrateCommand implements Callable<Integer>
{
    /** Exit code of a failed migration or a failed verification. */
    public static final int EXIT_FAILED = 1;
    /** Exit code of bad options. */
    public static final int EXIT_USAGE = 2;

    @Spec
    private CommandSpec spec;

    @Option(names = "--memory", paramLabel = "SIZE", defaultValue = "64m", converter = SizeParser.Converter.class,
        description = "guest RAM (k, m, g suffixes; default ${DEFAULT-VALUE})")
    private long memory;

    @Option(names = "--page-size", paramLabel = "SIZE", defaultValue = "4k", converter = SizeParser.Converter.class,
        description = "page size, a power of two from 4k to 2m (default ${DEFAULT-VALUE})")
    private long pageSize;

    @Option(names = "--mode", paramLabel = "MODE", defaultValue = "precopy",
        description = "precopy, postcopy or hybrid (default ${DEFAULT-VALUE})")
    private String mode;

    @Option(names = "--bandwidth", paramLabel = "SIZE[/s]", defaultValue = "128m",
        description = "link bandwidth per second, 0 for unlimited (default ${DEFAULT-VALUE}, QEMU's)")
    private String bandwidth;

    @Option(names = "--downtime", paramLabel = "TIME", defaultValue = "300ms", converter = TimeParser.MillisConverter.class,
        description = "downtime limit, e.g. 300ms or 1s (default ${DEFAULT-VALUE})")
    private long downtimeMs;

    @Option(names = "--writers", paramLabel = "N", defaultValue = "1",
        description = "writer threads (vCPUs), 0 for an idle guest (default ${DEFAULT-VALUE})")
    private int writers;

    @Option(names = "--pattern", paramLabel = "NAME", defaultValue = "uniform",
        description = "uniform, hotset, zipf, sequential, or trace:FILE, a real guest's dirty trace replayed at its " +
            "rate (docs/qemu.md) (default ${DEFAULT-VALUE})")
    private String pattern;

    @Option(names = "--dirty-rate", paramLabel = "PAGES/S", defaultValue = "0",
        description = "target writes per second over all writers, 0 for flat out (default ${DEFAULT-VALUE})")
    private long dirtyRate;

    @Option(names = "--bytes-per-touch", paramLabel = "N", defaultValue = "8",
        description = "bytes each write stores (default ${DEFAULT-VALUE})")
    private int bytesPerTouch;

    @Option(names = "--fill", paramLabel = "FRACTION", defaultValue = "0.5",
        description = "fraction of pages holding data before migration (default ${DEFAULT-VALUE})")
    private double fill;

    @Option(names = "--xbzrle", description = "send changed pages as XBZRLE deltas after the first pass")
    private boolean xbzrle;

    @Option(names = "--xbzrle-cache", paramLabel = "SIZE", defaultValue = "64m", converter = SizeParser.Converter.class,
        description = "XBZRLE cache, a power of two (default ${DEFAULT-VALUE})")
    private long xbzrleCache;

    @Option(names = "--lz4", description = "compress pages sent in full with LZ4")
    private boolean lz4;

    @Option(names = "--auto-converge", description = "throttle the guest (20 %%, +10 %% per round, up to 99 %%) "
        + "after a period that dirtied over 50 %% of what the round sent, as QEMU does")
    private boolean autoConverge;

    @Option(names = "--compute-vcpus", paramLabel = "N", defaultValue = "0",
        description = "of the --writers vCPUs, the last N only read guest memory (compute), never dirtying it "
        + "(default ${DEFAULT-VALUE})")
    private int computeVcpus;

    @Option(names = "--tracker", paramLabel = "KIND", defaultValue = "summary",
        description = "source's dirty tracker: bitmap, summary, ring (KVM's per-vCPU dirty ring), or the kernel's: "
            + "uffd-wp-async (userfaultfd WP_ASYNC + PAGEMAP_SCAN, Linux 6.7) or uffd-wp (userfaultfd write faults "
            + "served by a thread), JDK 22+ (default ${DEFAULT-VALUE})")
    private String tracker;

    @Option(names = "--faults", paramLabel = "KIND", defaultValue = "software",
        description = "post-copy page faults on the destination: software (vCPUs park at a gate) or kernel (userfaultfd "
            + "MISSING mode: vCPUs block in the kernel, pages placed with UFFDIO_COPY; JDK 22+); the destination's "
            + "choice, so give it to --listen, not --to (default ${DEFAULT-VALUE})")
    private String faults;

    @Option(names = "--huge-pages",
        description = "kernel trackers: let transparent huge pages back the source (MADV_HUGEPAGE; a write then reports "
            + "its whole 2 MiB), instead of MADV_NOHUGEPAGE")
    private boolean hugePages;

    @Option(names = "--ring-size", paramLabel = "N",
        description = "ring tracker: entries per vCPU ring, a power of two from 16 to 1048576 (default 4096)")
    private Integer ringSize;

    @Option(names = "--dirty-limit", paramLabel = "RATE", arity = "0..1", fallbackValue = "1m",
        description = "QEMU's dirty-limit: throttle each vCPU that dirties more than RATE per second (default 1m, "
        + "QEMU's), triggered as auto-converge is; needs --tracker ring, excludes --auto-converge")
    private String dirtyLimit;

    @Option(names = "--dirty-limit-period", paramLabel = "TIME", defaultValue = "1000ms",
        converter = TimeParser.MillisConverter.class,
        description = "dirty-limit: how often rates are measured and penalties set (default ${DEFAULT-VALUE})")
    private long dirtyLimitPeriodMs;

    @Option(names = "--policy", paramLabel = "NAME", defaultValue = "wire",
        description = "stop decision: qemu or wire (default ${DEFAULT-VALUE})")
    private String policy;

    @Option(names = "--max-rounds", paramLabel = "N", defaultValue = "100",
        description = "give up pre-copy after N rounds (default ${DEFAULT-VALUE})")
    private int maxRounds;

    @Option(names = "--max-time", paramLabel = "TIME", defaultValue = "60s", converter = TimeParser.MillisConverter.class,
        description = "give up pre-copy after this long (default ${DEFAULT-VALUE})")
    private long maxTimeMs;

    @Option(names = "--on-give-up", paramLabel = "ACTION", defaultValue = "cancel",
        description = "when pre-copy reaches --max-rounds or --max-time: cancel (the guest stays on the source, "
        + "status failed), stop (a forced stop-and-copy, downtime over the limit) or postcopy (default ${DEFAULT-VALUE})")
    private String onGiveUp;

    @Option(names = "--postcopy-after", paramLabel = "N", defaultValue = "2",
        description = "hybrid: pre-copy rounds before switching to post-copy (default ${DEFAULT-VALUE})")
    private int postcopyAfter;

    @Option(names = "--prepage", paramLabel = "PAGES", defaultValue = "8",
        description = "post-copy: pages sent around each fault (default ${DEFAULT-VALUE})")
    private int prepage;

    @Option(names = "--device-state", paramLabel = "SIZE", defaultValue = "256k", converter = SizeParser.Converter.class,
        description = "device-state blob sent at switch-over (default ${DEFAULT-VALUE})")
    private long deviceState;

    @Option(names = "--link", paramLabel = "KIND", defaultValue = "memory",
        description = "memory or tcp (127.0.0.1, ephemeral port) (default ${DEFAULT-VALUE})")
    private String link;

    @Option(names = "--channels", paramLabel = "N", defaultValue = "1",
        description = "page channels (QEMU's multifd): pre-copy rounds go over N connections or pipes, each with " +
            "its own sending thread, beside the main one (default ${DEFAULT-VALUE})")
    private int channels;

    @Option(names = "--latency", paramLabel = "TIME", defaultValue = "0", converter = TimeParser.NanosConverter.class,
        description = "one-way latency of the memory link, e.g. 1ms (default ${DEFAULT-VALUE})")
    private long latencyNs;

    @Option(names = "--before", paramLabel = "TIME", defaultValue = "200ms", converter = TimeParser.MillisConverter.class,
        description = "guest runs this long before migration, to measure its rate (default ${DEFAULT-VALUE})")
    private long beforeMs;

    @Option(names = "--after", paramLabel = "TIME", defaultValue = "200ms", converter = TimeParser.MillisConverter.class,
        description = "and this long after, on the destination (default ${DEFAULT-VALUE})")
    private long afterMs;

    @Option(names = "--seed", paramLabel = "N", defaultValue = "1", description = "seed of data and writers")
    private long seed;

    @Option(names = "--json", description = "print the result as one JSON object on stdout")
    private boolean json;

    @Option(names = "--verify", description = "compare destination with source page by page; exit 1 on a mismatch")
    private boolean verify;

    @Option(names = "--capture", paramLabel = "FILE", description = "write the page stream as sent to FILE")
    private Path capture;

    @Option(names = "--quiet", description = "no progress line")
    private boolean quiet;

    @Option(names = "--listen", paramLabel = "HOST:PORT",
        description = "be the destination in this process: wait for one migration from a --to source (port 0: "
        + "any free port; the address is printed on stderr); the guest comes from the source's handshake")
    private String listen;

    @Option(names = "--to", paramLabel = "HOST:PORT",
        description = "be the source in this process: migrate to a --listen destination over TCP")
    private String to;

    @Option(names = "--link-timeout", paramLabel = "TIME", defaultValue = "30s", converter = TimeParser.MillisConverter.class,
        description = "connect (--to/--listen), and every read or write that moves no byte (in one process too), "
        + "fail after this long (default ${DEFAULT-VALUE})")
    private long linkTimeoutMs;

    @Option(names = "--accept-timeout", paramLabel = "TIME", defaultValue = "300s",
        converter = TimeParser.MillisConverter.class,
        description = "--listen: give up when no source connects within this long (default ${DEFAULT-VALUE})")
    private long acceptTimeoutMs;

    @Option(names = "--recover", description = "post-copy (and hybrid after its switch): when the link is cut, " +
        "pause both sides (postcopy-paused) and go on over a new link instead of failing (--to: reconnect to the " +
        "--listen destination, which waits for it)")
    private boolean recover;

    @Option(names = "--recover-timeout", paramLabel = "TIME", defaultValue = "30s",
        converter = TimeParser.MillisConverter.class,
        description = "--recover (and --listen, when its source asks for recovery): a pause not recovered within " +
            "this long fails the migration (default ${DEFAULT-VALUE})")
    private long recoverTimeoutMs;

    @Option(names = "--result", paramLabel = "FILE", description = "also write the result JSON to FILE")
    private Path resultFile;

    @Option(names = "--fault", paramLabel = "SPEC", description = "inject network faults into the source's link "
        + "(repeatable): cut@10m, cut@round:2, cut@switchover, stall:2s@setup, throttle:20m (see README)")
    private java.util.List<String> faultSpecs = new java.util.ArrayList<>();

    /** The options a --listen destination takes; everything else comes from the source's handshake. */
    private static final java.util.Set<String> LISTEN_OPTIONS = java.util.Set.of(
        "--listen", "--faults", "--link-timeout", "--accept-timeout", "--recover-timeout", "--json", "--result", "--quiet");

    /** What the machine can give the run; probed at {@link #call}, injected by tests. */
    private final MachineMemory machine;

    /** A command for this machine. */
    public MigrateCommand()
    {
        this(null);
    }

    /** @param machine the memory the machine has, or null to read it when the command runs. */
    MigrateCommand(final MachineMemory machine)
    {
        this.machine = machine;
    }

    /**
     * Physical memory of the machine.
     *
     * @param available bytes that can be allocated without swapping ({@code MemAvailable}), or -1 if unknown.
     * @param total     bytes of physical memory, or -1 if unknown.
     */
    record MachineMemory(long available, long total)
    {
        /** @return this machine's: MemAvailable from /proc/meminfo, else the OS bean's free memory. */
        static MachineMemory probe()
        {
            long total = -1;
            long available = -1;
            try
            {
                if (ManagementFactory.getOperatingSystemMXBean() instanceof
                    com.sun.management.OperatingSystemMXBean bean)
                {
                    total = bean.getTotalMemorySize();
                    available = bean.getFreeMemorySize();
                }
            }
            catch (final RuntimeException | LinkageError ex)
            {
                // unknown
            }
            try
            {
                for (final String line : Files.readAllLines(Path.of("/proc/meminfo")))
                {
                    final String[] words = line.trim().split("\\s+");
                    if (words.length >= 2 && words[0].equals("MemAvailable:") && words[1].matches("\\d{1,15}"))
                    {
                        available = Long.parseLong(words[1]) * 1024;
                    }
                }
            }
            catch (final IOException | RuntimeException ex)
            {
                // keep the OS bean's figure
            }
            return new MachineMemory(available, total);
        }
    }

    /** Runs the command and exits with its code. */
    public static void main(final String[] args)
    {
        System.exit(commandLine().execute(args));
    }

    /** @return a command line whose usage errors print one line and give {@link #EXIT_USAGE}. */
    public static CommandLine commandLine()
    {
        return commandLine(null);
    }

    /**
     * @param machine the machine's memory, or null to read it when the command runs.
     * @return a command line whose usage errors print one line and give {@link #EXIT_USAGE}.
     */
    static CommandLine commandLine(final MachineMemory machine)
    {
        final CommandLine cl = new CommandLine(new MigrateCommand(machine));
        cl.setParameterExceptionHandler((ex, args) ->
        {
            cl.getErr().println("migrate: " + ex.getMessage() + " (see --help)");
            cl.getErr().flush();
            return EXIT_USAGE;
        });
        return cl;
    }

    /** A bad option value: its name and what was wrong. */
    private static final class BadOption extends Exception
    {
        private static final long serialVersionUID = 1L;

        BadOption(final String option, final String message)
        {
            super(option + " " + message);
        }
    }

    private static void check(final boolean ok, final String option, final String rule, final Object value)
        throws BadOption
    {
        if (!ok)
        {
            throw new BadOption(option, rule + ": " + value);
        }
    }

    @Override
    public Integer call()
    {
        final PrintWriter out = spec.commandLine().getOut();
        final PrintWriter err = spec.commandLine().getErr();
        CodecWarmUp.start(); // compiles the codec kernels on another core while the guest is built
        if (listen != null)
        {
            return listen(out, err);
        }
        final MigrationRun run;
        try
        {
            run = configure();
        }
        catch (final BadOption ex)
        {
            err.println("migrate: " + ex.getMessage());
            err.flush();
            return EXIT_USAGE;
        }
        FileChannel captureChannel = null;
        try
        {
            if (capture != null)
            {
                try
                {
                    captureChannel = FileChannel.open(capture, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                        StandardOpenOption.TRUNCATE_EXISTING);
                }
                catch (final IOException | RuntimeException ex)
                {
                    err.println("migrate: --capture cannot write " + capture + ": " + ex);
                    err.flush();
                    return EXIT_USAGE;
                }
                run.capture(captureChannel);
            }
            if (!quiet)
            {
                run.progress(new ProgressLine(err, System.console() != null));
            }
            final MigrationResult result = run.run();
            if (!quiet)
            {
                err.println();
            }
            out.println(json ? result.toJson() : result.summary());
            out.flush();
            if (!writeResult(result, err))
            {
                return EXIT_FAILED;
            }
            if (result.error() != null)
            {
                err.println("migrate: migration failed: " + result.error());
                err.flush();
                return EXIT_FAILED;
            }
            if (verify && !Boolean.TRUE.equals(result.verified()))
            {
                return verificationFailed(result, err);
            }
            return 0;
        }
        catch (final IOException ex)
        {
            err.println("migrate: " + ex.getMessage());
            err.flush();
            return EXIT_FAILED;
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            err.println("migrate: interrupted");
            err.flush();
            return EXIT_FAILED;
        }
        catch (final OutOfMemoryError ex)
        {
            err.println("migrate: --memory " + SizeParser.format(memory) + " cannot be allocated: " + ex.getMessage());
            err.flush();
            return EXIT_USAGE;
        }
        finally
        {
            if (captureChannel != null)
            {
                try
                {
                    captureChannel.close();
                }
                catch (final IOException ex)
                {
                    err.println("migrate: --capture " + capture + " could not be closed: " + ex);
                }
            }
        }
    }

    /**
     * Checks {@code --faults}: {@code software} or {@code kernel}, and for {@code kernel} that this JVM and
     * kernel can serve MISSING-mode faults, else the one-line reason.
     *
     * @return whether kernel faults were asked for.
     */
    private boolean checkFaults() throws BadOption
    {
        check(faults.matches("software|kernel"), "--faults", "must be software or kernel", faults);
        if (faults.equals("kernel"))
        {
            final String unavailable = KernelTracking.faultsUnavailable();
            if (unavailable != null)
            {
                throw new BadOption("--faults", "kernel " + unavailable);
            }
            return true;
        }
        return false;
    }

    /** {@code --listen}: the destination process. */
    private int listen(final PrintWriter out, final PrintWriter err)
    {
        final InetSocketAddress bind;
        try
        {
            for (final CommandLine.Model.OptionSpec o : spec.commandLine().getParseResult().matchedOptions())
            {
                if (!LISTEN_OPTIONS.contains(o.longestName()))
                {
                    throw new BadOption(o.longestName(), "does not apply to --listen (the source's handshake brings the " +
                        "guest and the stream's options; --listen takes " + String.join(", ", new java.util.TreeSet<>(LISTEN_OPTIONS)) + ")");
                }
            }
            check(linkTimeoutMs >= 1, "--link-timeout", "must be at least 1ms", linkTimeoutMs);
            check(acceptTimeoutMs >= 1, "--accept-timeout", "must be at least 1ms", acceptTimeoutMs);
            check(recoverTimeoutMs >= 1 && recoverTimeoutMs <= 3_600_000, "--recover-timeout", "must be 1ms to 1h",
                recoverTimeoutMs);
            checkFaults();
            bind = address("--listen", listen, true);
        }
        catch (final BadOption ex)
        {
            err.println("migrate: " + ex.getMessage());
            err.flush();
            return EXIT_USAGE;
        }
        try (MigrationListen listener = new MigrationListen(bind, acceptTimeoutMs, linkTimeoutMs)
            .recoverTimeout(recoverTimeoutMs).kernelFaults(faults.equals("kernel")))
        {
            final InetSocketAddress at = listener.open();
            err.println("migrate: listening on " + at.getAddress().getHostAddress() + ":" + at.getPort());
            err.flush();
            final MachineMemory m = machine == null ? MachineMemory.probe() : machine;
            final MigrationResult result = listener.run(m.available());
            out.println(json ? result.toJson() : result.summary());
            out.flush();
            if (!writeResult(result, err))
            {
                return EXIT_FAILED;
            }
            if (result.error() != null)
            {
                err.println("migrate: migration failed: " + result.error());
                err.flush();
                return EXIT_FAILED;
            }
            if (Boolean.FALSE.equals(result.verified()))
            {
                return verificationFailed(result, err);
            }
            return 0;
        }
        catch (final IOException ex)
        {
            err.println("migrate: " + ex.getMessage());
            err.flush();
            return EXIT_FAILED;
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            err.println("migrate: interrupted");
            err.flush();
            return EXIT_FAILED;
        }
        catch (final OutOfMemoryError ex)
        {
            err.println("migrate: the source's guest cannot be allocated here: " + ex.getMessage());
            err.flush();
            return EXIT_FAILED;
        }
    }

    private static int verificationFailed(final MigrationResult result, final PrintWriter err)
    {
        err.println("migrate: verification failed: first mismatching pages " + result.mismatchPages() +
            (result.sweepViolation() >= 0 ? ", sweep invariant broken at page " + result.sweepViolation() : ""));
        err.flush();
        return EXIT_FAILED;
    }

    /** Writes {@code --result}; @return false (after one line) if it cannot. */
    private boolean writeResult(final MigrationResult result, final PrintWriter err)
    {
        if (resultFile == null)
        {
            return true;
        }
        try
        {
            Files.writeString(resultFile, result.toJson() + System.lineSeparator());
            return true;
        }
        catch (final IOException | RuntimeException ex)
        {
            err.println("migrate: --result cannot write " + resultFile + ": " + ex);
            err.flush();
            return false;
        }
    }

    /** @return {@code HOST:PORT} (an IPv6 host in brackets) resolved; port 0 only where {@code anyPort}. */
    static InetSocketAddress address(final String option, final String text, final boolean anyPort) throws BadOption
    {
        final int colon = text.lastIndexOf(':');
        String host = colon < 0 ? "" : text.substring(0, colon);
        final String port = colon < 0 ? "" : text.substring(colon + 1);
        if (host.startsWith("[") && host.endsWith("]"))
        {
            host = host.substring(1, host.length() - 1);
        }
        if (host.isEmpty() || !port.matches("\\d{1,5}") || Integer.parseInt(port) > 65535 ||
            (!anyPort && Integer.parseInt(port) == 0))
        {
            throw new BadOption(option, "must be HOST:PORT with a port from " + (anyPort ? 0 : 1) + " to 65535: " + text);
        }
        final InetSocketAddress address = new InetSocketAddress(host, Integer.parseInt(port));
        if (address.isUnresolved())
        {
            throw new BadOption(option, "names a host that does not resolve: " + host);
        }
        return address;
    }

    private MigrationRun configure() throws BadOption
    {
        check(pageSize >= GuestMemory.MIN_PAGE_SIZE && pageSize <= GuestMemory.MAX_PAGE_SIZE &&
            Long.bitCount(pageSize) == 1, "--page-size", "must be a power of two from 4k to 2m", pageSize);
        check(memory > 0 && memory % pageSize == 0 && memory / pageSize <= (1L << 31),
            "--memory", "must be a positive multiple of the page size " + pageSize + " (at most 2^31 pages)", memory);
        final MigrationMode m;
        final StopPolicy p;
        try
        {
            m = MigrationMode.parse(mode);
        }
        catch (final IllegalArgumentException ex)
        {
            throw new BadOption("--mode", "must be precopy, postcopy or hybrid: " + mode);
        }
        try
        {
            p = StopPolicy.parse(policy);
        }
        catch (final IllegalArgumentException ex)
        {
            throw new BadOption("--policy", "must be qemu or wire: " + policy);
        }
        check(Patterns.problem(pattern) == null, "--pattern", "must be uniform, hotset, zipf, sequential or trace:FILE (" + Patterns.problem(pattern) + ")", pattern);
        check(link.matches("memory|tcp"), "--link", "must be memory or tcp", link);
        check(tracker.matches("bitmap|summary|ring|uffd-wp-async|uffd-wp"), "--tracker",
            "must be bitmap, summary, ring, uffd-wp-async or uffd-wp", tracker);
        final KernelTracker kernel = KernelTracker.isKernelTracker(tracker) ? KernelTracker.parse(tracker) : null;
        check(!hugePages || kernel != null, "--huge-pages", "applies to the kernel trackers only, not", tracker);
        if (kernel != null)
        {
            final String unavailable = KernelTracking.unavailable(kernel);
            if (unavailable != null)
            {
                throw new BadOption("--tracker", tracker + " " + unavailable);
            }
        }
        final boolean kernelFaults = checkFaults();
        check(!kernelFaults || m != MigrationMode.PRECOPY, "--faults", "kernel applies to --mode postcopy or hybrid, not", mode);
        check(!kernelFaults || to == null, "--faults",
            "is the destination's choice: give it to --listen, not", "--to");
        final int ring = ringSize == null ? DirtyRingLog.DEFAULT_RING_SIZE : ringSize;
        check(ringSize == null || tracker.equals("ring"), "--ring-size", "applies to --tracker ring only, not", tracker);
        check(ring >= 16 && ring <= (1 << 20) && Integer.bitCount(ring) == 1, "--ring-size",
            "must be a power of two from 16 to 1048576", ring);
        check(channels >= 1 && channels <= MigrationLink.MAX_CHANNELS, "--channels", "must be 1 to " +
            MigrationLink.MAX_CHANNELS + ", not", channels);
        check(latencyNs == 0 || link.equals("memory"), "--latency", "applies to --link memory only (TCP has loopback's own), not", link);
        check(writers >= 0 && writers <= 256, "--writers", "must be 0 to 256", writers);
        check(computeVcpus >= 0 && (computeVcpus == 0 || computeVcpus < writers), "--compute-vcpus",
            "must be 0 to --writers - 1", computeVcpus);
        check(computeVcpus == 0 || !pattern.equals("sequential"), "--compute-vcpus",
            "must be 0 for --pattern sequential (every vCPU of the sweep writes), not", computeVcpus);
        check(dirtyRate >= 0, "--dirty-rate", "must be 0 (flat out) or positive", dirtyRate);
        check(bytesPerTouch >= 1 && (writers == 0 || (long)bytesPerTouch * writers <= pageSize),
            "--bytes-per-touch", "must be 1 to page size / writers", bytesPerTouch);
        check(fill >= 0 && fill <= 1, "--fill", "must be 0 to 1", fill);
        check(xbzrleCache >= pageSize && Long.bitCount(xbzrleCache) == 1, "--xbzrle-cache",
            "must be a power of two of at least one page", xbzrleCache);
        check(!xbzrle || pageSize <= 16384, "--xbzrle", "needs pages of at most 16k, not", pageSize);
        check(maxRounds >= 1, "--max-rounds", "must be at least 1", maxRounds);
        check(maxTimeMs >= 1, "--max-time", "must be at least 1ms", maxTimeMs);
        check(downtimeMs >= 1 && downtimeMs <= 2_000_000, "--downtime", "must be 1ms to 2000s", downtimeMs);
        check(postcopyAfter >= 1, "--postcopy-after", "must be at least 1", postcopyAfter);
        check(prepage >= 0 && prepage <= 4096, "--prepage", "must be 0 to 4096", prepage);
        check(deviceState >= 0 && deviceState <= (64 << 20), "--device-state", "must be 0 to 64m", deviceState);
        final GiveUp giveUp;
        try
        {
            giveUp = GiveUp.parse(onGiveUp);
        }
        catch (final IllegalArgumentException ex)
        {
            throw new BadOption("--on-give-up", "must be cancel, stop or postcopy: " + onGiveUp);
        }
        check(recoverTimeoutMs >= 1 && recoverTimeoutMs <= 3_600_000, "--recover-timeout", "must be 1ms to 1h",
            recoverTimeoutMs);
        if (recover)
        {
            check(m != MigrationMode.PRECOPY, "--recover", "applies to post-copy (--mode postcopy or hybrid), not",
                "--mode precopy");
            check(channels == 1, "--recover", "needs one channel (the page channels would have to be joined again " +
                "too), not --channels", channels);
        }
        final long bytesPerSecond = parseBandwidth(bandwidth);
        long limit = 0;
        if (dirtyLimit != null)
        {
            final String d = dirtyLimit.toLowerCase(Locale.ROOT);
            try
            {
                limit = SizeParser.parse(d.endsWith("/s") ? d.substring(0, d.length() - 2) : d);
            }
            catch (final IllegalArgumentException ex)
            {
                throw new BadOption("--dirty-limit", "must be a positive size per second such as 1m or 50m/s: " + dirtyLimit);
            }
            check(limit > 0, "--dirty-limit", "must be a positive size per second such as 1m or 50m/s", dirtyLimit);
            check(tracker.equals("ring"), "--dirty-limit", "needs --tracker ring (it reads each vCPU's dirty ring), not", tracker);
            if (autoConverge)
            {
                throw new BadOption("--dirty-limit", "excludes --auto-converge: choose one throttle");
            }
        }
        check(dirtyLimitPeriodMs >= 1, "--dirty-limit-period", "must be at least 1ms", dirtyLimitPeriodMs);
        checkMemory(machine == null ? MachineMemory.probe() : machine);
        final MigrationOptions options = MigrationOptions.defaults().withMode(m).withBandwidth(bytesPerSecond)
            .withDowntimeLimitMs(downtimeMs).withXbzrle(xbzrle).withXbzrleCacheBytes(xbzrleCache).withLz4(lz4)
            .withMaxRounds(maxRounds).withMaxTimeMs(maxTimeMs).withOnGiveUp(giveUp).withAutoConverge(autoConverge).withStopPolicy(p)
            .withDirtyLimit(limit).withDirtyLimitPeriodMs(dirtyLimitPeriodMs)
            .withPostcopyAfterRounds(postcopyAfter).withPrepageWindow(prepage).withDeviceStateBytes((int)deviceState)
            .withRecover(recover).withRecoverTimeoutMs(recoverTimeoutMs);
        final java.util.List<io.livemig.migration.fault.FaultPlan.Rule> rules = new java.util.ArrayList<>();
        for (final String fault : faultSpecs)
        {
            try
            {
                rules.addAll(FaultSpecParser.parse(fault).rules());
            }
            catch (final IllegalArgumentException ex)
            {
                throw new BadOption("--fault", ex.getMessage());
            }
        }
        check(rules.isEmpty() || channels == 1, "--fault", "needs --channels 1 (faults on page channels are not "
            + "injected yet), not", channels);
        final MigrationRun run = new MigrationRun().faults(new io.livemig.migration.fault.FaultPlan(rules));
        check(linkTimeoutMs >= 1, "--link-timeout", "must be at least 1ms", linkTimeoutMs);
        run.linkTimeoutMs(linkTimeoutMs);
        if (to != null)
        {
            final var parsed = spec.commandLine().getParseResult();
            check(!parsed.hasMatchedOption("--link"), "--link", "does not apply to --to (the link is TCP to the destination), not", link);
            check(!parsed.hasMatchedOption("--accept-timeout"), "--accept-timeout", "applies to --listen only, not", "--to");
            check(linkTimeoutMs >= 1, "--link-timeout", "must be at least 1ms", linkTimeoutMs);
            check(afterMs <= 3_600_000, "--after", "must be at most 1h with --to (the destination runs it)", afterMs);
            run.to(address("--to", to, false), linkTimeoutMs);
        }
        return run.memoryBytes(memory).pageSize((int)pageSize).pattern(pattern).writers(writers)
            .dirtyRate(dirtyRate).bytesPerTouch(bytesPerTouch).fill(fill).seed(seed).link(link).latencyNs(latencyNs)
            .channels(channels).phasesMs(beforeMs, afterMs).verify(verify).options(options)
            .tracker(kernel != null ? DirtyTracker.SUMMARY : DirtyTracker.parse(tracker)).kernelTracker(kernel, hugePages)
            .computeVcpus(computeVcpus).kernelFaults(kernelFaults)
            .ringSize(ring);
    }

    /**
     * Refuses a run whose memory would not fit the machine, before anything is allocated: the source and
     * destination guests (off-heap, zeroed at once), the XBZRLE cache if enabled (heap) and the dirty bitmaps
     * (source log with its summary, the migration's bitmap, the destination's received pages: about four bits
     * per page), the ring tracker's rings, and the device state on both sides.
     */
    private void checkMemory(final MachineMemory machine) throws BadOption
    {
        final long pages = memory / pageSize;
        final long bitmaps = 4 * ((pages + 63) / 64 * 8);
        final long cache = xbzrle ? xbzrleCache : 0;
        // Ring tracker: a ring and its collect buffer (16 bytes an entry) per vCPU and the filling thread.
        final long rings = tracker.equals("ring") ?
            (writers + 1L) * 16 * (ringSize == null ? DirtyRingLog.DEFAULT_RING_SIZE : ringSize) : 0;
        final int guests = to == null ? 2 : 1; // --to: the destination's guest is the other process's
        final long needed = guests * memory + cache + bitmaps + rings + 2 * deviceState;
        if (machine.available() >= 0 && needed > machine.available())
        {
            throw new BadOption("--memory", SizeParser.format(memory) + " needs " + human(needed) +
                (guests == 2 ? " (source and destination guests 2 x " : " (source guest 1 x ") + human(memory) +
                (xbzrle ? ", XBZRLE cache " + human(cache) : "") + ", dirty bitmaps " + human(bitmaps) +
                (rings > 0 ? ", dirty rings " + human(rings) : "") +
                ", device state 2 x " + human(deviceState) + ") but this machine has " + human(machine.available()) +
                " available" + (machine.total() > 0 ? " of " + human(machine.total()) + " physical memory" : ""));
        }
        final long heap = Runtime.getRuntime().maxMemory();
        if (cache > 0 && heap != Long.MAX_VALUE && cache > heap)
        {
            throw new BadOption("--xbzrle-cache", SizeParser.format(cache) + " does not fit the JVM's heap of " +
                human(heap) + " (raise -Xmx or lower the cache)");
        }
    }

    /** @return bytes in binary units with one decimal, e.g. 2.0 TiB. */
    static String human(final long bytes)
    {
        final String[] units = {"TiB", "GiB", "MiB", "KiB"};
        for (int i = 0; i < units.length; i++)
        {
            final long unit = 1L << (40 - 10 * i);
            if (bytes >= unit)
            {
                return String.format(Locale.ROOT, "%.1f %s", (double)bytes / unit, units[i]);
            }
        }
        return bytes + " B";
    }

    private static long parseBandwidth(final String text) throws BadOption
    {
        final String s = text.toLowerCase(Locale.ROOT);
        try
        {
            return SizeParser.parse(s.endsWith("/s") ? s.substring(0, s.length() - 2) : s);
        }
        catch (final IllegalArgumentException ex)
        {
            throw new BadOption("--bandwidth", "must be a size per second such as 1g or 128m/s (0 for unlimited): " + text);
        }
    }

    /** The live progress line: rewritten in place on a terminal, one line per update otherwise. */
    private static final class ProgressLine implements io.livemig.migration.options.MigrationProgress
    {
        private final PrintWriter err;
        private final boolean inPlace;

        ProgressLine(final PrintWriter err, final boolean inPlace)
        {
            this.err = err;
            this.inPlace = inPlace;
        }

        @Override
        public void onProgress(final String phase, final long round, final long remainingPages,
            final double dirtyPagesPerSecond, final double wireBytesPerSecond, final int throttlePercent)
        {
            final String line = String.format(Locale.ROOT,
                "%-13s round %3d  remaining %10d pages  dirty rate %10.0f pages/s  throughput %8.1f MiB/s  throttle %2d %%",
                phase, round, remainingPages, dirtyPagesPerSecond, wireBytesPerSecond / (1 << 20), throttlePercent);
            if (inPlace)
            {
                err.print('\r');
                err.print(line);
            }
            else
            {
                err.println(line);
            }
            err.flush();
        }
    }
}
