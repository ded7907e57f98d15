package io.livemig.qemu;

import io.livemig.qemu.guest.GuestImages;
import io.livemig.qemu.guest.GuestKind;
import io.livemig.qemu.guest.QemuGuest;
import io.livemig.qemu.guest.QemuMigration;
import org.junit.jupiter.api.Assumptions;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Real QEMU migrations for the tests, each made once per test JVM and shared: the tests of one run only read
 * its files. Guests are small (64 MiB counter, 128 MiB Linux, the least the cloud kernel boots in), the link
 * fast, so that the QEMU tests cost seconds. The kernel and initramfs are prepared once into the shared cache
 * ({@link GuestImages#defaultCache()}), so CI's second JDK reuses them.
 *
 * <p>{@link #images} skips the calling test, with one line, only where QEMU cannot be had (not installed, and
 * not root or no apt-get); where it can, a failure to prepare it fails the test ({@code QemuGuardTest} checks
 * that these tests ran where they could).
 */
final class QemuRuns
{
    /** A migration's files. */
    record Run(Path dir, Path stream, Path dump, QemuMigration.Outcome outcome)
    {
    }

    private static final Map<String, Run> RUNS = new ConcurrentHashMap<>();
    private static GuestImages images;

    private QemuRuns()
    {
    }

    /** @return the prepared images (the Linux guest's too), or skips the test where QEMU cannot be had. */
    static synchronized GuestImages images()
    {
        final String why = GuestImages.whyNoQemu();
        Assumptions.assumeTrue(why == null, () -> "no QEMU here: " + why);
        if (images == null)
        {
            try
            {
                images = GuestImages.prepare(GuestImages.defaultCache(), true, line -> { });
            }
            catch (final IOException ex)
            {
                throw new UncheckedIOException("QEMU can be had here, but preparing it failed", ex);
            }
        }
        return images;
    }

    /** The counter guest (1024 pages), stopped before the migration; with or without XBZRLE. */
    static Run counterStopped(final boolean xbzrle)
    {
        return run("counter-stopped-" + xbzrle, GuestKind.COUNTER, 64L << 20, new QemuMigration.Settings(xbzrle,
            64L << 20, 1L << 30, 300, true, 0, 0, 60_000));
    }

    /**
     * The counter guest writing its 1024 pages through the migration, with XBZRLE over 8 MiB/s: several rounds of
     * one-byte deltas. Made to converge after 2 s.
     */
    static Run counterWriting()
    {
        return run("counter-writing", GuestKind.COUNTER, 64L << 20, new QemuMigration.Settings(true, 64L << 20,
            8L << 20, 300, false, 0, 2_000, 60_000));
    }

    /**
     * The Linux guest running its program mix through the migration, with XBZRLE over 16 MiB/s and a 50 ms
     * downtime limit: several passes over memory, hundreds of XBZRLE records. Made to converge after 8 s.
     */
    static Run linuxWriting()
    {
        return run("linux-writing", GuestKind.MIX, 128L << 20, new QemuMigration.Settings(true, 64L << 20,
            16L << 20, 50, false, 0, 8_000, 60_000));
    }

    private static void delete(final Path dir)
    {
        try (var paths = Files.walk(dir))
        {
            for (final Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList())
            {
                Files.deleteIfExists(p);
            }
        }
        catch (final IOException ex)
        {
            // a temporary directory left behind
        }
    }

    private static synchronized Run run(final String name, final GuestKind kind, final long memory,
        final QemuMigration.Settings settings)
    {
        final GuestImages prepared = images();
        return RUNS.computeIfAbsent(name, n -> {
            try
            {
                final Path dir = Files.createTempDirectory("livemig-qemu-" + n + "-");
                Runtime.getRuntime().addShutdownHook(new Thread(() -> delete(dir)));
                final Path stream = dir.resolve("stream.mig");
                final Path dump = dir.resolve("ram.dump");
                try (QemuGuest guest = QemuGuest.start(prepared, kind, memory, 1024, "tcg", dir, 120_000))
                {
                    Thread.sleep(500);
                    return new Run(dir, stream, dump, QemuMigration.run(guest, settings, stream, dump));
                }
            }
            catch (final IOException ex)
            {
                throw new UncheckedIOException(ex);
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(ex);
            }
        });
    }
}
