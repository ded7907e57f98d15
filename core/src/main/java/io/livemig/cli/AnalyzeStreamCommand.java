package io.livemig.cli;

import io.livemig.dirty.DirtyMarker;
import io.livemig.memory.GuestMemory;
import io.livemig.stream.ChannelInput;
import io.livemig.stream.PageKind;
import io.livemig.stream.PageStreamException;
import io.livemig.stream.PageStreamReader;
import io.livemig.stream.PageStreamStats;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.Callable;

/**
 * {@code scripts/analyze-stream FILE --memory SIZE [--page-size SIZE] [--records]}: applies a captured page
 * stream (one MEM_SIZE record, then iterations each ended by EOS) to a scratch guest named {@code pc.ram} of
 * the given size, with every check of {@link PageStreamReader}, and prints the records and bytes by kind
 * (with {@code --records}, every page record: stream offset, page, kind, wire bytes).
 *
 * <p>Exit codes: 0 the stream is valid; 1 it is malformed (the reader's message, one line on stderr); 2 bad
 * options or an unreadable file (one line on stderr). Not thread-safe; one run per instance.
 */
@Command(name = "analyze-stream", mixinStandardHelpOptions = true, sortOptions = false,
    description = "Applies a captured page stream to a scratch guest named pc.ram and prints what it holds.")
public final class AnalyzeStreamCommand implements Callable<Integer>
{
    /** Exit code of a stream the reader refused. */
    public static final int EXIT_MALFORMED = 1;
    /** Exit code of bad options or an unreadable file. */
    public static final int EXIT_USAGE = 2;

    @Spec
    private CommandSpec spec;

    @Parameters(index = "0", paramLabel = "FILE", description = "the captured page stream")
    private Path file;

    @Option(names = "--memory", required = true, paramLabel = "SIZE", converter = SizeParser.Converter.class,
        description = "guest RAM size the stream was captured from, e.g. 1g (k, m, g, t suffixes)")
    private long memory;

    @Option(names = "--page-size", paramLabel = "SIZE", defaultValue = "4k", converter = SizeParser.Converter.class,
        description = "page size, a power of two from 4k to 2m (default ${DEFAULT-VALUE})")
    private long pageSize;

    @Option(names = "--records", description = "also print every page record: offset, page, kind, wire bytes")
    private boolean records;

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
        if (memory <= 0 || memory % pageSize != 0)
        {
            return usage(err, "--memory must be a positive multiple of the page size " + pageSize + ": " + memory);
        }
        if (!Files.isRegularFile(file) || !Files.isReadable(file))
        {
            return usage(err, "cannot read " + file + ": " +
                (Files.exists(file) ? "not a readable file" : "no such file"));
        }
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ);
            GuestMemory guest = new GuestMemory(memory, (int)pageSize, DirtyMarker.NONE))
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
            summary(out, channel.size(), guest, reader.stats());
            return 0;
        }
        catch (final IOException ex)
        {
            return usage(err, "cannot read " + file + ": " + ex);
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
