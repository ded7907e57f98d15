package io.livemig.cli.analyze;

import io.livemig.memory.GuestMemory;
import io.livemig.qemu.stream.RamComparison;
import io.livemig.stream.RamBlocks;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.agrona.concurrent.UnsafeBuffer;
import picocli.CommandLine;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.stream.Collectors;

/**
 * What {@code analyze-stream} does with the RAM a stream left, for a livemig capture and a QEMU stream alike:
 * {@code --extract-ram BLOCK=PATH} writes a block's final contents to a file, {@code --compare-ram BLOCK=PATH}
 * compares them page by page with a memory dump (the lost-write check), leaving out the pages of every {@code
 * --ignore-range}. Stateless; thread-safe.
 */
final class RamOutputs
{
    /** Most differing pages the text output lists; JSON lists them all. */
    static final int LISTED_PAGES = 16;

    private RamOutputs()
    {
    }

    /** A {@code BLOCK=PATH} argument. */
    record BlockFile(String block, Path path)
    {
        /** picocli converter of {@code BLOCK=PATH}. */
        static final class Converter implements CommandLine.ITypeConverter<BlockFile>
        {
            @Override
            public BlockFile convert(final String value)
            {
                final int eq = value.lastIndexOf('=');
                if (eq <= 0 || eq == value.length() - 1)
                {
                    throw new CommandLine.TypeConversionException("expected BLOCK=PATH, e.g. pc.ram=ram.bin: '" +
                        value + "'");
                }
                return new BlockFile(value.substring(0, eq), Path.of(value.substring(eq + 1)));
            }
        }
    }

    /** picocli converter of {@code START-END}, inclusive byte addresses in hex (0x...) or decimal. */
    static final class RangeConverter implements CommandLine.ITypeConverter<RamComparison.Range>
    {
        @Override
        public RamComparison.Range convert(final String value)
        {
            final int dash = value.indexOf('-');
            try
            {
                if (dash > 0)
                {
                    return new RamComparison.Range(address(value.substring(0, dash)), address(value.substring(dash + 1)));
                }
            }
            catch (final IllegalArgumentException ex)
            {
                // reported below
            }
            throw new CommandLine.TypeConversionException("expected START-END (inclusive, hex with 0x or decimal), " +
                "e.g. 0xa0000-0xfffff: '" + value + "'");
        }

        private static long address(final String text)
        {
            final String t = text.trim().toLowerCase(java.util.Locale.ROOT);
            return t.startsWith("0x") ? Long.parseUnsignedLong(t.substring(2), 16) : Long.parseLong(t);
        }
    }

    /** @return the index of the block {@code name}, or -1 after printing a usage line naming the blocks there are. */
    static int block(final RamBlocks blocks, final String option, final String name, final PrintWriter err)
    {
        final int index = blocks.indexOf(name);
        if (index < 0)
        {
            final List<String> names = new java.util.ArrayList<>();
            for (int i = 0; i < blocks.count(); i++)
            {
                names.add(blocks.name(i));
            }
            err.println("analyze-stream: " + option + ": the stream has no block \"" + name + "\"; it has " +
                names.stream().map(n -> "\"" + n + "\"").collect(Collectors.joining(", ")));
        }
        return index;
    }

    /** Writes {@code memory}'s bytes to {@code path}, replacing it. */
    static void extract(final GuestMemory memory, final Path path) throws IOException
    {
        try (FileChannel file = FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
            StandardOpenOption.TRUNCATE_EXISTING))
        {
            final ByteBuffer chunk = ByteBuffer.allocateDirect(memory.pageSize());
            final UnsafeBuffer view = new UnsafeBuffer(chunk);
            for (long p = 0; p < memory.pageCount(); p++)
            {
                memory.readPage(p, view, 0);
                chunk.clear();
                while (chunk.hasRemaining())
                {
                    file.write(chunk);
                }
            }
        }
    }

    /** Prints a comparison's line: pages compared, left out, differing and the first of them. */
    static void print(final PrintWriter out, final String block, final Path dump, final RamComparison c,
        final int pageSize)
    {
        out.printf("compare %s with %s: %d pages, %d left out, %d differ%s%n", block, dump, c.pages(), c.ignored(),
            c.differing().size(), c.differing().isEmpty() ? "" : ", first at page " + c.first() + " (offset 0x" +
                Long.toHexString(c.first() * pageSize) + ")");
        if (!c.differing().isEmpty())
        {
            out.println("  differing pages: " + c.differing().stream().limit(LISTED_PAGES).map(String::valueOf)
                .collect(Collectors.joining(" ")) + (c.differing().size() > LISTED_PAGES ? " ..." : ""));
        }
    }

    /** Adds a comparison to {@code json}: dump, pages, ignored, differing count, first and every differing page. */
    static void json(final ObjectNode json, final Path dump, final RamComparison c)
    {
        json.put("dump", dump.toString());
        json.put("pages", c.pages());
        json.put("ignored", c.ignored());
        json.put("differing", c.differing().size());
        json.put("first", c.first());
        final var list = json.putArray("differingPages");
        c.differing().forEach(list::add);
    }
}
