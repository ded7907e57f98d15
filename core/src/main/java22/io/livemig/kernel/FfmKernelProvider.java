package io.livemig.kernel;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.Map;

import static io.livemig.kernel.Userfaultfd.UFFD_FEATURE_PAGEFAULT_FLAG_WP;
import static io.livemig.kernel.Userfaultfd.UFFD_FEATURE_WP_ASYNC;
import static io.livemig.kernel.Userfaultfd.UFFD_FEATURE_WP_UNPOPULATED;

/**
 * The FFM implementation behind {@link KernelTracking}, loaded by reflection on JDK 22+. Its probe opens a
 * throw-away userfaultfd (retrying with {@code UFFD_USER_MODE_ONLY} when the plain call is refused), asks
 * {@code UFFDIO_API} with no features for the features this kernel offers, and names the ones a tracker
 * needs that are absent. The result is computed once per tracker. Only named conditions become a reason: the
 * operating system, an {@code errno} of {@code userfaultfd(2)} or {@code UFFDIO_API}, absent features, native
 * access denied by the JVM's command line; any other exception propagates (a bug, which {@link KernelTracking}
 * reports as a failed probe, not as a property of the machine), and the next call probes again.
 *
 * <p>Thread-safety: safe for any thread (the probe's cache is guarded by this object's lock).
 */
public final class FfmKernelProvider implements KernelProvider
{
    /** What {@link KernelTracker#UFFD_WP_ASYNC} enables. */
    static final long ASYNC_FEATURES = UFFD_FEATURE_WP_ASYNC | UFFD_FEATURE_WP_UNPOPULATED;
    /** What {@link KernelTracker#UFFD_WP} needs; {@code WP_UNPOPULATED} is used when offered. */
    static final long SYNC_FEATURES = UFFD_FEATURE_PAGEFAULT_FLAG_WP;

    /** Whether the last {@link #openUffd} needed {@code UFFD_USER_MODE_ONLY}. */
    private static volatile boolean userModeOnly;

    private final Map<KernelTracker, String> verdicts = new EnumMap<>(KernelTracker.class);
    private long offered = -1;
    private String refusal;

    /** Public for {@link KernelTracking}'s reflective construction. */
    public FfmKernelProvider()
    {
    }

    @Override
    public synchronized String unavailable(final KernelTracker kind)
    {
        if (verdicts.containsKey(kind))
        {
            return verdicts.get(kind);
        }
        if (offered < 0 && refusal == null)
        {
            probe();
        }
        String verdict = refusal;
        if (verdict == null)
        {
            final long wanted = kind == KernelTracker.UFFD_WP_ASYNC ? ASYNC_FEATURES | SYNC_FEATURES : SYNC_FEATURES;
            final String missing = Userfaultfd.missingFeatures(wanted, offered);
            if (!missing.isEmpty())
            {
                verdict = "unavailable: the kernel (" + System.getProperty("os.version") + ") lacks " + missing +
                    " (UFFDIO_API offers features 0x" + Long.toHexString(offered) + ")";
            }
        }
        verdicts.put(kind, verdict);
        return verdict;
    }

    @Override
    public TrackedGuest open(final KernelTracker kind, final String blockName, final long size, final int pageSize,
        final boolean hugePages)
    {
        final long features;
        synchronized (this)
        {
            features = offered;
        }
        return kind == KernelTracker.UFFD_WP_ASYNC ?
            new AsyncWpGuest(blockName, size, pageSize, hugePages) :
            new SyncWpGuest(blockName, size, pageSize, hugePages, features & UFFD_FEATURE_WP_UNPOPULATED);
    }

    @Override
    public synchronized String faultsUnavailable()
    {
        if (offered < 0 && refusal == null)
        {
            probe();
        }
        return refusal; // MISSING mode, UFFDIO_COPY and UFFDIO_ZEROPAGE need no feature bit
    }

    @Override
    public FaultingGuest openFaulting(final String blockName, final long size, final int pageSize)
    {
        return new MissingFaultGuest(blockName, size, pageSize);
    }

    /** @return whether userfaultfds are opened with {@code UFFD_USER_MODE_ONLY} (no privilege for kernel faults). */
    static boolean userModeOnly()
    {
        return userModeOnly;
    }

    private void probe()
    {
        if (!"Linux".equals(System.getProperty("os.name")))
        {
            refusal = "unavailable: userfaultfd is Linux's, this is " + System.getProperty("os.name");
            return;
        }
        try (Arena arena = Arena.ofConfined())
        {
            final Libc.Errno errno = new Libc.Errno(arena);
            final int fd;
            try
            {
                fd = openUffd(errno);
            }
            catch (final NativeCallException ex)
            {
                refusal = ex.errno() == Errno.EPERM ?
                    "unavailable: no permission for userfaultfd (vm.unprivileged_userfaultfd=" + sysctl() +
                        ", and refused also with UFFD_USER_MODE_ONLY; needs CAP_SYS_PTRACE or the sysctl set to 1)" :
                    ex.errno() == Errno.ENOSYS ? "unavailable: the kernel has no userfaultfd (CONFIG_USERFAULTFD)" :
                    "unavailable: " + ex.getMessage();
                return;
            }
            try
            {
                final MemorySegment api = arena.allocate(Userfaultfd.uffdio_api);
                Userfaultfd.uffdio_api_api.set(api, 0L, Userfaultfd.UFFD_API);
                Userfaultfd.uffdio_api_features.set(api, 0L, 0L);
                if (Libc.ioctl(errno, fd, Userfaultfd.UFFDIO_API, api) < 0)
                {
                    refusal = "unavailable: ioctl(uffd, UFFDIO_API) failed: " + Errno.name(errno.get());
                    return;
                }
                offered = (long)Userfaultfd.uffdio_api_features.get(api, 0L);
            }
            finally
            {
                Libc.close(errno, fd);
            }
        }
        catch (final IllegalCallerException | ExceptionInInitializerError ex)
        {
            // Native access denied to this code (java --illegal-native-access=deny, or a module without
            // --enable-native-access): a condition of the JVM's command line, named. Anything else is a bug.
            final Throwable cause = ex instanceof ExceptionInInitializerError ? ex.getCause() : ex;
            if (!(cause instanceof IllegalCallerException))
            {
                throw ex;
            }
            refusal = "unavailable: native access is denied to the kernel trackers (run java with " +
                "--enable-native-access=ALL-UNNAMED): " + cause.getMessage();
        }
    }

    /**
     * Opens a userfaultfd, non-blocking and close-on-exec; when refused with {@code EPERM}, again with {@code
     * UFFD_USER_MODE_ONLY}, which needs no privilege and is enough here: every access to guest memory is a
     * user-mode access.
     */
    static int openUffd(final Libc.Errno errno)
    {
        final int flags = Libc.O_CLOEXEC | Libc.O_NONBLOCK;
        long fd = Libc.syscall(errno, Libc.SYS_USERFAULTFD, flags);
        if (fd < 0 && errno.get() == Errno.EPERM)
        {
            fd = Libc.syscall(errno, Libc.SYS_USERFAULTFD, flags | Userfaultfd.UFFD_USER_MODE_ONLY);
            userModeOnly = fd >= 0;
        }
        if (fd < 0)
        {
            throw new NativeCallException("userfaultfd(O_CLOEXEC | O_NONBLOCK)", errno.get());
        }
        return (int)fd;
    }

    private static String sysctl()
    {
        try
        {
            return Files.readString(Path.of("/proc/sys/vm/unprivileged_userfaultfd")).trim();
        }
        catch (final java.io.IOException | SecurityException ex)
        {
            return "unreadable";
        }
    }
}
