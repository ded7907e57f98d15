package io.livemig.qemu;

import io.livemig.codec.Lz4PageCodec;
import io.livemig.codec.Xbzrle;
import io.livemig.codec.ZeroPage;
import io.livemig.qemu.guest.Commands;
import io.livemig.qemu.guest.GuestImages;
import io.livemig.qemu.guest.GuestKind;
import io.livemig.qemu.guest.QemuGuest;
import io.livemig.qemu.guest.QemuMigration;
import io.livemig.qemu.stream.DirtyTraceRecorder;
import io.livemig.qemu.stream.PageHistory;
import io.livemig.qemu.stream.QemuStreamListener;
import io.livemig.qemu.stream.QemuStreamReader;
import io.livemig.stream.PageKind;
import io.livemig.stream.PageStreamDialect;
import io.livemig.stream.RamBlocks;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Comparator;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * Real pages for the codec benchmarks, from a Linux guest's QEMU migration (its memory is not committed: the
 * corpus is made on the machine and kept in a cache, {@link #defaultDir()}):
 * <ul>
 *   <li>{@value #PAGES_FILE}: {@value #PAGES} pages of {@code pc.ram} as the migration left it (every
 *       {@code n}-th page, so that they span the whole guest), 64 MiB;</li>
 *   <li>{@value #PAIRS_FILE}: up to {@value #MAX_PAIRS} pairs of versions of one page, old then new, 4 KiB
 *       each: old is what the destination held, new is what QEMU sent next for that page in a later pass over
 *       memory; pairs whose new version is all zero are left out (QEMU sends those as zero pages before it
 *       tries XBZRLE);</li>
 *   <li>{@value #META_FILE}: where it comes from, and its figures: the guest's zero-page fraction, QEMU's XBZRLE
 *       cache figures, livemig's XBZRLE results on the pairs (unchanged, overflowing, bytes), the LZ4 ratio of the
 *       non-zero pages.</li>
 * </ul>
 * {@link #generate} makes one with the standard recipe: the {@code mix} guest, 128 MiB, migrated with XBZRLE at
 * 16 MiB/s with a 50 ms downtime limit, so that it passes over memory several times.
 *
 * <p>Immutable once loaded; thread-safe.
 */
public final class RealGuestCorpus
{
    /** Pages of pc.ram kept. */
    public static final int PAGES = 16384;
    /** Most pairs kept. */
    public static final int MAX_PAIRS = 16384;
    /** The pages' file. */
    public static final String PAGES_FILE = "pages.bin";
    /** The pairs' file. */
    public static final String PAIRS_FILE = "pairs.bin";
    /** The figures' file. */
    public static final String META_FILE = "corpus.json";
    /** The system property that names a corpus directory to the benchmark forks. */
    public static final String PROPERTY = "livemig.corpus";
    /** Page size. */
    public static final int PAGE_SIZE = 4096;
    /** Version of the format and recipe: a corpus of another version is made again. */
    public static final int VERSION = 1;

    private final Path dir;
    private final byte[] pages;
    private final byte[] pairs;
    private final JsonNode meta;

    private RealGuestCorpus(final Path dir, final byte[] pages, final byte[] pairs, final JsonNode meta)
    {
        this.dir = dir;
        this.pages = pages;
        this.pairs = pairs;
        this.meta = meta;
    }

    /** @return {@code corpus/} in the guest cache ({@link GuestImages#defaultCache()}). */
    public static Path defaultDir()
    {
        return GuestImages.defaultCache().resolve("corpus");
    }

    /** @return whether {@code dir} holds a corpus of this version. */
    public static boolean exists(final Path dir)
    {
        try
        {
            return Files.isRegularFile(dir.resolve(PAGES_FILE)) && Files.isRegularFile(dir.resolve(PAIRS_FILE)) &&
                new ObjectMapper().readTree(dir.resolve(META_FILE).toFile()).path("version").asInt() == VERSION;
        }
        catch (final IOException ex)
        {
            return false;
        }
    }

    /**
     * Loads the corpus in {@code dir}.
     *
     * @throws IOException if it is missing, of another version, or its files do not have the sizes its figures say.
     */
    public static RealGuestCorpus load(final Path dir) throws IOException
    {
        if (!exists(dir))
        {
            throw new IOException("no real-guest corpus of version " + VERSION + " in " + dir +
                " (scripts/qemu-guest --corpus makes one; docs/qemu.md)");
        }
        final JsonNode meta = new ObjectMapper().readTree(dir.resolve(META_FILE).toFile());
        final byte[] pages = Files.readAllBytes(dir.resolve(PAGES_FILE));
        final byte[] pairs = Files.readAllBytes(dir.resolve(PAIRS_FILE));
        if (pages.length != PAGES * PAGE_SIZE || pairs.length != meta.path("pairs").asInt() * 2 * PAGE_SIZE ||
            pairs.length == 0)
        {
            throw new IOException("the real-guest corpus in " + dir + " is damaged: " + pages.length + " bytes of " +
                "pages, " + pairs.length + " of pairs for " + meta.path("pairs").asInt() + " pairs");
        }
        return new RealGuestCorpus(dir, pages, pairs, meta);
    }

    /** @return the directory. */
    public Path dir()
    {
        return dir;
    }

    /** @return the {@value #PAGES} pages of pc.ram, back to back (do not modify). */
    public byte[] pages()
    {
        return pages;
    }

    /** @return the number of pairs. */
    public int pairCount()
    {
        return pairs.length / (2 * PAGE_SIZE);
    }

    /** @return the pairs: old page, new page, old page, ... (do not modify). */
    public byte[] pairs()
    {
        return pairs;
    }

    /** @return the figures ({@value #META_FILE}). */
    public JsonNode meta()
    {
        return meta;
    }

    /**
     * Makes a corpus with the standard recipe in {@code dir} (replacing any): boots the {@code mix} guest,
     * migrates it and reads its stream.
     *
     * @param log told what is done.
     * @throws IOException if QEMU cannot be had or the migration fails.
     */
    public static void generate(final GuestImages images, final Path dir, final Consumer<String> log)
        throws IOException
    {
        final Path work = Files.createTempDirectory("livemig-corpus-");
        try
        {
            final Path stream = work.resolve("stream.mig");
            final QemuMigration.Settings settings = new QemuMigration.Settings(true, 64L << 20, 16L << 20, 50,
                false, 0, 10_000, 120_000);
            final QemuMigration.Outcome outcome;
            log.accept("booting the mix guest (128 MiB, TCG) for the real-guest corpus");
            try (QemuGuest guest = QemuGuest.start(images, GuestKind.MIX, 128L << 20, 1, "tcg", work, 300_000))
            {
                Commands.sleep(3000);
                outcome = QemuMigration.run(guest, settings, stream, work.resolve("ram.dump"));
            }
            final ObjectNode source = new ObjectMapper().createObjectNode();
            source.put("guest", "mix").put("memory", 128L << 20).put("qemu", outcome.qemuVersion())
                .put("kernel", images.kernelVersion()).put("recipe", "xbzrle on (64m cache), max-bandwidth 16m/s, " +
                    "downtime-limit 50 ms, converged after 10 s");
            source.set("xbzrleCache", outcome.status().path("xbzrle-cache"));
            source.put("bitmapSyncs", outcome.status().at("/ram/dirty-sync-count").asLong());
            write(stream, source, dir);
            log.accept("real-guest corpus written to " + dir);
        }
        finally
        {
            try (Stream<Path> paths = Files.walk(work))
            {
                for (final Path p : paths.sorted(Comparator.reverseOrder()).toList())
                {
                    Files.deleteIfExists(p);
                }
            }
        }
    }

    /**
     * Writes a corpus made from a QEMU stream to {@code dir} (replacing any): reads the stream, keeping the
     * pairs as its pc.ram pages are sent again, then samples pc.ram and computes the figures.
     *
     * @param source what made the stream, kept in the figures under {@code source}.
     */
    public static void write(final Path stream, final ObjectNode source, final Path dir) throws IOException
    {
        Files.createDirectories(dir.getParent() == null ? Path.of(".") : dir.getParent());
        final Path partial = Files.createTempDirectory(dir.toAbsolutePath().getParent(), "corpus-partial-");
        final ObjectNode meta = new ObjectMapper().createObjectNode();
        meta.put("version", VERSION);
        meta.set("source", source);
        try (FileChannel channel = FileChannel.open(stream, StandardOpenOption.READ);
            RamBlocks blocks = RamBlocks.learned(PAGE_SIZE, 8L << 30);
            OutputStream pairs = Files.newOutputStream(partial.resolve(PAIRS_FILE)))
        {
            final QemuStreamReader reader = new QemuStreamReader(channel, blocks, PageStreamDialect.QEMU, 1 << 20);
            final int[] ram = {-2};
            final int[] count = new int[1];
            final long[] xbzrleRecords = new long[1];
            final DirtyTraceRecorder passes = new DirtyTraceRecorder(blocks, "pc.ram", null);
            final java.util.BitSet sent = new java.util.BitSet();
            final PageHistory history = new PageHistory(blocks, (block, page, kind, before, after, offset, wire) -> {
                if (ram[0] == -2)
                {
                    ram[0] = blocks.indexOf("pc.ram");
                }
                xbzrleRecords[0] += kind == PageKind.XBZRLE ? 1 : 0;
                if (block != ram[0])
                {
                    return;
                }
                final boolean again = sent.get((int)page);
                sent.set((int)page);
                if (again && count[0] < MAX_PAIRS && kind != PageKind.ZERO)
                {
                    try
                    {
                        pairs.write(before);
                        pairs.write(after);
                    }
                    catch (final IOException ex)
                    {
                        throw new java.io.UncheckedIOException(ex);
                    }
                    count[0]++;
                }
            });
            reader.setListener(QemuStreamListener.all(passes, history));
            reader.read();
            final int index = blocks.indexOf("pc.ram");
            if (index < 0 || count[0] == 0)
            {
                throw new IOException(stream + " has " + (index < 0 ? "no pc.ram" : "no page of pc.ram sent twice") +
                    ": no corpus can be made from it");
            }
            meta.put("pairs", count[0]);
            meta.put("streamXbzrleRecords", xbzrleRecords[0]);
            passes.pagesPerPass().forEach(meta.putArray("pagesPerPass")::add);
            final io.livemig.memory.GuestMemory memory = blocks.memory(index);
            pages(memory, partial.resolve(PAGES_FILE), meta);
        }
        meta.setAll(pairFigures(Files.readAllBytes(partial.resolve(PAIRS_FILE))));
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(
            partial.resolve(META_FILE).toFile(), meta);
        if (Files.isDirectory(dir))
        {
            try (Stream<Path> old = Files.list(dir))
            {
                for (final Path p : old.toList())
                {
                    Files.delete(p);
                }
            }
            Files.delete(dir);
        }
        Files.move(partial, dir, StandardCopyOption.ATOMIC_MOVE);
    }

    /**
     * Writes a corpus of the given bytes to {@code dir} (replacing any), its figures {@code meta} with the
     * version and the pair count set: for tests, and for corpora made otherwise.
     *
     * @param pages {@value #PAGES} pages.
     * @param pairs old and new pages, one or more pairs.
     */
    public static void save(final Path dir, final byte[] pages, final byte[] pairs, final ObjectNode meta)
        throws IOException
    {
        if (pages.length != PAGES * PAGE_SIZE || pairs.length == 0 || pairs.length % (2 * PAGE_SIZE) != 0)
        {
            throw new IllegalArgumentException("a corpus has " + PAGES + " pages and whole pairs: " + pages.length +
                " and " + pairs.length + " bytes");
        }
        Files.createDirectories(dir);
        Files.write(dir.resolve(PAGES_FILE), pages);
        Files.write(dir.resolve(PAIRS_FILE), pairs);
        final ObjectNode m = meta.deepCopy();
        m.put("version", VERSION);
        m.put("pairs", pairs.length / (2 * PAGE_SIZE));
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(dir.resolve(META_FILE).toFile(), m);
    }

    /** Writes every n-th page of pc.ram to {@code file}; the zero fraction and LZ4 ratio go into {@code meta}. */
    private static void pages(final io.livemig.memory.GuestMemory ram, final Path file, final ObjectNode meta)
        throws IOException
    {
        final long total = ram.pageCount();
        long zero = 0;
        final byte[] page = new byte[PAGE_SIZE];
        for (long p = 0; p < total; p++)
        {
            ram.readPage(p, page, 0);
            zero += isZero(page) ? 1 : 0;
        }
        final Lz4PageCodec lz4 = new Lz4PageCodec(PAGE_SIZE);
        final UnsafeBuffer source = new UnsafeBuffer(new byte[PAGE_SIZE]);
        final UnsafeBuffer block = new UnsafeBuffer(new byte[2 * PAGE_SIZE]);
        long nonZero = 0;
        long compressed = 0;
        long incompressible = 0;
        try (OutputStream out = Files.newOutputStream(file))
        {
            for (int i = 0; i < PAGES; i++)
            {
                final long p = i * total / PAGES;
                ram.readPage(p, page, 0);
                out.write(page);
                if (!isZero(page))
                {
                    nonZero++;
                    source.putBytes(0, page);
                    final int length = lz4.compress(source, 0, block, 0);
                    compressed += length < 0 ? PAGE_SIZE : length;
                    incompressible += length < 0 ? 1 : 0;
                }
            }
        }
        meta.put("ramPages", total);
        meta.put("zeroPageFraction", (double)zero / total);
        meta.put("samplePages", PAGES);
        meta.put("sampleNonZeroPages", nonZero);
        meta.put("lz4Ratio", compressed == 0 ? 0 : (double)nonZero * PAGE_SIZE / compressed);
        meta.put("lz4Incompressible", incompressible);
    }

    /** livemig's XBZRLE encoder on each pair: unchanged, overflowing, and the bytes of the rest. */
    private static ObjectNode pairFigures(final byte[] pairs)
    {
        final byte[] old = new byte[PAGE_SIZE];
        final byte[] now = new byte[PAGE_SIZE];
        final byte[] delta = new byte[PAGE_SIZE];
        long unchanged = 0;
        long overflow = 0;
        long encoded = 0;
        long bytes = 0;
        for (int at = 0; at < pairs.length; at += 2 * PAGE_SIZE)
        {
            System.arraycopy(pairs, at, old, 0, PAGE_SIZE);
            System.arraycopy(pairs, at + PAGE_SIZE, now, 0, PAGE_SIZE);
            final int length = Xbzrle.encode(old, now, delta);
            if (length == 0)
            {
                unchanged++;
            }
            else if (length < 0)
            {
                overflow++;
            }
            else
            {
                encoded++;
                bytes += length;
            }
        }
        final ObjectNode figures = new ObjectMapper().createObjectNode();
        final long n = pairs.length / (2L * PAGE_SIZE);
        figures.put("xbzrleUnchanged", unchanged);
        figures.put("xbzrleOverflow", overflow);
        figures.put("xbzrleEncoded", encoded);
        figures.put("xbzrleOverflowRate", n == 0 ? 0 : (double)overflow / n);
        figures.put("xbzrleEncodingRate", bytes == 0 ? 0 : (double)encoded * PAGE_SIZE / bytes);
        return figures;
    }

    private static boolean isZero(final byte[] page)
    {
        return ZeroPage.isZero(page, 0, page.length);
    }
}
