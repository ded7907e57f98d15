package io.livemig.kernel;

/**
 * A system call failed: the message names the call, its arguments where they help, and {@code errno}.
 *
 * <p>Thread-safety: immutable.
 */
public final class NativeCallException extends RuntimeException
{
    private static final long serialVersionUID = 1L;

    private final int errno;

    /**
     * @param call  the call as a reader would write it, e.g. {@code ioctl(uffd, UFFDIO_API)}.
     * @param errno the {@code errno} the call left.
     */
    public NativeCallException(final String call, final int errno)
    {
        super(call + " failed: errno " + errno + " (" + Errno.name(errno) + ")");
        this.errno = errno;
    }

    /** @return the {@code errno} of the failed call. */
    public int errno()
    {
        return errno;
    }
}
