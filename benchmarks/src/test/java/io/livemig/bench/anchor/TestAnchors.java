package io.livemig.bench.anchor;

import io.livemig.Machine;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Builds and loads the C anchors once per test JVM, into a temporary folder removed at exit. A test that needs
 * them skips only where this machine has no C compiler ({@link #lacksCompiler}); where it has one, a build that
 * fails fails the test.
 */
public final class TestAnchors
{
    private static AnchorBuild.Result result;

    private TestAnchors()
    {
    }

    /**
     * Makes sure the anchors are loaded; skips the calling test only if no C compiler is installed, and fails
     * it if one is but the build fails.
     */
    public static synchronized AnchorBuild.Result load()
    {
        if (result == null)
        {
            try
            {
                final Path dir = Files.createTempDirectory("livemig-anchors-test");
                Runtime.getRuntime().addShutdownHook(new Thread(() -> delete(dir)));
                result = AnchorBuild.build(dir, Map.of());
            }
            catch (final IOException ex)
            {
                throw new UncheckedIOException(ex);
            }
            if (result.built())
            {
                QemuAnchors.load(result.library());
            }
        }
        Machine.skipOnlyIfLacking(lacksCompiler(), result.built() ? null :
            "anchor build failed: " + result.reason() + " (command " + result.command() + ")");
        return result;
    }

    /**
     * @return {@code null} where a C compiler is on this machine as {@link AnchorBuild} looks for one ({@code CC}
     *         if set, else {@code cc}, else {@code gcc}), found without AnchorBuild's own lookup; else why not.
     */
    public static String lacksCompiler()
    {
        final String cc = System.getenv("CC");
        if (cc != null && !cc.isBlank())
        {
            final Path named = Path.of(cc.trim());
            return cc.contains("/") ? (Files.isExecutable(named) ? null : "no executable CC " + cc) :
                Machine.lacksCommand(cc.trim());
        }
        return Machine.lacksCommand("cc") == null ? null : Machine.lacksCommand("gcc");
    }

    /** @return {@code bytes} zeroed bytes off the heap, 64-byte aligned (freed with the JVM). */
    static UnsafeBuffer offHeap(final int bytes)
    {
        final ByteBuffer direct = ByteBuffer.allocateDirect(bytes + 64);
        final UnsafeBuffer whole = new UnsafeBuffer(direct);
        final int skew = (int)((64 - (whole.addressOffset() & 63)) & 63);
        return new UnsafeBuffer(direct, skew, bytes);
    }

    /** @return a copy of {@code bytes} off the heap. */
    static UnsafeBuffer offHeap(final byte[] bytes)
    {
        final UnsafeBuffer buffer = offHeap(bytes.length);
        buffer.putBytes(0, bytes);
        return buffer;
    }

    private static void delete(final Path dir)
    {
        try (Stream<Path> files = Files.walk(dir))
        {
            files.sorted(Comparator.reverseOrder()).forEach(file -> file.toFile().delete());
        }
        catch (final IOException ignored)
        {
            // a temporary folder left behind is harmless
        }
    }
}
