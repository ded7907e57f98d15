package io.livemig.stream;

import java.lang.management.ManagementFactory;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The invariant every fuzz target of a reader of untrusted bytes asserts (issue #11, "Hostile bytes from the
 * network"): reading an input either succeeds or ends in a clean refusal, a {@link PageStreamException} whose
 * message names the stream offset (within the input) and a reason. Any other exception or error is a
 * finding, and so is a read that allocates more heap than a small budget plus a few times the input's
 * length: a length field trusted before the bytes it announces arrived.
 *
 * <p>A new target is one small class: call {@link #readOrRefuse} with a {@link Reads} that builds the reader
 * over a {@link HostileChannel} of the input (and resets what it writes) and returns the read, then check
 * what the reader produced against a model (a {@link CanaryGuest} for readers that write pages), and a seed
 * corpus. Seeds go in {@code src/test/resources/<package>/<Class>Inputs/
 * <method>/}, generated from real migrations by {@code io.livemig.migration.FuzzCorpusGenerator}.
 *
 * <p>Stateless; safe from any thread (the allocation count is the calling thread's).
 */
public final class HostileBytes
{
    /** Heap a single read may allocate whatever its input: exception messages, stack traces, a name string. */
    public static final long ALLOCATION_BASE_BYTES = 1L << 20;
    /** Further heap per input byte a read may allocate (a reader may keep at most a few copies of its input). */
    public static final long ALLOCATION_PER_INPUT_BYTE = 4;

    private static final com.sun.management.ThreadMXBean THREADS = threads();

    private HostileBytes()
    {
    }

    /** A read of one input; returns normally on success. */
    @FunctionalInterface
    public interface Read
    {
        void run() throws Exception;
    }

    /** Builds a fresh reader of the input, and resets whatever it writes, for one {@link Read}. */
    @FunctionalInterface
    public interface Reads
    {
        Read prepare();
    }

    /**
     * Runs a read that {@code reads} prepares and asserts the invariant. A read over its allocation budget is
     * prepared and run once more, and fails only if the repeat is over budget too: the first use of a class
     * or of a call site allocates (class loading, Jazzer's instrumentation, string concatenation's bootstrap),
     * a length trusted too early allocates every time.
     *
     * @return null if the input was read successfully, else the refusal.
     * @throws AssertionError if anything else happened (the original throwable is the cause).
     */
    public static PageStreamException readOrRefuse(final byte[] input, final Reads reads)
    {
        final long[] allocated = new long[1];
        PageStreamException refusal = readOnce(input, reads.prepare(), allocated);
        if (allocated[0] > budget(input))
        {
            refusal = readOnce(input, reads.prepare(), allocated);
            checkAllocation(input, allocated[0]);
        }
        if (refusal != null)
        {
            checkRefusal(input, refusal);
        }
        return refusal;
    }

    private static PageStreamException readOnce(final byte[] input, final Read read, final long[] allocated)
    {
        final long before = THREADS.getCurrentThreadAllocatedBytes();
        try
        {
            read.run();
            return null;
        }
        catch (final PageStreamException ex)
        {
            return ex;
        }
        catch (final Throwable t)
        {
            throw new AssertionError("input of " + input.length + " bytes escaped as " + t, t);
        }
        finally
        {
            allocated[0] = THREADS.getCurrentThreadAllocatedBytes() - before;
        }
    }

    /** @return the heap a read of {@code input} may allocate. */
    public static long budget(final byte[] input)
    {
        return ALLOCATION_BASE_BYTES + ALLOCATION_PER_INPUT_BYTE * input.length;
    }

    /** Asserts that a read of {@code input} allocated at most its budget. */
    public static void checkAllocation(final byte[] input, final long allocatedBytes)
    {
        final long budget = budget(input);
        if (allocatedBytes > budget)
        {
            fail("a read of " + input.length + " bytes allocated " + allocatedBytes + " bytes of heap, more than its " +
                "budget of " + budget + ": a length trusted before its bytes arrived?");
        }
    }

    /** Asserts that a refusal names an offset within the input and a reason. */
    public static void checkRefusal(final byte[] input, final PageStreamException refusal)
    {
        final long offset = refusal.streamOffset();
        assertTrue(offset >= 0 && offset <= input.length,
            () -> "refusal names offset " + offset + " outside the input of " + input.length + " bytes: " + refusal);
        assertTrue(refusal.reason() != null && !refusal.reason().isBlank(), () -> "refusal without a reason: " + refusal);
        assertTrue(refusal.getMessage().equals("page stream offset " + offset + ": " + refusal.reason()),
            () -> "refusal message does not name its offset: " + refusal.getMessage());
        assertTrue(refusal.getMessage().indexOf('\n') < 0, () -> "refusal is not one line: " + refusal.getMessage());
    }

    private static com.sun.management.ThreadMXBean threads()
    {
        final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
        if (!threads.isThreadAllocatedMemorySupported())
        {
            throw new IllegalStateException("this JVM cannot count a thread's allocation; the fuzz targets need it");
        }
        threads.setThreadAllocatedMemoryEnabled(true);
        return threads;
    }
}
