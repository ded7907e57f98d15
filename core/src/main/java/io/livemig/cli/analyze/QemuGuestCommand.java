package io.livemig.cli.analyze;

import io.livemig.cli.SizeParser;
import io.livemig.cli.TimeParser;
import io.livemig.qemu.RealGuestCorpus;
import io.livemig.qemu.guest.Commands;
import io.livemig.qemu.guest.GuestImages;
import io.livemig.qemu.guest.GuestKind;
import io.livemig.qemu.guest.QemuGuest;
import io.livemig.qemu.guest.QemuMigration;
import io.livemig.qemu.stream.DirtyTraceRecorder;
import io.livemig.qemu.stream.PageHistory;
import io.livemig.qemu.stream.QemuStreamListener;
import io.livemig.qemu.stream.RamComparison;
import io.livemig.qemu.stream.XbzrleReplay;
import io.livemig.stream.PageKind;
import io.livemig.stream.PageStreamDialect;
import io.livemig.stream.PageStreamException;
import io.livemig.workload.DirtyTrace;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code scripts/qemu-guest}: boots a real guest under QEMU (installed if absent, when root), migrates it to a
 * file over QMP, dumps its memory, and prints QEMU's own {@code query-migrate} figures beside what livemig reads
 * in the stream, with the lost-write check (the RAM rebuilt from the stream against the dump). See
 * docs/qemu.md.
 *
 * <p>Guests: {@code counter} (a multiboot program that increments a byte of every page of a range, no paging),
 * {@code idle} and {@code mix} (Debian's cloud kernel with busybox; mix runs dd, seq, sort, gzip, md5sum over
 * tmpfs). Files go to {@code --out}: {@code stream.mig}, {@code ram.dump}, {@code result.json}, {@code
 * serial.log} and {@code qemu.log}.
 *
 * <p>Exit codes: 0 the migration completed and the RAM matches the dump; 1 QEMU or the migration failed, the
 * stream was refused, or pages differ from the dump; 2 bad options. Not thread-safe; one run per instance.
 */
@Command(name = "qemu-guest", mixinStandardHelpOptions = true, sortOptions = false,
    description = "Boots a guest under QEMU, migrates it to a file and checks the stream against its memory.")
public final class QemuGuestCommand implements Callable<Integer>
{
    /** Exit code of a failed run or differing pages. */
    public static final int EXIT_FAILED = 1;
    /** Exit code of bad options. */
    public static final int EXIT_USAGE = 2;
    /** The PC machine's VGA and BIOS hole, left out of the comparison with a physical dump. */
    static final List<RamComparison.Range> PC_HOLE = List.of(RamComparison.Range.PC_HOLE);

    @Spec
    private CommandSpec spec;

    @Option(names = "--guest", paramLabel = "KIND", defaultValue = "mix",
        description = "counter, idle or mix (default ${DEFAULT-VALUE})")
    private String guest;

    @Option(names = "--memory", paramLabel = "SIZE", converter = SizeParser.Converter.class,
        description = "guest RAM (default 64m for counter, 128m for the Linux guests, which need 96m at least)")
    private Long memory;

    @Option(names = "--counter-pages", paramLabel = "N",
        description = "pages the counter guest writes from 2m (default: every page up to the top of RAM)")
    private Integer counterPages;

    @Option(names = "--xbzrle", description = "migrate with the xbzrle capability")
    private boolean xbzrle;

    @Option(names = "--xbzrle-cache", paramLabel = "SIZE", defaultValue = "64m", converter = SizeParser.Converter.class,
        description = "xbzrle-cache-size, a power of two (default ${DEFAULT-VALUE})")
    private long xbzrleCache;

    @Option(names = "--max-bandwidth", paramLabel = "SIZE[/s]", defaultValue = "1g",
        description = "max-bandwidth per second (default ${DEFAULT-VALUE})")
    private String maxBandwidth;

    @Option(names = "--downtime-limit", paramLabel = "TIME", defaultValue = "300ms",
        converter = TimeParser.MillisConverter.class, description = "downtime-limit (default ${DEFAULT-VALUE})")
    private long downtimeLimitMs;

    @Option(names = "--stop-first", description = "have the guest stop writing before the migration starts")
    private boolean stopFirst;

    @Option(names = "--run-before", paramLabel = "TIME", defaultValue = "1s",
        converter = TimeParser.MillisConverter.class,
        description = "how long the workload runs before the migration (default ${DEFAULT-VALUE})")
    private long runBeforeMs;

