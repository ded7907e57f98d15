package io.livemig.kernel;

/**
 * The Linux {@code errno} values the kernel trackers meet (include/uapi/asm-generic/errno-base.h, errno.h),
 * by name, for messages.
 *
 * <p>Thread-safety: constants only.
 */
public final class Errno
{
    /** Operation not permitted. */
    public static final int EPERM = 1;
    /** Interrupted system call. */
    public static final int EINTR = 4;
    /** Try again (nothing to read on a non-blocking descriptor). */
    public static final int EAGAIN = 11;
    /** Out of memory. */
    public static final int ENOMEM = 12;
    /** Bad address. */
    public static final int EFAULT = 14;
    /** Device or resource busy. */
    public static final int EBUSY = 16;
    /** Already exists (a page already placed). */
    public static final int EEXIST = 17;
    /** Invalid argument. */
    public static final int EINVAL = 22;
    /** Inappropriate ioctl for device. */
    public static final int ENOTTY = 25;
    /** Function not implemented. */
    public static final int ENOSYS = 38;

    private Errno()
    {
    }

    /** @return the symbolic name of {@code errno}, or {@code "errno N"}. */
    public static String name(final int errno)
    {
        switch (errno)
        {
            case EPERM: return "EPERM";
            case EINTR: return "EINTR";
            case EAGAIN: return "EAGAIN";
            case ENOMEM: return "ENOMEM";
            case EFAULT: return "EFAULT";
            case EBUSY: return "EBUSY";
            case EEXIST: return "EEXIST";
            case EINVAL: return "EINVAL";
            case ENOTTY: return "ENOTTY";
            case ENOSYS: return "ENOSYS";
            default: return "errno " + errno;
        }
    }
}
