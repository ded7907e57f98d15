package io.livemig.codec;

import org.agrona.UnsafeApi;

import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Runs the codec kernels (zero detection on heap and off-heap pages, the XBZRLE encoder and decoder) on
 * private pages in a background daemon thread, so that the JIT has compiled them before a migration's first
 * round needs them. A one-shot process (the CLI) otherwise spends its first tens of thousands of pages in the
 * interpreter and in C1 code, which for the Vector API kernels is several times slower than the scalar loop;
 * started before the guest is built, the warm-up overlaps that setup on another core.
 *
 * <p>The work is bounded ({@value #CALLS} calls per kernel), touches only its own pages, and takes the same
 * dispatch ({@link Simd}'s choice) as a migration does, so it warms the path that will run. Benchmarks do not
 * need it: JMH warms up for itself.
 *
 * <p>{@code -D}{@value #PROPERTY}{@code =false} turns it off.
 *
 * <p>Thread-safety: {@link #start()} may be called from any thread, any number of times; the first call
 * starts the thread and later ones do nothing.
 */
public final class CodecWarmUp
{
    /** System property: {@code false} turns the warm-up off (to measure a cold JVM). */
    public static final String PROPERTY = "livemig.warmup";
    /** Calls per kernel: past C2's compile thresholds for a method called that often. */
    static final int CALLS = 20_000;
    private static final int PAGE = 4096;
    private static final AtomicBoolean STARTED = new AtomicBoolean();
    private static volatile long result;

    private CodecWarmUp()
    {
    }

    /**
     * @return whether a one-shot process should warm up: {@value #PROPERTY} is not {@code false}. It governs this
     *         class's kernel warm-up and the command line's warm-up migrations alike.
     */
    public static boolean enabled()
    {
        return Boolean.parseBoolean(System.getProperty(PROPERTY, "true"));
    }

    /**
     * Starts the warm-up thread, once per JVM.
     *
     * @return the thread the first call started, or {@code null} if an earlier call started it or
     *         {@value #PROPERTY} is {@code false}.
     */
    public static Thread start()
    {
        if (!enabled() || !STARTED.compareAndSet(false, true))
        {
            return null;
        }
        final Thread thread = new Thread(CodecWarmUp::run, "livemig-codec-warmup");
        thread.setDaemon(true);
        thread.setPriority(Thread.MIN_PRIORITY);
        thread.start();
        return thread;
    }

    /** Runs every kernel {@value #CALLS} times on private pages. */
    static void run()
    {
        final byte[] zero = new byte[PAGE];
        final byte[] old = new byte[PAGE];
        final byte[] now = new byte[PAGE];
        final byte[] delta = new byte[PAGE];
        for (int i = 0; i < PAGE; i += 16)
        {
            now[i] = (byte)(i >>> 4 | 1); // a changed byte every 16: many short runs, every branch of the encoder
        }
        final long raw = UnsafeApi.allocateMemory(2L * PAGE);
        try
        {
            final long offHeap = (raw + PAGE - 1) & -(long)PAGE;
            UnsafeApi.setMemory(offHeap, PAGE, (byte)0);
            long sink = 0;
            for (int i = 0; i < CALLS; i++)
            {
                sink += ZeroPage.isZero(zero, RawBytes.ARRAY_BASE_OFFSET, PAGE) ? 1 : 0;
                sink += ZeroPage.isZero(null, offHeap, PAGE) ? 1 : 0;
                final int length = Xbzrle.encode(old, RawBytes.ARRAY_BASE_OFFSET, now, RawBytes.ARRAY_BASE_OFFSET, PAGE,
                    delta, RawBytes.ARRAY_BASE_OFFSET, PAGE);
                sink += length;
                if (length > 0)
                {
                    sink += Xbzrle.decode(delta, RawBytes.ARRAY_BASE_OFFSET, length, old, RawBytes.ARRAY_BASE_OFFSET,
                        PAGE);
                    System.arraycopy(zero, 0, old, 0, PAGE); // the next encode sees the same pair again
                }
            }
            result = sink; // keeps the results live
        }
        finally
        {
            UnsafeApi.freeMemory(raw);
        }
    }
}
