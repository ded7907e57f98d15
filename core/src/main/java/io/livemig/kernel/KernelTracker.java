package io.livemig.kernel;

import java.util.Locale;

/**
 * The dirty trackers that the kernel keeps, through userfaultfd write-protection: the choice behind {@code
 * scripts/migrate --tracker uffd-wp-async|uffd-wp}. Unlike {@link io.livemig.dirty.DirtyTracker}'s software
 * logs, a kernel tracker owns the guest's memory (an {@code mmap}'d mapping registered with a userfaultfd),
 * so it is opened through {@link KernelTracking#open}, which says in one line why when it cannot be.
 *
 * <p>Thread-safety: an immutable enum.
 */
public enum KernelTracker
{
    /**
     * {@code UFFD_FEATURE_WP_ASYNC | UFFD_FEATURE_WP_UNPOPULATED} (Linux 6.7): the kernel resolves a write
     * fault on a protected page itself and records the page as written; a harvest is one {@code PAGEMAP_SCAN}
     * that returns the written pages and protects them again. No thread of ours sees a fault.
     */
    UFFD_WP_ASYNC("uffd-wp-async"),
    /**
     * Synchronous write-protect (Linux 5.7 on x86-64): a write to a protected page blocks its writer until a
     * fault thread of ours has read the fault message, marked the page and removed the protection.
     */
    UFFD_WP("uffd-wp");

    private final String cliName;

    KernelTracker(final String cliName)
    {
        this.cliName = cliName;
    }

    /** @return the name on the command line and in results. */
    public String cliName()
    {
        return cliName;
    }

    /** @return whether {@code name} names a kernel tracker, in any case. */
    public static boolean isKernelTracker(final String name)
    {
        for (final KernelTracker tracker : values())
        {
            if (tracker.cliName.equalsIgnoreCase(name))
            {
                return true;
            }
        }
        return false;
    }

    /**
     * @param name {@code uffd-wp-async} or {@code uffd-wp}, in any case.
     * @throws IllegalArgumentException naming the value if it is neither.
     */
    public static KernelTracker parse(final String name)
    {
        for (final KernelTracker tracker : values())
        {
            if (tracker.cliName.equalsIgnoreCase(name.toLowerCase(Locale.ROOT)))
            {
                return tracker;
            }
        }
        throw new IllegalArgumentException("kernel tracker must be uffd-wp-async or uffd-wp: " + name);
    }
}