    @Option(names = "--dirty-rate", description = "measure QEMU's calc-dirty-rate over 1 s before migrating")
    private boolean dirtyRate;

    @Option(names = "--converge-after", paramLabel = "TIME", defaultValue = "0",
        converter = TimeParser.MillisConverter.class, description = "if the migration is still active after " +
            "TIME, raise downtime-limit to 60 s so that it completes (default 0: never)")
    private long convergeAfterMs;

    @Option(names = "--out", paramLabel = "DIR",
        description = "where the files go (default qemu-runs/GUEST-TIME in the current directory)")
    private Path out;

    @Option(names = "--accel", paramLabel = "tcg|kvm", defaultValue = "tcg",
        description = "QEMU's accelerator (default ${DEFAULT-VALUE}; KVM only if asked for)")
    private String accel;

    @Option(names = "--cache", paramLabel = "DIR",
        description = "where the kernel and initramfs are kept (default $LIVEMIG_QEMU_CACHE or ~/.cache/livemig/qemu)")
    private Path cache;

    @Option(names = "--timeout", paramLabel = "TIME", defaultValue = "120s",
        converter = TimeParser.MillisConverter.class, description = "deadline of the migration (default ${DEFAULT-VALUE})")
    private long timeoutMs;

    @Option(names = "--check-destination", description = "also start QEMU as the destination of the stream " +
        "(-incoming from the file) and compare its pc.ram with the RAM livemig rebuilt")
    private boolean checkDestination;

    @Option(names = "--corpus", description = "also write the real-guest corpus of the benchmarks from this run " +
        "(pages of pc.ram and pairs of page versions; docs/qemu.md)")
    private boolean corpus;

    @Option(names = "--corpus-dir", paramLabel = "DIR",
        description = "where --corpus writes (default the cache's corpus/, where the benchmarks look)")
    private Path corpusDir;

    @Option(names = "--prepare", description = "only install QEMU and fetch the guest, then say where they are")
    private boolean prepareOnly;

    @Option(names = "--json", description = "print the result as JSON (as result.json holds it)")
    private boolean json;

    @Option(names = "--verbose", description = "also print what apt, QMP and the guest's console said")
    private boolean verbose;

    /** Runs the command and exits with its code. */
    public static void main(final String[] args)
    {
        System.exit(commandLine().execute(args));
    }

    /** @return a command line whose usage errors print one line and give {@link #EXIT_USAGE}. */
    public static CommandLine commandLine()
    {
        final CommandLine cl = new CommandLine(new QemuGuestCommand());
        cl.setParameterExceptionHandler((ex, args) -> {
            cl.getErr().println("qemu-guest: " + ex.getMessage() + " (see --help)");
            return EXIT_USAGE;
        });
        return cl;
    }

