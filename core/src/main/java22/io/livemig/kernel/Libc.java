package io.livemig.kernel;

import java.lang.foreign.AddressLayout;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * The C library calls of the kernel trackers, bound through FFM: {@code mmap}, {@code munmap}, {@code
 * madvise}, {@code syscall} (variadic, for {@code userfaultfd(2)}, which glibc does not wrap everywhere),
 * {@code ioctl} (variadic from its third argument), {@code open}, {@code read}, {@code poll}, {@code close},
 * and {@code memcpy}/{@code memset} for the stores that must run "in native" (see {@link NativeStoreBuffer}).
 * Calls that can fail capture {@code errno} through {@link Linker.Option#captureCallState}: each caller passes
 * an {@link Errno} holder it owns, and a failure becomes a {@link NativeCallException} naming the call.
 *
 * <p>None of the downcalls is {@code critical}: every one moves its thread to the "in native" state, so a
 * thread blocked in one (in a page fault, in {@code poll}) never holds up a safepoint.
 *
 * <p>Thread-safety: the handles are immutable and safe for any thread; an {@link Errno} holder is for one
 * thread at a time.
 */
@SuppressWarnings("restricted") // binding libc is this class's purpose; run with --enable-native-access=ALL-UNNAMED
final class Libc
{
    static final Linker LINKER = Linker.nativeLinker();
    private static final SymbolLookup LIBC = LINKER.defaultLookup();
    /** {@code errno} as the call left it; see {@link Linker.Option#captureStateLayout}. */
    static final StructLayout CAPTURE_LAYOUT = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CAPTURE_LAYOUT.varHandle(MemoryLayout.PathElement.groupElement("errno"));
    private static final Linker.Option CAPTURE_ERRNO = Linker.Option.captureCallState("errno");
    private static final AddressLayout POINTER = ADDRESS;

    /** sys/mman.h. */
    static final int PROT_READ = 0x1;
    static final int PROT_WRITE = 0x2;
    static final int MAP_PRIVATE = 0x02;
    static final int MAP_ANONYMOUS = 0x20;
    static final int MAP_NORESERVE = 0x4000;
    static final int MAP_POPULATE = 0x8000;
    static final int MADV_DONTNEED = 4;
    static final int MADV_HUGEPAGE = 14;
    static final int MADV_NOHUGEPAGE = 15;
    /** fcntl.h. */
    static final int O_RDONLY = 0;
    static final int O_NONBLOCK = 0x800;
    static final int O_CLOEXEC = 0x80000;
    /** poll.h. */
    static final short POLLIN = 0x1;
    /** The {@code userfaultfd} system call on x86-64 (arch/x86/entry/syscalls/syscall_64.tbl) and aarch64. */
    static final long SYS_USERFAULTFD = "aarch64".equals(System.getProperty("os.arch")) ? 282 : 323;

    /** struct pollfd of poll.h: {@code int fd; short events; short revents;}. */
    static final StructLayout POLLFD = MemoryLayout.structLayout(
        JAVA_INT.withName("fd"), ValueLayout.JAVA_SHORT.withName("events"), ValueLayout.JAVA_SHORT.withName("revents"));

    private static final MethodHandle MMAP = errnoCall("mmap",
        FunctionDescriptor.of(POINTER, POINTER, JAVA_LONG, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_LONG));
    private static final MethodHandle MUNMAP = errnoCall("munmap", FunctionDescriptor.of(JAVA_INT, POINTER, JAVA_LONG));
    private static final MethodHandle MADVISE = errnoCall("madvise",
        FunctionDescriptor.of(JAVA_INT, POINTER, JAVA_LONG, JAVA_INT));
    /** {@code long syscall(long number, ...)}, here with one {@code int} variadic argument. */
    private static final MethodHandle SYSCALL_INT = errnoCall("syscall",
        FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_INT), Linker.Option.firstVariadicArg(1));
    /** {@code int ioctl(int fd, unsigned long request, ...)}, here with one pointer variadic argument. */
    private static final MethodHandle IOCTL = errnoCall("ioctl",
        FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, POINTER), Linker.Option.firstVariadicArg(2));
    /** {@code int open(const char *path, int flags, ...)}, with the mode as its variadic argument. */
    private static final MethodHandle OPEN = errnoCall("open",
        FunctionDescriptor.of(JAVA_INT, POINTER, JAVA_INT, JAVA_INT), Linker.Option.firstVariadicArg(2));
    private static final MethodHandle READ = errnoCall("read", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, POINTER, JAVA_LONG));
    private static final MethodHandle POLL = errnoCall("poll", FunctionDescriptor.of(JAVA_INT, POINTER, JAVA_LONG, JAVA_INT));
    private static final MethodHandle CLOSE = errnoCall("close", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    private static final MethodHandle MEMCPY = LINKER.downcallHandle(LIBC.find("memcpy").orElseThrow(),
        FunctionDescriptor.of(POINTER, POINTER, POINTER, JAVA_LONG));
    private static final MethodHandle MEMSET = LINKER.downcallHandle(LIBC.find("memset").orElseThrow(),
        FunctionDescriptor.of(POINTER, POINTER, JAVA_INT, JAVA_LONG));

    private Libc()
    {
    }

    private static MethodHandle errnoCall(final String name, final FunctionDescriptor descriptor, final Linker.Option... more)
    {
        final Linker.Option[] options = new Linker.Option[more.length + 1];
        options[0] = CAPTURE_ERRNO;
        System.arraycopy(more, 0, options, 1, more.length);
        return LINKER.downcallHandle(LIBC.find(name).orElseThrow(() -> new UnsatisfiedLinkError("libc has no " + name)),
            descriptor, options);
    }

    /** A place for one thread's captured {@code errno}; reused across calls. */
    static final class Errno
    {
        final MemorySegment state;

        Errno(final Arena arena)
        {
            state = arena.allocate(CAPTURE_LAYOUT);
        }

        int get()
        {
            return (int)ERRNO.get(state, 0L);
        }
    }

    /** @return the address of {@code length} fresh bytes, or throws naming the call. */
    static long mmap(final Errno errno, final long length, final int prot, final int flags)
    {
        final MemorySegment at;
        try
        {
            at = (MemorySegment)MMAP.invokeExact(errno.state, MemorySegment.NULL, length, prot, flags, -1, 0L);
        }
        catch (final Throwable t)
        {
            throw rethrow(t);
        }
        if (at.address() == -1L)
        {
            throw new NativeCallException("mmap(" + length + " bytes, flags 0x" + Integer.toHexString(flags) + ")", errno.get());
        }
        return at.address();
    }

    static void munmap(final Errno errno, final long address, final long length)
    {
        final int rc;
        try
        {
            rc = (int)MUNMAP.invokeExact(errno.state, MemorySegment.ofAddress(address), length);
        }
        catch (final Throwable t)
        {
            throw rethrow(t);
        }
        check(rc, "munmap", errno);
    }

    static void madvise(final Errno errno, final long address, final long length, final int advice)
    {
        final int rc;
        try
        {
            rc = (int)MADVISE.invokeExact(errno.state, MemorySegment.ofAddress(address), length, advice);
        }
        catch (final Throwable t)
        {
            throw rethrow(t);
        }
        check(rc, "madvise(" + advice + ")", errno);
    }

    /** @return {@code syscall(number, arg)}'s result; -1 with {@code errno} set on failure (not thrown). */
    static long syscall(final Errno errno, final long number, final int arg)
    {
        try
        {
            return (long)SYSCALL_INT.invokeExact(errno.state, number, arg);
        }
        catch (final Throwable t)
        {
            throw rethrow(t);
        }
    }

    /** @return {@code ioctl(fd, request, arg)}'s result; -1 with {@code errno} set on failure (not thrown). */
    static int ioctl(final Errno errno, final int fd, final long request, final MemorySegment arg)
    {
        try
        {
            return (int)IOCTL.invokeExact(errno.state, fd, request, arg);
        }
        catch (final Throwable t)
        {
            throw rethrow(t);
        }
    }

    /** @return a new descriptor for {@code path}, opened read-only and close-on-exec. */
    static int openReadOnly(final Errno errno, final String path)
    {
        final int fd;
        try (Arena arena = Arena.ofConfined())
        {
            fd = (int)OPEN.invokeExact(errno.state, arena.allocateFrom(path), O_RDONLY | O_CLOEXEC, 0);
        }
        catch (final Throwable t)
        {
            throw rethrow(t);
        }
        return check(fd, "open(" + path + ")", errno);
    }

    /** @return bytes read; -1 with {@code errno} set on failure (not thrown). */
    static long read(final Errno errno, final int fd, final MemorySegment buffer, final long length)
    {
        try
        {
            return (long)READ.invokeExact(errno.state, fd, buffer, length);
        }
        catch (final Throwable t)
        {
            throw rethrow(t);
        }
    }

    /** @return {@code poll}'s result; -1 with {@code errno} set on failure (not thrown). */
    static int poll(final Errno errno, final MemorySegment pollfds, final long count, final int timeoutMs)
    {
        try
        {
            return (int)POLL.invokeExact(errno.state, pollfds, count, timeoutMs);
        }
        catch (final Throwable t)
        {
            throw rethrow(t);
        }
    }

    static void close(final Errno errno, final int fd)
    {
        final int rc;
        try
        {
            rc = (int)CLOSE.invokeExact(errno.state, fd);
        }
        catch (final Throwable t)
        {
            throw rethrow(t);
        }
        check(rc, "close(" + fd + ")", errno);
    }

    /** {@code memcpy(dst, src, length)} in native state. */
    static void memcpy(final long dst, final long src, final long length)
    {
        try
        {
            final MemorySegment ignored = (MemorySegment)MEMCPY.invokeExact(
                MemorySegment.ofAddress(dst), MemorySegment.ofAddress(src), length);
        }
        catch (final Throwable t)
        {
            throw rethrow(t);
        }
    }

    /** {@code memset(dst, value, length)} in native state. */
    static void memset(final long dst, final int value, final long length)
    {
        try
        {
            final MemorySegment ignored = (MemorySegment)MEMSET.invokeExact(MemorySegment.ofAddress(dst), value, length);
        }
        catch (final Throwable t)
        {
            throw rethrow(t);
        }
    }

    /** @return {@code rc} if it is not negative, else throws naming {@code call} and {@code errno}. */
    static int check(final int rc, final String call, final Errno errno)
    {
        if (rc < 0)
        {
            throw new NativeCallException(call, errno.get());
        }
        return rc;
    }

    static RuntimeException rethrow(final Throwable t)
    {
        if (t instanceof RuntimeException ex)
        {
            throw ex;
        }
        if (t instanceof Error err)
        {
            throw err;
        }
        throw new IllegalStateException(t);
    }
}
