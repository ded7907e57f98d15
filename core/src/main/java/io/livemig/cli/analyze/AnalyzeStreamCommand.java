package io.livemig.cli.analyze;

import io.livemig.cli.SizeParser;
import io.livemig.cli.VerboseOption;
import io.livemig.dirty.DirtyMarker;
import io.livemig.memory.GuestMemory;
import io.livemig.qemu.stream.QemuStreamReader;
import io.livemig.qemu.stream.RamComparison;
import io.livemig.stream.ChannelInput;
import io.livemig.stream.PageKind;
import io.livemig.stream.PageStreamException;
import io.livemig.stream.PageStreamStats;
import io.livemig.stream.RamBlocks;
import io.livemig.stream.read.PageStreamReader;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * {@code scripts/analyze-stream FILE [--memory SIZE] [--page-size SIZE] [--records] [--json]
 * [--extract-ram BLOCK=PATH] [--compare-ram BLOCK=PATH] [--ignore-range START-END]}: tells a QEMU migration
 * stream from a livemig capture by its magic ({@code QEVM}).
 * <ul>
 *   <li>A livemig capture (one MEM_SIZE record, then iterations each ended by EOS) is applied to a scratch
 *       guest named {@code pc.ram} of {@code --memory} bytes, with every check of {@link PageStreamReader},
 *       and the records and bytes by kind are printed (with {@code --records}, every page record: stream
 *       offset, page, kind, wire bytes).</li>
 *   <li>A QEMU stream is read by {@link QemuStreamAnalysis} into the blocks its MEM_SIZE lists, at most
 *       {@code --memory} bytes of them (default {@value #DEFAULT_QEMU_LIMIT_TEXT}).</li>
 * </ul>
 * Either way {@code --extract-ram} writes a block's final contents and {@code --compare-ram} compares them with
 * a memory dump page by page.
 *
 * <p>Exit codes: 0 the stream is valid (and every compared block equals its dump); 1 it is malformed (the
 * reader's message, one line on stderr) or a compared block differs from its dump; 2 bad options or an
 * unreadable file (one line on stderr). Not thread-safe; one run per instance.
 */
@Command(name = "analyze-stream", mixinStandardHelpOptions = true, sortOptions = false,
    description = {"Reads a QEMU migration stream, or a livemig capture applied to a scratch guest named pc.ram, " +
        "and prints what it holds."})
public final class AnalyzeStreamCommand implements Callable<Integer>
{
    /** Exit code of a stream the reader refused. */
    public static final int EXIT_MALFORMED = 1;
    /** Exit code of bad options or an unreadable file. */
    public static final int EXIT_USAGE = 2;
    /** The most RAM a QEMU stream may declare unless {@code --memory} says otherwise. */
    public static final long DEFAULT_QEMU_LIMIT = 4L << 30;
    static final String DEFAULT_QEMU_LIMIT_TEXT = "4g";

    @Spec
    private CommandSpec spec;

    @Parameters(index = "0", paramLabel = "FILE", description = "the captured page stream")
    private Path file;

    @Option(names = "--memory", paramLabel = "SIZE", converter = SizeParser.Converter.class,
        description = "a livemig capture: guest RAM size it was captured from, e.g. 1g (k, m, g, t suffixes); " +
            "a QEMU stream: the most RAM its blocks may add up to (default " + DEFAULT_QEMU_LIMIT_TEXT + ")")
    private Long memory;

    @Option(names = "--page-size", paramLabel = "SIZE", defaultValue = "4k", converter = SizeParser.Converter.class,
        description = "page size, a power of two from 4k to 2m (default ${DEFAULT-VALUE})")
    private long pageSize;

    @Option(names = "--records", description = "also print every page record: offset, page, kind, wire bytes")
    private boolean records;

    @Option(names = "--json", description = "print the summary (and comparisons) as one JSON object")
    private boolean json;

    @Option(names = "--extract-ram", paramLabel = "BLOCK=PATH", converter = RamOutputs.BlockFile.Converter.class,
        description = "write the block's final contents to PATH (repeatable)")
    private List<RamOutputs.BlockFile> extract = new ArrayList<>();

    @Option(names = "--compare-ram", paramLabel = "BLOCK=PATH", converter = RamOutputs.BlockFile.Converter.class,
        description = "compare the block's final contents with the memory dump PATH page by page; exit 1 when " +
            "pages differ (repeatable)")
    private List<RamOutputs.BlockFile> compare = new ArrayList<>();

    @Option(names = "--ignore-range", paramLabel = "START-END", converter = RamOutputs.RangeConverter.class,
        description = "leave the pages overlapping these block addresses (inclusive) out of --compare-ram, e.g. " +
            "0xa0000-0xfffff, the PC machine's VGA and BIOS hole in a physical dump (repeatable)")
    private List<RamComparison.Range> ignore = new ArrayList<>();

    @Option(names = "--trace", paramLabel = "FILE", description = "a QEMU stream: write the pages of pc.ram " +
        "each RAM section sent after the first pass, a dirty trace (docs/qemu.md)")
    private Path trace;

    @Option(names = "--qemu-ignore-shared", description = "a QEMU stream made with the x-ignore-shared " +
        "capability: each MEM_SIZE block is followed by its address")
    private boolean ignoreShared;

    @Mixin
    private VerboseOption verbose;

    /** Runs the command and exits with its code. */
    public static void main(final String[] args)
    {
        System.exit(commandLine().execute(args));
    }

    /** @return a command line for this command whose usage errors print one line and give {@link #EXIT_USAGE}. */
    public static CommandLine commandLine()
    {
        final CommandLine cl = new CommandLine(new AnalyzeStreamCommand());
        cl.setParameterExceptionHandler((ex, args) -> {
            cl.getErr().println("analyze-stream: " + ex.getMessage() + " (see --help)");
            return EXIT_USAGE;
        });
        return cl;
    }

    @Override
    public Integer call()
    {
        final PrintWriter out = spec.commandLine().getOut();
        final PrintWriter err = spec.commandLine().getErr();
        if (pageSize < GuestMemory.MIN_PAGE_SIZE || pageSize > GuestMemory.MAX_PAGE_SIZE ||
            Long.bitCount(pageSize) != 1)
        {
            return usage(err, "--page-size must be a power of two from 4k to 2m: " + pageSize);
        }
        if (memory != null && (memory <= 0 || memory % pageSize != 0))
        {
            return usage(err, "--memory must be a positive multiple of the page size " + pageSize + ": " + memory);
        }
        if (!Files.isRegularFile(file) || !Files.isReadable(file))
        {
            return usage(err, "cannot read " + file + ": " +
                (Files.exists(file) ? "not a readable file" : "no such file"));
        }
        verbose.print(err);
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ))
        {
            if (QemuStreamReader.hasMagic(channel))
            {
                if (pageSize != 4096)
                {
                    return usage(err, "--page-size: a QEMU stream of a PC guest has 4k pages, not " + pageSize);
                }
                return QemuStreamAnalysis.run(file, channel, memory == null ? DEFAULT_QEMU_LIMIT : memory,
                    ignoreShared, records, json, extract, compare, ignore, trace, out, err);
            }
            if (memory == null)
            {
                return usage(err, "--memory is required for a livemig capture (the guest RAM size it was " +
                    "captured from)");
            }
            if (trace != null)
            {
                return usage(err, "--trace reads a QEMU stream, not a livemig capture");
            }
            return capture(channel, out, err);
        }
        catch (final IOException ex)
        {
            return usage(err, "cannot read " + file + ": " + ex);
        }
    }

    private int capture(final FileChannel channel, final PrintWriter out, final PrintWriter err) throws IOException
    {
        try (GuestMemory guest = new GuestMemory(memory, (int)pageSize, DirtyMarker.NONE))
        {
            final int bufferBytes = Math.max(1 << 20, PageStreamReader.requiredBufferBytes((int)pageSize));
            final PageStreamReader reader = new PageStreamReader(new ChannelInput(channel, bufferBytes), guest);
            if (records)
            {
                out.printf("%14s %12s %-6s %10s%n", "offset", "page", "kind", "wire-bytes");
                reader.setListener((page, kind, wireBytes, offset) ->
                    out.printf("%14d %12d %-6s %10d%n", offset, page, recordKind(kind), wireBytes));
            }
            try
            {
                reader.readToEnd(true);
            }
            catch (final PageStreamException ex)
            {
                out.flush();
                err.println(ex.getMessage());
                return EXIT_MALFORMED;
            }
            if (json)
            {
                return captureJson(out, err, channel.size(), guest, reader.stats());
            }
            summary(out, channel.size(), guest, reader.stats());
            return ramOutputs(out, err, guest, null);
        }
        catch (final OutOfMemoryError ex)
        {
            return usage(err, "cannot allocate a scratch guest of " + memory + " bytes: " + ex.getMessage());
        }
    }

    private void summary(
        final PrintWriter out, final long fileBytes, final GuestMemory guest, final PageStreamStats stats)
    {
        out.printf("%s: %d bytes, guest %s of %s in %s pages%n", file, fileBytes, guest.blockName(),
            SizeParser.format(guest.size()), SizeParser.format(guest.pageSize()));
        out.printf("%-9s %12s %16s%n", "record", "count", "bytes");
        for (final PageKind kind : new PageKind[] {PageKind.ZERO, PageKind.NORMAL, PageKind.XBZRLE, PageKind.LZ4})
        {
            out.printf("%-9s %12d %16d%n", recordKind(kind), stats.pages(kind), stats.bytes(kind));
        }
        out.printf("%-9s %12d %16d%n", "MEM_SIZE", stats.memSizeRecords(), stats.memSizeBytes());
        out.printf("%-9s %12d %16d%n", "EOS", stats.eosRecords(), stats.eosBytes());
        out.printf("%-9s %12d %16d%n", "total", stats.totalPages() + stats.memSizeRecords() + stats.eosRecords(),
            stats.wireBytes());
        out.printf("iterations: %d, pages applied: %d%n", stats.eosRecords(), stats.totalPages());
        out.flush();
    }

    private int captureJson(final PrintWriter out, final PrintWriter err, final long fileBytes, final GuestMemory guest,
        final PageStreamStats stats) throws IOException
    {
        final ObjectMapper mapper = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        final ObjectNode root = mapper.createObjectNode();
        root.put("format", "livemig");
        root.put("file", file.toString());
        root.put("bytes", fileBytes);
        final ObjectNode block = root.putObject("blocks").putObject(guest.blockName());
        block.put("size", guest.size());
        for (final PageKind kind : new PageKind[] {PageKind.ZERO, PageKind.NORMAL, PageKind.XBZRLE, PageKind.LZ4})
        {
            final String name = kind == PageKind.NORMAL ? "page" : kind.name().toLowerCase(Locale.ROOT);
            block.put(name, stats.pages(kind));
            block.put(name + "Bytes", stats.bytes(kind));
        }
        root.put("iterations", stats.eosRecords());
        root.put("pagesApplied", stats.totalPages());
        final int status = ramOutputs(out, err, guest, root.putObject("compare"));
        if (status != EXIT_USAGE)
        {
            out.println(mapper.writeValueAsString(root));
            out.flush();
        }
        return status;
    }

    /** Extracts and compares the scratch guest as asked; {@code json} gets the comparisons, if not null. */
    private int ramOutputs(final PrintWriter out, final PrintWriter err, final GuestMemory guest, final ObjectNode json)
        throws IOException
    {
        final RamBlocks blocks = RamBlocks.of(guest);
        for (final RamOutputs.BlockFile e : extract)
        {
            if (RamOutputs.block(blocks, "--extract-ram", e.block(), err) < 0)
            {
                return EXIT_USAGE;
            }
            RamOutputs.extract(guest, e.path());
        }
        boolean differ = false;
        for (final RamOutputs.BlockFile c : compare)
        {
            if (RamOutputs.block(blocks, "--compare-ram", c.block(), err) < 0)
            {
                return EXIT_USAGE;
            }
            final RamComparison result;
            try
            {
                result = RamComparison.compare(guest, c.path(), ignore);
            }
            catch (final IllegalArgumentException | IOException ex)
            {
                return usage(err, "--compare-ram " + c.block() + ": " + ex.getMessage());
            }
            differ |= !result.differing().isEmpty();
            if (json != null)
            {
                RamOutputs.json(json.putObject(c.block()), c.path(), result);
            }
            else
            {
                RamOutputs.print(out, c.block(), c.path(), result, guest.pageSize());
            }
        }
        out.flush();
        return differ ? EXIT_MALFORMED : 0;
    }

    /** @return the record's name in the spec: raw pages are PAGE records. */
    private static String recordKind(final PageKind kind)
    {
        return kind == PageKind.NORMAL ? "PAGE" : kind.name();
    }

    private static int usage(final PrintWriter err, final String message)
    {
        err.println("analyze-stream: " + message);
        err.flush();
        return EXIT_USAGE;
    }
}
