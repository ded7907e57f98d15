package io.livemig.qemu.guest;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * What a QEMU guest of livemig needs on the host, prepared once into a cache directory (default {@code
 * ~/.cache/livemig/qemu}; nothing of it is committed):
 * <ul>
 *   <li>{@code qemu-system-x86_64}: found on the {@code PATH}, or installed with {@code apt-get install -y
 *       qemu-system-x86} when this process is root and apt is there;</li>
 *   <li>a Linux kernel: Debian's cloud kernel, resolved at run time through the meta package ({@code apt-cache
 *       depends linux-image-cloud-amd64}), fetched with {@code apt-get download} and unpacked with {@code
 *       dpkg-deb -x};</li>
 *   <li>an initramfs: a static busybox (package {@code busybox-static}) as {@code /bin/busybox} and livemig's
 *       {@code /init} ({@link GuestInit}), written as a gzipped newc cpio archive by {@link CpioNewc};</li>
 *   <li>the counter guest ({@link CounterGuestImage}), which needs neither kernel nor busybox.</li>
 * </ul>
 * A file lock on the cache serialises preparations (tests and commands may run at once), and each file is
 * written to a temporary name and moved into place, so a cache is either whole or rebuilt. Every command has a
 * deadline ({@link Commands}). What apt prints goes to the {@code log} consumer (shown with {@code --verbose}).
 *
 * <p>Immutable once prepared; thread-safe.
 */
public final class GuestImages
{
    /** Deadline of installing QEMU (a fresh machine may also need {@code apt-get update}). */
    static final long INSTALL_TIMEOUT_MS = 15 * 60_000;
    /** Deadline of each apt or dpkg command that fetches the guest. */
    static final long FETCH_TIMEOUT_MS = 5 * 60_000;
    /** The meta package whose dependency names the current cloud kernel. */
    static final String KERNEL_META_PACKAGE = "linux-image-cloud-amd64";
    static final String BUSYBOX_PACKAGE = "busybox-static";
    static final String QEMU_PACKAGE = "qemu-system-x86";
    static final String QEMU_BINARY = "qemu-system-x86_64";
    private static final Map<String, String> APT_ENV = Map.of("DEBIAN_FRONTEND", "noninteractive");

    private final Path qemu;
    private final Path kernel;
    private final Path initramfs;
    private final Path cache;

    private GuestImages(final Path qemu, final Path kernel, final Path initramfs, final Path cache)
    {
        this.qemu = qemu;
        this.kernel = kernel;
        this.initramfs = initramfs;
        this.cache = cache;
    }

    /** @return the default cache: {@code $LIVEMIG_QEMU_CACHE}, or {@code ~/.cache/livemig/qemu}. */
    public static Path defaultCache()
    {
        final String env = System.getenv("LIVEMIG_QEMU_CACHE");
        return env != null && !env.isBlank() ? Path.of(env) :
            Path.of(System.getProperty("user.home"), ".cache", "livemig", "qemu");
    }

    /**
     * @return null if QEMU can be had here (it is installed, or this process is root and apt-get is there),
     *         else why not, in a few words.
     */
    public static String whyNoQemu()
    {
        if (Commands.onPath(QEMU_BINARY) != null)
        {
            return null;
        }
        if (!Commands.isRoot())
        {
            return QEMU_BINARY + " is not installed and this process is not root (apt-get install " + QEMU_PACKAGE +
                " needs root)";
        }
        return Commands.onPath("apt-get") == null ? QEMU_BINARY + " is not installed and there is no apt-get" : null;
    }

    /**
     * Finds or installs QEMU and makes sure the cache holds a kernel and an initramfs.
     *
     * @param cache   the cache directory.
     * @param linux   whether the Linux guest is needed (kernel and initramfs); the counter guest needs only QEMU.
     * @param log     told what is done, a line at a time (apt's output included).
     * @return the prepared images.
     * @throws IOException if something cannot be had: the message says what and why.
     */
    public static GuestImages prepare(final Path cache, final boolean linux, final Consumer<String> log)
        throws IOException
    {
        Files.createDirectories(cache);
        try (FileChannel lockFile = FileChannel.open(cache.resolve(".lock"), StandardOpenOption.CREATE,
            StandardOpenOption.WRITE); FileLock lock = lock(lockFile, cache))
        {
            final Path qemu = qemu(log);
            if (!linux)
            {
                return new GuestImages(qemu, null, null, cache);
            }
            final Path kernel = kernel(cache, log);
            final Path initramfs = initramfs(cache, log);
            return new GuestImages(qemu, kernel, initramfs, cache);
        }
    }

