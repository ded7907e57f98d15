package io.livemig.cli.analyze;

import io.livemig.cli.SizeParser;
import io.livemig.qemu.stream.DirtyTraceRecorder;
import io.livemig.qemu.stream.QemuStream;
import io.livemig.qemu.stream.QemuStreamListener;
import io.livemig.qemu.stream.QemuStreamReader;
import io.livemig.qemu.stream.RamComparison;
import io.livemig.qemu.stream.RamTally;
import io.livemig.qemu.stream.VmDescription;
import io.livemig.stream.PageKind;
import io.livemig.stream.PageStreamDialect;
import io.livemig.stream.PageStreamException;
import io.livemig.stream.PageStreamStats;
import io.livemig.stream.RamBlocks;
import io.livemig.stream.read.PageStreamReader;
import io.livemig.workload.DirtyTrace;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The QEMU half of {@code analyze-stream}, also used by {@code qemu-guest}: reads a QEMU migration stream with
 * {@link QemuStreamReader} into RAM blocks learned from its MEM_SIZE (at most {@code limit} bytes of them) and
 * keeps what it found: per block the count and wire bytes of each record kind, the RAM sections, the XBZRLE
 * pages, the device state and the device sections the VM description names; printed as text or as one JSON
 * object. {@link #run} is the command: it also extracts and compares blocks as asked ({@link RamOutputs}).
 *
 * <p>Exit codes as the command's: 0, 1 for a malformed stream or differing pages, 2 for a bad request.
 * Not thread-safe; holds the blocks' memory until {@link #close()}.
 */
final class QemuStreamAnalysis implements AutoCloseable
{
    private static final PageKind[] KINDS = {PageKind.ZERO, PageKind.NORMAL, PageKind.XBZRLE};
    static final int PAGE_SIZE = 4096;

    private final Path file;
    private final RamBlocks blocks;
    private final RamTally tally;
    private final QemuStreamReader reader;
    private final QemuStream stream;

    private QemuStreamAnalysis(final Path file, final RamBlocks blocks, final RamTally tally,
        final QemuStreamReader reader, final QemuStream stream)
    {
        this.file = file;
        this.blocks = blocks;
        this.tally = tally;
        this.reader = reader;
        this.stream = stream;
    }

    /**
     * Reads {@code channel} (the file {@code file}), telling the listener that {@code listener} makes for the
     * blocks of each section and page too.
     *
     * @throws PageStreamException if the stream is refused.
     */
    static QemuStreamAnalysis read(final Path file, final FileChannel channel, final long limit,
        final PageStreamDialect dialect, final Function<RamBlocks, QemuStreamListener> listener) throws IOException
    {
        final RamBlocks blocks = RamBlocks.learned(PAGE_SIZE, limit);
        try
        {
            final QemuStreamListener also = listener.apply(blocks);
            final QemuStreamReader reader = new QemuStreamReader(channel, blocks, dialect,
                Math.max(1 << 20, PageStreamReader.requiredBufferBytes(PAGE_SIZE)));
            final RamTally tally = new RamTally();
            reader.setListener(new QemuStreamListener()
            {
                @Override
                public void onRamSection(final int index, final int type, final long offset)
                {
                    tally.onRamSection(index, type, offset);
                    also.onRamSection(index, type, offset);
                }

                @Override
                public void onPage(final int block, final long page, final PageKind kind, final int wireBytes,
                    final long offset)
                {
                    tally.onPage(block, page, kind, wireBytes, offset);
                    also.onPage(block, page, kind, wireBytes, offset);
                }
            });
            return new QemuStreamAnalysis(file, blocks, tally, reader, reader.read());
        }
        catch (final IOException | RuntimeException ex)
        {
            blocks.close();
            throw ex;
        }
    }

    /** The command: reads, prints, extracts and compares; returns the exit code. */
    static int run(final Path file, final FileChannel channel, final long limit, final boolean ignoreShared,
        final boolean records, final boolean json, final List<RamOutputs.BlockFile> extract,
        final List<RamOutputs.BlockFile> compare, final List<RamComparison.Range> ignore, final Path trace,
        final PrintWriter out, final PrintWriter err) throws IOException
    {
        final PageStreamDialect dialect = ignoreShared ? PageStreamDialect.QEMU.withBlockAddresses() :
            PageStreamDialect.QEMU;
        if (records && !json)
        {
            out.printf("%14s %-32s %12s %-6s %10s%n", "offset", "block", "page", "kind", "wire-bytes");
        }
        final DirtyTraceRecorder[] recorder = new DirtyTraceRecorder[1];
        final Function<RamBlocks, QemuStreamListener> printer = names -> {
            recorder[0] = new DirtyTraceRecorder(names, "pc.ram", null);
            return QemuStreamListener.all(recorder[0], !records || json ? QemuStreamListener.NONE :
                new QemuStreamListener()
                {
                    @Override
                    public void onPage(final int block, final long page, final PageKind kind, final int wireBytes,
                        final long offset)
                    {
                        out.printf("%14d %-32s %12d %-6s %10d%n", offset, names.name(block), page, recordKind(kind),
                            wireBytes);
                    }
                });
        };
        final QemuStreamAnalysis analysis;
        try
        {
            analysis = read(file, channel, limit, dialect, printer);
        }
        catch (final PageStreamException ex)
        {
            out.flush();
            err.println(ex.getMessage());
            return AnalyzeStreamCommand.EXIT_MALFORMED;
        }
        try (analysis)
        {
            final RamBlocks blocks = analysis.blocks;
            final ObjectNode root = json ? analysis.json() : null;
            if (!json)
            {
                analysis.print(out);
            }
            if (trace != null)
            {
                if (blocks.indexOf("pc.ram") < 0)
                {
                    err.println("analyze-stream: --trace: the stream has no block \"pc.ram\"");
                    return AnalyzeStreamCommand.EXIT_USAGE;
                }
                final DirtyTrace t = recorder[0].trace(Map.of("source", "QEMU stream " + file.getFileName()));
                t.write(trace);
                if (json)
                {
                    root.putObject("trace").put("file", trace.toString()).put("sections", t.entries().size())
                        .put("pages", t.totalPages());
                }
                else
                {
                    out.printf("dirty trace: %d sections after the first pass, %d pages -> %s%n", t.entries().size(),
                        t.totalPages(), trace);
                }
            }
            for (final RamOutputs.BlockFile e : extract)
            {
                final int index = RamOutputs.block(blocks, "--extract-ram", e.block(), err);
                if (index < 0)
                {
                    return AnalyzeStreamCommand.EXIT_USAGE;
                }
                RamOutputs.extract(blocks.memory(index), e.path());
            }
            boolean differ = false;
            final ObjectNode compared = root == null ? null : root.putObject("compare");
            for (final RamOutputs.BlockFile c : compare)
            {
                final int index = RamOutputs.block(blocks, "--compare-ram", c.block(), err);
                if (index < 0)
                {
                    return AnalyzeStreamCommand.EXIT_USAGE;
                }
                final RamComparison result;
                try
                {
                    result = RamComparison.compare(blocks.memory(index), c.path(), ignore);
                }
                catch (final IllegalArgumentException | IOException ex)
                {
                    err.println("analyze-stream: --compare-ram " + c.block() + ": " + ex.getMessage());
                    return AnalyzeStreamCommand.EXIT_USAGE;
                }
                differ |= !result.differing().isEmpty();
                if (json)
                {
                    RamOutputs.json(compared.putObject(c.block()), c.path(), result);
                }
                else
                {
                    RamOutputs.print(out, c.block(), c.path(), result, PAGE_SIZE);
                }
            }
            if (json)
            {
                out.println(new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(root));
            }
            out.flush();
            return differ ? AnalyzeStreamCommand.EXIT_MALFORMED : 0;
        }
    }

    /** @return the envelope. */
    QemuStream stream()
    {
        return stream;
    }

    /** @return the blocks, as the stream left them. */
    RamBlocks blocks()
    {
        return blocks;
    }

    /** @return the records by block and kind. */
    RamTally tally()
    {
        return tally;
    }

    /** @return the record reader's counters. */
    PageStreamStats stats()
    {
        return reader.pages().stats();
    }

    /** Prints the summary. */
    void print(final PrintWriter out)
    {
        out.printf("%s: QEMU migration stream (version 3), %d bytes, machine %s%n", file, stream.bytes(),
            stream.machine() == null ? "not named (no configuration)" : stream.machine());
        out.printf("RAM: %d blocks of %d bytes in all, %d RAM sections%s%n", blocks.count(), blocks.totalBytes(),
            stream.ramSections(), stream.ramSectionId() < 0 ? "" : " (section \"ram\", id " + stream.ramSectionId() + ")");
        out.printf("%-32s %10s %9s %11s %9s %13s %9s %11s%n", "block", "size", "ZERO", "bytes", "PAGE", "bytes",
            "XBZRLE", "bytes");
        for (int b = 0; b < blocks.count(); b++)
        {
            out.printf("%-32s %10s", blocks.name(b), SizeParser.format(blocks.usedLength(b)));
            for (final PageKind kind : KINDS)
            {
                out.printf(kind == PageKind.NORMAL ? " %9d %13d" : " %9d %11d", tally.pages(b, kind), tally.bytes(b, kind));
            }
            out.println();
        }
        out.printf("%-32s %10s", "total", SizeParser.format(blocks.totalBytes()));
        for (final PageKind kind : KINDS)
        {
            out.printf(kind == PageKind.NORMAL ? " %9d %13d" : " %9d %11d", stats().pages(kind), stats().bytes(kind));
        }
        out.println();
        out.printf("XBZRLE pages: %d; EOS records: %d; MULTIFD_FLUSH records: %d; commands: %s%n",
            tally.pages(PageKind.XBZRLE), stats().eosRecords(), reader.pages().multifdFlushes(),
            stream.commands().isEmpty() ? "none" : stream.commands());
        if (stream.deviceOffset() >= 0)
        {
            out.printf("device state: %d bytes from offset %d (first section \"%s\") to the end of stream at %d%n",
                stream.deviceStateBytes(), stream.deviceOffset(), stream.firstDevice(), stream.endOfStream());
        }
        else
        {
            out.printf("device state: none; end of stream at %d%n", stream.endOfStream());
        }
        final VmDescription d = stream.description();
        if (d == null)
        {
            out.println("VM description: none");
        }
        else
        {
            out.printf("VM description: %d bytes of JSON at offset %d, %d device sections: %s%n", d.length(),
                d.offset(), d.devices().size(),
                d.devices().stream().map(VmDescription.Device::toString).collect(Collectors.joining(", ")));
        }
        out.printf("pages applied: %d%n", stats().totalPages());
    }

    /** @return the summary as JSON. */
    ObjectNode json()
    {
        final ObjectNode root = new ObjectMapper().createObjectNode();
        root.put("format", "qemu");
        root.put("file", file.toString());
        root.put("bytes", stream.bytes());
        root.put("version", 3);
        root.put("machine", stream.machine());
        final ObjectNode byBlock = root.putObject("blocks");
        for (int b = 0; b < blocks.count(); b++)
        {
            final ObjectNode block = byBlock.putObject(blocks.name(b));
            block.put("size", blocks.usedLength(b));
            for (final PageKind kind : KINDS)
            {
                final String name = kind == PageKind.NORMAL ? "page" : kind.name().toLowerCase(java.util.Locale.ROOT);
                block.put(name, tally.pages(b, kind));
                block.put(name + "Bytes", tally.bytes(b, kind));
            }
        }
        root.put("ramSections", stream.ramSections());
        root.put("xbzrlePages", tally.pages(PageKind.XBZRLE));
        root.put("eosRecords", stats().eosRecords());
        root.put("multifdFlushes", reader.pages().multifdFlushes());
        final ObjectNode commands = root.putObject("commands");
        stream.commands().forEach(commands::put);
        root.put("pagesApplied", stats().totalPages());
        root.put("deviceStateBytes", stream.deviceStateBytes());
        root.put("deviceOffset", stream.deviceOffset());
        root.put("endOfStream", stream.endOfStream());
        final var devices = root.putArray("devices");
        if (stream.description() != null)
        {
            stream.description().devices().forEach(d -> devices.add(d.toString()));
        }
        return root;
    }

    private static String recordKind(final PageKind kind)
    {
        return kind == PageKind.NORMAL ? "PAGE" : kind.name();
    }

    @Override
    public void close()
    {
        blocks.close();
    }
}
