package io.livemig.kernel;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import org.agrona.BufferUtil;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * A buffer over guest memory registered for synchronous write-protection ({@link KernelTracker#UFFD_WP})
 * whose stores run as native calls ({@code memcpy}, {@code memset}), so that a thread whose store hits a
 * protected page blocks in the kernel while it is "in native", never "in Java".
 *
 * <p>Why: a Java thread that blocks in a page fault while it runs Java code (a plain {@code Unsafe} store) is
 * still "in Java", so a safepoint waits for it; the fault thread, coming back to Java from its {@code read}
 * of the fault message, waits for that safepoint, and the page is never un-protected: a deadlock that any
 * garbage collection can trigger. A thread in a native call does not hold up a safepoint, so with every
 * store to registered memory made here, a safepoint completes while writers are blocked in faults, and the
 * fault thread, which needs no other thread to make progress, un-protects the page and wakes them.
 *
 * <p>Only the store methods that {@link io.livemig.memory.GuestMemory} uses are routed ({@code putLong},
 * {@code putInt}, {@code putByte}, {@code putBytes} from an array or a buffer, {@code setMemory}); the other
 * store methods of {@link UnsafeBuffer} store in Java and must not be used on protected memory. Reads are
 * plain: write-protection never blocks a read. A heap source is first copied into a per-thread native staging
 * buffer (unprotected memory, so a plain copy is safe), then stored with {@code memcpy}. An aligned 8-byte
 * {@code memcpy} is one 8-byte move in glibc's x86-64 code, so {@code putLong} stays single-copy atomic there.
 *
 * <p>Thread-safety: as {@link UnsafeBuffer}; each thread has its own staging buffer.
 */
class NativeStoreBuffer extends UnsafeBuffer
{
    /** Bytes of the per-thread staging buffer; longer heap copies go in chunks of this size. */
    static final int STAGING_BYTES = 64 << 10;

    static final ThreadLocal<MemorySegment> STAGING =
        ThreadLocal.withInitial(() -> Arena.ofAuto().allocate(STAGING_BYTES, 64));

    NativeStoreBuffer(final long address, final int length)
    {
        super(address, length);
    }

    @Override
    public void putLong(final int index, final long value)
    {
        boundsCheck0(index, Long.BYTES);
        final MemorySegment staging = STAGING.get();
        staging.set(ValueLayout.JAVA_LONG, 0, value);
        Libc.memcpy(addressOffset() + index, staging.address(), Long.BYTES);
    }

    @Override
    public void putInt(final int index, final int value)
    {
        boundsCheck0(index, Integer.BYTES);
        final MemorySegment staging = STAGING.get();
        staging.set(ValueLayout.JAVA_INT, 0, value);
        Libc.memcpy(addressOffset() + index, staging.address(), Integer.BYTES);
    }

    @Override
    public void putByte(final int index, final byte value)
    {
        boundsCheck0(index, 1);
        Libc.memset(addressOffset() + index, value, 1);
    }

    @Override
    public void setMemory(final int index, final int length, final byte value)
    {
        boundsCheck0(index, length);
        Libc.memset(addressOffset() + index, value, length);
    }

    @Override
    public void putBytes(final int index, final byte[] src, final int offset, final int length)
    {
        boundsCheck0(index, length);
        if (offset < 0 || length < 0 || offset > src.length - length)
        {
            throw new IndexOutOfBoundsException("source range [" + offset + ", +" + length + ") of " + src.length);
        }
        final MemorySegment staging = STAGING.get();
        for (int done = 0; done < length; )
        {
            final int chunk = Math.min(STAGING_BYTES, length - done);
            MemorySegment.copy(src, offset + done, staging, ValueLayout.JAVA_BYTE, 0, chunk);
            Libc.memcpy(addressOffset() + index + done, staging.address(), chunk);
            done += chunk;
        }
    }

    @Override
    public void putBytes(final int index, final DirectBuffer src, final int srcIndex, final int length)
    {
        boundsCheck0(index, length);
        src.boundsCheck(srcIndex, length);
        final byte[] heap = src.byteArray();
        if (heap == null)
        {
            Libc.memcpy(addressOffset() + index, src.addressOffset() + srcIndex, length);
            return;
        }
        final int arrayOffset = (int)(src.addressOffset() - BufferUtil.ARRAY_BASE_OFFSET);
        putBytes(index, heap, arrayOffset + srcIndex, length);
    }
}
