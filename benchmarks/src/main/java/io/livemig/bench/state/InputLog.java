package io.livemig.bench.state;

import io.livemig.bench.anchor.InputDigest;
import io.livemig.bench.anchor.QemuAnchors;
import org.agrona.concurrent.UnsafeBuffer;
import org.openjdk.jmh.infra.BenchmarkParams;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.StringJoiner;
import java.util.TreeMap;

/**
 * Records, once per benchmark trial, a digest of the bytes the measured code reads, so that the report can
 * prove that livemig's row and its C anchor's row were measured on the same inputs and not just the same
 * statistics. A trial of a C anchor (a method whose name starts with {@value #ANCHOR_PREFIX}) digests its
 * inputs in C, through {@link QemuAnchors#digest}, over the very memory the C code is handed; every other
 * trial digests in Java ({@link InputDigest}) over what the Java code reads. The two implementations of the
 * digest agree byte for byte (the anchor tests check it), so equal digests mean equal bytes.
 *
 * <p>It also records where those bytes sit ({@link Placement}), so that the report can show that both sides read
 * them at the same alignment and with the same transparent huge pages, and so that a row that moves between
 * runs can be set beside the layout it had: each region's address, the {@code AnonHugePages} of the mapping
 * holding it, and, for a C trial, where the anchors' code was mapped.
 *
 * <p>The runner names the log with {@code -D}{@value #PROPERTY}{@code =FILE}; each fork appends one line per
 * trial: {@code benchmark TAB params (by name, k=v,...) TAB side TAB digest(hex) TAB bytes TAB addr=A,B,...
 * TAB thp=K,L,... TAB lib=X}, {@code side} being {@code java} or {@code c}; addresses are hex ({@code ?} where
 * unknown: a heap array without the anchors' library), {@code thp} the KiB of huge pages of each region's
 * mapping ({@code ?} unknown), {@code lib} the anchors' code address in a C trial ({@code -} otherwise). Without the property nothing is written (a benchmark run by hand, or a unit test), but a C
 * anchor still digests its inputs, so a missing library fails its trial at set-up with the library's reason.
 *
 * <p>Thread-safe for the single benchmark thread per trial that JMH set-up methods run on; forks append
 * one after another.
 */
public final class InputLog
{
    /** System property naming the log file. */
    public static final String PROPERTY = "livemig.inputs.log";
    /** The log's name in a result directory. */
    public static final String FILE = "inputs.tsv";
    /** Benchmark methods whose names start with this run QEMU's algorithms in C. */
    public static final String ANCHOR_PREFIX = "qemu";
    /** The digest's starting value. */
    public static final long SEED = 0xcbf29ce484222325L;

    private final BenchmarkParams run;
    private final boolean anchor;
    private long digest = SEED;
    private long bytes;
    private final List<Long> addresses = new ArrayList<>();

    private InputLog(final BenchmarkParams run)
    {
        this.run = run;
        this.anchor = run != null && isAnchor(run.getBenchmark());
        if (anchor)
        {
            QemuAnchors.require();
        }
    }

    /**
     * Starts the digest of one trial's inputs.
     *
     * @param run the trial's parameters as JMH injects them into a set-up method, or null (unit tests).
     * @return a digest to feed with every input region, in a fixed order, then {@link #write()}.
     * @throws IllegalStateException if the trial is a C anchor and the anchors' library cannot be loaded.
     */
    public static InputLog of(final BenchmarkParams run)
    {
        return new InputLog(run);
    }

    /** @return whether {@code benchmark} ({@code package.Class.method}) is a C anchor. */
    public static boolean isAnchor(final String benchmark)
    {
        return benchmark.substring(benchmark.lastIndexOf('.') + 1).startsWith(ANCHOR_PREFIX);
    }

    /** Adds {@code [offset, offset + length)} of {@code buffer} ({@code length} a multiple of 8). */
    public InputLog add(final UnsafeBuffer buffer, final int offset, final int length)
    {
        digest = anchor ? QemuAnchors.digest(buffer, offset, length, digest) :
            InputDigest.of(buffer, offset, length, digest);
        bytes += length;
        addresses.add(Placement.addressOf(buffer, offset));
        return this;
    }

    /** Adds the whole of {@code buffer}. */
    public InputLog add(final UnsafeBuffer buffer)
    {
        return add(buffer, 0, buffer.capacity());
    }

    /**
     * Adds a bitmap's words as the trial's code reads them: {@code words} in a Java trial, or in a C anchor's
     * trial the first {@code words.length} words of {@code offHeapCopy}, the copy the C code is handed. The
     * digest of the same words is the same either way.
     *
     * @param javaReads the array holding those words that the trial's Java code reads (a bitmap's own), for its
     *                  address; {@code words} itself when that is what it reads; null if unknown.
     */
    public InputLog addWords(final long[] words, final long[] javaReads, final UnsafeBuffer offHeapCopy)
    {
        if (anchor)
        {
            return add(offHeapCopy, 0, words.length * Long.BYTES);
        }
        digest = InputDigest.of(words, digest);
        bytes += (long)words.length * Long.BYTES;
        addresses.add(Placement.addressOf(javaReads));
        return this;
    }

    /** @return {@code params} as the log writes them: {@code k=v} joined by commas, in the map's order. */
    public static String paramsText(final Map<String, String> params)
    {
        final StringJoiner text = new StringJoiner(",");
        params.forEach((k, v) -> text.add(k + "=" + v));
        return text.toString();
    }

    /** @return the digest so far. */
    public long digest()
    {
        return digest;
    }

    /** @return the line's layout columns: {@code addr=...}, {@code thp=...}, {@code lib=...}, tab-separated. */
    String layout()
    {
        final long[] huge = Placement.hugeKiB(addresses);
        final StringJoiner addr = new StringJoiner(",", "addr=", "");
        final StringJoiner thp = new StringJoiner(",", "thp=", "");
        for (int i = 0; i < huge.length; i++)
        {
            final long address = addresses.get(i);
            addr.add(address == Placement.UNKNOWN ? "?" : Long.toHexString(address));
            thp.add(huge[i] == Placement.UNKNOWN ? "?" : Long.toString(huge[i]));
        }
        final long lib = anchor ? Placement.anchorLibraryAddress() : Placement.UNKNOWN;
        return addr + "\t" + thp + "\tlib=" + (lib == Placement.UNKNOWN ? "-" : Long.toHexString(lib));
    }

    /** Appends the trial's line to the log named by {@value #PROPERTY}, if any. */
    public void write()
    {
        final String file = System.getProperty(PROPERTY);
        if (file == null || file.isBlank() || run == null)
        {
            return;
        }
        final Map<String, String> params = new TreeMap<>();
        for (final String key : run.getParamsKeys())
        {
            params.put(key, run.getParam(key));
        }
        final String line = run.getBenchmark() + "\t" + paramsText(params) + "\t" + (anchor ? "c" : "java") + "\t" +
            String.format(Locale.ROOT, "%016x", digest) + "\t" + bytes + "\t" + layout() + "\n";
        try
        {
            Files.write(Path.of(file), line.getBytes(StandardCharsets.UTF_8), StandardOpenOption.CREATE,
                StandardOpenOption.APPEND, StandardOpenOption.WRITE);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot append to the input log " + file, ex);
        }
    }
}
