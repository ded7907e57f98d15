package io.livemig.kernel;

/**
 * A kernel tracker cannot run here; the message is the one-line reason ({@link KernelTracking#unavailable}).
 *
 * <p>Thread-safety: immutable.
 */
public final class KernelUnavailableException extends UnsupportedOperationException
{
    private static final long serialVersionUID = 1L;

    /** @param reason the one-line reason. */
    public KernelUnavailableException(final String reason)
    {
        super(reason);
    }
}
