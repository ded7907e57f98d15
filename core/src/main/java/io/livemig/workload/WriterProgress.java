package io.livemig.workload;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * The count of writes one writer has made, alone on its cache lines so that writers bumping their own
 * counters do not slow each other (false sharing) and a reader summing them disturbs no writer for long.
 *
 * <p>Thread-safety: one writer thread ({@link #addOrdered}), any number of readers ({@link #getAcquire}).
 * The writer publishes with a release store; readers get a value at least as recent as the last one the
 * writer published before their read began.
 */
@SuppressWarnings("unused")
public final class WriterProgress
{
    private static final VarHandle VALUE;

    static
    {
        try
        {
            VALUE = MethodHandles.lookup().findVarHandle(WriterProgress.class, "value", long.class);
        }
        catch (final ReflectiveOperationException ex)
        {
            throw new ExceptionInInitializerError(ex);
        }
    }

    // 56 bytes before and after: the value never shares a 64-byte line with another counter or header.
    private long p01, p02, p03, p04, p05, p06, p07;
    private long value;
    private long p11, p12, p13, p14, p15, p16, p17;

    /** Owner only: adds {@code n} with a release store (no atomic read-modify-write: one writer). */
    public void addOrdered(final long n)
    {
        VALUE.setRelease(this, (long)VALUE.get(this) + n);
    }

    /** @return the writes published so far (acquire). */
    public long getAcquire()
    {
        return (long)VALUE.getAcquire(this);
    }
}