    /** Takes the cache's lock, waiting at most as long as an install may take. */
    private static FileLock lock(final FileChannel file, final Path cache) throws IOException
    {
        final long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(INSTALL_TIMEOUT_MS);
        while (true)
        {
            FileLock lock = null;
            try
            {
                lock = file.tryLock();
            }
            catch (final java.nio.channels.OverlappingFileLockException ex)
            {
                // another thread of this JVM prepares the cache: wait for it as for another process
            }
            if (lock != null)
            {
                return lock;
            }
            if (System.nanoTime() - deadline > 0)
            {
                throw new IOException("another process has held the lock of " + cache + " for " +
                    INSTALL_TIMEOUT_MS / 60_000 + " minutes");
            }
            Commands.sleep(200);
        }
    }

    private static Path qemu(final Consumer<String> log) throws IOException
    {
        final Path found = Commands.onPath(QEMU_BINARY);
        if (found != null)
        {
            return found;
        }
        final String why = whyNoQemu();
        if (why != null)
        {
            throw new IOException("QEMU cannot be had: " + why);
        }
        log.accept("installing " + QEMU_PACKAGE + " with apt-get (it is not installed)");
        try
        {
            log.accept(Commands.run(List.of("apt-get", "install", "-y", QEMU_PACKAGE), null, APT_ENV,
                INSTALL_TIMEOUT_MS));
        }
        catch (final IOException first)
        {
            log.accept("apt-get install failed (" + first.getMessage() + "); running apt-get update and trying again");
            log.accept(Commands.run(List.of("apt-get", "update"), null, APT_ENV, INSTALL_TIMEOUT_MS));
            log.accept(Commands.run(List.of("apt-get", "install", "-y", QEMU_PACKAGE), null, APT_ENV,
                INSTALL_TIMEOUT_MS));
        }
        final Path installed = Commands.onPath(QEMU_BINARY);
        if (installed == null)
        {
            throw new IOException("apt-get installed " + QEMU_PACKAGE + " but " + QEMU_BINARY + " is not on the PATH");
        }
        return installed;
    }

    /** The kernel: {@code cache/vmlinuz}, fetched and unpacked once. */
    private static Path kernel(final Path cache, final Consumer<String> log) throws IOException
    {
        final Path kernel = cache.resolve("vmlinuz");
        if (Files.isRegularFile(kernel))
        {
            return kernel;
        }
        final String depends = apt(List.of("apt-cache", "depends", KERNEL_META_PACKAGE), null, log);
        final String image = depends.lines().map(String::strip).filter(l -> l.startsWith("Depends: linux-image-"))
            .map(l -> l.substring("Depends: ".length()).strip()).findFirst()
            .orElseThrow(() -> new IOException("apt-cache depends " + KERNEL_META_PACKAGE + " names no " +
                "linux-image package: " + depends.strip()));
        log.accept("fetching the guest kernel " + image);
        final Path unpacked = fetch(cache, List.of(KERNEL_META_PACKAGE, image), log);
        try (Stream<Path> boot = Files.list(unpacked.resolve("boot")))
        {
            final Path vmlinuz = boot.filter(p -> p.getFileName().toString().startsWith("vmlinuz-")).findFirst()
                .orElseThrow(() -> new IOException(image + " has no boot/vmlinuz-*"));
            moveInto(vmlinuz, kernel);
            Files.writeString(cache.resolve("kernel-version"), vmlinuz.getFileName() + "\n");
        }
        finally
        {
            deleteFetch(unpacked);
        }
        return kernel;
    }