    @Override
    public Integer call()
    {
        final PrintWriter stdout = spec.commandLine().getOut();
        final PrintWriter err = spec.commandLine().getErr();
        final GuestKind kind;
        final long bandwidth;
        try
        {
            kind = GuestKind.parse(guest);
            bandwidth = SizeParser.parse(maxBandwidth.endsWith("/s") ?
                maxBandwidth.substring(0, maxBandwidth.length() - 2) : maxBandwidth);
        }
        catch (final IllegalArgumentException ex)
        {
            return usage(err, ex.getMessage());
        }
        final long ram = memory != null ? memory : kind.isLinux() ? 128L << 20 : 64L << 20;
        if (ram % (1 << 20) != 0 || ram < (kind.isLinux() ? 96L << 20 : 8L << 20))
        {
            return usage(err, "--memory must be whole MiB, at least " + (kind.isLinux() ? "96m for a Linux guest" :
                "8m") + ": " + ram);
        }
        final int maxPages = (int)((ram - io.livemig.qemu.guest.CounterGuestImage.FIRST_ADDRESS) / 4096);
        final int pages = counterPages == null ? maxPages : counterPages;
        if (pages < 1 || pages > maxPages)
        {
            return usage(err, "--counter-pages must be 1 to " + maxPages + " for " + SizeParser.format(ram) + ": " + pages);
        }
        if (Long.bitCount(xbzrleCache) != 1 || xbzrleCache < 4096)
        {
            return usage(err, "--xbzrle-cache must be a power of two of at least 4k: " + xbzrleCache);
        }
        if (!accel.equals("tcg") && !accel.equals("kvm"))
        {
            return usage(err, "--accel must be tcg or kvm: " + accel);
        }
        final PrintWriter log = verbose ? err : new PrintWriter(PrintWriter.nullWriter());
        try
        {
            final GuestImages images = GuestImages.prepare(cache != null ? cache : GuestImages.defaultCache(),
                kind.isLinux(), line -> log.println("qemu-guest: " + line));
            if (prepareOnly)
            {
                stdout.printf("QEMU: %s%nkernel: %s%ninitramfs: %s%n", images.qemu(), images.kernel(), images.initramfs());
                stdout.flush();
                return 0;
            }
            final Path dir = out != null ? out : Path.of("qemu-runs", kind.cliName() + "-" +
                LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss", Locale.ROOT)));
            Files.createDirectories(dir);
            return run(images, kind, ram, pages, bandwidth, dir, stdout, err, log);
        }
        catch (final IOException ex)
        {
            err.println("qemu-guest: " + ex.getMessage());
            err.flush();
            return EXIT_FAILED;
        }
    }

    private int run(final GuestImages images, final GuestKind kind, final long ram, final int pages,
        final long bandwidth, final Path dir, final PrintWriter stdout, final PrintWriter err, final PrintWriter log)
        throws IOException
    {
        final Path stream = dir.resolve("stream.mig");
        final Path dump = dir.resolve("ram.dump");
        final QemuMigration.Settings settings = new QemuMigration.Settings(xbzrle, xbzrleCache, bandwidth,
            downtimeLimitMs, stopFirst, dirtyRate ? 1000 : 0, convergeAfterMs, timeoutMs);
        final QemuMigration.Outcome outcome;
        final long t0 = System.nanoTime();
        try (QemuGuest vm = QemuGuest.start(images, kind, ram, pages, accel, dir, timeoutMs + 180_000))
        {
            log.printf("qemu-guest: the guest runs its workload after %d ms%n", (System.nanoTime() - t0) / 1_000_000);
            Commands.sleep(runBeforeMs);
            try
            {
                final long t1 = System.nanoTime();
                outcome = QemuMigration.run(vm, settings, stream, dump);
                log.printf("qemu-guest: migrated and dumped in %d ms%n", (System.nanoTime() - t1) / 1_000_000);
            }
            finally
            {
                Files.write(dir.resolve("serial.log"), vm.serialLines());
                vm.serialLines().forEach(l -> log.println("guest: " + l));
            }
        }
        final ObjectNode result = new ObjectMapper().createObjectNode();
        result.put("guest", kind.cliName());
        result.put("memory", ram);
        if (!kind.isLinux())
        {
            result.put("counterPages", pages);
        }
        else
        {
            result.put("kernel", images.kernelVersion());
        }
        result.put("accel", accel);
        result.put("qemu", outcome.qemuVersion());
        final ObjectNode s = result.putObject("settings");
        s.put("xbzrle", xbzrle).put("xbzrleCacheSize", xbzrleCache).put("maxBandwidth", bandwidth)
            .put("downtimeLimitMs", downtimeLimitMs).put("stopFirst", stopFirst).put("runBeforeMs", runBeforeMs);
        result.set("queryMigrate", outcome.status());
        result.putArray("polls").addAll(outcome.polls());
        if (outcome.dirtyRate() != null)
        {
            result.set("dirtyRate", outcome.dirtyRate());
        }
        final int status;
        final long t2 = System.nanoTime();
        try (FileChannel channel = FileChannel.open(stream, StandardOpenOption.READ))
        {
            final XbzrleReplay replay = new XbzrleReplay(channel, 4096);
            final DirtyTraceRecorder[] recorder = new DirtyTraceRecorder[1];
            try (QemuStreamAnalysis analysis = QemuStreamAnalysis.read(stream, channel, Math.max(ram * 2, 1L << 30),
                PageStreamDialect.QEMU, blocks -> {
                    recorder[0] = new DirtyTraceRecorder(blocks, "pc.ram", outcome.arrivals());
                    return QemuStreamListener.all(recorder[0],
                        xbzrle ? new PageHistory(blocks, replay) : QemuStreamListener.NONE);
                }))
            {
            result.set("stream", analysis.json());
            final DirtyTrace trace = recorder[0].trace(traceHeader(kind, outcome));
            trace.write(dir.resolve("trace.txt"));
            final ObjectNode traced = result.putObject("trace");
            traced.put("file", dir.resolve("trace.txt").toString()).put("sections", trace.entries().size())
                .put("pages", trace.totalPages()).put("pagesPerSecond", trace.pagesPerSecond());
            recorder[0].pagesPerPass().forEach(traced.putArray("pagesPerPass")::add);
            if (xbzrle)
            {
                result.putObject("xbzrleReplay").put("records", replay.records()).put("identical", replay.identical())
                    .put("rebuilt", replay.rebuilt()).put("firstMismatch", replay.firstMismatch());
            }
            final RamComparison comparison = RamComparison.compare(
                analysis.blocks().memory(analysis.blocks().indexOf("pc.ram")), dump, PC_HOLE);
            RamOutputs.json(result.putObject("compare"), dump, comparison);
            RamComparison destination = null;
            if (checkDestination)
            {
                final Path destinationDump = dir.resolve("destination.dump");
                try (QemuGuest qemu = QemuGuest.incoming(images, kind, ram, pages, accel, dir, timeoutMs + 60_000,
                    stream))
                {
                    QemuMigration.load(qemu, destinationDump, timeoutMs);
                }
                destination = RamComparison.compare(analysis.blocks().memory(analysis.blocks().indexOf("pc.ram")),
                    destinationDump, PC_HOLE);
                RamOutputs.json(result.putObject("destination"), destinationDump, destination);
            }
            Files.writeString(dir.resolve("result.json"),
                new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(result));
            if (json)
            {
                stdout.println(new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(result));
            }
            else
            {
                report(stdout, kind, ram, pages, outcome, analysis, comparison, replay, dir);
                if (destination != null)
                {
                    stdout.printf("QEMU's own destination, loading the stream (-incoming): its pc.ram differs from " +
                        "livemig's in %d of %d pages (%s left out)%n", destination.differing().size(),
                        destination.pages(), PC_HOLE.get(0));
                }
                stdout.printf("passes over memory in the stream: %d, page records per pass: %s%n",
                    recorder[0].pagesPerPass().size(), recorder[0].pagesPerPass());
                stdout.printf("dirty trace: %d sections after the first pass, %d pages%s -> %s%n",
                    trace.entries().size(), trace.totalPages(), trace.timed() ? String.format(Locale.ROOT,
                        ", %.0f pages/s", trace.pagesPerSecond()) : "", dir.resolve("trace.txt"));
            }
            if (corpus)
            {
                final Path target = corpusDir != null ? corpusDir : RealGuestCorpus.defaultDir();
                final ObjectNode source = new ObjectMapper().createObjectNode();
                source.put("guest", kind.cliName()).put("memory", ram).put("qemu", outcome.qemuVersion())
                    .put("kernel", images.kernelVersion()).put("recipe", "xbzrle " + (xbzrle ? "on" : "off") +
                        ", max-bandwidth " + maxBandwidth + ", downtime-limit " + downtimeLimitMs + " ms");
                source.set("xbzrleCache", outcome.status().path("xbzrle-cache"));
                source.put("bitmapSyncs", outcome.status().at("/ram/dirty-sync-count").asLong());
                RealGuestCorpus.write(stream, source, target);
                if (!json)
                {
                    stdout.printf("real-guest corpus: %s%n", target);
                }
            }
            status = comparison.differing().isEmpty() && replay.identical() == replay.records() &&
                (destination == null || destination.differing().isEmpty()) &&
                replay.rebuilt() == replay.records() ? 0 : EXIT_FAILED;
            log.printf("qemu-guest: read and compared in %d ms%n", (System.nanoTime() - t2) / 1_000_000);
            }
        }
        catch (final PageStreamException ex)
        {
            err.println("qemu-guest: livemig refused QEMU's stream " + stream + ": " + ex.getMessage());
            return EXIT_FAILED;
        }
        stdout.flush();
        return status;
    }

    private void report(final PrintWriter out, final GuestKind kind, final long ram, final int pages,
        final QemuMigration.Outcome outcome, final QemuStreamAnalysis analysis, final RamComparison comparison,
        final XbzrleReplay replay, final Path dir)
    {
        final JsonNode q = outcome.status();
        final JsonNode r = q.path("ram");
        out.printf("%s guest, %s, %s, QEMU %s%s%n", kind.cliName(), SizeParser.format(ram), accel, outcome.qemuVersion(),
            kind.isLinux() ? "" : "; it writes " + pages + " pages from 2m");
        out.printf("settings: xbzrle %s, max-bandwidth %s/s, downtime-limit %d ms; %s%n",
            xbzrle ? "on (cache " + SizeParser.format(xbzrleCache) + ")" : "off", maxBandwidth.replace("/s", ""),
            downtimeLimitMs, stopFirst ? "the guest stopped writing first" : "the guest kept writing");
        out.printf("QEMU: %s in %d ms (setup %d ms, downtime %d ms), %d bitmap syncs, %d bytes transferred%n",
            q.path("status").asText(), q.path("total-time").asLong(), q.path("setup-time").asLong(),
            q.path("downtime").asLong(), r.path("dirty-sync-count").asLong(), r.path("transferred").asLong());
        if (outcome.dirtyRate() != null)
        {
            out.printf("dirty rate before the migration (calc-dirty-rate): %d MB/s%n",
                outcome.dirtyRate().path("dirty-rate").asLong());
        }
        out.printf("%-28s %20s %24s%n", "", "QEMU (query-migrate)", "livemig (the stream)");
        row(out, "zero pages", r.path("duplicate").asLong(), analysis.stats().pages(PageKind.ZERO));
        row(out, "raw pages", r.path("normal").asLong(), analysis.stats().pages(PageKind.NORMAL));
        if (xbzrle)
        {
            final JsonNode x = q.path("xbzrle-cache");
            row(out, "XBZRLE pages", x.path("pages").asLong(), analysis.stats().pages(PageKind.XBZRLE));
            out.printf("%-28s %20d %24s%n", "XBZRLE cache misses", x.path("cache-miss").asLong(), "-");
            out.printf("%-28s %20d %24s%n", "XBZRLE overflows", x.path("overflow").asLong(), "-");
            out.printf("%-28s %20d %24d%n", "XBZRLE bytes", x.path("bytes").asLong(),
                analysis.stats().bytes(PageKind.XBZRLE));
            out.printf("XBZRLE records re-encoded by livemig from the page before and after: %d of %d identical, " +
                "%d rebuilt by its decoder%s%n", replay.identical(), replay.records(), replay.rebuilt(),
                replay.firstMismatch() < 0 ? "" : "; first mismatch at stream offset " + replay.firstMismatch());
        }
        out.printf("%-28s %20d %24d%n", "RAM bytes", r.path("transferred").asLong(), analysis.stats().wireBytes());
        out.printf("%-28s %20s %24d%n", "RAM sections", "-", analysis.stream().ramSections());
        out.printf("%-28s %20s %24d%n", "device state bytes", "-", analysis.stream().deviceStateBytes());
        out.printf("pc.ram against the dump (%s left out): %d of %d pages differ%s%n", PC_HOLE.get(0),
            comparison.differing().size(), comparison.pages(), comparison.differing().isEmpty() ? "" :
                ", first at page " + comparison.first() + "; lost writes");
        out.printf("files in %s: stream.mig (%d bytes), ram.dump, trace.txt, result.json, serial.log, qemu.log%n", dir,
            analysis.stream().bytes());
    }

    /** The trace's header: where it comes from, and QEMU's dirty rate figures. */
    private Map<String, String> traceHeader(final GuestKind kind, final QemuMigration.Outcome outcome)
    {
        final Map<String, String> header = new LinkedHashMap<>();
        header.put("source", kind.cliName() + " guest, QEMU " + outcome.qemuVersion() + ", xbzrle " +
            (xbzrle ? "on" : "off") + ", max-bandwidth " + maxBandwidth + ", downtime-limit " + downtimeLimitMs + " ms" +
            (stopFirst ? ", stopped first" : ""));
        header.put("bitmap-syncs", Long.toString(outcome.status().at("/ram/dirty-sync-count").asLong()));
        long rate = 0;
        for (final JsonNode poll : outcome.polls())
        {
            rate = Math.max(rate, poll.at("/ram/dirty-pages-rate").asLong());
        }
        header.put("qemu-dirty-pages-rate", rate + " pages/s (the highest query-migrate reported)");
        if (outcome.dirtyRate() != null)
        {
            header.put("qemu-calc-dirty-rate", outcome.dirtyRate().path("dirty-rate").asLong() +
                " MB/s (calc-dirty-rate before the migration)");
        }
        return header;
    }

    private static void row(final PrintWriter out, final String name, final long qemu, final long livemig)
    {
        out.printf("%-28s %20d %24d%n", name, qemu, livemig);
    }

    private static int usage(final PrintWriter err, final String message)
    {
        err.println("qemu-guest: " + message);
        err.flush();
        return EXIT_USAGE;
    }
}
