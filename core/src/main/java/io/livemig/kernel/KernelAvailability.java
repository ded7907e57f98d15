package io.livemig.kernel;

/**
 * What a probe of the kernel trackers found, in one of three states:
 * <ul>
 *   <li><b>available</b>;</li>
 *   <li><b>unavailable</b> for a condition the probe names: the JDK release, the operating system, the build
 *       (no FFM classes), a feature the kernel lacks, an {@code errno} a system call returned, a permission;</li>
 *   <li><b>probe failed</b>: the probe met an exception it does not expect, a bug in it or in its bindings,
 *       never a property of the machine.</li>
 * </ul>
 * The product treats the last two alike: the feature cannot run here, and {@link #reason()} says why in one
 * line. Tests tell them apart: a named condition may skip a test, a failed probe fails it.
 *
 * <p>Thread-safety: immutable.
 */
public final class KernelAvailability
{
    private static final KernelAvailability AVAILABLE = new KernelAvailability(null, null);

    private final String reason;
    private final Throwable failure;

    private KernelAvailability(final String reason, final Throwable failure)
    {
        this.reason = reason;
        this.failure = failure;
    }

    /** @return the verdict "available". */
    public static KernelAvailability available()
    {
        return AVAILABLE;
    }

    /**
     * @param reason one line naming the condition, starting {@code "unavailable: "}.
     * @return the verdict "unavailable" for {@code reason}.
     */
    public static KernelAvailability unavailable(final String reason)
    {
        if (reason == null || !reason.startsWith("unavailable: "))
        {
            throw new IllegalArgumentException("a reason starts with \"unavailable: \": " + reason);
        }
        return new KernelAvailability(oneLine(reason), null);
    }

    /**
     * @param what    what the probe was doing, e.g. {@code "probing uffd-wp"}.
     * @param failure what it met.
     * @return the verdict "the probe failed", its reason {@code "probe failed: <what>: <failure>"}.
     */
    public static KernelAvailability probeFailed(final String what, final Throwable failure)
    {
        if (failure == null)
        {
            throw new NullPointerException("failure");
        }
        return new KernelAvailability(oneLine("probe failed: " + what + ": " + failure), failure);
    }

    /** @return whether the feature can run here. */
    public boolean isAvailable()
    {
        return reason == null;
    }

    /** @return whether the probe itself failed (see {@link #failure()}), rather than naming a condition. */
    public boolean probeFailed()
    {
        return failure != null;
    }

    /** @return {@code null} if available, else one line: the named condition, or the probe's failure. */
    public String reason()
    {
        return reason;
    }

    /** @return what the probe met when it failed, else {@code null}. */
    public Throwable failure()
    {
        return failure;
    }

    @Override
    public String toString()
    {
        return reason == null ? "available" : reason;
    }

    /** @return {@code text} with every line break and the blanks around it turned into one space. */
    private static String oneLine(final String text)
    {
        return text.strip().replaceAll("\\s*\\R\\s*", " ");
    }
}