    /** The initramfs: busybox and livemig's init, {@code cache/initramfs-<init version>.gz}. */
    private static Path initramfs(final Path cache, final Consumer<String> log) throws IOException
    {
        final Path initramfs = cache.resolve("initramfs-" + GuestInit.VERSION + ".gz");
        if (Files.isRegularFile(initramfs))
        {
            return initramfs;
        }
        final Path busybox = cache.resolve("busybox");
        if (!Files.isRegularFile(busybox))
        {
            log.accept("fetching " + BUSYBOX_PACKAGE);
            final Path unpacked = fetch(cache, List.of(BUSYBOX_PACKAGE), log);
            try
            {
                moveInto(unpacked.resolve("bin").resolve("busybox"), busybox);
            }
            finally
            {
                deleteFetch(unpacked);
            }
        }
        final Path partial = cache.resolve(initramfs.getFileName() + ".partial");
        try (OutputStream out = Files.newOutputStream(partial); CpioNewc cpio = new CpioNewc(out))
        {
            for (final String dir : new String[] {"bin", "dev", "proc", "sys", "tmp"})
            {
                cpio.directory(dir);
            }
            cpio.characterDevice("dev/console", 5, 1);
            cpio.file("bin/busybox", 0755, Files.readAllBytes(busybox));
            cpio.file("init", 0755, GuestInit.script().getBytes(StandardCharsets.US_ASCII));
        }
        Files.move(partial, initramfs, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        return initramfs;
    }

    /** Downloads {@code packages} with apt-get into a scratch directory of the cache and unpacks each there. */
    private static Path fetch(final Path cache, final List<String> packages, final Consumer<String> log)
        throws IOException
    {
        final Path scratch = Files.createTempDirectory(cache, "fetch-");
        final List<String> download = new java.util.ArrayList<>(List.of("apt-get", "download"));
        download.addAll(packages);
        try
        {
            apt(download, scratch, log);
        }
        catch (final IOException first)
        {
            if (!Commands.isRoot())
            {
                throw first;
            }
            log.accept("apt-get download failed (" + first.getMessage() + "); running apt-get update and trying again");
            apt(List.of("apt-get", "update"), null, log);
            apt(download, scratch, log);
        }
        final Path root = scratch.resolve("root");
        try (Stream<Path> debs = Files.list(scratch))
        {
            for (final Path deb : debs.filter(p -> p.toString().endsWith(".deb")).toList())
            {
                apt(List.of("dpkg-deb", "-x", deb.toString(), root.toString()), null, log);
            }
        }
        return root;
    }

    private static String apt(final List<String> command, final Path dir, final Consumer<String> log)
        throws IOException
    {
        if (Commands.onPath(command.get(0)) == null)
        {
            throw new IOException("the guest kernel and busybox come from Debian packages, but " + command.get(0) +
                " is not on the PATH");
        }
        final String output = Commands.run(command, dir, APT_ENV, FETCH_TIMEOUT_MS);
        if (!output.isBlank())
        {
            log.accept(output.strip());
        }
        return output;
    }

    private static void moveInto(final Path from, final Path to) throws IOException
    {
        final Path partial = to.resolveSibling(to.getFileName() + ".partial");
        Files.copy(from, partial, StandardCopyOption.REPLACE_EXISTING);
        Files.move(partial, to, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /** Deletes the scratch directory of {@link #fetch} that holds {@code root}, with everything in it. */
    private static void deleteFetch(final Path root) throws IOException
    {
        final Path top = root.getParent();
        try (Stream<Path> paths = Files.walk(top))
        {
            for (final Path p : paths.sorted(Comparator.reverseOrder()).toList())
            {
                Files.deleteIfExists(p);
            }
        }
    }

    /** @return {@code qemu-system-x86_64}. */
    public Path qemu()
    {
        return qemu;
    }

    /** @return the guest kernel, or null if only the counter guest was prepared. */
    public Path kernel()
    {
        return kernel;
    }

    /** @return the initramfs, or null if only the counter guest was prepared. */
    public Path initramfs()
    {
        return initramfs;
    }

    /** @return the cache directory. */
    public Path cache()
    {
        return cache;
    }

    /** @return the kernel's file name as the package had it (e.g. {@code vmlinuz-6.1.0-50-cloud-amd64}), or "". */
    public String kernelVersion()
    {
        try
        {
            return Files.readString(cache.resolve("kernel-version")).strip();
        }
        catch (final IOException ex)
        {
            return "";
        }
    }
}
