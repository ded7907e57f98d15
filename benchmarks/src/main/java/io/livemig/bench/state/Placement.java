package io.livemig.bench.state;

import io.livemig.bench.anchor.QemuAnchors;
import org.agrona.BufferUtil;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Where a benchmark's inputs sit in memory, so that a Java row and its C anchor read their bytes at the same
 * alignment and the report can show it: the address of an off-heap buffer, or of a heap array's elements (which
 * only JNI can tell: {@link QemuAnchors#arrayAddress}, so only where the anchors' library is available); the
 * transparent huge pages of the mapping that holds an address ({@code AnonHugePages} in
 * {@code /proc/self/smaps}); where the anchors' library was loaded; and page-aligned heap copies.
 *
 * <p>A heap array's address holds while the array does not move: G1 never moves a humongous array (half a
 * region or more: every input here is 32 or 64 MiB), so the address read at set-up holds for the trial.
 *
 * <p>Stateless but for a cached answer to whether the library can be loaded; thread-safe.
 */
public final class Placement
{
    /** What an unknown address or huge-page size is recorded as. */
    public static final long UNKNOWN = -1;

    private static volatile Boolean anchorsLoadable;

    private Placement()
    {
    }

    /** @return whether the anchors' library is loaded or can be ({@value QemuAnchors#LIBRARY_PROPERTY} is set). */
    public static boolean anchorsLoadable()
    {
        if (QemuAnchors.isLoaded())
        {
            return true;
        }
        Boolean loadable = anchorsLoadable;
        if (loadable == null)
        {
            try
            {
                QemuAnchors.require();
                loadable = true;
            }
            catch (final IllegalStateException ex)
            {
                loadable = false;
            }
            anchorsLoadable = loadable;
        }
        return loadable;
    }

    /**
     * @return the address of byte {@code index} of {@code buffer}: off the heap, its raw address; on the heap, the
     *         array's element address through JNI where the library is available, else {@link #UNKNOWN}.
     */
    public static long addressOf(final UnsafeBuffer buffer, final int index)
    {
        final byte[] array = buffer.byteArray();
        if (array == null)
        {
            return buffer.addressOffset() + index;
        }
        if (!anchorsLoadable())
        {
            return UNKNOWN;
        }
        return QemuAnchors.arrayAddress(array) + (buffer.addressOffset() - BufferUtil.ARRAY_BASE_OFFSET) + index;
    }

    /** @return the address of element 0 of {@code words} where the library is available, else {@link #UNKNOWN}. */
    public static long addressOf(final long[] words)
    {
        return words != null && anchorsLoadable() ? QemuAnchors.arrayAddress(words) : UNKNOWN;
    }

    /** @return {@code address} modulo the page size, or -1 if the address is {@link #UNKNOWN}. */
    public static int pageOffset(final long address)
    {
        return address == UNKNOWN ? -1 : (int)(address & (OffHeapPages.PAGE_SIZE - 1));
    }

    /**
     * @return {@code words}' offset into its page where it can be known (JNI), else 0: where a C copy of the
     *         words must start to sit at their alignment.
     */
    public static int pageOffsetOrZero(final long[] words)
    {
        return Math.max(0, pageOffset(addressOf(words)));
    }

    /**
     * @return a heap copy of {@code source} whose first byte is page aligned where the library can tell the array's
     *         address (else at the array's own start): an {@link UnsafeBuffer} over a slice of a larger array.
     */
    public static UnsafeBuffer pageAlignedHeapCopy(final UnsafeBuffer source)
    {
        final int length = source.capacity();
        final byte[] array = new byte[length + OffHeapPages.PAGE_SIZE];
        final long address = addressOf(new UnsafeBuffer(array), 0);
        final int skew = address == UNKNOWN ? 0 : (int)(-address & (OffHeapPages.PAGE_SIZE - 1));
        final UnsafeBuffer copy = new UnsafeBuffer(array, skew, length);
        source.getBytes(0, copy, 0, length);
        return copy;
    }

    /**
     * @param smaps   the text of {@code /proc/self/smaps}.
     * @param address an address, or {@link #UNKNOWN}.
     * @return the {@code AnonHugePages} (KiB) of the mapping holding {@code address}, or {@link #UNKNOWN}.
     */
    static long hugeKiB(final String smaps, final long address)
    {
        if (address == UNKNOWN)
        {
            return UNKNOWN;
        }
        boolean inside = false;
        for (final String line : smaps.split("\n"))
        {
            final int dash = line.indexOf('-');
            final int space = line.indexOf(' ');
            if (dash > 0 && space > dash && line.substring(0, dash).matches("[0-9a-f]+"))
            {
                final long start = Long.parseUnsignedLong(line.substring(0, dash), 16);
                final long end = Long.parseUnsignedLong(line.substring(dash + 1, space), 16);
                inside = Long.compareUnsigned(address, start) >= 0 && Long.compareUnsigned(address, end) < 0;
            }
            else if (inside && line.startsWith("AnonHugePages:"))
            {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        return UNKNOWN;
    }

    /** @return {@link #hugeKiB(String, long)} of each address, over this process's smaps read once. */
    public static long[] hugeKiB(final List<Long> addresses)
    {
        final String smaps = read(Path.of("/proc/self/smaps"));
        return addresses.stream().mapToLong(a -> hugeKiB(smaps, a)).toArray();
    }

    /**
     * @param maps the text of {@code /proc/self/maps}.
     * @param file the path of a loaded library.
     * @return the start of its first executable mapping, or {@link #UNKNOWN}.
     */
    static long textAddress(final String maps, final String file)
    {
        for (final String line : maps.split("\n"))
        {
            final String[] f = line.trim().split("\\s+");
            if (f.length >= 6 && f[1].startsWith("r-x") && f[f.length - 1].equals(file))
            {
                return Long.parseUnsignedLong(f[0].substring(0, f[0].indexOf('-')), 16);
            }
        }
        return UNKNOWN;
    }

    /** @return where this process mapped the anchors' code, or {@link #UNKNOWN} if the library is not loaded. */
    public static long anchorLibraryAddress()
    {
        final Path library = QemuAnchors.loadedFrom();
        return library == null ? UNKNOWN : textAddress(read(Path.of("/proc/self/maps")), library.toString());
    }

    private static String read(final Path file)
    {
        try
        {
            return Files.readString(file, StandardCharsets.ISO_8859_1);
        }
        catch (final IOException | RuntimeException ex)
        {
            return "";
        }
    }
}
